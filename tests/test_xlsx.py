"""indikaattorit_YYYY-Tn.xlsx read back with openpyxl: numbers as numbers in Finnish-shown formats,
the suppression symbols as text, no text turned into a formula, and the same bytes every time."""

from __future__ import annotations

import io
import pickle
import shutil
import subprocess
import sys
import zipfile
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace

import duckdb
import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipsetl import fiformat
from ipsetl.config import PROJECT_ROOT
from ipsetl.ingest import run_ingest
from ipsetl.reports import data, xlsx
from ipsetl.reports.data import Cell, RegionSection, ReportOptions, funder_context, report_tertiaries
from ipsetl.sample_inbox import write_sample_inbox

AS_OF = date(2026, 11, 26)
WHEN = datetime(2026, 11, 26, 12)
HOSTILE = '=HYPERLINK("http://example.invalid","klikkaa")'


def load(blob: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(blob))


def shown(value, kind: str) -> str:
    """What the PDF and HTML print for a value (render.format_value, without importing render)."""
    if kind == "rate":
        return fiformat.percent(value)
    return fiformat.number(value, xlsx.FORMATS[kind][0])


# --- one real warehouse ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_ctx(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("xlsx")
    write_sample_inbox(root / "inbox")
    run_ingest(root / "inbox", root / "w.duckdb", 2**26, as_of=AS_OF)
    with duckdb.connect(str(root / "w.duckdb"), read_only=True) as con:
        t = next(t for t in report_tertiaries(con, AS_OF) if t.label == "2026-T2")
        return funder_context(con, t, AS_OF, ReportOptions())


def test_the_real_funder_table_round_trips(real_ctx):
    header, body = data.csv_rows(real_ctx)
    ws = load(xlsx.xlsx_bytes(real_ctx))[xlsx.SHEET]
    assert [c.value for c in ws[1]] == header
    assert ws.max_row == len(body) + 1 and ws.max_column == len(header)
    assert ws.cell(ws.max_row, 2).value == "KOKO MAA"
    seen = {"marker": 0, "rate": 0, "number": 0}
    for r, row in enumerate(body, start=2):
        for c, item in enumerate(row, start=1):
            cell = ws.cell(r, c)
            if not isinstance(item, Cell):
                assert cell.value == item and cell.data_type == "s"
            elif item.marker:
                seen["marker"] += 1
                assert (cell.value, cell.data_type, cell.alignment.horizontal) == (item.marker, "s", "right")
            elif item.value is None:
                assert cell.value is None
            else:
                seen["rate" if item.kind == "rate" else "number"] += 1
                assert cell.data_type == "n" and cell.number_format == xlsx.FORMATS[item.kind][1]
                assert shown(cell.value, item.kind) == shown(item.value, item.kind), (r, c, item)
                if xlsx.FORMATS[item.kind][0] == 0 and item.kind != "rate":
                    assert isinstance(cell.value, int)
    assert all(seen.values()), seen  # the sample has suppressed cells, rates and plain figures


def test_the_real_table_is_the_same_bytes_in_another_process(real_ctx):
    first = xlsx.xlsx_bytes(real_ctx)
    assert xlsx.xlsx_bytes(real_ctx) == first
    code = (
        "import pickle, sys\n"
        "from ipsetl.reports.xlsx import xlsx_bytes\n"
        "sys.stdout.buffer.write(xlsx_bytes(pickle.load(sys.stdin.buffer)))\n"
    )
    other = subprocess.run(
        [sys.executable, "-c", code],
        input=pickle.dumps(real_ctx),
        capture_output=True,
        check=True,
        cwd=PROJECT_ROOT,
        env={"PYTHONHASHSEED": "4242", "PATH": "/usr/bin:/bin", "TZ": "Pacific/Chatham"},
        timeout=120,
    )
    assert other.stdout == first


# --- synthetic tables -----------------------------------------------------------------------------

HEADER = [
    "Kausi",
    "Alue",
    "Alueen nimi",
    "Uudet lähetteet (jakson aikana)",
    "Työllisyysaste (jakson aikana)",
    "Työhönvalmentajat (htv) (jakson lopussa)",
    "Asiakkaita työhönvalmentajaa (htv) kohden (jakson lopussa)",
    "Mediaaniaika ensimmäiseen työnantajatapaamiseen (pv, likimääräinen) (jakson aikana)",
]


def synthetic_body() -> list[list]:
    return [
        ["2026-T2", "HEL", "Helsingin kaupunki"]
        + [Cell(1248000, "count"), Cell(23 / 80, "rate"), Cell(2.505, "fte"), Cell(12.25, "dec1"), Cell(17.5, "days")],
        ["2026-T2", "PIR", HOSTILE]
        + [Cell(3, "count", "<5"), Cell(0.5, "rate", "–"), Cell(None, "fte"), Cell(4.0, "dec1", ".."), Cell(0, "days")],
        ["2026-T2", "+SUM", "-1+2"]
        + [Cell(0, "count"), Cell(0.0, "rate"), Cell(-0.001, "fte"), Cell(None, "dec1"), Cell(None, "days")],
        ["2026-T2", "@cmd", "Alue\x07\x00 ohjausmerkein"]
        + [Cell(7, "count"), Cell(1.0, "rate"), Cell(0.0, "fte"), Cell(9.95, "dec1"), Cell(3, "days")],
    ]


@pytest.fixture(scope="module")
def blob() -> bytes:
    return xlsx.workbook_bytes(HEADER, synthetic_body(), when=WHEN, title="IPS-indikaattorit 2026-T2")


@pytest.fixture(scope="module")
def ws(blob):
    return load(blob)[xlsx.SHEET]


def test_numbers_are_numbers_rounded_as_the_report_shows_them(ws):
    row = [ws.cell(2, c) for c in range(4, 9)]
    assert [c.value for c in row] == [1248000, 0.288, 2.51, 12.3, 18]  # half up: 28,75 → 28,8 %
    assert [type(c.value) for c in row] == [int, float, float, float, int]
    assert [c.number_format for c in row] == ["#,##0", "0.0 %", "#,##0.00", "#,##0.0", "#,##0"]
    assert all(c.data_type == "n" for c in row)
    zeros = [ws.cell(4, c).value for c in (4, 5, 6)]
    assert zeros == [0, 0, 0] and all(str(z) == "0" for z in zeros)  # −0.004 htv is not −0,00
    assert ws.cell(5, 5).value == 1.0 and ws.cell(5, 8).value == 3  # 100 % and 3 days


def test_symbols_are_right_aligned_text_and_missing_values_are_empty(ws):
    for col, symbol in ((4, "<5"), (5, "–"), (7, "..")):
        cell = ws.cell(3, col)
        assert (cell.value, cell.data_type, cell.alignment.horizontal) == (symbol, "s", "right")
    assert ws.cell(3, 6).value is None and ws.cell(4, 7).value is None


def test_text_never_becomes_a_formula(blob, ws):
    assert (ws.cell(3, 3).value, ws.cell(3, 3).data_type) == (HOSTILE, "s")
    for r, c in ((3, 3), (4, 2), (4, 3), (5, 2)):  # =…, +SUM, -1+2, @cmd: Excel's quote prefix
        assert ws.cell(r, c).data_type == "s" and ws.cell(r, c).quotePrefix, (r, c)
    assert not ws.cell(2, 3).quotePrefix
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name)
    assert load(blob)[xlsx.SHEET].cell(3, 3).value == HOSTILE  # not evaluated on loading either


def test_control_characters_do_not_break_the_file(ws):
    assert ws.cell(5, 3).value == "Alue\ufffd\ufffd ohjausmerkein"


def test_header_is_frozen_bold_wrapped_and_filtered(ws):
    assert ws.freeze_panes == "D2"
    assert ws.auto_filter.ref == "A1:H5"
    assert all(c.font.bold and c.alignment.wrap_text for c in ws[1])
    assert ws.print_title_rows == "$1:$1"


def test_columns_fit_their_contents(ws):
    widths = {c: ws.column_dimensions[openpyxl.utils.get_column_letter(c)].width for c in range(1, 9)}
    assert widths[3] >= len(HOSTILE) and widths[3] <= xlsx.MAX_WIDTH
    assert widths[2] >= len("Alue") * xlsx.BOLD
    assert widths[4] >= len("1 248 000") + 1  # the widest shown value
    for c in range(4, 9):
        assert widths[c] <= xlsx.MAX_FIGURE_WIDTH or widths[c] - xlsx.PADDING <= max(
            len(w) * xlsx.BOLD for w in HEADER[c - 1].split()
        )
        longest = max(len(w) for w in HEADER[c - 1].split())
        assert widths[c] - xlsx.PADDING >= longest * xlsx.BOLD - 1e-9  # no word broken in the middle
    lines = max(len(xlsx.header_lines(HEADER[c - 1], widths[c])) for c in range(1, 9))
    assert 2 <= lines <= 6 and ws.row_dimensions[1].height == lines * xlsx.LINE_HEIGHT


def test_a_very_long_name_is_capped():
    ws = load(xlsx.workbook_bytes(HEADER[:4], [["2026-T2", "X", "nimi " * 60, Cell(1, "count")]], when=WHEN))[
        xlsx.SHEET
    ]
    assert ws.column_dimensions["C"].width == xlsx.MAX_WIDTH


def test_the_symbols_are_explained_in_finnish():
    wb = load(xlsx.workbook_bytes(HEADER, synthetic_body(), when=WHEN, threshold=10, draft=True))
    assert wb.sheetnames == [xlsx.SHEET, xlsx.NOTES_SHEET]
    notes = wb[xlsx.NOTES_SHEET]
    rows = [[c.value for c in row] for row in notes.iter_rows()]
    assert rows[0] == ["Merkki", "Tarkoittaa"]
    assert [r[0] for r in rows[1:4]] == ["<10", "..", "–"]
    assert "1–9" in rows[1][1] and "alle 10" in rows[3][1] and "toissijainen" in rows[2][1]
    assert any(r[0] == xlsx.DRAFT_NOTE for r in rows)
    plain = load(xlsx.workbook_bytes(HEADER, synthetic_body(), when=WHEN))[xlsx.NOTES_SHEET]
    assert plain["A2"].value == "<5" and all(c.value != xlsx.DRAFT_NOTE for c in plain["A"])


def test_properties_and_zip_entries_carry_the_given_time(blob):
    wb = load(blob)
    assert (wb.properties.created, wb.properties.modified) == (WHEN, WHEN)
    assert wb.properties.title == "IPS-indikaattorit 2026-T2" and wb.properties.language == "fi-FI"
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        assert z.testzip() is None
        assert z.namelist()[0] == "[Content_Types].xml"
        assert {i.date_time for i in z.infolist()} == {(2026, 11, 26, 12, 0, 0)}
        assert {i.compress_type for i in z.infolist()} == {zipfile.ZIP_DEFLATED}


def test_same_input_same_bytes(blob):
    assert xlsx.workbook_bytes(HEADER, synthetic_body(), when=WHEN, title="IPS-indikaattorit 2026-T2") == blob
    later = xlsx.workbook_bytes(
        HEADER, synthetic_body(), when=datetime(2027, 1, 2, 12), title="IPS-indikaattorit 2026-T2"
    )
    assert later != blob


def synthetic_ctx(sections: list[RegionSection], national: dict | None, draft: bool = False) -> dict:
    return {
        "tertiary": SimpleNamespace(label="2026-T3", draft=draft),
        "as_of": AS_OF,
        "options": ReportOptions(organisation="THL"),
        "has_data": national is not None,
        "national": national or {},
        "sections": sections,
    }


def test_from_a_context_as_csv_bytes_takes_it():
    cells = {m.column: Cell(10, m.kind) for m in data.FUNDER_MEASURES}
    ctx = synthetic_ctx(
        [RegionSection("HEL", "Helsinki", True, cells), RegionSection("KAI", "Kainuu", False)], dict(cells), draft=True
    )
    blob = xlsx.xlsx_bytes(ctx)
    wb = load(blob)
    ws = wb[xlsx.SHEET]
    assert [ws.cell(r, 2).value for r in range(2, ws.max_row + 1)] == ["HEL", "KOKO MAA"]  # no data: no row
    assert (wb.properties.created, wb.properties.creator) == (datetime(2026, 11, 26, 12), "THL")
    assert wb.properties.title == "IPS-indikaattorit 2026-T3"
    assert any(c.value == xlsx.DRAFT_NOTE for c in wb[xlsx.NOTES_SHEET]["A"])
    assert xlsx.xlsx_bytes(ctx, when=WHEN) == blob


def test_a_tertiary_without_data_is_a_header_only_sheet():
    ws = load(xlsx.xlsx_bytes(synthetic_ctx([RegionSection("KAI", "Kainuu", False)], None)))[xlsx.SHEET]
    assert ws.max_row == 1 and ws.cell(1, 1).value == "Kausi"
    assert ws.auto_filter.ref.endswith("1")


# --- rounding -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        (23 / 80, "rate", 0.288),  # 28,75 % → 28,8 %, as fiformat.percent shows it
        (0.4125, "rate", 0.413),
        (0.41249, "rate", 0.412),
        (2.505, "fte", 2.51),
        (0.125, "dec1", 0.1),
        (0.15, "dec1", 0.2),
        (2.5, "count", 3),
        (-0.004, "fte", 0.0),
    ],
)
def test_shown_value(value, kind, expected):
    assert xlsx.shown_value(value, kind) == expected


def test_number_formats_show_the_reports_decimals():
    """Excel's codes follow fiformat.digits, the decimals the report shows for each kind."""
    assert xlsx.FORMATS == {
        "count": (0, "#,##0"),
        "number": (0, "#,##0"),
        "days": (0, "#,##0"),
        "fte": (2, "#,##0.00"),
        "dec1": (1, "#,##0.0"),
        "rate": (1, "0.0 %"),
    }
    assert all(xlsx.FORMATS[kind][0] == fiformat.digits(kind) for kind in xlsx.FORMATS)


@given(st.integers(1, 5000).flatmap(lambda den: st.tuples(st.integers(0, den), st.just(den))))
def test_a_rate_reads_as_the_report_prints_it(pair):
    num, den = pair
    stored = xlsx.shown_value(num / den, "rate")
    assert fiformat.percent(stored) == fiformat.percent(num / den)
    assert xlsx.shown_value(stored, "rate") == stored


@given(st.floats(-1000, 100000, allow_nan=False), st.sampled_from(["fte", "dec1", "count", "number", "days"]))
def test_a_figure_reads_as_the_report_prints_it(value, kind):
    stored = xlsx.shown_value(value, kind)
    assert shown(stored, kind) == shown(value, kind)
    assert xlsx.shown_value(stored, kind) == stored


# --- a real spreadsheet application ---------------------------------------------------------------


def test_libreoffice_opens_it(blob, tmp_path: Path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed")
    path = tmp_path / "indikaattorit_2026-T2.xlsx"
    path.write_bytes(blob)
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path / 'profile'}",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):59,34,76,1",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    text = (tmp_path / "indikaattorit_2026-T2.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0].startswith("Kausi;Alue;Alueen nimi;") and len(lines) == 5
    assert "klikkaa" in text and "HYPERLINK" in text  # the text, not a link's result
    assert "<5" in lines[2] and ".." in lines[2]
