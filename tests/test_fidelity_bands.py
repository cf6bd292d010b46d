"""Every band boundary of every indicative item score (indicators.md), on the SQL macros the views
use: a value exactly on the boundary, and just either side."""

from __future__ import annotations

import duckdb
import pytest

from ipsetl.warehouse import apply_schema

EPS = 1e-6
TINY = 1e-10  # typed percentages are compared as typed: 95,9999999999 is below 96


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect()
    apply_schema(c)
    yield c
    c.close()


def score(con, macro: str, *args):
    placeholders = ", ".join("?" for _ in args)
    return con.execute(f"SELECT mart.{macro}({placeholders})", list(args)).fetchone()[0]


# (boundary, score on it, score just below, score just above)
ITEM_01 = [(20, 5, 5, 4), (25, 4, 4, 3), (30, 3, 3, 2), (40, 2, 2, 1)]  # r ≤ 20 … r > 40
ITEM_02 = [(96, 5, 4, 5), (90, 4, 3, 4), (75, 3, 2, 3), (60, 2, 1, 2)]  # p ≥ 96 … p < 60
ITEM_15 = [(30, 5, 5, 4), (60, 4, 4, 3), (150, 3, 3, 2), (270, 2, 2, 1)]
ITEM_24 = [(65, 5, 4, 5), (50, 4, 3, 4), (40, 3, 2, 3), (30, 2, 1, 2)]


@pytest.mark.parametrize("macro, bands", [("fid_01_score", ITEM_01), ("fid_02_score", ITEM_02),
                                          ("fid_15_score", ITEM_15), ("fid_24_score", ITEM_24)])
def test_single_value_items_on_and_around_every_boundary(con, macro, bands):
    for boundary, on, below, above in bands:
        assert score(con, macro, float(boundary)) == on, (macro, boundary)
        assert score(con, macro, boundary - EPS) == below, (macro, boundary, "below")
        assert score(con, macro, boundary + EPS) == above, (macro, boundary, "above")
    assert score(con, macro, None) is None


@pytest.mark.parametrize("macro, boundary, below", [("fid_02_score", 96, 4), ("fid_24_score", 65, 4)])
def test_typed_percentages_just_below_a_boundary_stay_below(con, macro, boundary, below):
    assert score(con, macro, boundary - TINY) == below
    assert score(con, "fid_04_score", 2, 90 - TINY) == 4


def test_item_01_extremes(con):
    assert score(con, "fid_01_score", 0.0) == 5
    assert score(con, "fid_01_score", 1000.0) == 1


def test_item_04_teams_and_share(con):
    s = "fid_04_score"
    assert score(con, s, 0, 100.0) == 1  # t = 0
    assert score(con, s, 0, None) == 1
    for t in (1, 2):
        assert score(con, s, t, 90.0) == 5
        assert score(con, s, t, 90 - EPS) == 4
        assert score(con, s, t, 75.0) == 4
        assert score(con, s, t, 75 - EPS) == 3
        assert score(con, s, t, 50.0) == 3
        assert score(con, s, t, 50 - EPS) == 2
        assert score(con, s, t, 0.0) == 2
        assert score(con, s, t, None) is None  # empty input, empty score
    assert score(con, s, 3, 100.0) == 2  # t ≥ 3
    assert score(con, s, 7, None) == 2
    assert score(con, s, None, 95.0) is None


def test_item_17_contacts_and_the_job_seeker_exception(con):
    s = "fid_17_score"
    many = 10.0  # job seekers per FTE ≥ 3: the exception does not apply
    for boundary, on, below in ((6, 5, 4), (5, 4, 3), (4, 3, 2), (2, 2, 1)):
        assert score(con, s, float(boundary), many) == on
        assert score(con, s, boundary - EPS, many) == below
        assert score(con, s, boundary + EPS, many) == on
    # exception: fewer than 3 job seekers per FTE and c ≥ 2 × job seekers
    assert score(con, s, 4.0, 2.0) == 5  # c = 2j exactly
    assert score(con, s, 4.0 - EPS, 2.0) == 2  # just below 2j: the normal bands (2 ≤ c < 4)
    assert score(con, s, 5.8, 2.9) == 5
    assert score(con, s, 5.8, 3.0) == 4  # j = 3 is not < 3
    assert score(con, s, 0.0, 0.0) == 5  # no job seekers: the exception applies literally
    assert score(con, s, None, 1.0) is None  # coaches_fte = 0 gives no c
    assert score(con, s, 3.0, None) is None  # coaches_fte = 0: no job seekers per FTE, no score


def test_item_21_share_and_count(con):
    s = "fid_21_score"
    for boundary, on, below in ((95, 5, 4), (85, 4, 3), (75, 3, 2), (65, 2, 1)):
        assert score(con, s, float(boundary), 10) == on
        assert score(con, s, boundary - EPS, 10) == below
        assert score(con, s, boundary + EPS, 10) == on
    assert score(con, s, 100.0, 9) == 1  # n < 10
    assert score(con, s, None, 0) == 1  # no job starts at all
    assert score(con, s, 100.0, 10) == 5
    assert score(con, s, None, None) is None


def test_floating_point_noise_does_not_move_a_value_off_its_boundary(con):
    # 7 contacts over 0.1 FTE × 98 days / 7 is exactly 5 per FTE-week, 4.999999999999999 in floats
    c = con.execute("SELECT 7 / (CAST(0.1 AS DOUBLE) * 98 / 7.0)").fetchone()[0]
    assert c != 5.0
    assert score(con, "fid_17_score", c, 10.0) == 4
    r = con.execute("SELECT 21 / CAST(0.7 AS DOUBLE)").fetchone()[0]  # caseload exactly 30
    assert r != 30.0
    assert score(con, "fid_01_score", r) == 3


@pytest.mark.parametrize(
    "total, level",
    [(125, "esimerkillinen taso"), (115, "esimerkillinen taso"), (114, "hyvä taso"), (100, "hyvä taso"),
     (99, "kohtalainen taso"), (74, "kohtalainen taso"), (73, "ei tuettua työllistymistä"),
     (25, "ei tuettua työllistymistä"), (None, None)],
)
def test_fidelity_levels(con, total, level):
    assert score(con, "fidelity_level", total) == level


@pytest.mark.parametrize(
    "day, label",
    [("2026-01-01", "2026-T1"), ("2026-04-30", "2026-T1"), ("2026-05-01", "2026-T2"), ("2026-08-31", "2026-T2"),
     ("2026-09-01", "2026-T3"), ("2026-12-31", "2026-T3")],
)
def test_tertiary_boundaries(con, day, label):
    assert con.execute("SELECT mart.tertiary_of(CAST(? AS DATE))", [day]).fetchone()[0] == label


def test_tertiary_bounds(con):
    got = con.execute(
        "SELECT mart.tertiary_start('2026-T1'), mart.tertiary_end('2026-T1'), mart.tertiary_end('2024-T1'),"
        " mart.tertiary_start('2026-T3'), mart.tertiary_end('2026-T3')"
    ).fetchone()
    assert [d.isoformat() for d in got] == ["2026-01-01", "2026-04-30", "2024-04-30", "2026-09-01", "2026-12-31"]


@pytest.mark.parametrize("x, expected", [(30.5, 31), (30.49, 30), (29.5, 30), (0.5, 1), (0.0, 0), (61 / 2, 31)])
def test_round_half_up(con, x, expected):
    assert con.execute("SELECT mart.round_half_up(?, 0)", [x]).fetchone()[0] == expected
