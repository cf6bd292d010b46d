"""Finnish number and date formatting (ipsetl.fiformat): the fast formatter gives what Babel's fi_FI pattern gives."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ipsetl.fiformat import (
    MINUS,
    NBSP,
    babel_number,
    date_range,
    fi_cell_datetime,
    fi_date,
    fi_datetime,
    number,
    percent,
    plain,
    round_half_up,
)

ROOT = Path(__file__).resolve().parents[1]


@settings(max_examples=3000, deadline=None)
@given(
    st.one_of(
        st.integers(min_value=-(10**12), max_value=10**12),
        st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
    ),
    st.integers(min_value=0, max_value=3),
)
def test_number_is_babels_fi_pattern(value, digits):
    assert number(value, digits) == babel_number(value, digits)


def test_examples():
    assert number(1248) == f"1{NBSP}248"
    assert number(999) == "999"
    assert number(1234567.891, 2) == f"1{NBSP}234{NBSP}567,89"
    assert number(-0.04, 1) == "0,0"
    assert number(-1500) == f"{MINUS}1{NBSP}500"
    assert number(4.8, 2) == "4,80"
    assert number(None) == "–"
    assert percent(23 / 80) == f"28,8{NBSP}%"


@settings(max_examples=2000, deadline=None)
@given(
    st.one_of(
        st.integers(min_value=-(10**9), max_value=10**9),
        st.floats(min_value=-1e7, max_value=1e7, allow_nan=False),
    )
)
def test_trimmed_number_is_babels_pattern_without_trailing_zeros(value):
    """`trim` is `#,##0.##` (the charts' axis labels), once the value is rounded half up."""
    from babel.numbers import format_decimal

    rounded = round_half_up(value, 2)
    babel = format_decimal(abs(rounded) if rounded == 0 else rounded, format="#,##0.##", locale="fi_FI")
    assert number(value, 2, trim=True) == babel.replace("\u202f", NBSP).replace(" ", NBSP).replace("-", MINUS)


def test_trim_examples():
    assert number(2.5, 2, trim=True) == "2,5"
    assert number(30.0, 2, trim=True) == "30"
    assert number(0.125, 2, trim=True) == "0,13"  # half up, as every figure (Babel: 0,12)
    assert number(1234567.5, 2, trim=True) == f"1{NBSP}234{NBSP}567,5"
    assert number(-0.001, 2, trim=True) == "0"
    assert number(2.5, 2) == "2,50"


def test_plain_is_a_decimal_comma_and_nothing_else():
    assert plain(Decimal("1234.50")) == "1234,50"
    assert plain(Decimal("-1500")) == "-1500"
    assert plain(Decimal("-0.0")) == "0,0"
    assert plain(Decimal("1E+3")) == "1000"
    assert plain(Decimal("2.50"), trim=True) == "2,5"
    assert plain(Decimal("3.00"), trim=True) == "3"
    assert plain(Decimal("-0.00"), trim=True) == "0"
    assert plain(Decimal("1E+20"), trim=True) == "1" + "0" * 20


def test_round_half_up_takes_any_finite_float():
    assert round_half_up(1.2345678901234568e39, 2) == Decimal("1234567890123456800000000000000000000000.00")
    assert number(1e300, 2).startswith("1" + NBSP + "000")


def test_dates():
    assert fi_date(date(2026, 4, 30)) == "30.4.2026"
    assert fi_date(datetime(2026, 2, 3, 14, 5)) == "3.2.2026"
    assert fi_date(None) == "–" and fi_date(None, empty="") == ""
    assert fi_datetime(datetime(2026, 12, 3, 9, 5)) == "3.12.2026 klo 9.05"
    assert fi_datetime(None) == "–" and fi_datetime(None, empty="") == ""
    assert fi_cell_datetime(datetime(2026, 2, 3, 14, 5, 30)) == "3.2.2026 14:05"
    assert fi_cell_datetime(datetime(2026, 2, 3, 8, 0)) == "3.2.2026 8:00"
    assert date_range(date(2026, 1, 1), date(2026, 4, 30)) == "1.1.–30.4.2026"
    assert date_range(date(2025, 9, 1), date(2026, 1, 31)) == "1.9.2025–31.1.2026"


def test_findings_quote_values_as_they_were_typed():
    """validate.fmt_value through fiformat: the message text it always showed."""
    import pandas as pd

    from ipsetl.validate import _bound, fmt_value

    assert fmt_value(2.5) == "2,5"
    assert fmt_value(3.0) == "3"
    assert fmt_value(-3.0) == "-3"
    assert fmt_value(1234.567) == "1234,57"
    assert fmt_value(-0.0) == "0"
    assert fmt_value(None) == "tyhjä"
    assert fmt_value(pd.Timestamp("2026-02-03")) == "3.2.2026"
    assert fmt_value(pd.Timestamp("2026-02-03 14:05")) == "3.2.2026 14:05"
    assert fmt_value(pd.Timestamp("2026-02-03 00:00:07")) == "3.2.2026 0:00"
    assert _bound("1.5") == "1,5" and _bound("0") == "0" and _bound("x") == "x"


def test_the_one_formatter_is_cheap_to_import_and_has_no_old_home():
    code = "import sys, ipsetl.fiformat\nprint('babel.numbers' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False"]
    assert importlib.util.find_spec("ipsetl.reports.fiformat") is None
