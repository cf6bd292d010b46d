"""The resubmission rule of indicators.md, on the pure function."""

from datetime import date, datetime

from ipsetl.supersede import Response, active_keys


def r(key, start, end, submitted, file_seq=1, row=1, group=("HUS",)):
    return Response(key, group, start, end, submitted, file_seq, row)


D = date
T = datetime


def test_later_submission_wins_over_the_overlapping_earlier_one():
    old = r("old", D(2026, 1, 1), D(2026, 2, 28), T(2026, 3, 5, 10, 0))
    new = r("new", D(2026, 1, 1), D(2026, 2, 28), T(2026, 3, 12, 9, 0))
    assert active_keys([old, new]) == {"new": None, "old": "new"}


def test_sharing_one_day_is_an_overlap_and_adjacent_windows_are_not():
    a = r("a", D(2026, 1, 1), D(2026, 2, 28), T(2026, 3, 1))
    b = r("b", D(2026, 2, 28), D(2026, 4, 30), T(2026, 5, 1))
    c = r("c", D(2026, 5, 1), D(2026, 6, 30), T(2026, 7, 1))
    assert active_keys([a, b, c]) == {"c": None, "b": None, "a": "b"}


def test_equal_times_later_file_then_later_row():
    t = T(2026, 3, 1, 12, 0)
    a = r("a", D(2026, 1, 1), D(2026, 2, 28), t, file_seq=1, row=5)
    b = r("b", D(2026, 1, 1), D(2026, 2, 28), t, file_seq=2, row=1)
    c = r("c", D(2026, 1, 1), D(2026, 2, 28), t, file_seq=2, row=2)
    assert active_keys([a, b, c]) == {"c": None, "b": "c", "a": "c"}


def test_a_superseded_response_does_not_block_others():
    # newest covers Jan–Feb; the middle one (Feb–Mar) loses to it; the oldest (Mar–Apr) overlaps only the
    # loser, so it stays active.
    newest = r("newest", D(2026, 1, 1), D(2026, 2, 10), T(2026, 5, 3))
    middle = r("middle", D(2026, 2, 1), D(2026, 3, 10), T(2026, 5, 2))
    oldest = r("oldest", D(2026, 3, 11), D(2026, 4, 30), T(2026, 5, 1))
    assert active_keys([oldest, middle, newest]) == {"newest": None, "middle": "newest", "oldest": None}


def test_regions_do_not_compete():
    a = r("a", D(2026, 1, 1), D(2026, 2, 28), T(2026, 3, 1), group=("HUS",))
    b = r("b", D(2026, 1, 1), D(2026, 2, 28), T(2026, 3, 2), group=("PIR",))
    assert active_keys([a, b]) == {"a": None, "b": None}


def test_unknown_submission_time_counts_as_oldest():
    a = r("a", D(2026, 1, 1), D(2026, 2, 28), None, file_seq=9)
    b = r("b", D(2026, 1, 1), D(2026, 2, 28), T(2020, 1, 1), file_seq=1)
    assert active_keys([a, b]) == {"b": None, "a": "b"}
