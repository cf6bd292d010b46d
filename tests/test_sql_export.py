"""`ipsetl sql` reads and nothing else; `ipsetl export` writes every mart for Power BI and Excel."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from ipsetl import export as exporter
from ipsetl import sqlguard
from ipsetl.cli import main
from ipsetl.ingest import run_ingest
from ipsetl.sample_inbox import generate_monitoring, write_export, write_sample_inbox

AS_OF = date(2026, 11, 26)
EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "docs" / "sql-examples").glob("*.sql"))
HOSTILE = '=HYPERLINK("http://example.invalid")'
PREFIX = "`ipsetl sql` on vain lukemista varten: "


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("sqlexport")
    write_sample_inbox(root / "inbox")
    latest = [r for r in generate_monitoring(2026) if r["region"] == "Pirkanmaan hyvinvointialue"][-1]
    hostile = dict(
        latest,
        submitted_at=latest["submitted_at"].replace(year=2026, month=11, day=25),
        text_challenges=HOSTILE,
        text_successes='eka rivi\ntoinen rivi; puolipiste ja "lainaus"',
    )
    write_export(root / "inbox" / "zz korjaus.csv", [hostile])
    run_ingest(root / "inbox", root / "w.duckdb", 2**26, as_of=AS_OF)
    return root / "w.duckdb"


def cli(*args: str):
    return CliRunner().invoke(main, list(args), env={"IPSETL_LOCK_WAIT_S": "5"})


def sql(warehouse: Path, query: str, fmt: str = "csv"):
    return cli("sql", "--warehouse", str(warehouse), "--format", fmt, "--", query)


# --- ipsetl sql: what is refused, with its sentence ---------------------------------------------

REFUSED = [
    ("INSTALL httpfs", "INSTALL asentaisi DuckDB-laajennuksen"),
    ("FORCE INSTALL httpfs", "FORCE INSTALL asentaisi DuckDB-laajennuksen"),
    ("load json", "LOAD lataisi DuckDB-laajennuksen"),
    ("UPDATE EXTENSIONS", "UPDATE EXTENSIONS päivittäisi DuckDB-laajennukset"),
    ("ATTACH '/tmp/muu.duckdb' AS muu", "ATTACH liittäisi toisen tietokannan; avaa se omassa DuckDB-istunnossasi."),
    ("DETACH w", "DETACH irrottaisi tietokannan istunnosta"),
    ("SET threads = 1", "SET muuttaisi istunnon asetuksia"),
    ("SET GLOBAL memory_limit = '1GB'", "SET muuttaisi istunnon asetuksia"),
    ("SET search_path = 'mart'", "SET muuttaisi istunnon asetuksia"),
    ("RESET threads", "RESET palauttaisi istunnon asetuksen"),
    ("SET VARIABLE raja = 5", "SET VARIABLE asettaisi istunnon muuttujan"),
    ("RESET VARIABLE raja", "RESET VARIABLE poistaisi istunnon muuttujan"),
    ("USE mart", "USE vaihtaisi oletustietokannan tai -skeeman"),
    ("PRAGMA threads=1", "PRAGMA threads = … muuttaisi DuckDB:n asetusta"),
    ("PRAGMA memory_limit='1GB'", "PRAGMA memory_limit = … muuttaisi DuckDB:n asetusta"),
    ("PRAGMA enable_profiling", "PRAGMA enable_profiling muuttaisi DuckDB:n asetuksia tai tilaa"),
    ("pragma Disable_Optimizer", "PRAGMA disable_optimizer muuttaisi"),
    ("PRAGMA force_checkpoint", "PRAGMA force_checkpoint muuttaisi"),
    ("CHECKPOINT", "CHECKPOINT kirjoittaisi tietovaraston tiedostoon; tietovarastoon kirjoittaa vain `ipsetl run`."),
    ("FORCE CHECKPOINT", "FORCE CHECKPOINT kirjoittaisi tietovaraston tiedostoon"),
    ("CALL checkpoint()", "checkpoint() kirjoittaisi tietovaraston tiedostoon"),
    ("CALL enable_profiling()", "enable_profiling() muuttaisi istunnon asetuksia"),
    ("SELECT * FROM force_checkpoint()", "force_checkpoint() kirjoittaisi"),
    ('SELECT * FROM "enable_logging"()', "enable_logging() muuttaisi istunnon asetuksia"),
    ("COPY (SELECT * FROM mart.source_file) TO '/tmp/ulos.csv'", "COPY … TO kirjoittaisi tiedoston"),
    ("COPY raw.region FROM '/tmp/sisaan.csv'", "COPY … FROM muuttaisi tietovarastoa"),
    ("EXPORT DATABASE '/tmp/dump'", "EXPORT DATABASE kirjoittaisi tietokannan tiedostoiksi"),
    ("IMPORT DATABASE '/tmp/dump'", "IMPORT DATABASE kirjoittaisi tietokantaan"),
    ("COPY FROM DATABASE w TO muu", "COPY FROM DATABASE kopioisi tietokannan toiseen"),
    ("EXPLAIN ANALYZE COPY (SELECT 1) TO '/tmp/ulos.csv'", "COPY … TO kirjoittaisi tiedoston"),
    ("DELETE FROM raw.finding", "DELETE muuttaisi tietovarastoa"),
    ("INSERT INTO raw.settings VALUES ('a', 'b')", "INSERT muuttaisi tietovarastoa"),
    ("CREATE TABLE x (a INT)", "CREATE muuttaisi tietovarastoa"),
    ("CREATE TEMP TABLE x AS SELECT 1", "CREATE TEMP loisi istuntoon oman objektin"),
    ("CREATE SECRET s (TYPE s3, KEY_ID 'a', SECRET 'b')", "CREATE SECRET käsittelisi tunnistetietoja"),
    ("VACUUM", "VACUUM muuttaisi tietovarastoa"),
]


@pytest.mark.parametrize(("query", "sentence"), REFUSED, ids=[q for q, _ in REFUSED])
def test_each_refused_kind_has_its_own_sentence_and_exit_code_1(warehouse, query, sentence):
    out = sql(warehouse, query)
    assert out.exit_code == 1
    assert out.stdout == ""
    (line,) = out.stderr.splitlines()  # one sentence, no traceback
    assert line.startswith("Virhe: " + PREFIX) and sentence in line and line.endswith(".")


def test_the_check_comes_before_the_warehouse_is_even_opened(warehouse, monkeypatch):
    """A query with one bad statement among good ones: nothing of it runs."""
    import ipsetl.warehouse

    opened = []
    monkeypatch.setattr(ipsetl.warehouse, "connect", lambda *a, **k: opened.append(a))
    out = sql(warehouse, "SELECT 1;\n-- toinen\nSELECT count(*) FROM mart.source_file; ATTACH 'x.duckdb'; SELECT 2")
    assert out.exit_code == 1 and "ATTACH liittäisi" in out.stderr
    assert opened == []


def test_a_bad_statement_after_one_that_would_fail_is_still_what_is_refused(warehouse):
    """read_text would fail when run; the refusal names ATTACH, so nothing ran."""
    out = sql(warehouse, "SELECT * FROM read_text('/etc/hostname'); ATTACH 'x.duckdb'")
    assert out.exit_code == 1 and "ATTACH liittäisi" in out.stderr


# --- ipsetl sql: what still runs -------------------------------------------------------------------

ALLOWED = [
    "SELECT count(*) AS n FROM mart.region_tertiary",
    "FROM mart.source_file LIMIT 1",
    "WITH t AS (SELECT * FROM mart.region_tertiary) SELECT count(*) FROM t",
    "SELECT mart.as_of() AS tilannepaiva",
    "PRAGMA table_info('mart.region_tertiary')",
    "PRAGMA show_tables",
    "PRAGMA database_size",
    "PRAGMA version",
    "CALL pragma_table_info('mart.source_file')",
    "CALL duckdb_settings()",
    "EXPLAIN SELECT * FROM mart.region_tertiary",
    "EXPLAIN ANALYZE SELECT count(*) FROM mart.monitoring_window",
    "DESCRIBE mart.region_tertiary",
    "SUMMARIZE mart.source_file",
    "SHOW TABLES",
    "PIVOT (SELECT region_code, tertiary, windows FROM mart.region_tertiary) ON tertiary USING sum(windows)",
    "PREPARE q AS SELECT count(*) FROM mart.source_file; EXECUTE q",
    "BEGIN; SELECT 1; COMMIT",
    "SELECT current_setting('threads') AS t",
    "SELECT 1 AS a; SELECT 2 AS b",
]


@pytest.mark.parametrize("query", ALLOWED)
def test_reading_statements_still_run(warehouse, query):
    out = sql(warehouse, query)
    assert out.exit_code == 0, out.stderr
    assert out.stdout.strip()


@pytest.mark.parametrize(
    "query",
    [
        "SELECT 'ATTACH ''x''' AS s",
        "SELECT $$SET threads = 1$$ AS s",
        "SELECT 'checkpoint()' AS s",
        "-- ATTACH 'x'\nSELECT 'ATTACH' AS s /* PRAGMA threads=1; CHECKPOINT */",
    ],
)
def test_a_statement_inside_a_string_or_comment_is_not_refused(warehouse, query):
    out = sql(warehouse, query)
    assert out.exit_code == 0, out.stderr
    assert out.stdout.splitlines()[0] == "s"


def test_last_statement_of_several_gives_the_result(warehouse):
    out = sql(warehouse, "SELECT 1 AS a; SELECT 2 AS b")
    assert out.stdout.splitlines() == ["b", "2"]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_sql_example_runs_on_the_locked_connection(warehouse, path):
    out = cli("sql", "--warehouse", str(warehouse), "--format", "csv", "--file", str(path))
    assert out.exit_code == 0, out.stderr


# --- the connection itself: no files beyond the warehouse, configuration locked -------------------


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM read_text('/etc/passwd')",
        "SELECT * FROM glob('/etc/*')",
        "SELECT * FROM read_parquet('/tmp/*.parquet')",
    ],
)
def test_local_files_cannot_be_read(warehouse, query):
    out = sql(warehouse, query)
    assert out.exit_code == 1
    assert "tiedostoa tietovaraston ulkopuolella" in out.stderr
    assert "root:" not in out.stdout


def test_configuration_is_locked_on_the_connection(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        sqlguard.lock_down(con)
        assert con.execute("SELECT current_setting('enable_external_access')").fetchone() == (False,)
        for statement in (
            "SET enable_external_access = true",
            "RESET enable_external_access",
            "SET lock_configuration = false",
            "PRAGMA enable_profiling",
            "SELECT * FROM enable_profiling()",
        ):
            with pytest.raises(duckdb.Error, match="locked"):
                con.execute(statement)
        with pytest.raises(duckdb.PermissionException):
            con.execute("SELECT * FROM read_text('/etc/hostname')")
        # the warehouse's own tables, views and macros still read
        assert con.execute("SELECT count(*) FROM calc.region_tertiary").fetchone()[0] > 0
        assert con.execute("SELECT mart.as_of()").fetchone() == (AS_OF,)


def test_an_engine_side_attempt_the_parser_cannot_see_is_stopped_by_the_lock(warehouse):
    out = sql(warehouse, "SELECT * FROM query('SELECT * FROM enable_profiling()')")
    assert out.exit_code == 1 and "locked" in out.stderr


def test_refusal_through_the_real_command(warehouse):
    """The installed command's exit code and output (it leaves with os._exit)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPSETL_")}
    run = subprocess.run(
        [sys.executable, "-m", "ipsetl.cli", "sql", "--warehouse", str(warehouse), "PRAGMA threads=4"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert run.returncode == 1
    assert run.stderr.strip() == (
        "Virhe: " + PREFIX + "PRAGMA threads = … muuttaisi DuckDB:n asetusta; kysely ajetaan tietovaraston omilla "
        "asetuksilla."
    )


def test_unknown_statement_types_are_refused():
    with pytest.raises(sqlguard.Refused):
        sqlguard.check("UPDATE EXTENSIONS (httpfs)")
    assert sqlguard.check("SELECT 1; SELECT 2") == 2


# --- ipsetl export ---------------------------------------------------------------------------------


def marts(warehouse: Path) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = exporter.mart_tables(con)
        return {n: con.execute(f"SELECT count(*) FROM mart.{n}").fetchone()[0] for n in names}


def columns(warehouse: Path, name: str) -> list[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return [r[0] for r in con.execute(f"DESCRIBE mart.{name}").fetchall()]


def test_export_parquet_every_mart_with_its_rows_and_descriptions(warehouse, tmp_path):
    out_dir = tmp_path / "vienti"
    out_dir.mkdir()
    (out_dir / "oma.txt").write_text("ei kosketa")  # an existing folder with other files is fine
    result = cli("export", str(out_dir), "--warehouse", str(warehouse))
    assert result.exit_code == 0, result.stderr
    expected = marts(warehouse)
    assert len(expected) == 7
    assert sorted(p.name for p in out_dir.iterdir()) == sorted([f"{n}.parquet" for n in expected] + ["oma.txt"])
    lines = result.stdout.splitlines()
    assert len(lines) == len(expected) + 1
    assert f"  mart.region_tertiary → {out_dir / 'region_tertiary.parquet'} ({expected['region_tertiary']} riviä," in (
        result.stdout
    )
    assert lines[-1] == f"Vietiin 7 taulua ({sum(expected.values())} riviä) kansioon {out_dir} muodossa parquet."
    dictionary = exporter.read_dictionary()
    con = duckdb.connect(str(warehouse), read_only=True)
    for name, rows in expected.items():
        path = str(out_dir / f"{name}.parquet")
        assert con.execute("SELECT count(*) FROM read_parquet(?)", [path]).fetchone()[0] == rows
        for a, b in ((f"mart.{name}", f"read_parquet('{path}')"), (f"read_parquet('{path}')", f"mart.{name}")):
            assert con.execute(f"SELECT count(*) FROM (FROM {a} EXCEPT ALL FROM {b})").fetchone()[0] == 0, name
        kv = {
            k.decode(): v.decode()
            for k, v in con.execute("SELECT key, value FROM parquet_kv_metadata(?)", [path]).fetchall()
        }
        assert kv["ipsetl:table"] == f"mart.{name}"
        assert kv["ipsetl:as_of"] == "2026-11-26"
        assert kv["ipsetl:row"] == dictionary.tables[name]
        described = json.loads(kv["ipsetl:columns"])
        assert list(described) == columns(warehouse, name)  # every column, in order
        assert all(described.values())
    kv = dict(
        con.execute(
            "SELECT key, value FROM parquet_kv_metadata(?)", [str(out_dir / "region_tertiary.parquet")]
        ).fetchall()
    )
    employment = json.loads(kv[b"ipsetl:columns"].decode())["employment_rate"]
    assert employment.startswith("työllisyysaste = clients_employed / clients_served")
    assert "[fraction, jakson aikana]" in employment
    # counts stay integers (DuckDB would write a HUGEINT sum as DOUBLE)
    described_types = con.execute(f"DESCRIBE SELECT * FROM '{out_dir / 'national_tertiary.parquet'}'").fetchall()
    types = {r[0]: r[1] for r in described_types}
    assert types["windows"] == "BIGINT" and types["clients_served"] == "BIGINT" and types["employment_rate"] == "DOUBLE"
    hostile = con.execute(
        f"SELECT count(*) FROM '{out_dir / 'monitoring_window.parquet'}' WHERE text_challenges = ?", [HOSTILE]
    ).fetchone()[0]
    assert hostile == 1  # Parquet keeps every value exactly
    con.close()
    assert (out_dir / "oma.txt").read_text() == "ei kosketa"


def test_export_csv_for_excel(warehouse, tmp_path):
    out_dir = tmp_path / "uusi" / "kansio"  # made when missing
    result = cli("export", str(out_dir), "--format", "csv", "--warehouse", str(warehouse))
    assert result.exit_code == 0, result.stderr
    expected = marts(warehouse)
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(f"{n}.csv" for n in expected)
    con = duckdb.connect()
    for name, rows in expected.items():
        raw = (out_dir / f"{name}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf" + columns(warehouse, name)[0].encode() + b";")
        assert b"\r\n" in raw
        with open(out_dir / f"{name}.csv", encoding="utf-8-sig", newline="") as fh:
            table = list(csv.reader(fh, delimiter=";"))
        assert table[0] == columns(warehouse, name)
        assert len(table) == rows + 1
        read = con.execute(
            "SELECT count(*) FROM read_csv(?, delim=';', decimal_separator=',', header=true)",
            [str(out_dir / f"{name}.csv")],
        ).fetchone()[0]
        assert read == rows
    with open(out_dir / "monitoring_window.csv", encoding="utf-8-sig", newline="") as fh:
        windows = list(csv.DictReader(fh, delimiter=";"))
    (pir,) = [w for w in windows if w["text_challenges"].endswith(HOSTILE)]
    assert pir["text_challenges"] == "'" + HOSTILE  # a formula is not run by Excel
    assert pir["text_successes"] == 'eka rivi\ntoinen rivi; puolipiste ja "lainaus"'
    assert "," in pir["caseload_per_fte"] and "." not in pir["caseload_per_fte"]  # decimal comma
    assert pir["period_end"].count("-") == 2 and len(pir["period_end"]) == 10  # 2026-10-31
    with open(out_dir / "region_tertiary.csv", encoding="utf-8-sig", newline="") as fh:
        first = next(csv.DictReader(fh, delimiter=";"))
    assert first["complete"] in ("true", "false")
    assert first["windows"].isdigit()


def test_export_replaces_its_own_files_and_leaves_no_temporary_file(warehouse, tmp_path):
    out_dir = tmp_path / "v"
    assert cli("export", str(out_dir), "--warehouse", str(warehouse)).exit_code == 0
    first = {p.name: p.read_bytes() for p in out_dir.iterdir()}
    (out_dir / "source_file.parquet").write_bytes(b"vanha")
    assert cli("export", str(out_dir), "--warehouse", str(warehouse)).exit_code == 0
    assert {p.name: p.read_bytes() for p in out_dir.iterdir()} == first  # the same warehouse, the same bytes


def test_a_failed_write_leaves_the_file_before_it(warehouse, tmp_path, monkeypatch):
    out_dir = tmp_path / "v"
    assert cli("export", str(out_dir), "--warehouse", str(warehouse)).exit_code == 0
    before = (out_dir / "region_tertiary.parquet").read_bytes()
    real = exporter._write_parquet

    def half(con, query, tmp, metadata):
        if metadata["ipsetl:table"] == "mart.region_tertiary":
            tmp.write_bytes(b"PAR1 puolikas")
            raise OSError("levy täynnä")
        real(con, query, tmp, metadata)

    monkeypatch.setattr(exporter, "_write_parquet", half)
    result = cli("export", str(out_dir), "--warehouse", str(warehouse))
    assert result.exit_code == 1 and "levy täynnä" in result.stderr
    assert (out_dir / "region_tertiary.parquet").read_bytes() == before
    assert not [p for p in out_dir.iterdir() if p.name.startswith(".")]


def test_a_file_in_the_way_fails_clearly(warehouse, tmp_path):
    in_the_way = tmp_path / "vienti"
    in_the_way.write_text("tiedosto, ei kansio")
    out = cli("export", str(in_the_way), "--warehouse", str(warehouse))
    assert out.exit_code == 1
    assert out.stderr.strip() == (
        f"Virhe: {in_the_way} on tiedosto eikä kansio; anna vientikansioksi kansio (se luodaan tarvittaessa)."
    )
    folder = tmp_path / "kansio"
    (folder / "region_tertiary.csv").mkdir(parents=True)
    out = cli("export", str(folder), "--format", "csv", "--warehouse", str(warehouse))
    assert out.exit_code == 1 and "region_tertiary.csv on kansio" in out.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["region_tertiary.csv"]  # nothing written


def test_export_needs_a_warehouse(tmp_path):
    out = cli("export", str(tmp_path / "v"), "--warehouse", str(tmp_path / "ei.duckdb"))
    assert out.exit_code == 1 and "Tietovarastoa" in out.stderr and "ei ole" in out.stderr


def test_views_of_mart_are_exported_and_macros_are_not(warehouse, tmp_path):
    copy = tmp_path / "w.duckdb"
    shutil.copy(warehouse, copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("CREATE VIEW mart.latest_windows AS SELECT region_code, period_end FROM mart.monitoring_window")
    with duckdb.connect(str(copy), read_only=True) as con:
        done = exporter.export_marts(con, tmp_path / "v", "parquet")
    names = [d.table for d in done]
    assert "mart.latest_windows" in names and len(names) == 8
    assert not any("as_of" in n or "tertiary_label" in n for n in names)
    kv = dict(
        duckdb.sql(
            f"SELECT key, value FROM parquet_kv_metadata('{tmp_path / 'v' / 'latest_windows.parquet'}')"
        ).fetchall()
    )
    assert set(json.loads(kv[b"ipsetl:columns"].decode())) == {"region_code", "period_end"}
    assert b"ipsetl:row" not in kv  # not in the data dictionary: no made-up description


def test_the_dictionary_describes_every_mart_column(warehouse):
    dictionary = exporter.read_dictionary()
    for name in marts(warehouse):
        assert name in dictionary.tables
        for column in columns(warehouse, name):
            assert dictionary.columns.get(column), f"mart.{name}.{column}"
    assert "`" not in "".join(dictionary.columns.values())
