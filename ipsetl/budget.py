"""The memory and time one inbox file may cost its reading worker.

The reader's own bounds (ipsetl.limits) count what they know to count; this is the budget behind
them for whatever they do not: the worker's address space may grow by `memory_bytes` while it
reads a file (RLIMIT_AS, soft limit, so MemoryError is raised inside the worker and the file is
refused), and the reading is interrupted after `seconds` (SIGALRM). A worker that dies anyway, or
hangs in C code where no signal reaches it, is killed by the run after a further margin
(ingest._parse_all); that file alone is refused and the run goes on.

Only the worker process applies it: the run's own process never parses a file.
"""

from __future__ import annotations

import os
import resource
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

DEFAULT_MEMORY_MB = 400
DEFAULT_SECONDS = 60.0


class OverTime(BaseException):
    """Reading a file took longer than its budget. A BaseException, so that no library's
    `except Exception` swallows it on the way out."""


@dataclass(frozen=True)
class Budget:
    memory_bytes: int = DEFAULT_MEMORY_MB * 1024 * 1024
    seconds: float = DEFAULT_SECONDS

    @property
    def memory_mb(self) -> int:
        return self.memory_bytes // (1024 * 1024)


def from_env() -> Budget:
    """IPSETL_MAX_FILE_MEMORY_MB and IPSETL_MAX_FILE_SECONDS, for the CLI and Dagster alike."""
    memory = float(os.environ.get("IPSETL_MAX_FILE_MEMORY_MB") or DEFAULT_MEMORY_MB)
    seconds = float(os.environ.get("IPSETL_MAX_FILE_SECONDS") or DEFAULT_SECONDS)
    return Budget(int(memory * 1024 * 1024), seconds)


def _address_space() -> int:
    """This process's virtual size now (VmSize): the base the memory budget is added to, since the
    libraries a worker imports (pandas, pandera) reserve a few hundred MB of it before any file."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _over_time(signum, frame) -> None:  # noqa: ARG001 - a signal handler's signature
    raise OverTime()


@contextmanager
def enforced(budget: Budget) -> Iterator[None]:
    """Within: the address space may grow by the budget, and the time runs. Linux only (the
    project's machines); elsewhere only the time limit applies."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    base = _address_space() if os.path.exists("/proc/self/status") else 0
    if base:
        limit = base + budget.memory_bytes
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    previous = signal.signal(signal.SIGALRM, _over_time)
    signal.setitimer(signal.ITIMER_REAL, budget.seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if base:
            resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
