"""Finnish number and date formatting for what the readers see: `1 248`, `41,3 %`, `30.4.2026`.

The one formatter of the project: the reports, the CLI and status screen, findings messages and
the Dagster checks format numbers and dates here and nowhere else (parsing input is ipsetl.values).
Finnish grouping and decimal symbols (a no-break space between thousands, a decimal comma), as
Babel's CLDR data for fi_FI has them; `number` writes them with Python's own formatting (tested
equal to Babel's, which is kept as `babel_number` and imported only there, so importing this
module stays cheap). Rounding is done here first, half up (indicators.md), because Babel and
Python round half to even. Empty values print as `–`.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Context, Decimal

NBSP = "\u00a0"
MINUS = "\u2212"
EMPTY = "–"
LOCALE = "fi_FI"

# Precision enough to quantize any finite float (up to 309 integer digits) to a few decimals.
_EXACT = Context(prec=400)


def round_half_up(value: float, digits: int) -> Decimal:
    """Round as the spec says (41,25 → 41,3); via the shortest repr so 0.1 + 0.2 stays 0.3."""
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP, context=_EXACT)


def _no_minus_zero(value: Decimal) -> Decimal:
    return abs(value) if value == 0 else value  # no "-0,0"


def _decimals_left(value: Decimal) -> int:
    """How many decimals `value` has once trailing zeros go: 2.50 → 1, 3.00 → 0."""
    return max(0, -value.normalize(_EXACT).as_tuple().exponent)


def number(value: float | int | None, digits: int = 0, *, trim: bool = False) -> str:
    """`1 248`, `4,80`: Finnish grouping (a no-break space between thousands) and decimal comma,
    as Babel's fi_FI pattern `#,##0.00` gives them (tests/test_fiformat.py holds the two equal);
    written with Python's own formatting, since Babel took 12 ms of every regional report.
    `trim`: at most `digits` decimals, trailing zeros dropped (`#,##0.##`: 2,5 and 30, the charts'
    axis labels)."""
    if value is None:
        return EMPTY
    rounded = _no_minus_zero(round_half_up(value, digits))
    shown = _decimals_left(rounded) if trim else digits
    return f"{rounded:,.{shown}f}".translate(_FINNISH)


_FINNISH = str.maketrans({",": NBSP, ".": ",", "-": MINUS})


def babel_number(value: float | int, digits: int = 0) -> str:
    """The same through Babel's CLDR data: the reference `number` is tested against."""
    from babel.numbers import format_decimal  # Babel only for the reference: importing it takes time

    rounded = _no_minus_zero(round_half_up(value, digits))
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    text = format_decimal(rounded, format=pattern, locale=LOCALE, decimal_quantization=False)
    return text.replace("\u202f", NBSP).replace(" ", NBSP).replace("-", MINUS)


# Decimals a figure of each kind (ipsetl.reports.figures.Measure.kind) is shown with; others none.
DIGITS = {"rate": 1, "fte": 2, "dec1": 1}


def digits(kind: str) -> int:
    return DIGITS.get(kind, 0)


def plain(value: Decimal, *, trim: bool = False) -> str:
    """`1234,5`: a decimal comma and nothing else (no grouping, an ASCII minus, no "-0"), as a
    Finnish spreadsheet reads a number from a CSV cell and as a typed value is quoted back in a
    message. The value comes rounded (`round_half_up`, `percent_rounded`) and is written with all
    its decimals; `trim` drops their trailing zeros (2,50 → 2,5; 3,00 → 3)."""
    value = _no_minus_zero(value)
    if trim:
        value = value.quantize(Decimal(1).scaleb(-_decimals_left(value)), context=_EXACT)
    return format(value, "f").replace(".", ",")


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


def fi_date(value: date | datetime | None, empty: str = EMPTY) -> str:
    """`30.4.2026`; None prints as `empty` (`–`, or "" on the status screen)."""
    if value is None:
        return empty
    return f"{value.day}.{value.month}.{value.year}"


def fi_datetime(value: datetime | None, empty: str = EMPTY) -> str:
    """`3.12.2026 klo 14.05`, a moment as Finnish prose writes it; None prints as `empty`."""
    if value is None:
        return empty
    return f"{fi_date(value)} klo {value.hour}.{value.minute:02d}"


def fi_cell_datetime(value: datetime) -> str:
    """`3.2.2026 14:05`: a date and time as a spreadsheet cell shows it (Excel's and Webropol's
    `d.m.yyyy h:mm`), for quoting a typed value back in a findings message (seconds not shown)."""
    return f"{fi_date(value)} {value.hour}:{value.minute:02d}"


def date_range(start: date, end: date) -> str:
    """`1.1.–30.4.2026`, or `1.9.2025–31.1.2026` across a year."""
    if start.year == end.year:
        return f"{start.day}.{start.month}.–{fi_date(end)}"
    return f"{fi_date(start)}–{fi_date(end)}"
