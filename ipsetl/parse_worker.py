"""Read inbox files in a worker process (`python -m ipsetl.parse_worker`, see ipsetl.workers).

A job is (max_bytes, [(path, name), …]); the answer, their ParsedExports. Several files a job,
not one: their rows are validated in one pandera pass (reader.read_exports).
"""

from __future__ import annotations


def read(job: tuple[int, list]) -> list:
    from ipsetl.reader import read_exports

    max_bytes, files = job
    return read_exports(files, max_bytes)


def _prepare() -> None:
    import ipsetl.reader  # noqa: F401 - pandas and pandera load before "ready"


if __name__ == "__main__":
    from ipsetl.workers import exit_now, serve

    exit_now(serve(read, _prepare))
