"""Inputs a review found that broke the reader; each pinned with the behaviour the spec asks for."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pytest

import ipsetl.forms as forms
from ipsetl.forms import get_form
from ipsetl.ingest import run_ingest
from ipsetl.reader import parse_export
from ipsetl.sample_inbox import write_export

A = get_form("seuranta")
HEADERS = [c.header for c in A.columns]


def csv_bytes(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", lineterminator="\r\n").writerows(rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def text_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline=""), delimiter=";"))


def test_a_year_out_of_range_is_a_row_error_not_a_crash(tmp_path, monitoring_rows):
    bad = dict(monitoring_rows[1], period_start="1.1.3025")
    parsed = parse_export("typo.csv", write_export(tmp_path / "t.csv", [monitoring_rows[0], bad]).read_bytes())
    assert parsed.rows_total == 2 and parsed.rows_rejected == 1
    assert [(f.source_row, f.column_name, f.rule) for f in parsed.findings if f.severity == "error"] == [
        (2, "period_start", "type")
    ]


def test_a_cell_deleted_and_shifted_left_rejects_the_row_without_quoting_the_name(tmp_path, monitoring_rows):
    rows = text_rows(write_export(tmp_path / "a.csv", monitoring_rows[:4]))
    name = monitoring_rows[0]["respondent_name"]
    rows[1] = rows[1][:3] + rows[1][4:]  # Excel "delete cell, shift left" before the personal block
    parsed = parse_export("a.csv", csv_bytes(rows))
    assert parsed.rows_total == 4 and parsed.rows_rejected == 1
    (finding,) = [f for f in parsed.findings if f.source_row == 1]
    assert finding.rule == "field_count" and finding.severity == "error"
    assert all(name not in f.message and "@" not in f.message for f in parsed.findings)


def test_a_short_row_is_rejected_whole_even_when_only_open_texts_are_cut(tmp_path, monitoring_rows):
    rows = text_rows(write_export(tmp_path / "a.csv", monitoring_rows[:3]))
    rows[1] = rows[1][:-1]
    parsed = parse_export("a.csv", csv_bytes(rows))
    assert [(f.source_row, f.rule) for f in parsed.findings] == [(1, "field_count")]


def test_xlsx_rows_ending_in_empty_cells_are_not_short(tmp_path, monitoring_rows):
    rows = [dict(r, text_successes=None, text_challenges=None, text_support_needs=None) for r in monitoring_rows[:3]]
    parsed = parse_export("a.xlsx", write_export(tmp_path / "a.xlsx", rows, fmt="xlsx").read_bytes())
    assert parsed.rows_rejected == 0 and parsed.findings == []


def test_missing_submission_time_or_dates_give_one_finding_each(tmp_path, monitoring_rows):
    cols = [c.column for c in A.columns if c.column != "submitted_at"]
    parsed = parse_export("a.csv", write_export(tmp_path / "a.csv", monitoring_rows[:3], columns=cols).read_bytes())
    assert parsed.findings == []
    bad = dict(monitoring_rows[0], period_start=None)
    parsed = parse_export("b.csv", write_export(tmp_path / "b.csv", [bad]).read_bytes())
    assert [(f.column_name, f.rule) for f in parsed.findings] == [("period_start", "required")]


def test_warnings_are_not_recorded_on_rejected_rows(tmp_path, monitoring_rows):
    row = dict(monitoring_rows[0], clients_phase_1=monitoring_rows[0]["clients_phase_1"] + 5, clients_served="x")
    parsed = parse_export("a.csv", write_export(tmp_path / "a.csv", [row]).read_bytes())
    assert [(f.severity, f.rule) for f in parsed.findings] == [("error", "type")]


def _patch_zip(path: Path, member: str, edit) -> bytes:
    src = zipfile.ZipFile(path)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(item, edit(data) if item.filename == member else data)
    return out.getvalue()


def test_xlsx_with_a_wrong_dimension_loses_no_rows(tmp_path, monitoring_rows):
    path = write_export(tmp_path / "a.xlsx", monitoring_rows[:5], fmt="xlsx")
    data = _patch_zip(
        path, "xl/worksheets/sheet1.xml", lambda b: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:C3"', b)
    )
    parsed = parse_export("a.xlsx", data)
    assert parsed.rows_total == 5 and parsed.rows_rejected == 0


def test_xlsx_with_a_broken_sheet_is_one_file_finding(tmp_path, monitoring_rows):
    path = write_export(tmp_path / "a.xlsx", monitoring_rows[:5], fmt="xlsx")
    data = _patch_zip(path, "xl/worksheets/sheet1.xml", lambda b: b[:3000])
    parsed = parse_export("a.xlsx", data)
    assert parsed.status == "rejected"
    assert [(f.source_row, f.rule) for f in parsed.findings] == [(None, "xlsx_unreadable")]


def test_a_zip_that_is_not_a_workbook_says_so(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w/>")
    parsed = parse_export("raportti.xlsx", buf.getvalue())
    assert [(f.rule, "Word" in f.message) for f in parsed.findings] == [("not_a_workbook", True)]


def test_one_irregular_row_does_not_switch_the_delimiter(tmp_path, monitoring_rows):
    rows = text_rows(write_export(tmp_path / "a.csv", monitoring_rows[:1]))
    rows[1] = rows[1][:2] + ["x"] + rows[1][2:]
    parsed = parse_export("k.csv", csv_bytes(rows))
    assert parsed.form is not None
    assert [(f.source_row, f.rule) for f in parsed.findings] == [(1, "extra_fields")]


def test_two_header_rows_with_labels_under_single_questions(tmp_path, monitoring_rows):
    rows = text_rows(write_export(tmp_path / "a.csv", monitoring_rows[:3], header_rows=2))
    rows[1] = [cell or ("-" if i % 2 else rows[0][i]) for i, cell in enumerate(rows[1])]
    parsed = parse_export("raaka.csv", csv_bytes(rows))
    assert parsed.rows_total == 3 and parsed.rows_rejected == 0, parsed.findings


def test_adding_a_region_to_schemas_loads_the_rows_it_rejected(tmp_path, monkeypatch, monitoring_rows):
    inbox, wh = tmp_path / "inbox", tmp_path / "w.duckdb"
    newcomer = dict(monitoring_rows[0], region="Etelä-Karjalan hyvinvointialue")
    write_export(inbox / "a.csv", [monitoring_rows[1], newcomer])
    run_ingest(inbox, wh, 2**26)
    import duckdb

    def rows():
        with duckdb.connect(str(wh), read_only=True) as con:
            return con.execute(
                "SELECT region_code, source_row FROM raw.monitoring_response ORDER BY 2"
            ).fetchall(), con.execute("SELECT rule FROM mart.data_quality").fetchall()

    loaded, findings = rows()
    assert len(loaded) == 1 and findings == [("unknown_region",)]
    regions = tmp_path / "regions.csv"
    regions.write_text(
        forms.REGIONS_FILE.read_text(encoding="utf-8") + "EKA;Etelä-Karjalan hyvinvointialue\n", encoding="utf-8"
    )
    monkeypatch.setenv("IPSETL_REGIONS_FILE", str(regions))  # the reading workers see it too
    summary = run_ingest(inbox, wh, 2**26)
    assert [f.status for f in summary.files] == ["reread"]
    loaded, findings = rows()
    assert sorted(loaded) == sorted([(loaded[0][0], 1), ("EKA", 2)]) and findings == []
    assert run_ingest(inbox, wh, 2**26).new_files == []  # and only once


@pytest.mark.parametrize("value", ["92,5 %", "92.5"])
def test_percent_sign_in_a_percentage(tmp_path, monitoring_rows, value):
    row = dict(monitoring_rows[0], pct_time_job_coaching=value)
    parsed = parse_export("a.csv", write_export(tmp_path / "a.csv", [row]).read_bytes())
    assert parsed.rows_rejected == 0 and parsed.accepted.iloc[0]["pct_time_job_coaching"] == 92.5
