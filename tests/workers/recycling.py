"""A worker for tests/test_workers.py that answers with its pid and makes way for a new worker
after every job it is told to (`python -m tests.workers.recycling`). A job is (value, recycle)."""

from __future__ import annotations

import os

_last = {"recycle": False}


def handle(job: tuple[int, bool]) -> tuple[int, int]:
    value, recycle = job
    _last["recycle"] = recycle
    return value * 2, os.getpid()


if __name__ == "__main__":
    from ipsetl.workers import exit_now, serve

    exit_now(serve(handle, recycle=lambda: _last["recycle"]))
