"""Parse one cell of an export into its typed value, the Finnish way.

Pure functions: each returns the value, None for an empty cell, or raises CellError with a
Finnish message. Cells come from CSV as text and from Excel as numbers, dates or text.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta

from ipsetl.findings import quote


class CellError(ValueError):
    def __init__(self, rule: str, message: str):
        super().__init__(message)
        self.rule = rule
        self.message = message


DONT_KNOW = "en osaa sanoa"
# Years a monitoring date can plausibly have; outside them a date is a typo (1.1.3025), and pandas
# timestamps could not hold it anyway.
MIN_YEAR, MAX_YEAR = 1990, 2100
# Excel stores dates as day numbers; an .xlsx date cell without a date format arrives as one.
EXCEL_EPOCH = date(1899, 12, 30)
EXCEL_SERIALS = (32874, 73051)  # 1.1.1990 … 31.12.2099

# re.ASCII throughout: `\d` would also match ٣ (ARABIC-INDIC THREE) and １ (FULLWIDTH ONE), which
# int() then reads as 3 and 1. An export's numbers are ASCII digits with the separators of
# forms.md (decimal comma or point, thousands by a space, a no-break, narrow no-break or thin space).
_ASCII_BLANK = " \t\r\n"
_SPACES = re.compile(r"[ \u00a0\u202f\u2009]")
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$", re.ASCII)
_PERCENT_SIGN = re.compile(r"[ \u00a0\u202f\u2009]*%$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}([ \u00a0\u202f\u2009]\d{3})+([.,]\d+)?$", re.ASCII)
_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})$", re.ASCII)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$", re.ASCII)
_TIMESTAMP = re.compile(
    r"^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})(?:[ T]+(?:klo\s*)?(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?)?$", re.ASCII
)
_ISO_TIMESTAMP = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?$", re.ASCII)


def is_empty(cell: object) -> bool:
    """Nothing typed: None, NaN, or only ASCII blanks. A lone no-break space is something typed
    (and no number): a count holding one is a `type` error, not an unanswered question."""
    return (
        cell is None
        or (isinstance(cell, str) and not cell.strip(_ASCII_BLANK))
        or (isinstance(cell, float) and math.isnan(cell))
    )


def clean_text(cell: object) -> str | None:
    """Open text as typed; only an all-blank cell (no-break spaces included) becomes empty."""
    if is_empty(cell) or (isinstance(cell, str) and not cell.strip()):
        return None
    return cell if isinstance(cell, str) else str(cell)


def parse_decimal(cell: object) -> float | None:
    if is_empty(cell):
        return None
    if isinstance(cell, bool):
        raise CellError("type", f"arvo {quote(cell)} ei ole luku")
    if isinstance(cell, int | float):
        if not math.isfinite(cell):
            raise CellError("type", f"arvo {quote(cell)} ei ole luku")
        return float(cell)
    s = _PERCENT_SIGN.sub("", str(cell).strip())  # "92,5 %" in a percentage question
    if not s:
        raise CellError("type", f"arvo {quote(cell)} ei ole luku (vain sitova välilyönti tai muu tyhjä merkki)")
    if _GROUPED.match(s):
        s = _SPACES.sub("", s)
    s = s.replace("−", "-")
    if not _NUMBER.match(s):
        if s.casefold() == DONT_KNOW:
            raise CellError("type", f"'{s}' ei kelpaa lukukentän vastaukseksi; kenttään tarvitaan luku")
        raise CellError("type", f"arvo {quote(s)} ei ole luku")
    return float(s.replace(",", ".")) + 0.0  # + 0.0 turns "-0" into 0.0


def parse_integer(cell: object) -> int | None:
    """An integer; `3.0` and `3,0` (Excel's float) are 3, `2,5` is an error."""
    value = parse_decimal(cell)
    if value is None:
        return None
    if value != int(value):
        raise CellError("type", f"arvo {quote(cell)} ei ole kokonaisluku")
    if abs(value) > 2**31 - 1:
        raise CellError("range", f"arvo {quote(cell)} on liian suuri")
    return int(value)


def _make_date(y: int, m: int, d: int, raw: object) -> date:
    if y < 100:
        y += 2000
    if not MIN_YEAR <= y <= MAX_YEAR:
        raise CellError("type", f"päivämäärän {quote(raw)} vuosi ei ole välillä {MIN_YEAR}–{MAX_YEAR}")
    try:
        return date(y, m, d)
    except ValueError as exc:
        raise CellError("type", f"päivämäärää {quote(raw)} ei ole olemassa") from exc


def parse_date(cell: object) -> date | None:
    """Day-first `3.2.2026` (or ISO), an Excel date cell, or a midnight datetime."""
    if is_empty(cell):
        return None
    if isinstance(cell, datetime | date):
        day = cell.date() if isinstance(cell, datetime) else cell
        return _make_date(day.year, day.month, day.day, cell)
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return _excel_serial(cell).date()
    s = str(cell).strip()
    if m := _DATE.match(s):
        return _make_date(int(m[3]), int(m[2]), int(m[1]), s)
    if m := _ISO_DATE.match(s):
        return _make_date(int(m[1]), int(m[2]), int(m[3]), s)
    if (m := _TIMESTAMP.match(s)) and m[4] is not None and int(m[4]) == 0 and int(m[5]) == 0:
        return _make_date(int(m[3]), int(m[2]), int(m[1]), s)
    raise CellError("type", f"arvo {quote(s)} ei ole päivämäärä muodossa p.k.vvvv")


def parse_timestamp(cell: object) -> datetime | None:
    """Webropol's `27.11.2025 14:03` / `7.3.2026 9:05:12`, Finnish local time kept as written."""
    if is_empty(cell):
        return None
    if isinstance(cell, datetime):
        _make_date(cell.year, cell.month, cell.day, cell)
        return cell.replace(tzinfo=None, microsecond=0)
    if isinstance(cell, date):
        return datetime.combine(_make_date(cell.year, cell.month, cell.day, cell), datetime.min.time())
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return _excel_serial(cell)
    s = str(cell).strip()
    m = _TIMESTAMP.match(s)
    if m:
        y, mo, d = int(m[3]), int(m[2]), int(m[1])
    elif m := _ISO_TIMESTAMP.match(s):
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
    else:
        raise CellError("type", f"arvo {quote(s)} ei ole aikaleima muodossa p.k.vvvv t:mm")
    day = _make_date(y, mo, d, s)
    hh, mm, ss = (int(m[4] or 0), int(m[5] or 0), int(m[6] or 0))
    try:
        return datetime(day.year, day.month, day.day, hh, mm, ss)
    except ValueError as exc:
        raise CellError("type", f"kellonaikaa {quote(s)} ei ole olemassa") from exc


def _excel_serial(cell: float) -> datetime:
    """An Excel day number (a date cell that lost its format), whole seconds kept."""
    if not (EXCEL_SERIALS[0] <= cell < EXCEL_SERIALS[1]) or not math.isfinite(cell):
        raise CellError("type", f"arvo {quote(cell)} ei ole päivämäärä muodossa p.k.vvvv")
    seconds = round((cell - int(cell)) * 86400)
    return datetime.combine(EXCEL_EPOCH, datetime.min.time()) + timedelta(days=int(cell), seconds=seconds)


def parse_item(cell: object) -> int | None:
    """A quality-criteria item: 1–5; "En osaa sanoa" is unanswered (the caller warns)."""
    if not is_empty(cell) and isinstance(cell, str) and cell.strip().casefold() == DONT_KNOW:
        return None
    return parse_integer(cell)
