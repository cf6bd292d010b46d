"""Finnish number formatting: the fast formatter gives what Babel's fi_FI pattern gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ipsetl.reports.fiformat import MINUS, NBSP, babel_number, number, percent


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
