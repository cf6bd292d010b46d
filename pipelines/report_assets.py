"""The reports of one tertiary (a partition): funder report, regional reports, indicators CSV."""

from pathlib import Path

import dagster as dg

from ipsetl import consistency, progress, warehouse
from ipsetl.reports.data import ReportOptions, report_tertiaries, select_tertiaries
from ipsetl.reports.data import report_options as data_report_options
from ipsetl.reports.render import render_reports
from pipelines.mart_assets import TERTIARY_SUMMARY
from pipelines.partitions import TERTIARIES
from pipelines.resources import IpsetlPaths

TERTIARY_REPORT = dg.AssetKey(["reports", "tertiary_report"])


def report_options(ipsetl: IpsetlPaths) -> tuple[ReportOptions, ReportOptions]:
    return data_report_options(ipsetl.suppression_threshold, ipsetl.regional_suppression, ipsetl.organisation)


@dg.asset(
    key=TERTIARY_REPORT,
    partitions_def=TERTIARIES,
    backfill_policy=dg.BackfillPolicy.single_run(),
    deps=[TERTIARY_SUMMARY],
    group_name="reports",
    # one report run at a time (the instance's pools are limited to one): two runs started by
    # ingestions close together would otherwise write the same report files at once
    pool="reports",
    description="Rahoittajaraportti ja alueraportit (HTML, PDF) sekä indikaattorit.csv yhdeltä kolmannesvuodelta; "
    "kuluvalta kaudelta luonnos.",
)
def tertiary_report(context: dg.AssetExecutionContext, ipsetl: IpsetlPaths) -> dg.MaterializeResult:
    labels = context.partition_keys  # one tertiary, or a range in one run: one pool of PDF workers
    funder, regional = report_options(ipsetl)
    with warehouse.connect(ipsetl.warehouse_path, read_only=True, wait_s=ipsetl.lock_wait_s) as con:
        due = {t.label: t for t in select_tertiaries(report_tertiaries(con, ipsetl.as_of_date), ipsetl.report_scope)}
        todo = [label for label in labels if label in due]
        blocked = consistency.blocking_failures(con, todo)
        skipped = [label for label in labels if label not in due]
        summary = None
        if todo:
            with progress.collected(context.log.info):
                summary = render_reports(
                    con,
                    Path(ipsetl.reports),
                    ipsetl.as_of_date,
                    funder,
                    regional,
                    progress.emit,
                    only=todo,
                    blocked=blocked or None,
                )
    final = [label for label in todo if not due[label].draft and label not in blocked]
    return dg.MaterializeResult(
        metadata={
            "rendered": dg.MetadataValue.json(todo),
            "final": dg.MetadataValue.json(final),
            "drafts": dg.MetadataValue.json([label for label in todo if label not in final]),
            "blocked_by": dg.MetadataValue.json(blocked),
            "not_due": dg.MetadataValue.json(skipped),
            "reports_rendered": summary.pdf_written if summary else 0,
            "reports_unchanged": summary.pdf_unchanged if summary else 0,
            "folder": dg.MetadataValue.path(str(Path(ipsetl.reports).resolve())),
        }
    )
