"""The command line as a newcomer uses it: real processes, real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ipsetl.sample_inbox import write_export

IPSETL = [sys.executable, "-m", "ipsetl.cli"]


def ipsetl(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("IPSETL_")}
    full_env.update(env or {})
    return subprocess.run([*IPSETL, *args], capture_output=True, text=True, env=full_env, cwd=cwd, timeout=300)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    from ipsetl.sample_inbox import generate_monitoring

    root = tmp_path_factory.mktemp("cli")
    inbox, wh = root / "inbox", root / "w.duckdb"
    rows = generate_monitoring(5)[:12]
    write_export(inbox / "IPS seuranta_Perusraportti.csv", rows, "seuranta")
    (inbox / "roskaa.csv").write_bytes(b"\x00\x01\x02garbage\xff\xfe" * 50)
    reports = root / "reports"  # never the default reports/ of the folder pytest runs in
    result = ipsetl(
        "run", "--inbox", str(inbox), "--warehouse", str(wh), "--reports", str(reports), "--as-of", "2026-11-26"
    )
    return root, inbox, wh, result


def test_run_exits_0_with_rejected_files_and_shows_progress_and_summary(loaded):
    _, _, wh, result = loaded
    assert result.returncode == 0, result.stderr
    err = result.stderr
    assert "IPS seuranta_Perusraportti.csv: seuranta-1, 12 vastausta: 12 hyväksytty, 0 hylätty" in err
    assert "roskaa.csv: HYLÄTTY" in err
    assert "Tiedostot: 2 (ladattu 1, kaksoiskappaleita 0, hylätty 1)" in err
    assert "Traceback" not in err
    assert wh.exists()


def test_sql_formats(loaded):
    _, _, wh, _ = loaded
    out = ipsetl(
        "sql", "SELECT file_name, status FROM mart.source_file ORDER BY 1", "--warehouse", str(wh), "--format", "json"
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == [
        {"file_name": "IPS seuranta_Perusraportti.csv", "status": "loaded"},
        {"file_name": "roskaa.csv", "status": "rejected"},
    ]
    csv_out = ipsetl(
        "sql", "SELECT count(*) AS n FROM mart.monitoring_window", "--format", "csv", env={"IPSETL_WAREHOUSE": str(wh)}
    )
    assert csv_out.stdout.splitlines() == ["n", "12"]
    table = ipsetl("sql", "SELECT region_code, tertiary FROM mart.monitoring_window LIMIT 2", "--warehouse", str(wh))
    assert table.stdout.splitlines()[0].split() == ["region_code", "tertiary"]
    assert "(2 riviä)" in table.stdout


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM raw.finding",
        "DROP TABLE raw.finding",
        "CREATE TABLE x (a INT)",
        "UPDATE raw.region SET region_name = 'x'",
    ],
)
def test_sql_refuses_writes_with_one_clear_sentence(loaded, statement):
    _, _, wh, _ = loaded
    out = ipsetl("sql", statement, "--warehouse", str(wh))
    assert out.returncode != 0
    assert "vain lukemista varten" in out.stderr
    assert "Traceback" not in out.stderr
    check = ipsetl("sql", "SELECT count(*) FROM raw.finding", "--warehouse", str(wh), "--format", "csv")
    assert check.stdout.splitlines()[1] == "1"


def test_status_lists_files_regions_and_findings(loaded):
    _, _, wh, _ = loaded
    out = ipsetl("status", "--warehouse", str(wh), "--as-of", "26.11.2026")
    assert out.returncode == 0
    assert "Tiedostot: 2" in out.stdout
    assert "roskaa.csv: tiedostoa ei voi lukea (unreadable)" in out.stdout
    assert "ei seurantatietoja" in out.stdout  # regions that never reported are listed


def test_errors_are_one_sentence_and_debug_shows_the_traceback(tmp_path):
    reports = ["--reports", str(tmp_path / "reports")]
    out = ipsetl("run", "--inbox", str(tmp_path / "missing"), "--warehouse", str(tmp_path / "w.duckdb"), *reports)
    assert out.returncode == 1
    assert "Saapuneiden kansiota" in out.stderr and "Traceback" not in out.stderr
    bad_wh = tmp_path / "dir.duckdb"
    bad_wh.mkdir()
    (tmp_path / "inbox").mkdir()
    out = ipsetl("run", "--inbox", str(tmp_path / "inbox"), "--warehouse", str(bad_wh), *reports)
    assert out.returncode == 1
    assert "Ajo epäonnistui" in out.stderr and "Traceback" not in out.stderr
    out = ipsetl("--debug", "sql", "SELECT 1", "--warehouse", str(tmp_path / "nope.duckdb"))
    assert out.returncode == 1 and "aja ensin" in out.stderr
    out = ipsetl("status", "--warehouse", str(tmp_path / "nope.duckdb"))
    assert "aja ensin" in out.stdout


def test_run_never_touches_the_inbox(loaded):
    root, inbox, wh, _ = loaded
    before = {p.name: p.read_bytes() for p in inbox.iterdir()}
    out = ipsetl("run", "--inbox", str(inbox), "--warehouse", str(wh), "--reports", str(root / "reports"))
    assert out.returncode == 0
    assert {p.name: p.read_bytes() for p in inbox.iterdir()} == before


def test_status_piped_into_head_ends_quietly(loaded):
    """`ipsetl status | head`: a reader that went away is not an error. The pipe's read end is
    closed before the command starts, so its very first write meets a broken pipe."""
    _, _, wh, _ = loaded
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        out = subprocess.run(
            [*IPSETL, "status", "--warehouse", str(wh)],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert out.returncode == 0, out.stderr
    assert "Virhe" not in out.stderr and "Broken pipe" not in out.stderr and "Traceback" not in out.stderr


def test_a_run_with_nothing_new_ends_before_dagster_and_scope_is_checked(tmp_path):
    """`--tertiaries none`: ingestion and marts only. The second run finds nothing to do and says so
    without a Dagster run; `--force` runs anyway; a misspelt scope is one sentence, nothing run."""
    from ipsetl.sample_inbox import generate_monitoring

    inbox, wh, reports = tmp_path / "inbox", tmp_path / "w.duckdb", tmp_path / "reports"
    write_export(inbox / "IPS seuranta_Perusraportti.csv", generate_monitoring(5)[:12], "seuranta")
    args = ["run", "--inbox", str(inbox), "--warehouse", str(wh), "--reports", str(reports), "--as-of", "2026-11-26"]
    first = ipsetl(*args, "--tertiaries", "none")
    assert first.returncode == 0, first.stderr
    assert "Valmis" in first.stderr and "Ei muutoksia" not in first.stderr
    again = ipsetl(*args, "--tertiaries", "none")
    assert again.returncode == 0, again.stderr
    assert "Ei muutoksia" in again.stderr and "Valmis" not in again.stderr
    assert "Tiedostot: 1 (ladattu 1" in again.stderr  # the summary still follows
    forced = ipsetl(*args, "--tertiaries", "none", "--force")
    assert forced.returncode == 0 and "Valmis" in forced.stderr
    other_day = ipsetl(*[a if a != "2026-11-26" else "2026-11-27" for a in args], "--tertiaries", "none")
    assert "Valmis" in other_day.stderr  # another as-of date: the marts are rebuilt
    bad = ipsetl(*args, "--tertiaries", "viimeisin")
    assert bad.returncode != 0 and "Virhe: --tertiaries 'viimeisin'" in bad.stderr and "Traceback" not in bad.stderr
    not_due = ipsetl(*args, "--tertiaries", "2019-T1", "--force")
    assert not_due.returncode == 0 and "kaudelta 2019-T1 ei ole raportoitavaa" in not_due.stderr


def test_the_command_leaves_fast_but_flushes_everything(loaded):
    """`ipsetl` exits with os._exit (no interpreter teardown): buffered output must still all arrive,
    and the exit codes stay what click decided."""
    _, _, wh, _ = loaded
    out = ipsetl("sql", "--warehouse", str(wh), "--format", "csv", "SELECT range AS n FROM range(20000)")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "n" and len(lines) == 20001 and lines[-1] == "19999"
    bad = ipsetl("sql", "--warehouse", str(wh), "SELEC 1")
    assert bad.returncode == 1 and bad.stderr.startswith("Virhe:")


def test_output_that_cannot_be_written_is_an_error(loaded):
    """Leaving with os._exit must not turn a failed last write (a full disk) into success."""
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system")
    _, _, wh, _ = loaded
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPSETL_") and k != "PYTHONUNBUFFERED"}
    with open("/dev/full", "w") as full:
        out = subprocess.run(
            [*IPSETL, "sql", "--warehouse", str(wh), "--format", "csv", "SELECT 1 AS n"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            timeout=120,
        )
    assert out.returncode != 0
    assert "Virhe" in out.stderr
