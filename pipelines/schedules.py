"""Schedules on the funder's deadlines (30.4., 31.8., 31.12.): a draft some days before, the final
report on the day; and a weekly ingestion run. All running by default. A report schedule adds
its tertiary to the partitions (pipelines.partitions) if it is not there yet.

The offsets are environment settings read when the definitions load: IPSETL_DRAFT_DAYS_BEFORE
(default 7), IPSETL_REPORT_HOUR (default 18: the deadline day's last submissions are in) and
IPSETL_INGEST_CRON (default Monday 6.00).
"""

import os
from datetime import date, timedelta

import dagster as dg

from pipelines.jobs import ingest_job, tertiary_job
from pipelines.partitions import ensure_partitions
from pipelines.resources import IpsetlPaths
from schemas.catalogue import deadlines, tertiary_of

DEADLINES = deadlines()  # the tertiaries' last days (schemas/catalogue.toml)
DRAFT_DAYS_BEFORE = int(os.environ.get("IPSETL_DRAFT_DAYS_BEFORE", "7"))
REPORT_HOUR = int(os.environ.get("IPSETL_REPORT_HOUR", "18"))
INGEST_CRON = os.environ.get("IPSETL_INGEST_CRON", "0 6 * * 1")
TIMEZONE = "Europe/Helsinki"


def _cron(day: date, hour: int) -> str:
    return f"0 {hour} {day.day} {day.month} *"


def deadline_crons(days_before: int, hour: int) -> list[str]:
    """One cron per deadline, `days_before` days ahead of it (2025 is a non-leap reference year)."""
    return [_cron(date(2025, m, d) - timedelta(days=days_before), hour) for m, d in DEADLINES]


def _report_request(context: dg.ScheduleEvaluationContext, ipsetl: IpsetlPaths, kind: str):
    day = context.scheduled_execution_time.date()
    label = tertiary_of(day)
    ensure_partitions(context.instance, [label])  # a run asks for an existing partition; kept in order
    return dg.RunRequest(
        run_key=f"{kind}-{label}-{day.isoformat()}",
        partition_key=label,
        run_config=ipsetl.run_config(day),
        tags={"ipsetl/report": kind, "ipsetl/as_of": day.isoformat()},
    )


@dg.schedule(
    cron_schedule=deadline_crons(DRAFT_DAYS_BEFORE, REPORT_HOUR),
    job=tertiary_job,
    execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description=f"Rahoittajaraportin luonnos {DRAFT_DAYS_BEFORE} päivää ennen määräpäivää (30.4., 31.8., 31.12.).",
)
def funder_report_draft(context: dg.ScheduleEvaluationContext, ipsetl: IpsetlPaths):
    return _report_request(context, ipsetl, "draft")


@dg.schedule(
    cron_schedule=deadline_crons(0, REPORT_HOUR),
    job=tertiary_job,
    execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Lopullinen rahoittajaraportti määräpäivänä (30.4., 31.8., 31.12.).",
)
def funder_report_final(context: dg.ScheduleEvaluationContext, ipsetl: IpsetlPaths):
    return _report_request(context, ipsetl, "final")


weekly_ingest = dg.ScheduleDefinition(
    name="weekly_ingest",
    cron_schedule=INGEST_CRON,
    job=ingest_job,
    execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Viikoittainen ajo: saapuneet tiedostot tietovarastoon.",
)

SCHEDULES = [funder_report_draft, funder_report_final, weekly_ingest]
