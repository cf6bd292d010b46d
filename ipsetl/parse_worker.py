"""Read inbox files in a worker process (`python -m ipsetl.parse_worker`, see ipsetl.workers).

A job is (max_bytes, [(path, name), …]) or (max_bytes, [(path, name), …], Budget); the answer,
their ParsedExports. Several files a job, not one: their rows are validated in one pandera pass
(reader.read_exports). Each file is read under the budget (ipsetl.budget): a file that needs more
memory or time than it allows is refused with a finding, and the worker goes on with the next.
"""

from __future__ import annotations

from functools import partial


def read(job: tuple) -> list:
    from ipsetl import budget as budgets
    from ipsetl.reader import read_exports

    max_bytes, files, *rest = job
    budget = rest[0] if rest else budgets.from_env()
    return read_exports(files, max_bytes, guard=partial(budgets.enforced, budget), budget=budget)


def _prepare() -> None:
    import ipsetl.reader  # noqa: F401 - pandas and pandera load before "ready"
    import ipsetl.validate  # noqa: F401


if __name__ == "__main__":
    from ipsetl.workers import exit_now, serve

    exit_now(serve(read, _prepare))
