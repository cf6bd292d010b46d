"""The reports of every due tertiary, rendered from the marts (templates/, ipsetl.reports)."""

from pathlib import Path

import dagster as dg

from ipsetl import progress, warehouse
from ipsetl.reports.data import ReportOptions
from ipsetl.reports.render import render_reports
from pipelines.mart_assets import MART_VIEWS, mart_key
from pipelines.resources import IpsetlPaths


@dg.asset(
    key=dg.AssetKey(["reports", "tertiary_reports"]),
    deps=[mart_key(name) for name in MART_VIEWS],
    group_name="reports",
    description="Rahoittajaraportti, alueraportit (HTML ja PDF) ja indikaattorit.csv jokaiselta päättyneeltä "
    "kolmannesvuodelta ja luonnos kuluvalta.",
)
def tertiary_reports(context: dg.AssetExecutionContext, ipsetl: IpsetlPaths) -> dg.MaterializeResult:
    funder = ReportOptions(threshold=ipsetl.suppression_threshold, suppress=True, organisation=ipsetl.organisation)
    regional = ReportOptions(
        threshold=ipsetl.suppression_threshold, suppress=ipsetl.regional_suppression, organisation=ipsetl.organisation
    )
    with progress.sink(context.log.info):
        with warehouse.connect(ipsetl.warehouse_path, read_only=True, wait_s=ipsetl.lock_wait_s) as con:
            summary = render_reports(con, Path(ipsetl.reports), ipsetl.as_of_date, funder, regional, progress.emit)
    return dg.MaterializeResult(
        metadata={
            "tertiaries": dg.MetadataValue.json(summary.tertiaries),
            "reports_rendered": summary.pdf_written,
            "reports_unchanged": summary.pdf_unchanged,
            "folder": dg.MetadataValue.path(str(Path(ipsetl.reports).resolve())),
        }
    )
