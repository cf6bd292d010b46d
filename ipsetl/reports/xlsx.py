"""The indicators table as `indikaattorit_YYYY-Tn.xlsx`, beside the CSV.

Why a workbook as well: an Excel with an English locale opens the `;`-separated CSV as one column,
and even a Finnish one reads its figures as text once a cell holds `<5`. The workbook carries the
same rows as the CSV (`data.csv_rows`), with the figures as real numbers that a reader can sum and
chart, and the suppression symbols as text.

Decisions:

- **Values are stored rounded as the report shows them**, half up (indicators.md): a count as an
  integer, an FTE to two decimals, a `dec1` figure to one, a rate as the fraction of its shown
  percentage (41,3 % is stored as 0.413). So a figure copied from the workbook, or looked up in it,
  is the figure in the PDF and the CSV, and the workbook publishes no digit the report withholds
  (a clients-per-FTE ratio to six decimals says more about a suppressed count than 23,2 does). A
  sum taken in Excel is a sum of rounded figures, as it would be from the PDF. The rate is rounded
  exactly as `fiformat.percent` rounds it (the percentage first cleaned to seven decimals, then to
  one), so 23/80 is 28,8 % as in the PDF.
- **Number formats are Excel's locale-neutral codes** (`#,##0`, `#,##0.00`, `#,##0.0`, `0.0 %`):
  Excel and LibreOffice put in the reader's own separators, so a Finnish installation shows
  `1 248`, `2,50` and `41,3 %`, and an English one `1,248`, `2.50` and `41.3 %` — both are numbers.
- **A suppressed figure is a text cell** holding its symbol (`<5`, `..`, `–`), right-aligned like
  the numbers beside it; a figure with no value (and no symbol) is an empty cell, as in the CSV.
  A second sheet, *Merkinnät*, explains the symbols in the report's words.
- **No text becomes a formula.** openpyxl stores a string that starts with `=` as a formula; every
  text cell here is typed as a string after assignment, and one that starts with a character a
  spreadsheet would take as a formula gets Excel's quote prefix, so editing the cell does not turn
  it into one either. Unlike the CSV, no apostrophe is added to the text: a string cell is never
  evaluated, and an apostrophe would be shown as part of the name.
- **Byte-identical output** for the same input: the document's creation and modification time is
  the `when` passed in (by default noon of the report's as-of date, as the PDF's dates come from
  the as-of date), and the zip is rewritten with that time on every entry, a fixed compression
  and a fixed entry order, since openpyxl stamps both with the clock.
"""

from __future__ import annotations

import io
import math
import textwrap
import zipfile
from collections.abc import Sequence
from datetime import datetime, time
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from ipsetl import fiformat
from ipsetl.reports import data, disclosure

SHEET = "Indikaattorit"
NOTES_SHEET = "Merkinnät"


def _excel_format(kind: str) -> str:
    """Excel's code for a figure shown with fiformat's decimals for its kind: `#,##0.00`, `0.0 %`."""
    decimals = "." + "0" * fiformat.digits(kind) if fiformat.digits(kind) else ""
    return f"0{decimals} %" if kind == "rate" else f"#,##0{decimals}"


# kind → (decimals shown, Excel number format). Rates are fractions shown as percentages.
FORMATS: dict[str, tuple[int, str]] = {
    kind: (fiformat.digits(kind), _excel_format(kind)) for kind in ("count", "number", "days", "fte", "dec1", "rate")
}
DEFAULT_FORMAT = FORMATS["count"]

# Column widths in Excel's units (about one digit of the default font each).
MIN_WIDTH = 6.0
MAX_WIDTH = 50.0  # a region's name fits; a hostile one-line name does not widen the sheet without end
MAX_FIGURE_WIDTH = 22.0  # a figure's column: its header wraps rather than widening the column
MAX_HEADER_LINES = 4  # a figure's header is wrapped into at most this many lines, if the cap allows
PADDING = 2.0
BOLD = 1.1  # a bold character is about this much wider than a digit of the default font
LINE_HEIGHT = 15.0  # points per line of the default 11-point font
CELL_TEXT_LIMIT = 32767  # Excel's limit on the characters of one cell

HEADER_FONT = Font(bold=True)
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="top")
MARKER_ALIGNMENT = Alignment(horizontal="right")
NOTE_ALIGNMENT = Alignment(wrap_text=True, vertical="top")


def xlsx_bytes(ctx: dict, when: datetime | None = None) -> bytes:
    """The funder context's indicators table (`data.csv_rows`) as an .xlsx file.

    `when` becomes the document's creation and modification time and every zip entry's date; by
    default noon of `ctx["as_of"]`, so the same warehouse and as-of date give the same bytes.
    """
    header, body = data.csv_rows(ctx)
    if when is None:
        when = datetime.combine(ctx["as_of"], time(12))
    opts = ctx.get("options")
    threshold = getattr(opts, "threshold", disclosure.DEFAULT_THRESHOLD)
    organisation = getattr(opts, "organisation", None)
    tertiary = ctx["tertiary"]
    return workbook_bytes(
        header,
        body,
        when=when,
        title=f"IPS-indikaattorit {tertiary.label}",
        threshold=threshold,
        draft=bool(getattr(tertiary, "draft", False)),
        organisation=organisation,
    )


def workbook_bytes(
    header: Sequence[str],
    body: Sequence[Sequence[data.Cell | str | None]],
    *,
    when: datetime,
    title: str = "IPS-indikaattorit",
    threshold: int = disclosure.DEFAULT_THRESHOLD,
    draft: bool = False,
    organisation: str | None = None,
) -> bytes:
    """The table itself, apart from where it comes from: header strings, rows of text and Cells."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    _write_table(ws, header, body)
    _write_notes(wb.create_sheet(NOTES_SHEET), threshold, draft)

    props = wb.properties
    props.title = title
    props.language = "fi-FI"
    props.creator = organisation or None
    props.lastModifiedBy = None
    props.created = when
    props.modified = when
    return _deterministic_zip(_save(wb), when)


# --- the table ------------------------------------------------------------------------------------


def _write_table(ws: Worksheet, header: Sequence[str], body: Sequence[Sequence]) -> None:
    widths = [0.0] * len(header)
    for col, text in enumerate(header, start=1):
        cell = ws.cell(row=1, column=col)
        _set_text(cell, text)
        cell.font = HEADER_FONT
        cell.alignment = HEADER_ALIGNMENT
    figure_columns: set[int] = set()
    for r, row in enumerate(body, start=2):
        for c, item in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c)
            if isinstance(item, data.Cell):
                figure_columns.add(c)
                shown = _write_figure(cell, item)
            elif item is None:
                shown = ""
            else:
                shown = _set_text(cell, str(item))
            widths[c - 1] = max(widths[c - 1], float(len(shown)))

    lines = 1
    for c, text in enumerate(header, start=1):
        width = _fit(text, widths[c - 1], c in figure_columns)
        ws.column_dimensions[get_column_letter(c)].width = width
        lines = max(lines, len(header_lines(text, width)))
    # Excel does not grow a row for wrapped text in a file it did not write itself.
    ws.row_dimensions[1].height = LINE_HEIGHT * lines

    last = f"{get_column_letter(max(1, len(header)))}{max(1, len(body) + 1)}"
    ws.auto_filter.ref = f"A1:{last}"
    # The header row and the three identifying columns (Kausi, Alue, Alueen nimi) stay in view.
    ws.freeze_panes = "D2" if len(header) > 3 else "A2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4


def _fit(header: str, content: float, figure: bool) -> float:
    """A width that fits the column's values and its header's longest word, and wraps a long
    figure header into a few lines rather than one tall column or one wide one."""
    words = max((len(w) for w in header.split()), default=0)
    need = max(content, words * BOLD)  # Excel would break a word that does not fit mid-word
    if figure:
        wanted = math.ceil(len(header) / MAX_HEADER_LINES) * BOLD
        width = min(max(need, wanted), max(need, MAX_FIGURE_WIDTH - PADDING))
    else:
        width = max(need, len(header) * BOLD)
    return round(min(max(width + PADDING, MIN_WIDTH), MAX_WIDTH), 1)


def header_lines(text: str, width: float) -> list[str]:
    """How a bold header wraps in a column of this width (an estimate: characters, not glyphs)."""
    return textwrap.wrap(text, width=max(1, int((width - PADDING) / BOLD + 1e-9)), break_long_words=False) or [""]


def _write_figure(cell, item: data.Cell) -> str:
    """A figure as a number with its format, or its symbol as right-aligned text. Returns the text
    the reader sees (Finnish), for the column's width."""
    digits, fmt = FORMATS.get(item.kind, DEFAULT_FORMAT)
    if item.marker:
        _set_text(cell, item.marker)
        cell.alignment = MARKER_ALIGNMENT
        return item.marker
    if item.value is None:
        return ""
    value = shown_value(item.value, item.kind)
    cell.value = value
    cell.number_format = fmt
    if item.kind == "rate":
        return fiformat.percent(value)
    return fiformat.number(value, digits)


def shown_value(value, kind: str) -> int | float:
    """The value as the report shows it, rounded half up: an int when no decimals are shown, a rate
    as the fraction of its rounded percentage (0.41251 → 0.413)."""
    digits = FORMATS.get(kind, DEFAULT_FORMAT)[0]
    if kind == "rate":
        rounded: Decimal = fiformat.percent_rounded(float(value), digits).scaleb(-2)
    else:
        rounded = fiformat.round_half_up(value, digits)
    if rounded == 0:
        rounded = abs(rounded)  # no -0
    return int(rounded) if digits == 0 and kind != "rate" else float(rounded)


def _set_text(cell, text: str) -> str:
    """Store text as a string cell whatever it starts with; returns the text as stored."""
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)[:CELL_TEXT_LIMIT]
    cell.value = text
    cell.data_type = "s"  # openpyxl took a leading "=" for a formula
    if text.startswith(fiformat.FORMULA_PREFIXES):
        cell.quotePrefix = True  # as Excel marks text typed after an apostrophe
    return text


# --- the notes sheet ------------------------------------------------------------------------------


def symbol_rows(threshold: int) -> list[tuple[str, str]]:
    """The symbols and what they mean, as the reports' Merkinnät table says it."""
    return [
        (
            f"<{threshold}",
            f"Lukumäärä on 1–{threshold - 1}; tarkkaa lukua ei näytetä, jotta yksittäistä asiakasta ei voi "
            "tunnistaa (ensisijainen suojaus).",
        ),
        (
            disclosure.SECONDARY,
            "Luku on salattu, koska suojattu luku voitaisiin muuten laskea summasta ja muista luvuista "
            "(toissijainen suojaus, Tilastokeskuksen merkintätapa).",
        ),
        (
            disclosure.NOT_SHOWN,
            "Lukua ei ole määritelty (esim. nimittäjä on nolla) tai osuutta ei näytetä, koska sen nimittäjä "
            f"on alle {threshold}.",
        ),
    ]


NOTES = (
    "Luvut on pyöristetty kuten rahoittajaraportissa (puolikkaat ylöspäin): solujen arvot ovat samat kuin raportissa.",
    "Osuudet ovat soluissa desimaalilukuina (0,413) ja näkyvät prosentteina (41,3 %).",
    "Tyhjä solu: lukua ei ole tiedoissa.",
)
DRAFT_NOTE = "LUONNOS: kausi on kesken, ja luvut voivat vielä muuttua."


def _write_notes(ws: Worksheet, threshold: int, draft: bool) -> None:
    for col, text in enumerate(("Merkki", "Tarkoittaa"), start=1):
        cell = ws.cell(row=1, column=col)
        _set_text(cell, text)
        cell.font = HEADER_FONT
    row = 2
    for symbol, meaning in symbol_rows(threshold):
        _set_text(ws.cell(row=row, column=1), symbol)
        cell = ws.cell(row=row, column=2)
        _set_text(cell, meaning)
        cell.alignment = NOTE_ALIGNMENT
        row += 1
    row += 1
    if draft:
        cell = ws.cell(row=row, column=1)
        _set_text(cell, DRAFT_NOTE)
        cell.font = HEADER_FONT
        row += 1
    for note in NOTES:
        _set_text(ws.cell(row=row, column=1), note)
        row += 1
    ws.column_dimensions["A"].width = 10
    ws.column_dimensions["B"].width = 100
    ws.freeze_panes = "A2"


# --- deterministic bytes --------------------------------------------------------------------------

CONTENT_TYPES = "[Content_Types].xml"


def _save(wb: Workbook) -> bytes:
    """openpyxl's own writer, without save_workbook's stamping of the current time."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()
    return buf.getvalue()


def _deterministic_zip(raw: bytes, when: datetime) -> bytes:
    """The same entries with one fixed date, fixed attributes and compression, the content types
    first (where readers that sniff the format look) and the rest in openpyxl's order."""
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second - when.second % 2)
    with zipfile.ZipFile(io.BytesIO(raw)) as src:
        names = src.namelist()
        names.sort(key=lambda n: n != CONTENT_TYPES)  # stable: the rest keep their order
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as dst:
            for name in names:
                info = zipfile.ZipInfo(name, date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 0
                info.external_attr = 0o600 << 16
                dst.writestr(info, src.read(name), compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
    return out.getvalue()
