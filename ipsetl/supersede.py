"""The resubmission rule of indicators.md, as a pure function.

A region's responses are walked latest first (later Vastausaika, then the later-registered file,
then the later row); a response becomes active unless it overlaps one already active. This is a
greedy walk over an order, which SQL cannot express without recursion, so it is computed here
and stored as the `active` flag of the history tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class Response:
    key: tuple  # (file_seq, source_row): identifies the stored response
    group: tuple  # responses compete only within a group (the region)
    start: date
    end: date
    submitted_at: datetime | None
    file_seq: int
    source_row: int


def precedence(r: Response) -> tuple:
    """Sort key, latest first when sorted descending. An unknown submission time counts as oldest."""
    return (r.submitted_at is not None, r.submitted_at or datetime.min, r.file_seq, r.source_row)


def active_keys(responses: Iterable[Response]) -> dict[tuple, tuple | None]:
    """key → None when active, or the key of the active response that supersedes it."""
    result: dict[tuple, tuple | None] = {}
    chosen: dict[tuple, list[Response]] = {}
    for r in sorted(responses, key=precedence, reverse=True):
        active = chosen.setdefault(r.group, [])
        winner = next((a for a in active if a.start <= r.end and r.start <= a.end), None)
        if winner is None:
            active.append(r)
            result[r.key] = None
        else:
            result[r.key] = winner.key
    return result
