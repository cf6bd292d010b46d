"""The two jobs: ingestion (inbox → warehouse → marts, unpartitioned) and one tertiary end to end."""

import dagster as dg

from pipelines.ingest_assets import INGEST_ASSET_KEYS
from pipelines.mart_assets import MART_VIEWS, mart_key

INGEST_SELECTION = dg.AssetSelection.assets(*INGEST_ASSET_KEYS, *[mart_key(n) for n in MART_VIEWS])

ingest_job = dg.define_asset_job(
    "ipsetl_ingest",
    selection=INGEST_SELECTION,
    description="Saapuneet → tietovarasto → mart-näkymät, tarkistuksineen.",
)

tertiary_job = dg.define_asset_job(
    "ipsetl_tertiary",
    selection=dg.AssetSelection.all(),
    description="Koko ketju yhdelle kolmannesvuodelle: saapuneet → tietovarasto → luvut → raportit.",
)
