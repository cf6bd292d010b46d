"""Render reports in a worker process (`python -m ipsetl.reports.pdf_worker`, see ipsetl.workers).

A job is a pickled `render.Job` (a report's context, where it goes, the PDF's date); the worker
renders its chart, HTML and PDF and answers with a `render.Rendered` (what it wrote).
"""

from __future__ import annotations

import logging
import os

_env = None


def render(job):
    from ipsetl.reports.render import render_job

    os.environ["SOURCE_DATE_EPOCH"] = job.epoch  # the PDF's dates: the as-of date, not today
    return render_job(job, _env)


def _prepare() -> None:
    global _env
    # loaded before "ready" (the parent may start sending); the charts are SVG written by hand
    import weasyprint  # noqa: F401

    from ipsetl.reports.render import environment

    # WeasyPrint warns about every SVG property in a chart's style attributes (it reads them as HTML
    # CSS too: the lines' stroke and dash styles); the warnings say nothing to a coordinator and cost time.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    _env = environment()


if __name__ == "__main__":
    from ipsetl.workers import exit_now, serve

    exit_now(serve(render, _prepare))
