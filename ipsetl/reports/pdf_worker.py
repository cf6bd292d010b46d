"""Render PDFs in a separate process.

`python -m ipsetl.reports.pdf_worker` reads `HTML<TAB>PDF` lines from standard input and answers
each with `ok` (or `error <message>`) on standard output once the PDF is written; the parent hands
the next report to whichever worker answers first, so a long funder report does not hold up the
queue. `python -m ipsetl.reports.pdf_worker HTML PDF [HTML PDF …]` renders the given pairs.

PDF layout is the slow part of a run (about a second a report); plain worker processes use both
cores without multiprocessing's re-import of the caller's main module or forking a process that
holds a DuckDB connection.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    from ipsetl.reports.render import write_pdf

    if argv:
        for html_path, pdf_path in zip(argv[0::2], argv[1::2], strict=True):
            write_pdf(Path(html_path), Path(pdf_path))
        return 0
    print("ready", flush=True)  # imported and warmed up: the parent may start sending
    for line in sys.stdin:
        html_path, _, pdf_path = line.rstrip("\n").partition("\t")
        try:
            write_pdf(Path(html_path), Path(pdf_path))
        except Exception as exc:  # noqa: BLE001 - reported to the parent, which fails the run
            print(f"error {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}", flush=True)
            return 1
        print("ok", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
