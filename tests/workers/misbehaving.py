"""A worker for tests/test_hostile_inbox.py that sleeps, dies or raises on request:
`python -m tests.workers.misbehaving`. A job is (what, argument)."""

from __future__ import annotations

import os
import time


def handle(job: tuple[str, object]) -> object:
    what, arg = job
    if what == "sleep":
        time.sleep(float(arg))
    elif what == "die":
        os._exit(3)
    elif what == "raise":
        raise ValueError(str(arg))
    return arg


if __name__ == "__main__":
    from ipsetl.workers import exit_now, serve

    exit_now(serve(handle))
