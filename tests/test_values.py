"""Cell parsing: the Finnish number and date forms Webropol and Excel write (webropol-exports.md §3.8–9)."""

from datetime import date, datetime

import pytest

from ipsetl.values import CellError, parse_date, parse_decimal, parse_integer, parse_item, parse_timestamp


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("2,5", 2.5),
        ("2.5", 2.5),
        ("92,5", 92.5),
        ("1 234", 1234.0),
        ("1\u00a0234,5", 1234.5),
        ("12\u202f345", 12345.0),
        (" 7 ", 7.0),
        (3, 3.0),
        (2.75, 2.75),
        ("", None),
        (None, None),
        ("   ", None),
        ("92,5 %", 92.5),
        ("-0", 0.0),
    ],
)
def test_decimal_accepts_finnish_forms(cell, expected):
    assert parse_decimal(cell) == expected


@pytest.mark.parametrize("cell", ["abc", "1,2,3", "12 34", "En osaa sanoa", "5 %%", "nan", "1e5", "%"])
def test_decimal_rejects_non_numbers(cell):
    with pytest.raises(CellError) as info:
        parse_decimal(cell)
    assert info.value.rule == "type"


@pytest.mark.parametrize("cell, expected", [("3", 3), ("3.0", 3), ("3,0", 3), (3.0, 3), ("1 024", 1024), ("0", 0)])
def test_integer_accepts_excel_floats(cell, expected):
    assert parse_integer(cell) == expected


@pytest.mark.parametrize("cell", ["2,5", "3.5", 2.5])
def test_integer_rejects_fractions(cell):
    with pytest.raises(CellError, match="kokonaisluku"):
        parse_integer(cell)


def test_dont_know_in_number_field_is_an_error_with_a_clear_message():
    with pytest.raises(CellError, match="En osaa sanoa"):
        parse_integer("En osaa sanoa")


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("3.2.2026", date(2026, 2, 3)),
        ("03.02.2026", date(2026, 2, 3)),
        ("31.12.25", date(2025, 12, 31)),
        ("2026-02-03", date(2026, 2, 3)),
        (datetime(2026, 2, 3, 0, 0), date(2026, 2, 3)),
        (date(2026, 2, 3), date(2026, 2, 3)),
        ("3.2.2026 0:00", date(2026, 2, 3)),
        (45658, date(2025, 1, 1)),  # an Excel date cell that lost its format
    ],
)
def test_dates_are_day_first(cell, expected):
    assert parse_date(cell) == expected


@pytest.mark.parametrize(
    "cell", ["31.2.2026", "2026/02/03", "helmikuu", "3.2.2026 14:00", "32.1.2026", "1.1.3025", "1.1.0225", 12.5, True]
)
def test_impossible_or_foreign_dates_are_errors(cell):
    with pytest.raises(CellError):
        parse_date(cell)


@pytest.mark.parametrize(
    "cell, expected",
    [
        ("27.11.2025 14:03", datetime(2025, 11, 27, 14, 3)),
        ("7.3.2026 9:05:12", datetime(2026, 3, 7, 9, 5, 12)),
        ("7.3.2026 9.05", datetime(2026, 3, 7, 9, 5)),
        ("7.3.2026", datetime(2026, 3, 7)),
        ("2026-03-07 09:05:12", datetime(2026, 3, 7, 9, 5, 12)),
        (datetime(2026, 3, 7, 9, 5, 12, 500), datetime(2026, 3, 7, 9, 5, 12)),
    ],
)
def test_timestamps(cell, expected):
    assert parse_timestamp(cell) == expected


@pytest.mark.parametrize("cell", ["27.11.2025 25:03", "27.13.2025 14:03", "eilen"])
def test_bad_timestamps(cell):
    with pytest.raises(CellError):
        parse_timestamp(cell)


def test_item_dont_know_is_unanswered_and_three_point_oh_is_three():
    assert parse_item("En osaa sanoa") is None
    assert parse_item(" en osaa sanoa ") is None
    assert parse_item("3.0") == 3
    assert parse_item("") is None
