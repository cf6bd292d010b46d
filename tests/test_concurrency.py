"""Two runs at once, and `ipsetl sql` refusing to write.

Two real `ipsetl run` processes are started within a few milliseconds of each other on the same
inbox, warehouse and reports folder, as when the coordinator starts a run while the schedule's
run is going. Both must complete, and the warehouse must hold every file and row once.

Two set-ups: both processes on one Dagster instance configured like the project's
(dagster_home/dagster.yaml, whose pool lets one writing step run at a time), and each process on
its own throw-away instance, so that only the warehouse's lock file stands between them.

`ipsetl sql` opens the warehouse read-only: statements that would change it are refused with one
sentence and no traceback, and the file stays byte for byte as it was. `COPY … TO 'file'` is
refused too (issue 16: `ipsetl sql` reads only; `--format csv > file` or `ipsetl export` write
files).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from ipsetl.ingest import run_ingest
from ipsetl.runner import new_dagster_home
from ipsetl.sample_inbox import generate_assessments, generate_monitoring, write_export

AS_OF = "2026-11-26"
RUN_TIMEOUT = 240  # two runs that wait for each other; one alone takes 10–25 s
REGIONS = ["HUS", "PIR", "LAP"]
N_MONITORING_FILES = 4


def write_inbox(inbox: Path) -> dict[str, int]:
    """A few exports of three regions, every window in 2026-T3 (one draft tertiary: 4 PDFs).

    Returns file name → the number of valid responses in it (one more, invalid, is in file 1)."""
    inbox.mkdir(parents=True)
    base: dict[str, dict] = {}
    for row in generate_monitoring(17, start=date(2026, 1, 1), end=date(2026, 8, 31), regions=REGIONS):
        base.setdefault(row["region"], row)
    windows = [(date(2026, 9, 1), date(2026, 9, 30)), (date(2026, 10, 1), date(2026, 10, 31))]
    counts = {}
    for i in range(N_MONITORING_FILES):
        start, end = windows[i % 2]
        rows = [
            dict(r, period_start=start, period_end=end, submitted_at=datetime(2026, 11, 3 + i, 10, j))
            for j, r in enumerate(base.values())
        ]
        name = f"IPS seuranta {i}_Perusraportti.{'xlsx' if i == 2 else 'csv'}"
        bad = [dict(rows[0], coaches_headcount="kolme")] if i == 1 else []  # rejected: a finding
        write_export(inbox / name, rows + bad, fmt="xlsx" if i == 2 else "csv")
        counts[name] = len(rows)
    assessments = generate_assessments(17, start=date(2025, 1, 1), end=date(2026, 10, 31), regions=REGIONS)[:3]
    assessments = [
        dict(a, assessed_on=date(2026, 9, 10 + k), submitted_at=datetime(2026, 9, 20, 10, k))
        for k, a in enumerate(assessments)
    ]
    write_export(inbox / "IPS laatukriteerit syksy 2026.csv", assessments, "laatu")
    counts["IPS laatukriteerit syksy 2026.csv"] = len(assessments)
    return counts


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPSETL_") and k != "DAGSTER_HOME"}
    return {**env, **extra}


def make_dagster_home(path: Path, configured: bool) -> Path:
    """configured: the project's instance settings (pools); otherwise an empty folder, for which
    `ipsetl run` uses a throw-away in-memory instance."""
    if configured:
        return new_dagster_home(path)
    path.mkdir(parents=True)
    return path


def initialise_instance(home: Path) -> None:
    """Create the instance's storage once, as the project's dagster_home/ has it after its first
    run. Two processes creating a new SQLite instance at the same moment can fail in Dagster
    itself ("table runs already exists"); that first-use race is not what this test is about."""
    code = "import dagster as dg\nwith dg.DagsterInstance.get() as i:\n    i.get_runs(limit=1)\n"
    subprocess.run([sys.executable, "-c", code], env=clean_env(DAGSTER_HOME=str(home)), check=True, timeout=120)


def ipsetl_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "ipsetl.cli", *args]


@pytest.fixture(scope="module")
def inbox(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    root = tmp_path_factory.mktemp("concurrent-inbox")
    counts = write_inbox(root / "inbox")
    return root / "inbox", counts


def _assert_each_row_once(warehouse: Path, counts: dict[str, int]) -> None:
    monitoring = sum(n for name, n in counts.items() if "seuranta" in name)
    fidelity = sum(n for name, n in counts.items() if "laatu" in name)
    with duckdb.connect(str(warehouse), read_only=True) as con:

        def one(sql: str):
            return con.execute(sql).fetchone()[0]

        files = con.execute("SELECT file_name, count(*) FROM mart.source_file GROUP BY ALL ORDER BY 1").fetchall()
        assert files == [(name, 1) for name in sorted(counts)], f"mart.source_file: {files}"
        assert one("SELECT count(*) FROM raw.monitoring_response") == monitoring
        assert one("SELECT count(*) FROM raw.fidelity_response") == fidelity
        for table in ("raw.monitoring_response", "raw.fidelity_response"):
            doubled = con.execute(
                f"SELECT file_seq, source_row, count(*) FROM {table} GROUP BY ALL HAVING count(*) > 1"
            ).fetchall()
            assert not doubled, f"{table}: rows stored twice: {doubled}"
        assert not con.execute(
            "SELECT file_seq, finding_seq FROM raw.finding GROUP BY ALL HAVING count(*) > 1"
        ).fetchall(), "raw.finding: a finding stored twice"
        seqs = [s for (s,) in con.execute("SELECT file_seq FROM raw.source_file ORDER BY 1").fetchall()]
        assert seqs == list(range(1, len(counts) + 1)), f"file_seq: {seqs}"
        assert one("SELECT sum(rows_accepted) FROM mart.source_file") == monitoring + fidelity
        assert one("SELECT sum(rows_rejected) FROM mart.source_file") == 1
        assert one("SELECT count(*) FROM raw.finding WHERE severity = 'error'") == 1
        # each region's two windows (September, October) are active once; the resubmissions superseded
        active = con.execute(
            "SELECT region_code, period_start, count(*) FROM mart.monitoring_window GROUP BY ALL ORDER BY ALL"
        ).fetchall()
        assert [n for *_, n in active] == [1] * (2 * len(REGIONS)), f"active windows: {active}"


@pytest.mark.parametrize("shared_instance", [True, False], ids=["one-dagster-instance", "separate-instances"])
def test_two_runs_at_once(inbox, tmp_path, shared_instance):
    inbox_dir, counts = inbox
    warehouse, reports = tmp_path / "w" / "ipsetl.duckdb", tmp_path / "reports"
    homes = [make_dagster_home(tmp_path / "dg", True)] * 2 if shared_instance else [
        make_dagster_home(tmp_path / f"dg{i}", False) for i in range(2)
    ]  # fmt: skip
    if shared_instance:
        initialise_instance(homes[0])
    args = ["run", "--inbox", str(inbox_dir), "--warehouse", str(warehouse), "--reports", str(reports)]
    procs = []
    for home in homes:
        procs.append(
            subprocess.Popen(
                ipsetl_cmd(*args, "--as-of", AS_OF),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=clean_env(DAGSTER_HOME=str(home)),
                cwd=tmp_path,
            )
        )
        time.sleep(0.02)
    outs = []
    for p in procs:
        try:
            out, err = p.communicate(timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            for q in procs:
                q.kill()
            pytest.fail(f"two runs at once did not both finish within {RUN_TIMEOUT} s")
        outs.append((p.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")))
    for i, (code, out, err) in enumerate(outs, 1):
        assert code == 0, f"run {i} of two at once failed (exit {code}):\n{err[-3000:]}"
        assert "Traceback" not in err + out, f"run {i} printed a traceback:\n{err[-3000:]}"
    _assert_each_row_once(warehouse, counts)
    waited = [i for i, (_, _, err) in enumerate(outs, 1) if "odotetaan" in err]
    print(f"\nruns that said they waited for the warehouse: {waited or 'none'}")
    # the reports are whole: every PDF opens as a PDF, no temporary file is left behind
    pdfs = sorted(reports.rglob("*.pdf"))
    assert pdfs, "no reports written"
    for pdf in pdfs:
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:], f"{pdf.name} is not a whole PDF"
    leftovers = [p.name for p in reports.rglob("*") if p.is_file() and p.suffix == ".tmp"]
    assert not leftovers, f"temporary files left in the reports folder: {leftovers}"


# --- ipsetl sql is read-only ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def warehouse(inbox, tmp_path_factory) -> Path:
    inbox_dir, _ = inbox
    path = tmp_path_factory.mktemp("sql") / "ipsetl.duckdb"
    run_ingest(inbox_dir, path, 50 << 20, wait_s=30, as_of=date(2026, 11, 26))
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM raw.source_file").fetchone()[0] == 5
        assert con.execute("SELECT count(*) FROM raw.finding").fetchone()[0] > 0  # rows to delete
    return path


def sql(warehouse: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """`ipsetl [options] sql QUERY --warehouse W`; args: the group's options, then the query."""
    return subprocess.run(
        ipsetl_cmd(*args[:-1], "sql", args[-1], "--warehouse", str(warehouse)),
        capture_output=True,
        text=True,
        env=clean_env(),
        cwd=cwd,
        timeout=60,
    )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_sentence(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr, f"a traceback shown to the user:\n{stderr}"
    assert len(lines) == 1, f"expected one sentence, got {len(lines)} lines:\n{stderr}"
    return lines[0]


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM raw.finding",
        "DROP TABLE raw.finding",
        "ATTACH 'x.duckdb' AS y",
        "INSERT INTO raw.settings VALUES ('as_of', '2030-01-01')",
        "UPDATE raw.monitoring_response SET active = NOT active",
        "CREATE TABLE mart.extra AS SELECT 1 AS x",
        "SELECT 1; DELETE FROM raw.source_file",
    ],
)
def test_sql_refuses_writes(warehouse, tmp_path, statement):
    before = digest(warehouse)
    done = sql(warehouse, tmp_path, statement)
    assert done.returncode == 1, f"{statement!r} was not refused: exit {done.returncode}\n{done.stdout}"
    line = one_sentence(done.stderr)
    assert "vain lukemista varten" in line, f"{statement!r}: the refusal does not say why: {line}"
    assert done.stdout == ""
    assert digest(warehouse) == before, f"{statement!r} changed the warehouse file"
    assert not (tmp_path / "x.duckdb").exists(), "ATTACH created a database file"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM raw.source_file").fetchone()[0] == 5


def test_sql_copy_to_is_refused_and_writes_nothing(warehouse, tmp_path):
    """COPY … TO would write a file: refused with one sentence (use --format csv or ipsetl export)."""
    before = digest(warehouse)
    target = tmp_path / "source_file.csv"
    done = sql(warehouse, tmp_path, f"COPY (SELECT file_name, status FROM raw.source_file) TO '{target}'")
    assert done.returncode == 1, done.stderr
    assert "COPY … TO kirjoittaisi tiedoston" in one_sentence(done.stderr)
    assert "Traceback" not in done.stderr
    assert not target.exists()
    assert digest(warehouse) == before, "COPY TO changed the warehouse file"


def test_sql_error_is_one_sentence_and_debug_shows_the_traceback(warehouse, tmp_path):
    plain = sql(warehouse, tmp_path, "SELEC")
    assert plain.returncode == 1
    line = one_sentence(plain.stderr)
    assert "SELEC" in line
    debug = sql(warehouse, tmp_path, "--debug", "SELEC")
    assert debug.returncode == 1
    assert "Traceback (most recent call last)" in debug.stderr, (
        f"`ipsetl --debug sql` shows no traceback (README: --debug shows the traceback behind an error):\n"
        f"{debug.stderr}"
    )
