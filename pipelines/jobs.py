"""The two jobs: ingestion (inbox → warehouse → marts, unpartitioned) and one tertiary end to end."""

import dagster as dg

from pipelines.ingest_assets import INGEST_ASSET_KEYS
from pipelines.mart_assets import MART_VIEWS, mart_key

INGEST_SELECTION = dg.AssetSelection.assets(*INGEST_ASSET_KEYS, *[mart_key(n) for n in MART_VIEWS])

# In one process: a subprocess per step re-imports everything (about 5 s a step here), and the
# steps are short; parallel steps would only queue for the one DuckDB writer anyway.
ingest_job = dg.define_asset_job(
    "ipsetl_ingest",
    executor_def=dg.in_process_executor,
    selection=INGEST_SELECTION,
    description="Saapuneet → tietovarasto → mart-näkymät, tarkistuksineen.",
)

tertiary_job = dg.define_asset_job(
    "ipsetl_tertiary",
    executor_def=dg.in_process_executor,
    selection=dg.AssetSelection.all(),
    description="Koko ketju yhdelle kolmannesvuodelle: saapuneet → tietovarasto → luvut → raportit.",
)
