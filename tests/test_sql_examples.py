"""The ad-hoc SQL examples of docs/sql-examples/ run on a real warehouse and answer what they say."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from ipsetl.ingest import run_ingest
from ipsetl.sample_inbox import sample_manifest, write_sample_inbox

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "docs" / "sql-examples").glob("*.sql"))


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    root = tmp_path_factory.mktemp("examples")
    write_sample_inbox(root / "inbox")
    run_ingest(root / "inbox", root / "w.duckdb", 50 * 2**20, as_of=date(2026, 11, 26))
    c = duckdb.connect(str(root / "w.duckdb"), read_only=True)
    yield c
    c.close()


def run(con, name: str) -> tuple[list[str], list[tuple]]:
    (path,) = [p for p in EXAMPLES if p.name.startswith(name)]
    rel = con.execute(path.read_text(encoding="utf-8"))
    return [d[0] for d in rel.description], rel.fetchall()


def test_there_are_ten_examples_each_with_a_finnish_title():
    assert len(EXAMPLES) >= 10
    for p in EXAMPLES:
        assert p.read_text(encoding="utf-8").startswith("-- "), p.name


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_runs_read_only(con, path):
    rel = con.execute(path.read_text(encoding="utf-8"))
    assert rel.description


def test_employment_rate_trend_matches_the_mart(con):
    cols, rows = run(con, "01")
    assert rows and cols[:4] == ["tertiary", "clients_employed", "clients_served", "employment_rate_pct"]
    for _tertiary, employed, served, pct, band in rows:
        assert pct == round(100 * employed / served, 1)
        assert band.startswith(("erinomainen", "keskitaso", "vähimmäistaso", "alle"))


def test_below_benchmark_lists_exactly_the_regions_under_41_percent(con):
    _, rows = run(con, "02")
    (last,) = con.execute("SELECT max(tertiary) FROM mart.region_tertiary WHERE complete").fetchone()
    expected = con.execute(
        "SELECT region_code FROM mart.region_tertiary WHERE tertiary = ? AND employment_rate < 0.41", [last]
    ).fetchall()
    assert sorted(r[0] for r in rows) == sorted(r[0] for r in expected)
    assert all(r[2] == last and r[3] < 41 for r in rows)


def test_fidelity_change_is_latest_minus_previous(con):
    _, rows = run(con, "03")
    assert len(rows) == 12
    for _region, _, _, total, _, previous, change in rows:
        if total is not None and previous is not None:
            assert change == total - previous


def test_not_reported_equals_submission_status(con):
    _, rows = run(con, "04")
    expected = con.execute("SELECT tertiary, region_code FROM mart.submission_status WHERE missing").fetchall()
    assert sorted((r[0], r[1]) for r in rows) == sorted(expected)


def test_job_starts_since_start_is_the_sum_of_all_windows(con):
    _, rows = run(con, "05")
    totals = dict(
        con.execute("SELECT region_code, sum(jobs_started) FROM mart.monitoring_window GROUP BY 1").fetchall()
    )
    assert {r[0]: r[3] for r in rows} == totals


def test_rejected_rows_are_the_error_findings(con):
    _, rows = run(con, "06")
    manifest = sample_manifest(2026)
    planted = sorted((f, row, col, rule) for f, found in manifest["errors"].items() for row, col, rule in found)
    assert sorted((r[1], r[2], r[3], r[4]) for r in rows) == planted


def test_resubmissions_show_the_planted_correction(con):
    _, rows = run(con, "07")
    r = sample_manifest(2026)["resubmission"]
    assert [(row[3], row[6]) for row in rows] == [(r["original_file"], r["file"])]


def test_national_key_figures_change_column(con):
    _, rows = run(con, "08")
    for prev, cur in zip(rows, rows[1:], strict=False):
        assert cur[11] == cur[6] - prev[6]


def test_indicative_vs_self_assessed_flags_two_point_gaps(con):
    _, rows = run(con, "09")
    assert rows
    for *_, indicative, assessed, discuss in rows:
        if indicative is not None and assessed is not None:
            assert discuss == (abs(indicative - assessed) >= 2)


def test_latest_window_per_region(con):
    _, rows = run(con, "10")
    latest = dict(con.execute("SELECT region_code, max(period_end) FROM mart.monitoring_window GROUP BY 1").fetchall())
    assert {r[0]: r[2] for r in rows} == latest
