"""The code location `dagster dev` loads. Importing it is cheap: no connections, no file scans."""

import dagster as dg

from pipelines.ingest_assets import ingest_inbox
from pipelines.jobs import ingest_job, tertiary_job
from pipelines.mart_assets import mart_views, tertiary_summary
from pipelines.report_assets import tertiary_report
from pipelines.resources import default_paths
from pipelines.schedules import SCHEDULES
from pipelines.sensors import inbox_sensor, reports_after_inbox

INGEST_ASSETS = [ingest_inbox, mart_views]
TERTIARY_ASSETS = [tertiary_summary, tertiary_report]
ASSETS = [*INGEST_ASSETS, *TERTIARY_ASSETS]

defs = dg.Definitions(
    assets=ASSETS,
    jobs=[ingest_job, tertiary_job],
    schedules=SCHEDULES,
    sensors=[inbox_sensor, reports_after_inbox],
    resources={"ipsetl": default_paths()},
    executor=dg.in_process_executor,  # also for materialisations started from the asset graph
)
