"""The code location `dagster dev` loads. Importing it is cheap: no connections, no file scans."""

import dagster as dg

from pipelines.ingest_assets import INGEST_CHECKS, ingest_inbox
from pipelines.mart_assets import mart_views
from pipelines.mart_checks import MART_CHECKS
from pipelines.report_assets import tertiary_reports
from pipelines.resources import default_paths

ASSETS = [ingest_inbox, mart_views, tertiary_reports]
CHECKS = [*INGEST_CHECKS, *MART_CHECKS]

main_job = dg.define_asset_job(
    "ipsetl_main", selection=dg.AssetSelection.all(), description="Inbox → warehouse → marts → reports"
)

defs = dg.Definitions(
    assets=ASSETS,
    asset_checks=CHECKS,
    jobs=[main_job],
    resources={"ipsetl": default_paths()},
)
