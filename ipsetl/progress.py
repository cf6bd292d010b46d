"""A sink for the progress lines of a run.

The library reports what it is doing through `emit`; the command line registers a printer, Dagster
assets add their own logger. Keeping it a sink (not print) lets a test or notebook stay quiet.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

_sinks: list[Callable[[str], None]] = []


def emit(message: str) -> None:
    for sink in list(_sinks):
        sink(message)


@contextmanager
def sink(fn: Callable[[str], None]) -> Iterator[None]:
    _sinks.append(fn)
    try:
        yield
    finally:
        _sinks.remove(fn)


@contextmanager
def collected(fn: Callable[[str], None]) -> Iterator[None]:
    """Like `sink`, but hands `fn` the lines as one message at the end: a Dagster log call is a
    stored event (a SQLite commit, ~20 ms), and a run over 70 files would otherwise write 70 of
    them. The command line's own sink still shows each line as it happens."""
    lines: list[str] = []
    with sink(lines.append):
        try:
            yield
        finally:
            if lines:
                fn("\n".join(lines))
