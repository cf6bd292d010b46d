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
