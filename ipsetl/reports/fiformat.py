"""Finnish number and date formatting for what the readers see: `1 248`, `41,3 %`, `30.4.2026`.

Finnish grouping and decimal symbols (a no-break space between thousands, a decimal comma), as
Babel's CLDR data for fi_FI has them; `number` writes them with Python's own formatting (tested
equal to Babel's, which is kept as `babel_number`). Rounding is done here first, half up
(indicators.md), because Babel and Python round half to even. Empty values print as `–`.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_decimal

NBSP = "\u00a0"
MINUS = "\u2212"
EMPTY = "–"
LOCALE = "fi_FI"


def round_half_up(value: float, digits: int) -> Decimal:
    """Round as the spec says (41,25 → 41,3); via the shortest repr so 0.1 + 0.2 stays 0.3."""
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def number(value: float | int | None, digits: int = 0) -> str:
    """`1 248`, `4,80`: Finnish grouping (a no-break space between thousands) and decimal comma,
    as Babel's fi_FI pattern `#,##0.00` gives them (tests/test_fiformat.py holds the two equal);
    written with Python's own formatting, since Babel took 12 ms of every regional report."""
    if value is None:
        return EMPTY
    rounded = round_half_up(value, digits)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0,0"
    return f"{rounded:,.{digits}f}".translate(_FINNISH)


_FINNISH = str.maketrans({",": NBSP, ".": ",", "-": MINUS})


def babel_number(value: float | int, digits: int = 0) -> str:
    """The same through Babel's CLDR data: the reference `number` is tested against."""
    rounded = round_half_up(value, digits)
    if rounded == 0:
        rounded = abs(rounded)
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    text = format_decimal(rounded, format=pattern, locale=LOCALE, decimal_quantization=False)
    return text.replace("\u202f", NBSP).replace(" ", NBSP).replace("-", MINUS)


# Decimals a figure of each kind (ipsetl.reports.figures.Measure.kind) is shown with; others none.
DIGITS = {"rate": 1, "fte": 2, "dec1": 1}


def digits(kind: str) -> int:
    return DIGITS.get(kind, 0)


def percent_rounded(fraction: float, digits: int = 1) -> Decimal:
    """A rate's percentage as every output shows it, rounded half up after cleaning the float noise
    of the multiplication (23/80 → 28,75 → 28,8, not 28,7): the report, the CSV and the xlsx."""
    return round_half_up(float(round_half_up(fraction * 100, digits + 6)), digits)


def percent(fraction: float | None, digits: int = 1) -> str:
    """A rate stored as a fraction, shown as a percentage: 0.413 → `41,3 %`."""
    if fraction is None:
        return EMPTY
    return number(percent_rounded(fraction, digits), digits) + NBSP + "%"


# Characters that make a spreadsheet read typed text as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """A cell that a spreadsheet would run as a formula is prefixed with an apostrophe."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def signed(value: float | int | None, digits: int = 0, unit: str = "") -> str:
    """A change: `+6`, `−3`, `±0`; with a unit (`%-yks.`) after a no-break space."""
    if value is None:
        return EMPTY
    rounded = round_half_up(value, digits)
    body = number(abs(float(rounded)), digits)
    sign = "+" if rounded > 0 else MINUS if rounded < 0 else "±"
    return sign + body + (NBSP + unit if unit else "")


def fi_date(value: date | datetime | None) -> str:
    if value is None:
        return EMPTY
    return f"{value.day}.{value.month}.{value.year}"


def fi_datetime(value: datetime | None) -> str:
    if value is None:
        return EMPTY
    return f"{fi_date(value)} klo {value.hour}.{value.minute:02d}"


def date_range(start: date, end: date) -> str:
    """`1.1.–30.4.2026`, or `1.9.2025–31.1.2026` across a year."""
    if start.year == end.year:
        return f"{start.day}.{start.month}.–{fi_date(end)}"
    return f"{fi_date(start)}–{fi_date(end)}"
