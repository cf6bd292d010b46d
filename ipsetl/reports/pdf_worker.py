"""Render reports in a separate process: `python -m ipsetl.reports.pdf_worker`.

Reads the path of a pickled `render.Job` (a report's context and where it goes) per line on
standard input, renders its chart, HTML and PDF, and answers `ok <html changed> <pdf written>`
(1/0) on standard output, or `error <message>`. The parent hands the next report to whichever
worker answers first, so a long funder report does not hold up the queue.

Plain worker processes use both cores without multiprocessing's re-import of the caller's main
module (a notebook has none) or forking a process that holds DuckDB and Dagster threads.
"""

from __future__ import annotations

import logging
import pickle
import sys


def main() -> int:
    from ipsetl.reports.render import environment, render_job

    # WeasyPrint warns about every SVG presentation property it does not use (matplotlib writes
    # dozens a chart); the warnings say nothing to a coordinator and cost time.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    env = environment()
    print("ready", flush=True)  # imported: the parent may start sending
    for line in sys.stdin:
        try:
            with open(line.strip(), "rb") as fh:
                job = pickle.load(fh)  # noqa: S301 - written just now by our own parent
            html_changed, pdf_written = render_job(job, env)
        except Exception as exc:  # noqa: BLE001 - reported to the parent, which fails the run
            text = str(exc).splitlines()[0] if str(exc) else ""
            print(f"error {type(exc).__name__}: {text}", flush=True)
            return 1
        print(f"ok {int(html_changed)} {int(pdf_written)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
