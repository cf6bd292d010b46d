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

DELIMITERS = (";", ",", "\t")
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


def sniff_delimiter(text: str) -> str:
    scores = {d: _delimiter_score(text, d) for d in DELIMITERS}
    return max(DELIMITERS, key=lambda d: (scores[d], -DELIMITERS.index(d)))


def read_csv_grid(data: bytes) -> Grid:
    text, encoding = decode_bytes(data)
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
    return Grid(rows=[list(r) for r in rows], kind="csv", encoding=encoding, delimiter=delimiter)


def read_xlsx_grid(data: bytes) -> Grid:
    import openpyxl  # imported here: only xlsx files pay for it

    if data.startswith(OLE_MAGIC):
        raise UnreadableFile(
            "xlsx_protected",
            "Excel-tiedosto on salasanasuojattu tai vanhaa .xls-muotoa; tallenna se ilman salasanaa "
            ".xlsx- tai CSV-muodossa.",
        )
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UnreadableFile(
            "xlsx_unreadable", f"Excel-tiedostoa ei voi avata ({type(exc).__name__}); se on vioittunut tai katkennut."
        ) from exc
    try:
        sheets = []
        for ws in wb.worksheets:
            rows = [list(r) for r in ws.iter_rows(values_only=True)]
            if any(any(c not in (None, "") for c in r) for r in rows):
                sheets.append((ws.title, rows))
    finally:
        wb.close()
    if not sheets:
        raise UnreadableFile("empty_file", "Excel-tiedosto on tyhjä: yhdelläkään välilehdellä ei ole tietoja.")
    title, rows = sheets[0]
    return Grid(rows=rows, kind="xlsx", sheet=title, sheets=tuple(sheets))


def read_grid(file_name: str, data: bytes) -> Grid:
    """Read by content, not by name: coordinators rename files, and a CSV saved as `.xlsx` is still CSV."""
    if not data:
        raise UnreadableFile("empty_file", "Tiedosto on tyhjä (0 tavua).")
    if data.startswith(ZIP_MAGIC) or data.startswith(OLE_MAGIC):
        return read_xlsx_grid(data)
    return read_csv_grid(data)
