"""The warehouse for DuckDB 1.x clients: written in storage 64 (v1.1.0), read by the real DuckDB CLI 1.x
(`duckdb-cli` from PyPI, a test dependency), and a file in DuckDB 2.0's own storage copied down by
the next writing run."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from ipsetl import warehouse
from ipsetl.ingest import run_ingest
from ipsetl.sample_inbox import write_sample_inbox

CLI = Path(sys.executable).parent / "duckdb"
AS_OF = date(2026, 11, 26)
# Every macro of schema mart with arguments of its kind: each must bind and answer alike in 1.x.
MACRO_CALLS = {
    "as_of": "",
    "fid_01_score": "20",
    "fid_02_score": "0.7",
    "fid_04_score": "0.5, 0.6",
    "fid_15_score": "30",
    "fid_17_score": "5, 2",
    "fid_21_score": "0.9, 10",
    "fid_24_score": "0.7",
    "fidelity_level": "101",
    "ratio": "41, 100",
    "round_half_up": "41.25, 1",
    "tertiary_end": "'2026-T1'",
    "tertiary_index": "DATE '2026-05-03'",
    "tertiary_label": "6079",
    "tertiary_of": "DATE '2026-05-03'",
    "tertiary_start": "'2026-T2'",
}


def cli(path: Path, sql: str) -> str:
    out = subprocess.run(
        [str(CLI), "-readonly", "-list", "-noheader", str(path), "-c", sql],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0 and "Error" not in out.stderr, out.stderr
    return out.stdout.strip()


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("storage")
    write_sample_inbox(root / "inbox")
    run_ingest(root / "inbox", root / "w.duckdb", 2**26, as_of=AS_OF)
    return root / "w.duckdb"


def test_the_cli_is_duckdb_1x():
    version = subprocess.run([str(CLI), "--version"], capture_output=True, text=True, timeout=60).stdout
    assert version.startswith("v1."), version


def test_a_run_writes_storage_the_1x_cli_reads_every_mart_table_and_macro(written):
    with duckdb.connect(str(written), read_only=True) as con:
        assert warehouse.storage_version(con) == warehouse.STORAGE_TAG
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'mart' ORDER BY 1"
            ).fetchall()
        ]
        macros = [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT function_name FROM duckdb_functions() WHERE schema_name = 'mart' AND NOT internal"
            ).fetchall()
        ]
        counts = {t: con.execute(f"SELECT count(*) FROM mart.{t}").fetchone()[0] for t in tables}
        answers = {m: con.execute(f"SELECT CAST(mart.{m}({MACRO_CALLS[m]}) AS VARCHAR)").fetchone()[0] for m in macros}
    assert set(macros) == set(MACRO_CALLS), "a new macro needs its example call here"
    assert set(warehouse.MARTS) <= set(tables)
    query = "; ".join(f"SELECT count(*) FROM mart.{t}" for t in tables)
    assert cli(written, query).splitlines() == [str(counts[t]) for t in tables]
    assert all(counts[t] > 0 for t in ("region_tertiary", "national_tertiary", "monitoring_window"))
    for t in tables:  # every column of every row converts in 1.x
        cli(written, f"SELECT * FROM mart.{t}")
    query = "; ".join(f"SELECT coalesce(CAST(mart.{m}({MACRO_CALLS[m]}) AS VARCHAR), 'NULL')" for m in macros)
    assert cli(written, query).splitlines() == [answers[m] if answers[m] is not None else "NULL" for m in macros]


def test_a_file_in_duckdb_2_storage_is_copied_down_by_the_next_run(written, tmp_path):
    """A warehouse from before (DuckDB 2.0's default storage, which the 1.x CLI refuses) is copied
    into the readable version by the next writing connection, with every row, view and macro."""
    old = tmp_path / "old.duckdb"
    with duckdb.connect() as mem:
        mem.execute(f"ATTACH '{written}' AS src (READ_ONLY)")
        mem.execute(f"ATTACH '{old}' AS o")  # the engine's own default: v2
        mem.execute("COPY FROM DATABASE src TO o")
        rows = {
            t: mem.execute(f"SELECT count(*) FROM src.{t}").fetchone()[0]
            for (t,) in mem.execute(
                "SELECT schema_name || '.' || table_name FROM duckdb_tables() WHERE database_name = 'src'"
            ).fetchall()
        }
    with duckdb.connect(str(old), read_only=True) as con:
        assert warehouse.storage_version(con).startswith("v2")
    refused = subprocess.run([str(CLI), "-readonly", str(old), "-c", "SELECT 1"], capture_output=True, text=True)
    assert "version number" in refused.stderr + refused.stdout
    with warehouse.publishing(old):  # what every writing run goes through
        pass
    with duckdb.connect(str(old), read_only=True) as con:
        assert warehouse.storage_version(con) == warehouse.STORAGE_TAG
        assert {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in rows} == rows
        assert con.execute("SELECT mart.tertiary_of(DATE '2026-05-03')").fetchone()[0] == "2026-T2"
    assert not list(tmp_path.glob("*.tmp")) and not list(tmp_path.glob(".*building*"))
    assert cli(old, "SELECT count(*) FROM mart.region_tertiary") == str(rows["mart.region_tertiary"])
