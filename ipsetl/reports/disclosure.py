"""Disclosure control for the funder report: which counts and rates must not be shown.

The funder report is published, and a region's IPS team serves few enough people that a count of
one or two can point at a person the reader knows. So the spec (indicators.md, "Disclosure control
in the funder report") asks for Statistics Finland's practice:

* a count of people or jobs from 1 to threshold - 1 is shown as ``<5`` (primary suppression); zero
  is shown as 0, because "nobody" identifies nobody;
* a rate whose denominator is under the threshold is not shown (``–``), because the rate and a
  small denominator together give the numerator away;
* where a suppressed cell could be recovered by subtracting the other cells of a row or column from
  its published total, one more cell of that line is hidden too (secondary suppression, ``..``).

Only the counts the spec names are passed in: employer contacts, staff counts and FTEs describe the
service, not people served, and are never suppressed, so the caller leaves them out of ``values``.
The regional reports are internal and may switch suppression off (``enabled=False``).

The module is pure Python on purpose: the marts hand over plain numbers, the rules are about single
cells and the lines that add up, and the tests can check every cell without a DataFrame in the way.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

__all__ = [
    "DEFAULT_THRESHOLD",
    "NOT_SHOWN",
    "PRIMARY",
    "SECONDARY",
    "is_small",
    "rate_hidden",
    "suppress_counts",
]

PRIMARY = "<5"
"""A count from 1 to threshold - 1. The marker is the spec's symbol for the default threshold and does
not follow a configured one; a report using another threshold should render ``<{threshold}`` instead
and say so in the methods appendix."""

SECONDARY = ".."
"""Statistics Finland's symbol for a confidential figure: here a cell hidden only so that a primary
one cannot be recovered from a total."""

NOT_SHOWN = "–"
"""A rate whose denominator is under the threshold, zero included (U+2013 en dash, the symbol the spec names)."""

DEFAULT_THRESHOLD = 5

K = TypeVar("K", bound=Hashable)


def _check_threshold(threshold: int) -> None:
    """Refuse a threshold under 1: it would make "1 <= v < threshold" silently empty and hide nothing,
    which in a published report is a mistake, not a setting (turning suppression off is ``enabled``)."""
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
        raise ValueError(f"disclosure threshold must be a positive integer, got {threshold!r}")


def is_small(value: int | None, threshold: int = DEFAULT_THRESHOLD) -> bool:
    """True when a count must be shown as ``<5``: 1 <= value < threshold.

    Zero is not small: it is shown as 0 because it identifies nobody. None (the region did not
    report the figure) is not small either: it is shown as empty and reveals nothing.
    """
    _check_threshold(threshold)
    if value is None:
        return False
    return 1 <= value < threshold


def rate_hidden(denominator: int | float | None, threshold: int = DEFAULT_THRESHOLD) -> bool:
    """True when a rate must be shown as ``–`` because its denominator is under the threshold,
    zero included: a rate of nobody is not a rate, and the reader sees the same ``–`` in the report
    and the CSV, never an empty cell that looks like missing data.

    A denominator of None or NaN (the region did not report it) returns False: the rate is empty.

    Which rates are subject to the rule is the caller's business: the spec exempts staff counts and
    FTEs, so a per-FTE rate is not passed here.
    """
    _check_threshold(threshold)
    if denominator is None:
        return False
    if isinstance(denominator, float) and math.isnan(denominator):
        return False
    return 0 <= denominator < threshold


def suppress_counts(
    values: Mapping[K, int | None],
    lines: Sequence[tuple[Sequence[K], K | None]],
    threshold: int = DEFAULT_THRESHOLD,
    enabled: bool = True,
) -> dict[K, str]:
    """The cells to hide and their markers: PRIMARY for 1 <= v < threshold, SECONDARY for the cells
    hidden so that no primary cell can be worked out from a total.

    ``values`` holds only the counts subject to suppression (people and jobs), keyed by any hashable
    cell key. ``lines`` are the additivity relations a reader could use: ``(members, total)`` means
    the members add up to ``total``, a key of ``values``, or None when the total is not published.
    A total whose value is None is treated as unpublished as well: an empty cell gives nothing to
    subtract from.

    Secondary suppression runs to a fixed point, because a member of a row is also a member of a
    column and hiding it to protect the row can leave the column with a single hidden cell. In each
    pass the lines are visited in the given order; a line whose total is published and not hidden and
    which has exactly one hidden member gets one more hidden cell: the smallest unhidden member above
    zero (ties go to the first in the line's order; None is not a candidate, being empty already), or
    the total itself when no such member is left. A line with a hidden total or two hidden members is
    safe. Everything is decided by the order of ``lines`` and their members, never by set or dict
    ordering, so the same table always gives the same report. Each pass hides one more cell or
    stops, so the loop ends.

    With ``enabled=False`` nothing is hidden: the internal regional reports show exact figures.
    The result is ordered like ``values``.
    """
    _check_threshold(threshold)
    if not enabled:
        return {}
    _check_lines(values, lines)

    hidden: dict[K, str] = {key: PRIMARY for key, value in values.items() if is_small(value, threshold)}

    changed = True
    while changed:
        changed = False
        for members, total in lines:
            if total is None or values[total] is None or total in hidden:
                continue
            if sum(1 for member in members if member in hidden) != 1:
                continue
            target = _smallest_candidate(values, members, hidden)
            hidden[total if target is None else target] = SECONDARY
            changed = True

    return {key: hidden[key] for key in values if key in hidden}


def _smallest_candidate(values: Mapping[K, int | None], members: Sequence[K], hidden: Mapping[K, str]) -> K | None:
    """The member to hide next in a line: the smallest shown value above zero, the first on ties.

    Zero cells are skipped because hiding a 0 protects nothing: a reader who knows the structure
    would guess it. None cells are empty already and cannot be hidden further.
    """
    best: K | None = None
    best_value = 0
    for member in members:
        value = values[member]
        if member in hidden or value is None or value <= 0:
            continue
        if best is None or value < best_value:
            best, best_value = member, value
    return best


def _check_lines(values: Mapping[K, int | None], lines: Sequence[tuple[Sequence[K], K | None]]) -> None:
    """Fail loudly on a line that names a cell not in ``values``: a typo there would silently leave a
    primary cell recoverable in a published report, which is worse than a crash while building it."""
    for index, (members, total) in enumerate(lines):
        missing = [member for member in members if member not in values]
        if total is not None and total not in values:
            missing.append(total)
        if missing:
            raise KeyError(f"line {index} names cells not in values: {missing!r}")
        if total is not None and total in members:
            raise ValueError(f"line {index} lists its total {total!r} among its members")
