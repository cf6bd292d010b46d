"""A run killed at any moment leaves the warehouse as it was or as the finished run leaves it.

Real `ipsetl run` processes are killed with SIGKILL (no cleanup, no `finally`, no rollback: what a
power cut or the OOM killer does) while they read the inbox and at a sweep of moments around the
warehouse write. Right after each kill the warehouse file must open and hold either nothing of the
run or all of it, never a part; and a plain re-run must then leave exactly what one uninterrupted
run leaves in a separate folder (every raw table and mart view, row for row, except `loaded_at`).

Every process gets a DAGSTER_HOME of its own in the test's folder, holding the project's
dagster_home/dagster.yaml (the instance `ipsetl run` uses by default), so that the tests never
touch the project's own run history. `test_kill_while_reading` re-runs on the instance of the
killed run, as a user would; the sweep gives the re-run a fresh instance, so that it checks the
warehouse alone.

The kill moments are taken relative to what the run prints (each file as it is read, then the
reports), not to the clock alone, so that they land in the same phase on a slow CI machine:
the write transaction starts right after the last `[n/n] file` line and the reports line follows
it once the transaction and the marts are done.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from ipsetl.runner import new_dagster_home
from ipsetl.sample_inbox import generate_assessments, generate_monitoring, write_export

AS_OF = "2026-11-26"
RUN_TIMEOUT = 60  # a clean run of the inbox below takes 10–25 s
REGIONS = ["HUS", "PIR", "LAP"]
# Every window lies in 2026-T3, the tertiary of the as-of date, so a run renders one draft funder
# report and one regional report per region (4 PDFs, a few seconds) and not a report per tertiary.
WINDOWS = [
    (date(2026, 9, 1), date(2026, 9, 30)),
    (date(2026, 10, 1), date(2026, 10, 31)),
    (date(2026, 9, 1), date(2026, 10, 31)),
]
QUIRKS = [
    {},
    {"encoding": "utf-8", "delimiter": ",", "decimal": ".", "line_end": "\n"},
    {"header_rows": 2},
    {"encoding": "cp1252", "thousands": "\u00a0"},
    {"fmt": "xlsx"},
    {"fmt": "xlsx", "xlsx_dates": "text"},
    {"encoding": "utf-16"},
    {"header_noise": True, "language_column": True, "thousands": True},
    {"excel_floats": True, "decimal": "."},
]
N_MONITORING_FILES = 10
READ_LINE = re.compile(r"^\s*\[(\d+)/(\d+)\] ")
REPORTS_LINE = re.compile(r"^\s*Raportit \d{4}-T\d")


def write_inbox(inbox: Path) -> None:
    """Resubmissions of three regions' windows in many files of every export flavour.

    Many files make reading take a few seconds (a wide target for the kill while reading) and give
    the write transaction real work: rows, findings and the supersession of most of them.
    """
    inbox.mkdir(parents=True)
    base: dict[str, dict] = {}
    for row in generate_monitoring(31, start=date(2026, 1, 1), end=date(2026, 8, 31), regions=REGIONS):
        base.setdefault(row["region"], row)
    for i in range(N_MONITORING_FILES):
        start, end = WINDOWS[i % len(WINDOWS)]
        rows = [
            dict(r, period_start=start, period_end=end, submitted_at=datetime(2026, 11, 2 + i, 9, j, i))
            for j, r in enumerate(base.values())
        ]
        if i == 5:
            rows.append(dict(rows[0], coaches_headcount="kolme"))  # a rejected row: a finding to write
        quirks = QUIRKS[i % len(QUIRKS)]
        suffix = "xlsx" if quirks.get("fmt") == "xlsx" else "csv"
        write_export(inbox / f"IPS seuranta {i:02d}_Perusraportti.{suffix}", rows, **quirks)
    assessments = generate_assessments(31, start=date(2025, 1, 1), end=date(2026, 10, 31), regions=REGIONS)[:3]
    assessments = [
        dict(a, assessed_on=date(2026, 9, 10 + k), submitted_at=datetime(2026, 9, 20, 10, k))
        for k, a in enumerate(assessments)
    ]
    write_export(inbox / "IPS laatukriteerit syksy 2026_Perusraportti.csv", assessments, "laatu")
    (inbox / "IPS seuranta 00 (2).csv").write_bytes((inbox / "IPS seuranta 00_Perusraportti.csv").read_bytes())


# --- running and killing ------------------------------------------------------------------------


def clean_env(dagster_home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPSETL_") and k != "DAGSTER_HOME"}
    return {**env, "DAGSTER_HOME": str(dagster_home)}


@dataclass
class Run:
    """An `ipsetl run` in its own process group, its stderr lines timed as they arrive."""

    inbox: Path
    warehouse: Path
    reports: Path
    dagster_home: Path
    started: float = 0.0
    lines: list[tuple[float, str]] = field(default_factory=list)
    proc: subprocess.Popen | None = None
    _reader: threading.Thread | None = None
    _changed: threading.Condition = field(default_factory=threading.Condition)

    def start(self) -> Run:
        cmd = [sys.executable, "-m", "ipsetl.cli", "run", "--inbox", str(self.inbox), "--warehouse",
               str(self.warehouse), "--reports", str(self.reports), "--as-of", AS_OF]  # fmt: skip
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            cmd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=clean_env(self.dagster_home),
            cwd=self.inbox.parent,
            start_new_session=True,  # the PDF workers go with it when the group is killed
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        return self

    def _read(self) -> None:
        for raw in self.proc.stderr:
            with self._changed:
                self.lines.append((time.monotonic() - self.started, raw.decode("utf-8", "replace").rstrip()))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def wait_for(self, pattern: re.Pattern, accept=lambda m: True, timeout: float = RUN_TIMEOUT) -> float:
        """Block until a stderr line matches; its arrival time (s since start)."""
        deadline = time.monotonic() + timeout
        seen = 0
        with self._changed:
            while True:
                for t, line in self.lines[seen:]:
                    m = pattern.search(line)
                    if m and accept(m):
                        return t
                seen = len(self.lines)
                if self.proc.poll() is not None and not self._reader.is_alive():
                    raise AssertionError(f"the run ended before {pattern.pattern!r}:\n{self.output()}")
                if time.monotonic() > deadline:
                    raise AssertionError(f"no {pattern.pattern!r} within {timeout} s:\n{self.output()}")
                self._changed.wait(0.05)

    def kill(self) -> float:
        at = time.monotonic() - self.started
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=30)
        self._reader.join(timeout=30)
        return at

    def finish(self) -> int:
        try:
            code = self.proc.wait(timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"the run did not finish in {RUN_TIMEOUT} s:\n{self.output()}") from None
        self._reader.join(timeout=30)
        return code

    def output(self) -> str:
        return "\n".join(f"{t:6.2f} {line}" for t, line in self.lines)[-4000:]


def clean_run(inbox: Path, warehouse: Path, reports: Path, dagster_home: Path) -> Run:
    run = Run(inbox, warehouse, reports, dagster_home).start()
    code = run.finish()
    assert code == 0, f"a clean run failed (exit {code}):\n{run.output()}"
    return run


# --- comparing warehouses -----------------------------------------------------------------------

EXCLUDED_COLUMNS = {"loaded_at"}  # when the run happened: differs between any two runs


def dump(path: Path) -> dict[str, list[tuple[str, ...]]]:
    """Every raw table and mart view as sorted rows of value reprs (loaded_at left out)."""
    with duckdb.connect(str(path), read_only=True) as con:
        relations = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema IN ('raw', 'mart') ORDER BY 1, 2"
        ).fetchall()
        out = {}
        for schema, table in relations:
            cols = [
                c
                for (c,) in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? "
                    "ORDER BY ordinal_position",
                    [schema, table],
                ).fetchall()
                if c not in EXCLUDED_COLUMNS
            ]
            select = ", ".join(f'"{c}"' for c in cols)
            rows = con.execute(f'SELECT {select} FROM "{schema}"."{table}"').fetchall()
            out[f"{schema}.{table}"] = sorted(tuple(repr(v) for v in r) for r in rows)
            out[f"{schema}.{table}:columns"] = [tuple(cols)]
    return out


def first_difference(have: dict, want: dict) -> str:
    for name in sorted(set(have) | set(want)):
        a, b = have.get(name), want.get(name)
        if a != b:
            if a is None or b is None:
                return f"{name}: only in {'the reference' if a is None else 'the re-run warehouse'}"
            extra = [r for r in a if r not in b][:3]
            missing = [r for r in b if r not in a][:3]
            return f"{name}: {len(a)} rows vs {len(b)} in the reference; extra {extra}; missing {missing}"
    return "no difference"


def state_after_kill(path: Path, reference: dict) -> str:
    """'none': nothing of the run is there; 'all': exactly what a finished run leaves. Anything
    else fails: the file must open read-only (as `ipsetl sql` opens it) and be one of the two."""
    if not path.exists():
        return "none"
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            has = con.execute(
                "SELECT count(*) FROM information_schema.tables "
                "WHERE table_schema = 'raw' AND table_name = 'source_file'"
            ).fetchone()[0]
            files = con.execute("SELECT count(*) FROM raw.source_file").fetchone()[0] if has else 0
    except duckdb.Error as exc:
        pytest.fail(f"the warehouse does not open after the kill: {type(exc).__name__}: {exc}")
    if files == 0:
        return "none"
    have = dump(path)
    assert have == reference, f"half-written warehouse after the kill: {first_difference(have, reference)}"
    return "all"


# --- fixtures -------------------------------------------------------------------------------------


@dataclass
class Reference:
    inbox: Path
    reports: Path
    dump: dict
    timeline: Run
    read_end: float  # the last `[n/n]` line: the write transaction starts here
    reports_at: float  # the reports line: the transaction and the marts are done
    finished: float


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Reference:
    root = tmp_path_factory.mktemp("crash")
    inbox = root / "inbox"
    write_inbox(inbox)
    before = sorted((p.name, p.read_bytes()) for p in inbox.iterdir())
    run = clean_run(inbox, root / "ref" / "w.duckdb", root / "ref" / "reports", new_dagster_home(root / "ref" / "dg"))
    assert sorted((p.name, p.read_bytes()) for p in inbox.iterdir()) == before, "the run changed the inbox"

    def at(pattern, accept=lambda m: True) -> float:
        return next(t for t, line in run.lines if (m := pattern.search(line)) and accept(m))

    n = N_MONITORING_FILES + 2
    ref = Reference(
        inbox=inbox,
        reports=root / "ref" / "reports",
        dump=dump(root / "ref" / "w.duckdb"),
        timeline=run,
        read_end=at(READ_LINE, lambda m: int(m[1]) == int(m[2])),
        reports_at=at(REPORTS_LINE),
        finished=run.lines[-1][0],
    )
    assert len(ref.dump["raw.source_file"]) == n, run.output()
    assert len(ref.dump["raw.monitoring_response"]) > 3 * N_MONITORING_FILES - 1
    assert ref.dump["raw.finding"], "the inbox should give at least one finding to write"
    return ref


def fresh_folder(root: Path, reference: Reference) -> tuple[Path, Path]:
    """A warehouse path and a reports folder holding the reference's reports: the re-run finds
    its PDFs unchanged and does not spend seconds rendering them again."""
    root.mkdir(parents=True)
    shutil.copytree(reference.reports, root / "reports")
    return root / "w.duckdb", root / "reports"


def rerun_matches(reference: Reference, warehouse: Path, reports: Path, dagster_home: Path, label: str) -> None:
    run = Run(reference.inbox, warehouse, reports, dagster_home).start()
    try:
        code = run.proc.wait(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        run.kill()
        pytest.fail(
            f"{label}: the next `ipsetl run` did not finish in {RUN_TIMEOUT} s (a clean run takes "
            f"{reference.finished:.0f} s); it printed:\n{run.output()}\n{pending_dagster_steps(dagster_home)}"
        )
    run._reader.join(timeout=30)
    assert code == 0, f"{label}: the re-run failed (exit {code}):\n{run.output()}"
    have = dump(warehouse)
    assert have == reference.dump, (
        f"{label}: after the re-run: {first_difference(have, reference.dump)}\n{run.output()}"
    )
    leftovers = sorted(p.name for p in warehouse.parent.glob(f".{warehouse.name}.building-*"))
    assert leftovers == [], f"{label}: the killed run's half-built copy was not cleaned up: {leftovers}"


# --- the tests --------------------------------------------------------------------------------------


def pending_dagster_steps(dagster_home: Path) -> str:
    """What the instance's concurrency pools hold: a claimed slot of a dead run blocks the next."""
    db = dagster_home / "history" / "runs" / "index.db"
    if not db.exists():
        return ""
    import sqlite3

    with sqlite3.connect(db) as con:
        try:
            slots = con.execute(
                "SELECT concurrency_key, run_id, step_key FROM concurrency_slots WHERE run_id IS NOT NULL"
            )
            claimed = slots.fetchall()
            pending = con.execute("SELECT concurrency_key, run_id, step_key, assigned_timestamp FROM pending_steps")
            waiting = pending.fetchall()
        except sqlite3.Error:
            return ""
    return f"Dagster pool slots claimed: {claimed}; steps waiting for a slot: {waiting}"


def test_kill_while_reading(reference, tmp_path):
    """Killed while reading: nothing written; the next run on the same instance completes and
    leaves exactly the uninterrupted result."""
    warehouse, reports = fresh_folder(tmp_path / "reading", reference)
    home = new_dagster_home(tmp_path / "reading" / "dg")
    run = Run(reference.inbox, warehouse, reports, home).start()
    n = N_MONITORING_FILES + 2
    run.wait_for(READ_LINE, lambda m: int(m[1]) == 3)  # three files read, nine to go
    run.kill()
    last = [line for _, line in run.lines if READ_LINE.search(line)][-1]
    assert not last.strip().startswith(f"[{n}/{n}]"), "the kill came too late: reading had finished"
    assert state_after_kill(warehouse, reference.dump) == "none", "a run killed while reading wrote something"
    rerun_matches(reference, warehouse, reports, home, "killed while reading")


# Kill moments. ("read", s): s seconds after the last file was read, i.e. while the transaction
# is being written (it takes well under a second here); ("reports", s): after the transaction,
# while the reports are written.
SWEEP = [("read", 0.1), ("read", 0.3), ("read", 0.5), ("read", 0.7), ("reports", 0.0)]


def _one_kill(reference: Reference, root: Path, anchor: str, offset: float) -> tuple[str, float, str]:
    warehouse, reports = fresh_folder(root, reference)
    run = Run(reference.inbox, warehouse, reports, new_dagster_home(root / "dg-killed")).start()
    t0 = run.wait_for(READ_LINE, lambda m: int(m[1]) == int(m[2])) if anchor == "read" else run.wait_for(REPORTS_LINE)
    delay = offset
    time.sleep(max(0.0, t0 + delay - (time.monotonic() - run.started)))
    finished = run.proc.poll() is not None
    killed_at = run.kill()
    if finished:
        assert run.proc.returncode == 0, run.output()
    label = f"kill {delay:.2f} s after the {anchor} line (at {killed_at:.2f} s)"
    state = state_after_kill(warehouse, reference.dump)
    if warehouse.exists():  # with no file left, the re-run would be the reference run again
        rerun_matches(reference, warehouse, reports, new_dagster_home(root / "dg-rerun"), label)
    else:
        state += " (no file)"
    return label, killed_at, state + (" (the run had finished)" if finished else "")


def test_kill_sweep_around_the_write(reference, tmp_path):
    """Five kills from the start of the transaction to the PDFs; after each the warehouse holds
    nothing or everything of the run, and a re-run gives exactly the uninterrupted result.

    Two kills run side by side (the machine has at least two cores in CI) to keep the test short.
    """
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [
            pool.submit(_one_kill, reference, tmp_path / f"k{i}", anchor, offset)
            for i, (anchor, offset) in enumerate(SWEEP)
        ]
        outcomes = [f.result() for f in futures]
    states = [state for _, _, state in outcomes]
    summary = "; ".join(f"{label} → {state}" for label, _, state in outcomes)
    print(f"\nclean run: reading ended {reference.read_end:.2f} s, reports {reference.reports_at:.2f} s, "
          f"end {reference.finished:.2f} s\n{summary}")  # fmt: skip
    # the sweep straddles the commit: some kills came before it, some after
    assert any(s.startswith("none") for s in states), summary
    assert any(s.startswith("all") for s in states), summary
