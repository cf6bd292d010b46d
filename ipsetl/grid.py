"""Read an export file into a grid of cells (list of rows), whatever its format.

CSV: delimiter sniffed by which of `;`, `,`, tab gives consistent column counts (never
hard-coded; webropol-exports.md §3.1) and parsed with a real CSV parser, so quoted cells keep
their `;` and line breaks. XLSX: the cells as openpyxl gives them (real dates stay datetimes).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import Counter
from dataclasses import dataclass

from ipsetl.decoding import UnreadableFile, decode_bytes
from ipsetl.headers import normalise_header

DELIMITERS = (";", ",", "\t")
# A header line of a wide export, read with the wrong delimiter, is one field far over the csv
# module's default 128 KiB limit; the size limit on files is the guard against huge input.
csv.field_size_limit(2**31 - 1)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


@dataclass
class Grid:
    rows: list[list[object]]
    kind: str  # "csv" or "xlsx"
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    sheets: tuple[tuple[str, list[list[object]]], ...] = ()  # xlsx: every non-empty sheet, in order
    notes: tuple[str, ...] = ()  # warnings about the whole file (stray bytes, …)


def _parse_csv(text: str, delimiter: str) -> list[list[str]]:
    """Strict first, so a quote left open at the end of the file is an error and not one giant cell;
    a stray quote inside a cell (Excel re-quoting) is tolerated as the lenient parser reads it."""
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        if "end of data" in str(exc):
            raise
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _delimiter_score(text: str, delimiter: str) -> tuple[int, int]:
    """(records whose width equals the most common width, that width) over the first records."""
    head = text[:200_000]
    rows = list(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter))
    widths = [len(r) for r in rows[:50] if any(c.strip() for c in r)]
    if not widths:
        return (0, 0)
    width, count = Counter(widths).most_common(1)[0]
    return (count if width > 1 else 0, width)


def _known_header_cells(text: str, delimiter: str) -> int:
    """How many cells of the first rows are (the start of) a known form header."""
    from ipsetl.forms import known_header_prefixes

    known = known_header_prefixes()
    head = text[:200_000]
    rows = list(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter))[:10]
    return sum(1 for r in rows for c in r if normalise_header(c) in known)


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header into known questions; failing that, the most consistent one.

    Consistency alone can mislead: two headers contain a comma ("Asiakkaat, jotka …"), so in a
    small `;` file with one irregular row the comma can look more regular than the semicolon.
    """
    known = {d: _known_header_cells(text, d) for d in DELIMITERS}
    if max(known.values()) > 0:
        return max(DELIMITERS, key=lambda d: (known[d], -DELIMITERS.index(d)))
    scores = {d: _delimiter_score(text, d) for d in DELIMITERS}
    return max(DELIMITERS, key=lambda d: (scores[d], -DELIMITERS.index(d)))


def read_csv_grid(data: bytes) -> Grid:
    text, encoding, warning = decode_bytes(data)
    if not text.strip():
        raise UnreadableFile("empty_file", "Tiedosto on tyhjä: siinä ei ole otsikkoriviä eikä vastauksia.")
    delimiter = sniff_delimiter(text)
    try:
        rows = _parse_csv(text, delimiter)
    except csv.Error as exc:
        raise UnreadableFile(
            "csv_syntax",
            f"CSV-tiedoston rakenne on rikki ({exc}); todennäköisesti lainausmerkki jää sulkematta "
            "tai tiedosto on katkennut. Lataa tiedosto Webropolista uudelleen.",
        ) from exc
    notes = (warning,) if warning else ()
    return Grid(rows=[list(r) for r in rows], kind="csv", encoding=encoding, delimiter=delimiter, notes=notes)


def read_xlsx_grid(data: bytes) -> Grid:
    import openpyxl  # imported here: only xlsx files pay for it

    if data.startswith(OLE_MAGIC):
        raise UnreadableFile(
            "xlsx_protected",
            "Excel-tiedosto on salasanasuojattu tai vanhaa .xls-muotoa; tallenna se ilman salasanaa "
            ".xlsx- tai CSV-muodossa.",
        )
    _require_workbook(data)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheets = []
            for ws in wb.worksheets:
                if hasattr(ws, "reset_dimensions"):
                    ws.reset_dimensions()  # the stored <dimension> may be wrong: read every row there is
                rows = [list(r) for r in ws.iter_rows(values_only=True)]
                width = max((len(r) for r in rows), default=0)
                rows = [r + [None] * (width - len(r)) for r in rows]  # a sheet row stops at its last value
                if any(any(c not in (None, "") for c in r) for r in rows):
                    sheets.append((ws.title, rows))
        finally:
            wb.close()
    except UnreadableFile:
        raise
    except Exception as exc:  # noqa: BLE001 - zip, XML and openpyxl errors alike mean a broken workbook
        raise UnreadableFile(
            "xlsx_unreadable",
            f"Excel-tiedostoa ei voi lukea ({type(exc).__name__}); se on vioittunut tai katkennut. "
            "Lataa tiedosto Webropolista uudelleen.",
        ) from exc
    if not sheets:
        raise UnreadableFile("empty_file", "Excel-tiedosto on tyhjä: yhdelläkään välilehdellä ei ole tietoja.")
    title, rows = sheets[0]
    return Grid(rows=rows, kind="xlsx", sheet=title, sheets=tuple(sheets))


def _require_workbook(data: bytes) -> None:
    """A zip that is not a workbook (a Word document, a zipped folder) is named for what it is."""
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnreadableFile(
            "xlsx_unreadable",
            "Tiedosto alkaa kuin Excel-tiedosto (zip), mutta se on vioittunut tai katkennut; lataa se uudelleen.",
        ) from exc
    if "xl/workbook.xml" not in names:
        kind = "Word-asiakirja" if "word/document.xml" in names else "zip-paketti"
        raise UnreadableFile(
            "not_a_workbook", f"Tiedosto on {kind}, ei Excel-työkirja eikä CSV-tiedosto; sitä ei voi lukea."
        )


def read_grid(file_name: str, data: bytes) -> Grid:
    """Read by content, not by name: coordinators rename files, and a CSV saved as `.xlsx` is still CSV."""
    if not data:
        raise UnreadableFile("empty_file", "Tiedosto on tyhjä (0 tavua).")
    if data.startswith(ZIP_MAGIC) or data.startswith(OLE_MAGIC):
        return read_xlsx_grid(data)
    return read_csv_grid(data)
