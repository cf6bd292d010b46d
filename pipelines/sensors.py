"""The inbox sensor and the report run that follows it: what `ipsetl run` does, in two runs.

`inbox_sensor`: a new or changed file starts ingestion (the ingest job: inbox → warehouse →
marts); a file dropped again unchanged starts nothing (the cursor holds each file's content hash,
not its time stamp).

`reports_after_inbox`: when such an ingestion run has succeeded, the warehouse says which
tertiaries are due and whose reports would change (ipsetl.reports.freshness.due_and_stale, the
check `ipsetl run` makes). The due ones become partitions, in chronological order, and one run of
the summary and report assets over the range of the stale ones renders them. Only after ingestion
is it known how far back the data go: a first file may bring 2021, a late correction a tertiary
long reported, and both reach their reports. Nothing stale: no run.
"""

from __future__ import annotations

import hashlib
import json

import dagster as dg

from ipsetl.inbox import scan
from pipelines.jobs import ingest_job, tertiary_job
from pipelines.mart_assets import TERTIARY_SUMMARY
from pipelines.partitions import ensure_partitions, partition_range
from pipelines.report_assets import TERTIARY_REPORT
from pipelines.resources import IpsetlPaths

HASH_LIMIT = 64 * 1024 * 1024  # larger files (refused anyway) are known by size and time
# The form versions and regions in the cursor, under a name no file can have: a drafted form version
# (`ipsetl forms draft`) or a new region re-reads the inbox's files as a changed file would.
DEFINITIONS = "\0lomakemääritykset"


def inbox_state(ipsetl: IpsetlPaths) -> dict[str, str]:
    from ipsetl.forms import form_versions, schema_fingerprint

    form_versions()  # a version that cannot be read raises here, before any run is asked for
    state = {DEFINITIONS: schema_fingerprint()}
    for entry in scan(ipsetl.inbox_path):  # a FIFO or a dangling link is known by what it is, never opened
        if entry.readable and entry.size > HASH_LIMIT:
            state[entry.name] = f"size:{entry.size}:{entry.mtime_ns}"
            continue
        try:
            state[entry.name] = entry.key(HASH_LIMIT)
        except OSError:
            continue  # gone or swapped since the scan: the next evaluation sees it
    return state


@dg.sensor(
    job=ingest_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Uusi tai muuttunut tiedosto saapuneissa käynnistää tietojen luvun; "
    "raportit tekee sen jälkeen reports_after_inbox.",
)
def inbox_sensor(context: dg.SensorEvaluationContext, ipsetl: IpsetlPaths):
    from ipsetl.forms import FormFileError

    previous = json.loads(context.cursor) if context.cursor else {}
    try:
        current = inbox_state(ipsetl)
    except FormFileError as exc:  # a hand-edited form version with a typo: said, and nothing starts
        return dg.SkipReason(str(exc))
    if DEFINITIONS not in previous:  # a cursor from before the definitions were in it
        previous[DEFINITIONS] = current[DEFINITIONS]
    changed = sorted(name for name, digest in current.items() if previous.get(name) != digest)
    context.update_cursor(json.dumps(current, sort_keys=True))
    if not changed:
        return dg.SkipReason("Ei uusia tai muuttuneita tiedostoja.")
    if changed == [DEFINITIONS] and len(current) == 1:
        return dg.SkipReason("Lomakemääritykset muuttuivat, mutta saapuneissa ei ole tiedostoja.")
    run_key = hashlib.sha256(json.dumps([[n, current[n]] for n in changed]).encode()).hexdigest()[:20]
    return dg.RunRequest(
        run_key=run_key,
        tags={
            "ipsetl/trigger": "inbox",
            "ipsetl/files": ", ".join("lomakemääritykset" if n == DEFINITIONS else n for n in changed)[:200],
        },
    )


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[ingest_job],
    request_job=tertiary_job,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Saapuneista luetun jälkeen: kaikki erääntyneet kaudet osioiksi ja raportit niille, "
    "joiden luvut muuttuivat (kuluvalta kaudelta luonnos).",
)
def reports_after_inbox(context: dg.RunStatusSensorContext, ipsetl: IpsetlPaths):
    from ipsetl.reports.freshness import due_and_stale

    run = context.dagster_run
    if run.tags.get("ipsetl/trigger") != "inbox":
        return dg.SkipReason("Ajo ei ollut saapuneiden sensorin käynnistämä.")
    as_of = ipsetl.as_of_date
    due, stale = due_and_stale(ipsetl.settings(), as_of, ipsetl.report_scope)
    # Added here, not as the result's dynamic_partitions_requests: keeping the keys in order may
    # mean deleting a key and adding it again, which one sensor result may not ask for.
    ensure_partitions(context.instance, due)
    if not stale:
        return dg.SkipReason(f"Raportit ajan tasalla ({', '.join(due) or 'ei erääntyneitä kausia'}).")
    return dg.RunRequest(
        run_key=f"reports-{run.run_id}",
        asset_selection=[TERTIARY_SUMMARY, TERTIARY_REPORT],
        run_config=ipsetl.run_config(as_of),  # the date the staleness was judged on, also past midnight
        tags={
            "ipsetl/trigger": "inbox",
            "ipsetl/after": run.run_id,
            "ipsetl/as_of": as_of.isoformat(),
            **partition_range(stale),
        },
    )
