"""Ingestion into a real DuckDB file: registry, duplicates, resubmissions, idempotence, atomicity, privacy."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from ipsetl import ingest
from ipsetl.ingest import run_ingest
from ipsetl.sample_inbox import generate_monitoring, sample_manifest, write_export, write_sample_inbox

MAX = 50 * 1024 * 1024
TABLES = ["raw.source_file", "raw.monitoring_response", "raw.fidelity_response", "raw.finding", "raw.region"]
VIEWS = ["mart.source_file", "mart.monitoring_window", "mart.fidelity_assessment", "mart.data_quality"]


def dump(path: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall())) for t in TABLES + VIEWS}


def query(path: Path, sql: str, params=None) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The demo inbox loaded once into a real warehouse file."""
    root = tmp_path_factory.mktemp("sample")
    inbox, wh = root / "inbox", root / "w.duckdb"
    write_sample_inbox(inbox, seed=2026)
    summary = run_ingest(inbox, wh, MAX)
    return inbox, wh, summary, sample_manifest(2026)


def test_every_file_registered_with_the_right_status(sample):
    _, wh, _, manifest = sample
    got = {
        name: (status, total, rejected)
        for name, status, total, rejected in query(
            wh, "SELECT file_name, status, rows_total, rows_rejected FROM mart.source_file"
        )
    }
    assert set(got) == set(manifest["files"])
    for name, info in manifest["files"].items():
        status, total, rejected = got[name]
        assert status == info["status"], name
        if status == "loaded":
            assert (total, rejected) == (info["rows"], info["rows_rejected"]), name
        else:
            assert (total, rejected) == (0, 0), name
    rows = query(wh, "SELECT count(*) FROM mart.source_file WHERE rows_total <> rows_accepted + rows_rejected")
    assert rows == [(0,)]


def test_planted_errors_and_warnings_are_findings_with_file_row_column_rule(sample):
    _, wh, _, manifest = sample
    for severity, planted in (("error", manifest["errors"]), ("warning", manifest["warnings"])):
        for name, expected in planted.items():
            got = query(
                wh,
                "SELECT source_row, column_name, rule FROM mart.data_quality WHERE source_file = ? AND severity = ?",
                [name, severity],
            )
            assert sorted(got) == sorted(expected), (name, severity)
    for name, rule in manifest["rejected_files"].items():
        got = query(wh, "SELECT source_row, severity, rule FROM mart.data_quality WHERE source_file = ?", [name])
        assert got == [(None, "error", rule)]


def test_duplicate_file_loads_once(sample):
    _, wh, _, manifest = sample
    ((copy, original),) = manifest["duplicates"].items()
    assert query(wh, "SELECT status FROM mart.source_file WHERE file_name = ?", [copy]) == [("duplicate",)]
    assert query(wh, "SELECT count(*) FROM raw.monitoring_response WHERE source_file = ?", [copy]) == [(0,)]
    assert query(wh, "SELECT count(*) FROM raw.monitoring_response WHERE source_file = ?", [original])[0][0] > 0


def test_resubmission_replaces_the_window_and_keeps_history(sample):
    _, wh, _, manifest = sample
    r = manifest["resubmission"]
    rows = query(
        wh,
        """SELECT source_file, clients_employed, active
           FROM raw.monitoring_response m JOIN raw.region USING (region_code)
           WHERE region_name = ? AND period_start = ? AND period_end = ? ORDER BY active""",
        [r["region"], r["period_start"], r["period_end"]],
    )
    assert rows == [(r["original_file"], r["previous_value"], False), (r["file"], r["value"], True)]
    window = query(
        wh,
        "SELECT clients_employed, source_file FROM mart.monitoring_window WHERE region_name = ? AND period_start = ?",
        [r["region"], r["period_start"]],
    )
    assert window == [(r["value"], r["file"])]


def test_every_valid_generated_window_arrives_once_with_its_values(sample):
    _, wh, _, manifest = sample
    generated = generate_monitoring(2026)
    got = query(
        wh,
        """SELECT region_name, period_start, period_end, clients_served, coaches_fte, employer_contacts,
                  submitted_at, text_successes FROM mart.monitoring_window""",
    )
    assert len(got) == len(generated)
    by_key = {(g[0], g[1], g[2]): g for g in got}
    r = manifest["resubmission"]
    for row in generated:
        key = (row["region"], row["period_start"], row["period_end"])
        name, start, end, served, fte, contacts, submitted, text = by_key[key]
        assert (served, contacts) == (row["clients_served"], row["employer_contacts"]), key
        assert fte == pytest.approx(row["coaches_fte"])
        if key != (r["region"], r["period_start"], r["period_end"]):
            assert submitted == row["submitted_at"] and text == row["text_successes"]


def test_no_two_active_windows_of_a_region_overlap(sample):
    _, wh, _, _ = sample
    overlaps = query(
        wh,
        """SELECT count(*) FROM mart.monitoring_window a JOIN mart.monitoring_window b
           ON a.region_code = b.region_code AND a.source_file || a.source_row < b.source_file || b.source_row
           AND a.period_start <= b.period_end AND b.period_start <= a.period_end""",
    )
    assert overlaps == [(0,)]


def test_second_run_on_the_same_inbox_changes_nothing(sample, tmp_path):
    inbox, wh, _, _ = sample
    copy = tmp_path / "w.duckdb"
    shutil.copy(wh, copy)
    before = dump(copy)
    summary = run_ingest(inbox, copy, MAX)
    assert summary.new_files == []
    assert dump(copy) == before


def test_same_bytes_under_a_new_name_in_a_later_run_is_a_duplicate(sample, tmp_path):
    inbox, wh, _, _ = sample
    copy = tmp_path / "w.duckdb"
    shutil.copy(wh, copy)
    new_inbox = tmp_path / "inbox"
    shutil.copytree(inbox, new_inbox)
    shutil.copy(new_inbox / "IPS seuranta 1-2025_Perusraportti.csv", new_inbox / "kopio.csv")
    before = query(copy, "SELECT count(*) FROM raw.monitoring_response")
    run_ingest(new_inbox, copy, MAX)
    assert query(copy, "SELECT status FROM mart.source_file WHERE file_name = 'kopio.csv'") == [("duplicate",)]
    assert query(copy, "SELECT count(*) FROM raw.monitoring_response") == before


def test_a_failure_midway_leaves_the_warehouse_as_it_was(tmp_path, monkeypatch, monitoring_rows):
    inbox, wh = tmp_path / "inbox", tmp_path / "w.duckdb"
    write_export(inbox / "a.csv", monitoring_rows[:10], "seuranta")
    run_ingest(inbox, wh, MAX)
    before = dump(wh)
    write_export(inbox / "b.csv", monitoring_rows[10:20], "seuranta")

    def broken(*args, **kwargs):
        raise RuntimeError("simulated crash after the inserts")

    monkeypatch.setattr(ingest, "_resolve", broken)
    with pytest.raises(RuntimeError, match="simulated"):
        run_ingest(inbox, wh, MAX)
    assert dump(wh) == before
    monkeypatch.undo()
    run_ingest(inbox, wh, MAX)
    assert query(wh, "SELECT count(*) FROM mart.monitoring_window") == [(20,)]


def test_a_corrected_file_dropped_in_a_later_run_supersedes(tmp_path, monitoring_rows):
    inbox, wh = tmp_path / "inbox", tmp_path / "w.duckdb"
    rows = monitoring_rows[:6]
    write_export(inbox / "round.csv", rows, "seuranta")
    run_ingest(inbox, wh, MAX)
    # same submission times, so the later-registered file wins (indicators.md)
    fixed = [dict(rows[2], clients_new=rows[2]["clients_new"] + 1, clients_served=rows[2]["clients_served"] + 1)]
    write_export(inbox / "round (korjattu).csv", fixed, "seuranta")
    run_ingest(inbox, wh, MAX)
    got = query(
        wh,
        "SELECT clients_new, source_file FROM mart.monitoring_window WHERE period_start = ? AND region_name = ?",
        [rows[2]["period_start"], rows[2]["region"]],
    )
    assert got == [(rows[2]["clients_new"] + 1, "round (korjattu).csv")]
    assert query(wh, "SELECT count(*) FROM mart.monitoring_window") == [(6,)]
    assert query(wh, "SELECT count(*) FROM raw.monitoring_response") == [(7,)]


def test_rejected_row_never_supersedes(tmp_path, monitoring_rows):
    inbox, wh = tmp_path / "inbox", tmp_path / "w.duckdb"
    row = monitoring_rows[0]
    write_export(inbox / "a.csv", [row], "seuranta")
    run_ingest(inbox, wh, MAX)
    later = dict(row, submitted_at=row["submitted_at"].replace(year=row["submitted_at"].year + 1), clients_served="x")
    write_export(inbox / "b.csv", [later], "seuranta")
    run_ingest(inbox, wh, MAX)
    assert query(wh, "SELECT source_file FROM mart.monitoring_window") == [("a.csv",)]
    assert query(wh, "SELECT rule, column_name FROM mart.data_quality WHERE source_file = 'b.csv'") == [
        ("type", "clients_served")
    ]


def test_names_and_emails_never_reach_the_warehouse_file(sample):
    inbox, wh, _, _ = sample
    from ipsetl.sample_inbox import generate_assessments

    people = {r["respondent_name"] for r in generate_monitoring(2026) + generate_assessments(2026)}
    emails = {r["respondent_email"] for r in generate_monitoring(2026) + generate_assessments(2026)}
    assert people and emails
    raw_inbox = b"".join(p.read_bytes() for p in inbox.iterdir())
    assert any(name.encode() in raw_inbox for name in people)  # the inputs do hold them
    data = wh.read_bytes()
    for secret in people | emails:
        for enc in ("utf-8", "utf-16-le"):
            assert secret.encode(enc) not in data, secret
    text = repr(dump(wh))
    for secret in people | emails:
        assert secret not in text
