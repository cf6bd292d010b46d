"""Disclosure control of the funder report, rule by rule and cell by cell.

The tables are small and written out so that a reader can check each expected marker by hand
against the spec (indicators.md, "Disclosure control in the funder report"); the property test at
the end then throws random tables with row and column totals at the same rules.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipsetl.reports.disclosure import (
    DEFAULT_THRESHOLD,
    NOT_SHOWN,
    PRIMARY,
    SECONDARY,
    is_small,
    rate_hidden,
    suppress_counts,
)

P, S = PRIMARY, SECONDARY


def grid_with_totals(
    cells: Mapping[tuple[str, str], int | None], rows: Sequence[str], cols: Sequence[str], *, rows_first: bool = True
) -> tuple[dict[Hashable, int | None], list[tuple[list[Hashable], Hashable]]]:
    """A table with a total column ("T"), a total row ("T") and their lines.

    Totals add up the non-empty cells, as the marts do. The lines are the rows, then the columns
    (or the other way round), then the total row and the total column, so a test can choose the
    order the fixed-point loop meets them in.
    """
    values: dict[Hashable, int | None] = dict(cells)
    for r in rows:
        values[(r, "T")] = sum(v for c in cols if (v := cells[(r, c)]) is not None)
    for c in cols:
        values[("T", c)] = sum(v for r in rows if (v := cells[(r, c)]) is not None)
    values[("T", "T")] = sum(values[(r, "T")] for r in rows)  # type: ignore[misc]
    row_lines = [([(r, c) for c in cols], (r, "T")) for r in rows]
    col_lines = [([(r, c) for r in rows], ("T", c)) for c in cols]
    lines = row_lines + col_lines if rows_first else col_lines + row_lines
    lines.append(([("T", c) for c in cols], ("T", "T")))
    lines.append(([(r, "T") for r in rows], ("T", "T")))
    return values, lines


# --- the symbols ----------------------------------------------------------------------------------


def test_symbols_are_the_spec_ones() -> None:
    assert PRIMARY == "<5"
    assert SECONDARY == ".."
    assert NOT_SHOWN == "\u2013"
    assert DEFAULT_THRESHOLD == 5


# --- primary suppression ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "small"),
    [(None, False), (0, False), (1, True), (2, True), (3, True), (4, True), (5, False), (6, False), (100, False)],
)
def test_is_small_default_threshold(value: int | None, small: bool) -> None:
    assert is_small(value) is small


@pytest.mark.parametrize(
    ("threshold", "value", "small"),
    [(3, 0, False), (3, 1, True), (3, 2, True), (3, 3, False), (3, 4, False),
     (10, 0, False), (10, 1, True), (10, 5, True), (10, 9, True), (10, 10, False)],
)  # fmt: skip
def test_is_small_configurable_threshold(threshold: int, value: int, small: bool) -> None:
    assert is_small(value, threshold) is small


@pytest.mark.parametrize("threshold", [0, -5, 2.5, True])
def test_a_threshold_that_would_hide_nothing_is_refused(threshold: object) -> None:
    with pytest.raises(ValueError, match="threshold"):
        is_small(3, threshold)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="threshold"):
        suppress_counts({"a": 3}, [], threshold=threshold)  # type: ignore[arg-type]


def test_primary_cell_by_cell_without_lines() -> None:
    values = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "empty": None}
    assert suppress_counts(values, []) == {"one": P, "two": P, "three": P, "four": P}


def test_primary_with_threshold_3_and_10() -> None:
    values = {"a": 0, "b": 1, "c": 2, "d": 3, "e": 5, "f": 9, "g": 10, "h": None}
    assert suppress_counts(values, [], threshold=3) == {"b": P, "c": P}
    assert suppress_counts(values, [], threshold=10) == {"b": P, "c": P, "d": P, "e": P, "f": P}


def test_disabled_hides_nothing_even_with_lines() -> None:
    values = {"a": 1, "b": 7, "T": 8}
    lines = [(["a", "b"], "T")]
    assert suppress_counts(values, lines) == {"a": P, "b": S}
    assert suppress_counts(values, lines, enabled=False) == {}


# --- rates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("denominator", "hidden"),
    [
        (None, False),  # no denominator: the rate is empty, not hidden
        (float("nan"), False),  # the same, as it comes out of pandas
        (0, True),  # under the threshold, zero included (issue 15): `–`, not an empty cell
        (0.0, True),
        (1, True),
        (4, True),
        (4.9, True),
        (5, False),
        (5.0, False),
        (120, False),
    ],
)
def test_rate_hidden_default_threshold(denominator: float | None, hidden: bool) -> None:
    assert rate_hidden(denominator) is hidden


def test_rate_hidden_configurable_threshold() -> None:
    assert rate_hidden(2, threshold=3) is True
    assert rate_hidden(3, threshold=3) is False
    assert rate_hidden(9, threshold=10) is True
    assert rate_hidden(10, threshold=10) is False


# --- secondary suppression in one line ------------------------------------------------------------


def test_one_primary_in_a_column_hides_the_next_smallest_nonzero_cell() -> None:
    values = {"a": 3, "b": 7, "c": 12, "d": 0, "T": 22}
    assert suppress_counts(values, [(["a", "b", "c", "d"], "T")]) == {"a": P, "b": S}


def test_zero_and_empty_cells_are_never_the_secondary_one() -> None:
    values = {"a": 2, "z": 0, "n": None, "b": 9, "c": 6, "T": 17}
    assert suppress_counts(values, [(["a", "z", "n", "b", "c"], "T")]) == {"a": P, "c": S}


def test_two_primaries_in_a_row_need_nothing_more() -> None:
    values = {"a": 2, "b": 3, "c": 10, "T": 15}
    assert suppress_counts(values, [(["a", "b", "c"], "T")]) == {"a": P, "b": P}


def test_a_line_whose_total_is_itself_small_is_safe() -> None:
    values = {"a": 2, "b": 0, "c": 0, "T": 2}
    assert suppress_counts(values, [(["a", "b", "c"], "T")]) == {"a": P, "T": P}


def test_an_unpublished_total_protects_nothing_and_needs_nothing() -> None:
    values = {"a": 2, "b": 8, "c": 9}
    assert suppress_counts(values, [(["a", "b", "c"], None)]) == {"a": P}


def test_an_empty_total_is_treated_as_unpublished() -> None:
    values = {"a": 2, "b": 8, "c": 9, "T": None}
    assert suppress_counts(values, [(["a", "b", "c"], "T")]) == {"a": P}


def test_ties_go_to_the_first_member_in_the_line_order() -> None:
    values = {"a": 2, "b": 8, "c": 8, "d": 9, "T": 27}
    assert suppress_counts(values, [(["a", "b", "c", "d"], "T")]) == {"a": P, "b": S}
    assert suppress_counts(values, [(["a", "d", "c", "b"], "T")]) == {"a": P, "c": S}


def test_the_total_is_hidden_when_every_other_member_is_zero_or_empty() -> None:
    # The empty member keeps the total above the primary cell, so the total is not small itself;
    # with a and the total both shown, a could still be read off, so the total goes.
    values = {"a": 3, "z": 0, "n": None, "T": 9}
    assert suppress_counts(values, [(["a", "z", "n"], "T")]) == {"a": P, "T": S}


def test_a_single_member_line_hides_its_total() -> None:
    values = {"a": 7, "b": 1, "only": 7, "T": 8}
    lines = [(["a", "b"], "T"), (["a"], "only")]
    # b is primary, a goes to protect it, and "only" (equal to a) then goes to protect a.
    assert suppress_counts(values, lines) == {"a": S, "b": P, "only": S}


# --- lines that cross ----------------------------------------------------------------------------


def test_cascade_needs_a_second_pass() -> None:
    #        c1  c2  c3 |  T
    # r1      2   3  30 | 35   two primaries: the row is safe by itself
    # r2      6  15   8 | 29
    # r3     20   7   9 | 36
    # Rows come first in the lines, so in the first pass only the columns act: c1 hides r2c1 (6),
    # c2 hides r3c2 (7). That leaves r2 and r3 each with one hidden cell, which the second pass
    # fixes with r2c3 (8) and r3c3 (9); c3 then has two hidden cells and is safe.
    cells = {
        ("r1", "c1"): 2, ("r1", "c2"): 3, ("r1", "c3"): 30,
        ("r2", "c1"): 6, ("r2", "c2"): 15, ("r2", "c3"): 8,
        ("r3", "c1"): 20, ("r3", "c2"): 7, ("r3", "c3"): 9,
    }  # fmt: skip
    values, lines = grid_with_totals(cells, ["r1", "r2", "r3"], ["c1", "c2", "c3"])
    expected = {
        ("r1", "c1"): P, ("r1", "c2"): P,
        ("r2", "c1"): S, ("r2", "c3"): S,
        ("r3", "c2"): S, ("r3", "c3"): S,
    }  # fmt: skip
    assert suppress_counts(values, lines) == expected
    # The same table with the columns first reaches the same cells, here within the first pass.
    values, lines = grid_with_totals(cells, ["r1", "r2", "r3"], ["c1", "c2", "c3"], rows_first=False)
    assert suppress_counts(values, lines) == expected


def test_a_hidden_row_total_cascades_into_the_total_column() -> None:
    #        c1  c2  c3 |  T
    # r1      2  10  11 | 23
    # r2      6   0   0 |  6
    # r3     12   5  20 | 37
    # Rows first. Pass 1: r1 hides r1c2 (10, smaller than 11); c1 hides r2c1 (6); c2, left with
    # r1c2 alone, hides r3c2 (5). Pass 2: r2 has no other cell above zero, so its total r2T goes;
    # r3 (r3c2 alone) hides r3c1 (12, smaller than 20); the total column (r2T alone) hides r1T
    # (23, smaller than 37). Pass 3 finds every line safe.
    cells = {
        ("r1", "c1"): 2, ("r1", "c2"): 10, ("r1", "c3"): 11,
        ("r2", "c1"): 6, ("r2", "c2"): 0, ("r2", "c3"): 0,
        ("r3", "c1"): 12, ("r3", "c2"): 5, ("r3", "c3"): 20,
    }  # fmt: skip
    values, lines = grid_with_totals(cells, ["r1", "r2", "r3"], ["c1", "c2", "c3"])
    expected = {
        ("r1", "c1"): P, ("r1", "c2"): S,
        ("r2", "c1"): S,
        ("r3", "c1"): S, ("r3", "c2"): S,
        ("r1", "T"): S, ("r2", "T"): S,
    }  # fmt: skip
    assert suppress_counts(values, lines) == expected


def test_result_is_deterministic_and_ordered_like_values() -> None:
    cells = {(r, c): v for r, row in zip("abc", [[2, 9, 9], [9, 9, 9], [9, 9, 1]], strict=True)
             for c, v in zip("xyz", row, strict=True)}  # fmt: skip
    values, lines = grid_with_totals(cells, list("abc"), list("xyz"))
    first = suppress_counts(values, lines)
    for _ in range(5):
        again = suppress_counts(dict(values), list(lines))
        assert again == first
        assert list(again) == list(first)
    assert list(first) == [key for key in values if key in first]


def test_a_line_naming_an_unknown_cell_is_an_error() -> None:
    with pytest.raises(KeyError, match="typo"):
        suppress_counts({"a": 1, "T": 1}, [(["a", "typo"], "T")])
    with pytest.raises(KeyError, match="missing_total"):
        suppress_counts({"a": 1}, [(["a"], "missing_total")])
    with pytest.raises(ValueError, match="among its members"):
        suppress_counts({"a": 1, "T": 1}, [(["a", "T"], "T")])


# --- the funder report's region table ---------------------------------------------------------------

PHASES = ["clients_phase_1", "clients_phase_2", "clients_phase_3", "clients_phase_4", "clients_phase_5",
          "clients_phase_unknown"]  # fmt: skip
REASONS = ["ended_employed", "ended_education", "ended_own_wish", "ended_unreachable", "ended_other"]
MEASURES = ["clients_active_end", *PHASES, "clients_ended", *REASONS]

# region: active_end, phase 1..5, unknown, ended, five end reasons
REGION_TABLE = {
    "HEL": [60, 10, 12, 15, 13, 8, 2, 20, 8, 5, 7, 0, 0],
    "HUS": [45, 9, 11, 10, 7, 8, 0, 13, 6, 0, 7, 0, 0],
    "PIR": [30, 7, 6, 5, 6, 6, 0, 12, 5, 0, 0, 7, 0],
    "VSH": [3, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
}
NATIONAL = "KOKO_MAA"


def region_table() -> tuple[dict[tuple[str, str], int | None], list[tuple[list[tuple[str, str]], tuple[str, str]]]]:
    """The comparison table of section 3 with its national row, and the lines a reader can add up."""
    values: dict[tuple[str, str], int | None] = {}
    for region, row in REGION_TABLE.items():
        values.update({(region, m): v for m, v in zip(MEASURES, row, strict=True)})
    for m in MEASURES:
        values[(NATIONAL, m)] = sum(values[(region, m)] or 0 for region in REGION_TABLE)
    rows = [*REGION_TABLE, NATIONAL]
    lines: list[tuple[list[tuple[str, str]], tuple[str, str]]] = []
    for region in rows:
        lines.append(([(region, m) for m in PHASES], (region, "clients_active_end")))
        lines.append(([(region, m) for m in REASONS], (region, "clients_ended")))
    for m in MEASURES:
        lines.append(([(region, m) for region in REGION_TABLE], (NATIONAL, m)))
    return values, lines


def test_region_table_adds_up() -> None:
    values, lines = region_table()
    for members, total in lines:
        assert sum(values[m] or 0 for m in members) == values[total], (members, total)
    assert values[(NATIONAL, "clients_active_end")] == 138
    assert values[(NATIONAL, "clients_ended")] == 45


def test_region_table_exact_suppression() -> None:
    values, lines = region_table()
    # Primary: HEL unknown phase (2); VSH active (3), phase 1 (1), phase 2 (2); national unknown (2).
    # Pass 1, in line order:
    # - HEL phases: one hidden (unknown) -> smallest of 10, 12, 15, 13, 8 is phase 5 (8).
    # - VSH phases: its total (active, 3) is primary, so the line is safe.
    # - national phases: one hidden (unknown) -> smallest of 27, 31, 30, 26, 22 is phase 5 (22).
    # - column active_end: VSH hidden alone -> smallest of 60, 45, 30 is PIR (30).
    # - column phase 1: VSH hidden alone -> PIR (7); column phase 2: VSH hidden alone -> PIR (6).
    # - column phase 5: its national total is hidden; column unknown: likewise. End reasons: none.
    # Pass 2 finds every line with a hidden total or at least two hidden members: done.
    expected = {
        ("HEL", "clients_phase_5"): S,
        ("HEL", "clients_phase_unknown"): P,
        ("PIR", "clients_active_end"): S,
        ("PIR", "clients_phase_1"): S,
        ("PIR", "clients_phase_2"): S,
        ("VSH", "clients_active_end"): P,
        ("VSH", "clients_phase_1"): P,
        ("VSH", "clients_phase_2"): P,
        (NATIONAL, "clients_phase_5"): S,
        (NATIONAL, "clients_phase_unknown"): P,
    }
    assert suppress_counts(values, lines) == expected
    # The regional reports are internal and show everything.
    assert suppress_counts(values, lines, enabled=False) == {}


def test_region_table_with_a_higher_threshold() -> None:
    values, lines = region_table()
    result = suppress_counts(values, lines, threshold=10)
    small = {key for key, v in values.items() if v is not None and 1 <= v < 10}
    assert {key for key, marker in result.items() if marker == P} == small
    assert_no_line_has_one_hidden_member(values, lines, result)


# --- properties -------------------------------------------------------------------------------------


def assert_no_line_has_one_hidden_member(
    values: Mapping[Hashable, int | None],
    lines: Sequence[tuple[Sequence[Hashable], Hashable | None]],
    result: Mapping[Hashable, str],
) -> None:
    for members, total in lines:
        published = total is not None and values[total] is not None and total not in result
        if published:
            assert sum(1 for m in members if m in result) != 1, (members, total, result)


Table = tuple[dict[tuple[str, str], int | None], list[str], list[str], int, bool]
cell_value = st.one_of(st.integers(min_value=0, max_value=12), st.integers(min_value=0, max_value=4), st.none())


@st.composite
def random_table(draw: st.DrawFn) -> Table:
    n_rows = draw(st.integers(min_value=1, max_value=4))
    n_cols = draw(st.integers(min_value=1, max_value=5))
    rows = [f"r{i}" for i in range(n_rows)]
    cols = [f"c{j}" for j in range(n_cols)]
    cells = {(r, c): draw(cell_value) for r in rows for c in cols}
    threshold = draw(st.integers(min_value=1, max_value=10))
    rows_first = draw(st.booleans())
    return cells, rows, cols, threshold, rows_first


@settings(max_examples=400, deadline=None)
@given(random_table())
def test_properties_of_random_tables(table: Table) -> None:
    cells, rows, cols, threshold, rows_first = table
    values, lines = grid_with_totals(cells, rows, cols, rows_first=rows_first)
    result = suppress_counts(values, lines, threshold=threshold)

    # Every value in the primary range is hidden, as primary; nothing else is primary.
    for key, value in values.items():
        if value is not None and 1 <= value < threshold:
            assert result.get(key) == P, (key, value)
        else:
            assert result.get(key) != P, (key, value)
    # Secondary cells are real, shown-otherwise figures: never empty, never zero.
    for key, marker in result.items():
        assert marker in (P, S)
        if marker == S:
            assert values[key] is not None and values[key] >= threshold, (key, values[key])
    # No published line leaves a single hidden cell to be worked out.
    assert_no_line_has_one_hidden_member(values, lines, result)
    # Same input, same output; and the internal reports see everything.
    assert suppress_counts(values, lines, threshold=threshold) == result
    assert suppress_counts(values, lines, threshold=threshold, enabled=False) == {}
