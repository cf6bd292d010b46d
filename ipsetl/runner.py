"""Run the Dagster asset graph in-process: what `ipsetl run` and `ipsetl demo` do.

The same assets as the UI and the schedules, executed with Dagster's in-process executor (a
multiprocess executor re-imports everything per step: 11 s instead of 3 s for a small graph).
"""

from __future__ import annotations

import atexit
import fcntl
import os
import re
import shutil
from contextlib import contextmanager
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
    tertiaries: list[str]  # the selected due tertiaries (every one is a partition now)


def _failure(result) -> str:
    messages = []
    for ev in result.get_step_failure_events():
        err = ev.step_failure_data.error
        while err is not None and err.cause is not None and "dagster" in (err.cls_name or "").lower():
            err = err.cause
        text = (err.message if err else str(ev.message)).strip().splitlines()[-1]
        messages.append(re.sub(r"^[\w.]+(Error|Exception|Failed|Busy): ", "", text))  # the class is for --debug
    return "; ".join(messages) or "Ajo epäonnistui tuntemattomasta syystä."


def new_dagster_home(path: Path) -> Path:
    """A Dagster instance folder configured like the project's dagster_home/ (pools, run monitoring,
    telemetry off), for runs that must not land in the project's run history: tests, benchmarks."""
    path.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(PROJECT_ROOT / "dagster_home" / "dagster.yaml", path / "dagster.yaml")
    return path


_INSTANCES: dict[str, object] = {}


@contextmanager
def dagster_instance():
    """The project's instance (dagster_home/, so CLI runs show in the UI) unless DAGSTER_HOME says otherwise.

    Opened once per process and home (a second open costs a second): `ipsetl run` uses it for the
    runs and again for the status screen after them.
    """
    import dagster as dg

    home = os.environ.get("DAGSTER_HOME") or str(PROJECT_ROOT / "dagster_home")
    if not (Path(home) / "dagster.yaml").exists():
        with dg.DagsterInstance.ephemeral() as instance:
            yield instance
        return
    os.environ["DAGSTER_HOME"] = home
    if home not in _INSTANCES:
        # Two processes creating a new instance's SQLite tables at once can collide ("table runs
        # already exists"): create and open it under a file lock.
        with open(Path(home) / ".ipsetl-instance.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            instance = dg.DagsterInstance.get()
            instance.get_runs(limit=1)
        _INSTANCES[home] = instance
        atexit.register(instance.dispose)
    yield _INSTANCES[home]


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


def run_pipeline(s: Settings, as_of: date, scope: str = "all") -> RunResult:
    """Ingestion, marts and checks in one Dagster run (the ingest job); then, only if some selected
    tertiary's reports would change, its summary and reports in a second (the tertiary job, over
    the range of those tertiaries). A new month's export that leaves the selected tertiaries as
    they were costs one run, not the report steps' bookkeeping too. The jobs are those the UI shows."""
    from ipsetl import workers
    from ipsetl.ingest import PARALLEL_FROM, PARSE_WORKER, probably_new

    new = probably_new(s.inbox, s.warehouse)
    if new:
        # They import pandas and pandera while Dagster starts up. One worker for a few files:
        # it also keeps pandera (20 MB) out of this process, which later waits on the report workers.
        workers.warm(PARSE_WORKER, 2 if new >= PARALLEL_FROM else 1)
    try:
        return _run_pipeline(s, as_of, scope)
    finally:
        workers.close_warm()


def _run_pipeline(s: Settings, as_of: date, scope: str) -> RunResult:
    from ipsetl import progress, workers
    from ipsetl.reports.freshness import due_and_stale
    from ipsetl.reports.render import PDF_WORKER
    from pipelines.definitions import TERTIARY_ASSETS, defs
    from pipelines.partitions import ensure_partitions, partition_range
    from pipelines.resources import paths_from

    config = paths_from(s, as_of, scope).run_config() | {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
    tags = {"ipsetl/as_of": as_of.isoformat(), "ipsetl/trigger": "cli", "ipsetl/pid": str(os.getpid())}

    with dagster_instance() as instance:
        release_dead_cli_runs(instance)
        first = defs.resolve_job_def("ipsetl_ingest").execute_in_process(
            run_config=config, instance=instance, raise_on_error=False, tags=tags
        )
        if not first.success:
            raise RunFailed(_failure(first))
        due, stale = due_and_stale(s, as_of, scope)
        # The due tertiaries become partitions, in chronological order (a range run needs both):
        # one from older data arriving late goes before the later ones.
        ensure_partitions(instance, due)
        for label in due:
            if label not in stale:
                progress.emit(f"Raportit {label}: ennallaan")
        if stale:
            if workers.cores() > 1:
                # Some report will be rendered: the PDF workers start while the report
                # run starts and the contexts are built (a correction re-renders all 22 reports).
                workers.warm(PDF_WORKER)
            more = defs.resolve_job_def("ipsetl_tertiary").execute_in_process(
                run_config=config,
                instance=instance,
                raise_on_error=False,
                tags=tags | partition_range(stale),
                asset_selection=[a.key for a in TERTIARY_ASSETS],
            )
            if not more.success:
                raise RunFailed(f"Raportit {stale[0]}–{stale[-1]}: {_failure(more)}")
    return RunResult(first.run_id, as_of, due)
