"""The export generator: realistic, rule-abiding data, every quirk present, and deterministic bytes."""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from ipsetl.forms import get_form, region_names
from ipsetl.headers import merge_header_rows, normalise_header
from ipsetl.sample_inbox import (
    DONT_KNOW,
    SILENT_FROM,
    SILENT_REGION,
    SILENT_UNTIL,
    UNKNOWN_REGION,
    generate_assessments,
    generate_monitoring,
    sample_manifest,
    write_events_list,
    write_export,
    write_sample_inbox,
)

SEURANTA = get_form("seuranta")
LAATU = get_form("laatu")
NBSP = "\u00a0"


# --- a deliberately simple reader, only to check that what was written is what was meant -----


def _decode(raw: bytes) -> str:
    if raw.startswith(codecs.BOM_UTF16_LE):
        return raw[2:].decode("utf-16-le")
    if raw.startswith(codecs.BOM_UTF8):
        return raw[3:].decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def _parse(value: object, kind: str) -> object:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date() if kind == "date" else value
    if not isinstance(value, str):
        return value
    if kind in ("date", "timestamp"):
        m = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?", value)
        if not m:
            return value
        d, mo, y, h, mi, s = m.groups()
        if kind == "date":
            return date(int(y), int(mo), int(d))
        return datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0))
    if kind in ("integer", "decimal", "item"):
        text = value.replace(" ", "").replace(NBSP, "").replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            return value
        return int(number) if kind != "decimal" and number.is_integer() else number
    return value


def _table(path: Path) -> list[list[object]]:
    if path.suffix == ".xlsx":
        ws = openpyxl.load_workbook(path).active
        return [["" if v is None else v for v in row] for row in ws.iter_rows(values_only=True)]
    text = _decode(path.read_bytes())
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def read_back(path: Path, form=SEURANTA) -> list[dict]:
    table = _table(path)
    if all(str(c) == "" for c in table[1][:1]) and any(table[1]):
        headers, body = merge_header_rows([str(c) for c in table[0]], [str(c) for c in table[1]]), table[2:]
    else:
        headers, body = [normalise_header(c) for c in table[0]], table[1:]
    cols = [form.by_header.get(h) for h in headers]
    assert all(c is not None or h == "Language" for c, h in zip(cols, headers, strict=True)), headers
    return [{c.column: _parse(v, c.type) for c, v in zip(cols, rec, strict=True) if c is not None} for rec in body]


def error_rules(row: dict) -> list[str]:
    """forms.md's error rules for form A, as plainly as they are written there."""
    broken = [f"required:{c.column}" for c in SEURANTA.columns if c.required and row.get(c.column) is None]
    for c in SEURANTA.columns:
        v = row.get(c.column)
        if v is None:
            continue
        if c.type == "integer" and not (isinstance(v, int) and v >= 0):
            broken.append(f"type:{c.column}")
        if c.type == "decimal" and not (isinstance(v, int | float) and v >= 0):
            broken.append(f"type:{c.column}")
    if broken:
        return broken
    pct = [c.column for c in SEURANTA.columns if c.column.startswith("pct_")]
    checks = {
        "range_pct": all(row[c] <= 100 for c in pct),
        "team_leader": row["team_leader_fte"] is None or row["team_leader_fte"] <= 3,
        "fte_le_headcount": row["coaches_fte"] <= row["coaches_headcount"],
        "active_le_served": row["clients_active_end"] <= row["clients_served"],
        "employed_le_served": row["clients_employed"] <= row["clients_served"],
        "permanent_le_jobs": row["jobs_started_permanent"] <= row["jobs_started"],
        "wage_subsidy_le_jobs": row["jobs_started_wage_subsidy"] <= row["jobs_started"],
        "period_end_ge_start": row["period_end"] >= row["period_start"],
        "window_length": 28 <= (row["period_end"] - row["period_start"]).days + 1 <= 124,
        "region": row["region"] in region_names().values(),
    }
    return [name for name, ok in checks.items() if not ok]


def warning_rules(row: dict) -> list[str]:
    phases = sum(row[f"clients_phase_{k}"] for k in (1, 2, 3, 4, 5, "unknown"))
    reasons = sum(
        row[c] for c in ("ended_employed", "ended_education", "ended_own_wish", "ended_unreachable", "ended_other")
    )
    found = []
    if phases != row["clients_active_end"]:
        found.append("phase_sum")
    if reasons != row["clients_ended"]:
        found.append("end_reason_sum")
    if row["submitted_at"].date() < row["period_end"]:
        found.append("period_end_after_submission")
    return found


# --- generated data -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def monitoring() -> list[dict]:
    return generate_monitoring()


def test_monitoring_rows_obey_every_rule_and_look_like_an_ips_team(monitoring):
    assert len(monitoring) > 80
    for row in monitoring:
        assert set(row) == {c.column for c in SEURANTA.columns}
        assert error_rules(row) == [], row
        assert warning_rules(row) == [], row
        assert row["submitted_at"].date() > row["period_end"]
        assert (row["submitted_at"].date() - row["period_end"]).days <= 21
        assert round(row["coaches_fte"], 2) == row["coaches_fte"]
        assert 2 <= row["coaches_headcount"] <= 8
        assert 0.15 <= row["clients_employed"] / row["clients_served"] <= 0.6
        assert re.fullmatch(r"[a-z-]+\.[a-z-]+@example\.fi", row["respondent_email"])
    assert any(row["median_days_to_employer_contact"] is None for row in monitoring)
    assert any(isinstance(row["pct_time_job_coaching"], float) for row in monitoring)
    settled = [r["clients_active_end"] / r["coaches_fte"] for r in monitoring if r["period_start"].year > 2025]
    assert 15 <= sorted(settled)[len(settled) // 2] <= 25
    texts = [r[c] for r in monitoring for c in ("text_successes", "text_challenges", "text_support_needs")]
    assert None in texts
    assert any(t and "\n" in t and ";" in t for t in texts)
    assert any(t and '"' in t for t in texts)


def test_windows_are_consecutive_and_28_to_124_days(monitoring):
    by_region = defaultdict(list)
    for row in monitoring:
        by_region[row["region"]].append((row["period_start"], row["period_end"]))
    assert set(by_region) == set(region_names().values())
    silent = region_names()[SILENT_REGION]
    for region, windows in by_region.items():
        windows.sort()
        gaps = [
            (end, start) for (_, end), (start, _) in zip(windows, windows[1:], strict=False) if (start - end).days != 1
        ]
        if region == silent:  # sends nothing for one tertiary, on purpose
            assert len(gaps) == 1 and gaps[0][0] < SILENT_FROM
            assert not any(SILENT_FROM <= e <= SILENT_UNTIL for _, e in windows)
        else:
            assert gaps == []
        assert all(28 <= (e - s).days + 1 <= 124 for s, e in windows)
    first = sorted(w[0][0] for w in by_region.values())
    assert first.count(date(2025, 1, 1)) >= 6
    assert sum(d.year == 2026 for d in first) == 1
    assert len({tuple((e - s).days for s, e in w[:3]) for w in by_region.values()}) > 3


def test_generators_are_deterministic_and_respect_arguments():
    assert generate_monitoring(7) == generate_monitoring(7)
    assert generate_monitoring(7) != generate_monitoring(8)
    assert generate_assessments(7) == generate_assessments(7)
    some = generate_monitoring(3, start=date(2025, 3, 1), end=date(2025, 12, 31), regions=["LAP", "PIR"])
    assert {r["region"] for r in some} <= {"Lapin hyvinvointialue", "Pirkanmaan hyvinvointialue"}
    assert all(date(2025, 3, 1) <= r["period_start"] and r["period_end"] <= date(2025, 12, 31) for r in some)


def test_assessments_cover_every_level_and_half_year():
    rows = generate_assessments()
    items = [f"item_{i:02d}" for i in range(1, 26)]
    totals = []
    for row in rows:
        assert set(row) == {c.column for c in LAATU.columns}
        assert row["assessment_type"] in ("Itsearviointi", "Ulkoinen arviointi")
        assert row["submitted_at"].date() >= row["assessed_on"]
        assert all(row[i] in (1, 2, 3, 4, 5, DONT_KNOW, None) for i in items)
        totals.append(sum(row[i] for i in items if isinstance(row[i], int)))
    assert 1 <= sum(r["assessment_type"] == "Ulkoinen arviointi" for r in rows) <= 5
    assert any(r[i] == DONT_KNOW for r in rows for i in items)
    assert min(totals) <= 73 and max(totals) >= 115
    assert any(74 <= t <= 99 for t in totals) and any(100 <= t <= 114 for t in totals)
    halves = defaultdict(set)
    for r in rows:
        if r["assessment_type"] == "Itsearviointi":
            halves[r["region"]].add((r["assessed_on"].year, r["assessed_on"].month <= 6))
    assert max(len(h) for h in halves.values()) == 4 and len(halves) == 12


# --- write_export ---------------------------------------------------------------------------

QUIRKS = [
    {},
    {"encoding": "utf-8", "line_end": "\n"},
    {"encoding": "cp1252", "thousands": True},
    {"encoding": "utf-16", "header_rows": 2},
    {"delimiter": ",", "decimal": ".", "excel_floats": True},
    {"header_noise": True, "language_column": True, "header_rows": 2, "thousands": NBSP},
    {"fmt": "xlsx"},
    {"fmt": "xlsx", "xlsx_dates": "text", "header_rows": 2, "language_column": True},
]


@pytest.mark.parametrize("quirks", QUIRKS, ids=lambda q: ",".join(f"{k}={v!r}" for k, v in q.items()) or "-")
def test_export_reads_back_to_the_same_values(tmp_path, monitoring, quirks):
    rows = monitoring[:15]
    suffix = ".xlsx" if quirks.get("fmt") == "xlsx" else ".csv"
    path = write_export(tmp_path / f"x{suffix}", rows, **quirks)
    assert read_back(path) == [{c.column: r.get(c.column) for c in SEURANTA.columns} for r in rows]


def test_laatu_export_reads_back(tmp_path):
    rows = generate_assessments()[:12]
    for quirks in ({}, {"excel_floats": True, "decimal": "."}, {"fmt": "xlsx", "header_rows": 2}):
        path = write_export(tmp_path / ("b.xlsx" if quirks.get("fmt") else "b.csv"), rows, "laatu", **quirks)
        assert read_back(path, LAATU) == [{c.column: r[c.column] for c in LAATU.columns} for r in rows]


def test_cell_formats(tmp_path):
    row = {
        "submitted_at": datetime(2026, 3, 7, 9, 5, 12),
        "period_start": date(2026, 2, 3),
        "coaches_fte": 2.5,
        "coaches_headcount": 3,
        "employer_contacts": 1234,
        "clients_served": 2345,
        "text_successes": 'a;"b"\nc',
    }
    cols = [
        "submitted_at",
        "period_start",
        "coaches_fte",
        "coaches_headcount",
        "employer_contacts",
        "clients_served",
        "text_successes",
    ]
    text = _decode(write_export(tmp_path / "a.csv", [row], columns=cols, thousands=True).read_bytes())
    assert text.split("\r\n")[1] == f'7.3.2026 9:05:12;3.2.2026;2,5;3;1 234;2{NBSP}345;"a;""b""\nc"'
    text = _decode(write_export(tmp_path / "b.csv", [row], columns=cols[2:4], excel_floats=True).read_bytes())
    assert text.split("\r\n")[1] == "2,5;3.0"
    garbage = {"coaches_headcount": "abc", "coaches_fte": DONT_KNOW, "team_leader_fte": None}
    text = _decode(
        write_export(
            tmp_path / "c.csv", [garbage], columns=["coaches_headcount", "coaches_fte", "team_leader_fte"]
        ).read_bytes()
    )
    assert text.split("\r\n")[1] == f"abc;{DONT_KNOW};"
    with pytest.raises(KeyError):
        write_export(tmp_path / "d.csv", [row], columns=["no_such_column"])


def test_raw_layout_splits_only_multi_field_questions(tmp_path, monitoring):
    path = write_export(tmp_path / "raw.csv", monitoring[:2], header_rows=2)
    top, sub = _table(path)[:2]
    assert top[0] == "Vastausaika" and top.count("Vastaajan tiedot") == 1
    assert top[top.index("Vastaajan tiedot") + 1] == "" and sub[top.index("Vastaajan tiedot")] == "Nimi"
    assert "Millaista tukea toivotte THL:ltä?" in top
    assert top.count("Asiakkaat jakson lopussa prosessin vaiheittain") == 1
    assert top.count("Päättyneiden asiakkuuksien syyt") == 1
    assert sum(bool(s) for s in sub) == 2 + 6 + 5
    assert merge_header_rows(top, sub) == [c.header for c in SEURANTA.columns]


def test_header_noise_normalises_away(tmp_path, monitoring):
    path = write_export(tmp_path / "n.csv", monitoring[:1], header_noise=True, language_column=True)
    headers = _table(path)[0]
    assert any(h.endswith(NBSP) for h in headers) and any(h.endswith(":") for h in headers)
    assert any(h.endswith("  ") for h in headers)
    assert headers[1].strip() == "Language"
    assert [normalise_header(h) for h in headers if normalise_header(h) != "Language"] == [
        c.header for c in SEURANTA.columns
    ]


def test_xlsx_dates_as_cells_or_text(tmp_path, monitoring):
    cells = openpyxl.load_workbook(write_export(tmp_path / "c.xlsx", monitoring[:3], fmt="xlsx")).active
    text = openpyxl.load_workbook(
        write_export(tmp_path / "t.xlsx", monitoring[:3], fmt="xlsx", xlsx_dates="text")
    ).active
    assert isinstance(cells["A2"].value, datetime) and isinstance(cells["C2"].value, datetime)
    assert isinstance(text["A2"].value, str) and re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4}", text["C2"].value)
    assert isinstance(cells["G2"].value, int) and isinstance(text["H2"].value, float)


def test_xlsx_bytes_are_stable(tmp_path, monitoring):
    a = write_export(tmp_path / "a.xlsx", monitoring[:5], fmt="xlsx").read_bytes()
    b = write_export(tmp_path / "b.xlsx", monitoring[:5], fmt="xlsx").read_bytes()
    assert a == b


def test_events_list_looks_like_webropol_events(tmp_path):
    lines = _decode(write_events_list(tmp_path / "e.csv").read_bytes()).splitlines()
    assert lines[0].startswith(";Tapahtuman nimi;")
    assert lines[4].startswith("#;Ilm.aika;Tila;") and lines[5].startswith("-;-;-;")
    assert any(";Peruutettu;" in line for line in lines) and any(";Ilmoittautunut;" in line for line in lines)


# --- the sample inbox -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def inbox(tmp_path_factory) -> tuple[list[Path], dict]:
    return write_sample_inbox(tmp_path_factory.mktemp("inbox") / "inbox"), sample_manifest()


def test_inbox_is_byte_identical_for_a_seed(tmp_path, inbox):
    again = write_sample_inbox(tmp_path / "again")
    assert [p.name for p in again] == [p.name for p in inbox[0]]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(again, inbox[0], strict=True))
    other = write_sample_inbox(tmp_path / "other", seed=1)
    assert any(a.read_bytes() != b.read_bytes() for a, b in zip(other, again, strict=False))


def test_inbox_carries_every_quirk(inbox):
    paths, manifest = inbox
    assert 15 <= len(paths) <= 25 and paths == sorted(paths)
    assert set(manifest["files"]) == {p.name for p in paths}
    raw = {p.name: p.read_bytes() for p in paths}
    csvs = {n: b for n, b in raw.items() if n.endswith(".csv") and b}

    def cp1252_only(b: bytes) -> bool:
        try:
            b.decode("utf-8")
        except UnicodeDecodeError:
            return not b.startswith(codecs.BOM_UTF16_LE)
        return False

    texts = {n: _decode(b) for n, b in csvs.items()}
    assert any(b.startswith(codecs.BOM_UTF8) for b in csvs.values())
    assert any(b.startswith(b"Vastausaika") for b in csvs.values())
    assert any(cp1252_only(b) for b in csvs.values())
    assert any(b.startswith(codecs.BOM_UTF16_LE) for b in csvs.values())
    assert any(t.startswith("Vastausaika,") for t in texts.values())
    assert any("\r\n" not in t and "\n" in t for t in texts.values())
    assert any(t.count("\r\n") > 2 for t in texts.values())
    assert any(t.split("\n")[1].startswith(";") for t in texts.values())  # second header row
    assert any(t.split("\n")[1].startswith(",") for t in texts.values())
    assert any(NBSP + ";" in t.split("\n")[0] for t in texts.values())
    assert any(";Language" in t.split("\n")[0] for t in texts.values())
    assert any(re.search(r";1 \d{3};", t) for t in texts.values())
    assert any(re.search(rf";1{NBSP}\d{{3}};", t) for t in texts.values())
    assert any(re.search(r";\d+\.0;", t) for t in texts.values())
    assert any(re.search(r';"[^"]*;[^"]*\n[^"]*"', t) for t in texts.values())
    assert any(re.search(r"\d \d{1,2}:\d{2}:\d{2};", t) for t in texts.values())
    assert any(re.search(r"\d \d{1,2}:\d{2};", t) for t in texts.values())
    xlsx = [openpyxl.load_workbook(p).active for p in paths if p.suffix == ".xlsx"]
    assert any(isinstance(ws["A2"].value, datetime) for ws in xlsx)
    assert any(isinstance(ws["A2"].value, str) and ws["A2"].value[0].isdigit() for ws in xlsx)
    assert sum(p.name.startswith("IPS laatukriteerit") for p in paths) == 4
    assert any(p.name.endswith("_Perusraportti_raaka.csv") for p in paths)


def test_inbox_holds_personal_data_to_be_dropped(inbox):
    paths, _ = inbox
    readable = [p for p in paths if p.stat().st_size and "verkostopäivä" not in p.name]
    for p in readable:
        form = LAATU if "laatukriteerit" in p.name else SEURANTA
        rows = read_back(p, form)
        assert rows and all(r["respondent_name"] and "@" in r["respondent_email"] for r in rows)
        assert p.suffix == ".xlsx" or rows[0]["respondent_name"] in _decode(p.read_bytes())
    assert "Meikäläinen" in _decode(next(p for p in paths if "verkostopäivä" in p.name).read_bytes())


def test_manifest_is_truthful(inbox):
    paths, manifest = inbox
    by_name = {p.name: p for p in paths}
    assert sorted(manifest["rejected_files"].values()) == ["empty_file", "events_export"]
    for name, reason in manifest["rejected_files"].items():
        raw = by_name[name].read_bytes()
        assert raw == b"" if reason == "empty_file" else _decode(raw).startswith(";Tapahtuman nimi;")
    ((dup, first),) = manifest["duplicates"].items()
    assert (
        dup > first
        and hashlib.sha256(by_name[dup].read_bytes()).digest() == hashlib.sha256(by_name[first].read_bytes()).digest()
    )

    for name, info in manifest["files"].items():
        if info["form"] == "seuranta":
            rows = read_back(by_name[name])
            assert len(rows) == info["rows"]
            bad_rows = {r for r, _, _ in manifest["errors"].get(name, [])}
            assert len(bad_rows) == info["rows_rejected"]
            for i, row in enumerate(rows, 1):
                if i in bad_rows:
                    continue
                assert error_rules(row) == [], (name, i)
                expected = sorted(rule for r, _, rule in manifest["warnings"].get(name, []) if r == i)
                assert warning_rules(row) == expected, (name, i)

    ((faulty, expected),) = manifest["errors"].items()
    rows = read_back(by_name[faulty])
    rules = {rule: row for row, _, rule in expected}
    assert rows[rules["type"] - 1]["employer_contacts"] == DONT_KNOW
    assert set(error_rules(rows[rules["fte_le_headcount"] - 1])) == {"fte_le_headcount"}
    assert rows[rules["unknown_region"] - 1]["region"] == UNKNOWN_REGION
    assert "period_end_ge_start" in error_rules(rows[rules["period_end_ge_start"] - 1])

    re_ = manifest["resubmission"]
    (fixed,) = read_back(by_name[re_["file"]])
    (old,) = [
        r
        for r in read_back(by_name[re_["original_file"]])
        if (r["region"], r["period_start"], r["period_end"]) == (re_["region"], re_["period_start"], re_["period_end"])
    ]
    assert fixed[re_["column"]] == re_["value"] != old[re_["column"]] == re_["previous_value"]
    assert fixed["submitted_at"] == re_["submitted_at"] > old["submitted_at"]
    assert {k: v for k, v in fixed.items() if k not in (re_["column"], "submitted_at")} == {
        k: v for k, v in old.items() if k not in (re_["column"], "submitted_at")
    }

    for name, found in manifest["warnings"].items():
        if "laatukriteerit" in name:
            rows = read_back(by_name[name], LAATU)
            assert all(rows[r - 1][col] == DONT_KNOW for r, col, _ in found)
            assert sum(v == DONT_KNOW for r in rows for v in r.values()) == len(found)
