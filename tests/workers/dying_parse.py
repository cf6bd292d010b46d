"""The reading worker, except that a batch holding a file whose name starts with "kaataa" kills
the worker (as a crash in C code or the kernel's OOM killer would): `python -m
tests.workers.dying_parse`, for the retry test of ipsetl.ingest._parse_all."""

from __future__ import annotations

import os
import signal

from ipsetl import parse_worker


def read(job: tuple) -> list:
    if any(name.startswith("kaataa") for _, name in job[1]):
        os.kill(os.getpid(), signal.SIGKILL)
    return parse_worker.read(job)


if __name__ == "__main__":
    from ipsetl.workers import exit_now, serve

    exit_now(serve(read, parse_worker._prepare))
