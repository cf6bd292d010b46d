"""Run the Dagster asset graph in-process: what `ipsetl run` and `ipsetl demo` do.

The same assets as the UI and the schedules, executed with Dagster's in-process executor (a
multiprocess executor re-imports everything per step: 11 s instead of 3 s for a small graph).
"""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ipsetl.config import PROJECT_ROOT, Settings


class RunFailed(RuntimeError):
    """The run itself could not complete; the message is the step's own error, one sentence."""


@dataclass
class RunResult:
    run_id: str
    as_of: date
    tertiaries: list[str]


def _failure(result) -> str:
    messages = []
    for ev in result.get_step_failure_events():
        err = ev.step_failure_data.error
        while err is not None and err.cause is not None and "dagster" in (err.cls_name or "").lower():
            err = err.cause
        messages.append((err.message if err else str(ev.message)).strip().splitlines()[-1])
    return "; ".join(messages) or "Ajo epäonnistui tuntemattomasta syystä."


def dagster_instance():
    """The project's instance (dagster_home/, so CLI runs show in the UI) unless DAGSTER_HOME says otherwise."""
    import dagster as dg

    home = os.environ.get("DAGSTER_HOME") or str(PROJECT_ROOT / "dagster_home")
    if not (Path(home) / "dagster.yaml").exists():
        return dg.DagsterInstance.ephemeral()
    os.environ["DAGSTER_HOME"] = home
    # Two processes creating a new instance's SQLite tables at once can collide ("table runs
    # already exists"): create and open it under a file lock.
    with open(Path(home) / ".ipsetl-instance.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        instance = dg.DagsterInstance.get()
        instance.get_runs(limit=1)
    return instance


def release_dead_cli_runs(instance) -> list[str]:
    """Mark CLI runs whose process is gone (killed) as failed and free their pool slots.

    A run killed while it held the `duckdb` pool slot would otherwise keep it for ever, and every
    later run would wait in silence. The DuckDB file lock stays the real guard against two writers.
    """
    import dagster as dg

    freed = []
    for record in instance.get_run_records(
        filters=dg.RunsFilter(
            statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING], tags={"ipsetl/trigger": "cli"}
        ),
        limit=50,
    ):
        run = record.dagster_run
        pid = run.tags.get("ipsetl/pid")
        if pid and pid.isdigit() and not _alive(int(pid)):
            instance.report_run_failed(run, message="ipsetl: ajon prosessi päättyi kesken (esim. tapettiin).")
            instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
            freed.append(run.run_id)
    return freed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def run_pipeline(s: Settings, as_of: date) -> RunResult:
    """The ingestion job (inbox → warehouse → marts, with checks), then the tertiary job over the
    range of due tertiaries in one run (one pool of PDF workers): the same jobs the UI shows."""
    from ipsetl import warehouse
    from ipsetl.reports.data import report_tertiaries
    from pipelines.definitions import TERTIARY_ASSETS, defs
    from pipelines.resources import paths_from

    config = {
        "resources": {"ipsetl": {"config": paths_from(s, as_of).model_dump()}},
        "loggers": {"console": {"config": {"log_level": "CRITICAL"}}},
    }
    tags = {"ipsetl/as_of": as_of.isoformat(), "ipsetl/trigger": "cli", "ipsetl/pid": str(os.getpid())}
    with dagster_instance() as instance:
        release_dead_cli_runs(instance)
        ingest = defs.resolve_job_def("ipsetl_ingest").execute_in_process(
            run_config=config, instance=instance, raise_on_error=False, tags=tags
        )
        if not ingest.success:
            raise RunFailed(_failure(ingest))
        run_ids = [ingest.run_id]
        with warehouse.connect(s.warehouse, read_only=True, wait_s=s.lock_wait_s) as con:
            due = [t.label for t in report_tertiaries(con, as_of)]
        if due:
            span = {"dagster/asset_partition_range_start": due[0], "dagster/asset_partition_range_end": due[-1]}
            reports = defs.resolve_job_def("ipsetl_tertiary").execute_in_process(
                run_config=config,
                instance=instance,
                raise_on_error=False,
                tags={**tags, **span},
                asset_selection=[a.key for a in TERTIARY_ASSETS],
            )
            if not reports.success:
                raise RunFailed(f"Raportit {due[0]}–{due[-1]}: {_failure(reports)}")
            run_ids.append(reports.run_id)
        return RunResult(run_ids[0], as_of, due)
