"""Read an export file into a grid of cells (list of rows), whatever its format.

CSV: delimiter sniffed by which of `;`, `,`, tab gives consistent column counts (never
hard-coded; webropol-exports.md §3.1) and parsed with a real CSV parser, so quoted cells keep
their `;` and line breaks. XLSX: the cells as openpyxl gives them (real dates stay datetimes).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass

from ipsetl import fiformat
from ipsetl.decoding import UnreadableFile, decode_bytes
from ipsetl.headers import normalise_header
from ipsetl.limits import DEFAULT_LIMITS, Limits, mb

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
    notes: tuple[tuple[str, str], ...] = ()  # (rule, warning) about the whole file: stray bytes, macros


def too_large(what: str) -> UnreadableFile:
    return UnreadableFile(
        "file_too_large",
        f"Tiedostossa on {what}; sitä ei luettu. Webropolin seurantaviennissä on kymmeniä rivejä: tarkista, että "
        "tiedosto on oikea vienti, ja lataa se tarvittaessa uudelleen.",
    )


class _Bounded:
    """Counts rows, width and cells while a grid is built, and refuses the file at the first bound
    it passes: the count is of what was read, so neither a 46-million-row sheet nor a CSV of line
    breaks is held in memory before it is refused."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.rows = 0
        self.width = 0

    def add(self, row) -> None:
        self.rows += 1
        if len(row) > self.width:
            self.width = len(row)
            if self.width > self.limits.max_columns:
                raise too_large(f"yli {fiformat.number(self.limits.max_columns)} saraketta")
        if self.rows > self.limits.max_rows:
            raise too_large(f"yli {fiformat.number(self.limits.max_rows)} riviä")
        if self.rows * self.width > self.limits.max_cells:
            raise too_large(f"yli {fiformat.number(self.limits.max_cells)} solua (rivit × sarakkeet)")


def _read_csv(text: str, delimiter: str, limits: Limits, strict: bool) -> list[list[str]]:
    bound = _Bounded(limits)
    rows = []
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=strict):
        bound.add(row)
        rows.append(row)
    return rows


def _parse_csv(text: str, delimiter: str, limits: Limits = DEFAULT_LIMITS) -> list[list[str]]:
    """Strict first, so a quote left open at the end of the file is an error and not one giant cell;
    a stray quote inside a cell (Excel re-quoting) is tolerated as the lenient parser reads it.

    A cell longer than the bound (csv's field size limit) refuses the file; the bound is set on
    each call, since the csv module keeps it for the whole process."""
    csv.field_size_limit(limits.max_cell_chars)
    try:
        try:
            return _read_csv(text, delimiter, limits, strict=True)
        except csv.Error as exc:
            if "end of data" in str(exc) or "field larger" in str(exc):
                raise
            return _read_csv(text, delimiter, limits, strict=False)
    except csv.Error as exc:
        if "field larger" in str(exc):
            raise too_large(f"yli {fiformat.number(limits.max_cell_chars)} merkin vastaus") from exc
        raise


def _head_rows(text: str, delimiter: str, count: int) -> list[list[str]]:
    """The first records of the file's first 200 000 characters (all a sniffer needs to look at)."""
    csv.field_size_limit(1_000_000)
    reader = csv.reader(io.StringIO(text[:200_000], newline=""), delimiter=delimiter)
    rows = []
    try:
        for row in reader:
            rows.append(row)
            if len(rows) >= count:
                break
    except csv.Error:  # a quote open to the end of the head: what was read so far is the sample
        pass
    return rows


def _delimiter_score(text: str, delimiter: str) -> tuple[int, int]:
    """(records whose width equals the most common width, that width) over the first records."""
    rows = _head_rows(text, delimiter, 50)
    widths = [len(r) for r in rows[:50] if any(c.strip() for c in r)]
    if not widths:
        return (0, 0)
    width, count = Counter(widths).most_common(1)[0]
    return (count if width > 1 else 0, width)


def _known_header_cells(text: str, delimiter: str) -> int:
    """How many cells of the first rows are (the start of) a known form header."""
    from ipsetl.forms import known_header_prefixes

    known = known_header_prefixes()
    rows = _head_rows(text, delimiter, 10)
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


def read_csv_grid(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Grid:
    text, encoding, warning = decode_bytes(data)
    if not text.strip():
        raise UnreadableFile("empty_file", "Tiedosto on tyhjä: siinä ei ole otsikkoriviä eikä vastauksia.")
    delimiter = sniff_delimiter(text)
    try:
        rows = _parse_csv(text, delimiter, limits)
    except csv.Error as exc:
        raise UnreadableFile(
            "csv_syntax",
            f"CSV-tiedoston rakenne on rikki ({exc}); todennäköisesti lainausmerkki jää sulkematta "
            "tai tiedosto on katkennut. Lataa tiedosto Webropolista uudelleen.",
        ) from exc
    notes = (("encoding", warning),) if warning else ()
    return Grid(rows=[list(r) for r in rows], kind="csv", encoding=encoding, delimiter=delimiter, notes=notes)


def read_xlsx_grid(data: bytes, limits: Limits = DEFAULT_LIMITS) -> Grid:
    import openpyxl  # imported here: only xlsx files pay for it

    if data.startswith(OLE_MAGIC):
        raise UnreadableFile(
            "xlsx_protected",
            "Excel-tiedosto on salasanasuojattu tai vanhaa .xls-muotoa; tallenna se ilman salasanaa "
            ".xlsx- tai CSV-muodossa.",
        )
    macros = inspect_workbook(data, limits)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheets = []
            for ws in wb.worksheets:
                if hasattr(ws, "reset_dimensions"):
                    ws.reset_dimensions()  # the stored <dimension> may be wrong: read every row there is
                bound = _Bounded(limits)
                rows = []
                for r in ws.iter_rows(values_only=True):
                    bound.add(r)
                    rows.append(list(r))
                width = bound.width
                rows = [r + [None] * (width - len(r)) for r in rows]  # a sheet row stops at its last value
                if any(any(c not in (None, "") for c in r) for r in rows):
                    sheets.append((ws.title, rows))
        finally:
            wb.close()
    except UnreadableFile:
        raise
    except MemoryError:
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
    notes = (("macros", MACROS_NOTE),) if macros else ()
    return Grid(rows=rows, kind="xlsx", sheet=title, sheets=tuple(sheets), notes=notes)


MACROS_NOTE = (
    "Excel-tiedostossa on makroja (VBA); niitä ei suoritettu eikä luettu, vain välilehtien arvot. Webropolin "
    "vienneissä ei ole makroja: tarkista tiedoston alkuperä."
)
MAX_MEMBERS = 10_000  # a workbook has a dozen parts; a zip of a million empty ones is a bomb of its own
_CHUNK = 1 << 20
# XML may be UTF-8 or UTF-16 (expat reads both): the markers in each, so no encoding hides a DTD
_DTD = re.compile(
    b"|".join(re.escape(m.encode(e)) for m in ("<!DOCTYPE", "<!ENTITY") for e in ("utf-8", "utf-16-le", "utf-16-be"))
)
_SHARED_STRING = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s>/]")
_MACRO_TYPES = (b"macroEnabled", b"vbaProject")


def inspect_workbook(data: bytes, limits: Limits = DEFAULT_LIMITS) -> bool:
    """Read every member of the zip once, counting the bytes it really inflates to (a header can
    claim 4 KB for a gigabyte), before openpyxl sees it. Refuses a workbook that inflates past the
    file bound, declares a DTD (entity expansion, external entities: Excel never writes one) or has
    more shared strings than the bound. Returns whether it holds macros (VBA)."""
    if data.count(b"PK\x01\x02") > MAX_MEMBERS:  # central-directory entries (an upper bound): before parsing them
        raise too_large(f"yli {fiformat.number(MAX_MEMBERS)} osaa (zip-paketin tiedostoja)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise UnreadableFile(
            "xlsx_unreadable",
            "Tiedosto alkaa kuin Excel-tiedosto (zip), mutta se on vioittunut tai katkennut; lataa se uudelleen.",
        ) from exc
    names = [m.filename for m in members]
    if "xl/workbook.xml" not in names:
        kind = "Word-asiakirja" if "word/document.xml" in names else "zip-paketti"
        raise UnreadableFile(
            "not_a_workbook", f"Tiedosto on {kind}, ei Excel-työkirja eikä CSV-tiedosto; sitä ei voi lukea."
        )
    unpacked = f"yli {mb(limits.max_file_bytes)} purettuna (raja IPSETL_MAX_FILE_MB)"
    if sum(m.file_size for m in members) > limits.max_file_bytes:
        raise too_large(unpacked)  # the honest bomb: refused by its headers without inflating a byte
    total = 0
    macros = any(n.lower().endswith("vbaproject.bin") for n in names)
    for member in members:
        xml = member.filename.lower().endswith((".xml", ".rels", ".vml"))
        shared = member.filename.lower().endswith("sharedstrings.xml")
        strings, tail = 0, b""
        try:
            with archive.open(member) as fh:
                while chunk := fh.read(_CHUNK):
                    total += len(chunk)
                    if total > limits.max_file_bytes:
                        raise too_large(unpacked)
                    if not xml:
                        continue
                    window = tail + chunk
                    if _DTD.search(window):
                        raise UnreadableFile(
                            "xlsx_unreadable",
                            f"Excel-tiedoston osassa {member.filename[:80]} on DTD-määrittely (<!DOCTYPE tai "
                            "<!ENTITY), jota Excel ja Webropol eivät kirjoita; sitä ei luettu turvallisuussyistä. "
                            "Tallenna tiedosto uudelleen Excelillä tai lataa se Webropolista.",
                        )
                    if shared:
                        strings += len(_SHARED_STRING.findall(window)) - len(_SHARED_STRING.findall(tail))
                        if strings > limits.max_shared_strings:
                            raise too_large(f"yli {fiformat.number(limits.max_shared_strings)} jaettua merkkijonoa")
                    if member.filename == "[Content_Types].xml" and any(t in window for t in _MACRO_TYPES):
                        macros = True
                    tail = chunk[-64:]
        except UnreadableFile:
            raise
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError) as exc:
            # a wrong CRC (a lying header stops the inflating at the size it claims), an unknown
            # compression method, an encrypted member
            if "CRC" in str(exc):
                raise UnreadableFile(
                    "xlsx_unreadable",
                    f"Excel-tiedoston osan {member.filename[:80]} purettu sisältö ei vastaa zip-otsikoiden tietoja "
                    "(tarkistussumma ei täsmää): tiedosto on vioittunut tai muokattu. Lataa se Webropolista "
                    "uudelleen.",
                ) from exc
            raise UnreadableFile(
                "xlsx_unreadable",
                f"Excel-tiedostoa ei voi lukea ({type(exc).__name__}); se on vioittunut tai katkennut. "
                "Lataa tiedosto Webropolista uudelleen.",
            ) from exc
    return macros


def read_grid(file_name: str, data: bytes, limits: Limits = DEFAULT_LIMITS) -> Grid:
    """Read by content, not by name: coordinators rename files, and a CSV saved as `.xlsx` is still CSV."""
    if not data:
        raise UnreadableFile("empty_file", "Tiedosto on tyhjä (0 tavua).")
    if len(data) > limits.max_file_bytes:
        raise too_large(f"{mb(len(data))}, yli kokorajan {mb(limits.max_file_bytes)} (raja IPSETL_MAX_FILE_MB)")
    if data.startswith(ZIP_MAGIC) or data.startswith(OLE_MAGIC):
        return read_xlsx_grid(data, limits)
    return read_csv_grid(data, limits)
