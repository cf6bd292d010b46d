"""Every quirk of webropol-exports.md, written by the project's generator and read back: the same
responses must arrive with the same values whatever shape the file has."""

from __future__ import annotations

import pytest

from ipsetl.reader import parse_export, read_export
from ipsetl.sample_inbox import write_events_list, write_export
from tests.conftest import assert_rows_equal

QUIRKS = {
    "basic_utf8_bom_semicolon_crlf": {},
    "utf8_without_bom_lf": {"encoding": "utf-8", "line_end": "\n"},
    "windows_1252": {"encoding": "cp1252"},
    "utf16": {"encoding": "utf-16"},
    "comma_delimiter_decimal_point": {"delimiter": ",", "decimal": "."},
    "tab_delimiter": {"delimiter": "\t"},
    "two_header_rows": {"header_rows": 2},
    "two_header_rows_comma_cp1252": {"header_rows": 2, "delimiter": ",", "decimal": ".", "encoding": "cp1252"},
    "header_noise_nbsp_trailing_colon": {"header_noise": True},
    "language_column": {"language_column": True},
    "thousands_space": {"thousands": " "},
    "thousands_nbsp": {"thousands": "\u00a0"},
    "excel_floats": {"excel_floats": True, "decimal": "."},
    "xlsx_date_cells": {"fmt": "xlsx", "xlsx_dates": "cells"},
    "xlsx_text_dates": {"fmt": "xlsx", "xlsx_dates": "text"},
    "xlsx_two_header_rows": {"fmt": "xlsx", "header_rows": 2},
}


def _hus_rows(rows: list[dict]) -> list[dict]:
    """HUS has ≥ 1000 employer contacts, so the thousands separators are exercised."""
    picked = [r for r in rows if r["region"] == "HUS Psykiatria"][:3] + [
        r for r in rows if r["region"] != "HUS Psykiatria"
    ][:9]
    return picked


@pytest.mark.parametrize("quirk", sorted(QUIRKS))
def test_monitoring_export_quirk_reads_back_exactly(tmp_path, monitoring_rows, quirk):
    rows = _hus_rows(monitoring_rows)
    options = QUIRKS[quirk]
    suffix = ".xlsx" if options.get("fmt") == "xlsx" else ".csv"
    path = write_export(tmp_path / f"IPS seuranta 3-2026_Perusraportti{suffix}", rows, "seuranta", **options)
    parsed = read_export(path)
    assert parsed.form is not None and parsed.form.name == "seuranta-1", parsed.findings
    errors = [f for f in parsed.findings if f.severity == "error"]
    assert errors == []
    assert parsed.rows_total == len(rows) and parsed.rows_rejected == 0
    assert_rows_equal("seuranta", parsed.accepted, rows)
    assert not [f for f in parsed.findings if f.rule == "unknown_column"]


@pytest.mark.parametrize(
    "quirk", ["basic_utf8_bom_semicolon_crlf", "excel_floats", "xlsx_date_cells", "two_header_rows"]
)
def test_assessment_export_quirk_reads_back_exactly(tmp_path, assessment_rows, quirk):
    rows = assessment_rows[:15]
    options = QUIRKS[quirk]
    suffix = ".xlsx" if options.get("fmt") == "xlsx" else ".csv"
    path = write_export(tmp_path / f"IPS laatukriteerit_Perusraportti{suffix}", rows, "laatu", **options)
    parsed = read_export(path)
    assert parsed.form is not None and parsed.form.name == "laatu-1"
    assert [f for f in parsed.findings if f.severity == "error"] == []
    assert_rows_equal("laatu", parsed.accepted, rows)
    dont_know = sum(1 for r in rows for k, v in r.items() if k.startswith("item_") and v == "En osaa sanoa")
    assert sum(1 for f in parsed.findings if f.rule == "dont_know") == dont_know


def test_open_text_keeps_line_breaks_semicolons_and_quotes(tmp_path, monitoring_rows):
    text = 'Hyvin meni; "erityisesti" kevät.\nToinen rivi\r\nkolmas\u00a0rivi <b>ei html</b>'
    row = dict(monitoring_rows[0], text_successes=text, text_challenges="  alkuvälit säilyvät  ")
    for options in ({}, {"delimiter": ","}, {"fmt": "xlsx"}):
        suffix = ".xlsx" if options.get("fmt") == "xlsx" else ".csv"
        path = write_export(tmp_path / f"teksti{len(options)}{suffix}", [row], "seuranta", **options)
        got = read_export(path).accepted.iloc[0]
        expected = text.replace("\r\n", "\n") if options.get("fmt") == "xlsx" else text
        assert got["text_successes"] in (text, expected)
        assert got["text_challenges"] == "  alkuvälit säilyvät  "


def test_columns_in_another_order_are_matched_by_header(tmp_path, monitoring_rows):
    from ipsetl.forms import get_form

    names = [c.column for c in get_form("seuranta").columns]
    reordered = [names[0]] + list(reversed(names[1:]))
    rows = monitoring_rows[:4]
    path = write_export(tmp_path / "reordered.csv", rows, "seuranta", columns=reordered)
    parsed = read_export(path)
    assert parsed.rows_rejected == 0
    assert_rows_equal("seuranta", parsed.accepted, rows)


def test_missing_vastausaika_is_allowed(tmp_path, monitoring_rows):
    from ipsetl.forms import get_form

    cols = [c.column for c in get_form("seuranta").columns if c.column != "submitted_at"]
    path = write_export(tmp_path / "raaka.csv", monitoring_rows[:2], "seuranta", columns=cols)
    parsed = read_export(path)
    assert parsed.rows_rejected == 0
    assert parsed.accepted["submitted_at"].isna().all()


def test_trailing_and_separator_blank_rows_are_not_responses(tmp_path, monitoring_rows):
    path = write_export(tmp_path / "a.csv", monitoring_rows[:2], "seuranta")
    text = path.read_bytes().decode("utf-8-sig")
    header, first, second = text.split("\r\n", 3)[:3]
    # blank line between responses and trailing blank/semicolon-only rows
    path.write_bytes(("\ufeff" + "\r\n".join([header, first, "", second, ";;;;", "", ""])).encode("utf-8"))
    parsed = read_export(path)
    assert parsed.rows_total == 2 and parsed.rows_rejected == 0
    assert list(parsed.accepted["source_row"]) == [1, 2]


def test_personal_columns_never_leave_the_reader(tmp_path, monitoring_rows):
    rows = monitoring_rows[:5]
    path = write_export(tmp_path / "a.csv", rows, "seuranta")
    parsed = read_export(path)
    dump = parsed.accepted.to_csv() + "".join(f.message for f in parsed.findings)
    for r in rows:
        assert r["respondent_name"] not in dump
        assert r["respondent_email"] not in dump


def test_events_list_is_rejected_with_what_it_looks_like(tmp_path):
    parsed = read_export(write_events_list(tmp_path / "Tapahtuma_Ilmoittautuneet.csv"))
    assert parsed.form is None and parsed.status == "rejected"
    (finding,) = parsed.findings
    assert finding.rule == "events_export" and finding.severity == "error" and finding.source_row is None
    assert "Events" in finding.message


def test_content_decides_format_not_the_file_name(tmp_path, monitoring_rows):
    xlsx = write_export(tmp_path / "a.xlsx", monitoring_rows[:3], "seuranta", fmt="xlsx")
    parsed = parse_export("renamed.csv", xlsx.read_bytes())
    assert parsed.rows_total == 3 and parsed.rows_rejected == 0
    csv = write_export(tmp_path / "b.csv", monitoring_rows[:3], "seuranta")
    parsed = parse_export("saved as.xlsx", csv.read_bytes())
    assert parsed.rows_total == 3 and parsed.rows_rejected == 0


def test_a_stray_byte_in_a_utf8_file_costs_its_row_not_the_file_and_is_never_stored_changed(tmp_path, monitoring_rows):
    # issue 14: a byte that is no UTF-8 (0xF6, Windows-1252's ö, and 0x81, undefined even there)
    # used to load as U+FFFD with a file-level warning; the stored text was not what was typed.
    rows = [dict(r, text_successes="Yhteistyö sujui", text_challenges=None) for r in monitoring_rows[:4]]
    path = write_export(tmp_path / "a.csv", rows, "seuranta", encoding="utf-8")
    data = path.read_bytes().replace("Yhteistyö sujui".encode(), b"Yhteisty\xf6 sujui", 1)
    data = data.replace("Yhteistyö sujui".encode(), b"Yhteisty\x81 sujui", 2).replace(
        b"Yhteisty\x81", "Yhteistyö".encode(), 1
    )
    parsed = parse_export("a.csv", data)
    assert parsed.rows_total == 4 and parsed.rows_rejected == 2
    errors = [f for f in parsed.findings if f.severity == "error"]
    assert [(f.source_row, f.column_name, f.rule) for f in errors] == [
        (1, "text_successes", "encoding"),
        (3, "text_successes", "encoding"),
    ]
    assert "0xF6" in errors[0].message and "0x81" in errors[1].message
    assert sorted(parsed.accepted["source_row"]) == [2, 4]
    assert set(parsed.accepted["text_successes"]) == {"Yhteistyö sujui"}  # the other ä's and ö's intact
    assert [f.rule for f in parsed.findings if f.severity == "warning"] == ["encoding"]


def test_a_windows_1252_file_with_a_byte_undefined_there_costs_that_row_only(tmp_path, monitoring_rows):
    rows = [dict(r, text_successes="Yhteistyö sujui") for r in monitoring_rows[:4]]
    path = write_export(tmp_path / "a.csv", rows, "seuranta", encoding="cp1252")
    data = path.read_bytes().replace("Yhteistyö sujui".encode("cp1252"), b"Yhteisty\x81 sujui", 1)
    parsed = parse_export("a.csv", data)
    assert [(f.source_row, f.column_name, f.rule) for f in parsed.findings if f.severity == "error"] == [
        (1, "text_successes", "encoding")
    ]
    assert sorted(parsed.accepted["source_row"]) == [2, 3, 4]
    assert set(parsed.accepted["text_successes"]) == {"Yhteistyö sujui"}  # the file's ö's read as Windows-1252


def test_a_real_windows_1252_file_is_still_read_as_such(tmp_path, monitoring_rows):
    path = write_export(tmp_path / "a.csv", monitoring_rows[:4], "seuranta", encoding="cp1252")
    parsed = read_export(path)
    assert parsed.rows_rejected == 0 and not [f for f in parsed.findings if f.rule == "encoding"]
    assert_rows_equal("seuranta", parsed.accepted, monitoring_rows[:4])
