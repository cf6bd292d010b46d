"""The inbox sensor: a new or changed file starts ingestion and everything downstream; a file
dropped again unchanged starts nothing (the cursor holds each file's content hash, not its time
stamp).

The run covers every tertiary up to the current one in one run (a partition range; the report
asset's backfill policy is single-run): a late correction for a past tertiary must reach that
tertiary's report too, and reports whose figures did not change are skipped in a moment."""

import hashlib
import json
from datetime import date

import dagster as dg

from ipsetl.inbox import scan
from pipelines.jobs import tertiary_job
from pipelines.partitions import TERTIARIES, tertiary_of
from pipelines.resources import IpsetlPaths

HASH_LIMIT = 64 * 1024 * 1024  # larger files (refused anyway) are known by size and time


def inbox_state(ipsetl: IpsetlPaths) -> dict[str, str]:
    state = {}
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
    job=tertiary_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Uusi tai muuttunut tiedosto saapuneissa käynnistää ajon (kaikki kaudet kuluvaan asti).",
)
def inbox_sensor(context: dg.SensorEvaluationContext, ipsetl: IpsetlPaths):
    previous = json.loads(context.cursor) if context.cursor else {}
    current = inbox_state(ipsetl)
    changed = sorted(name for name, digest in current.items() if previous.get(name) != digest)
    context.update_cursor(json.dumps(current, sort_keys=True))
    if not changed:
        return dg.SkipReason("Ei uusia tai muuttuneita tiedostoja.")
    label = tertiary_of(date.today())
    if label not in TERTIARIES.get_partition_keys():
        return dg.SkipReason(f"Kausi {label} ei ole määriteltyjen kausien joukossa (IPSETL_LAST_TERTIARY).")
    run_key = hashlib.sha256(json.dumps([[n, current[n]] for n in changed]).encode()).hexdigest()[:20]
    first = TERTIARIES.get_partition_keys()[0]
    return dg.RunRequest(
        run_key=run_key,
        tags={
            "ipsetl/trigger": "inbox",
            "ipsetl/files": ", ".join(changed)[:200],
            "dagster/asset_partition_range_start": first,
            "dagster/asset_partition_range_end": label,
        },
    )
