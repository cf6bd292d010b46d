"""Render reports in a worker process (`python -m ipsetl.reports.pdf_worker`, see ipsetl.workers).

A job is a pickled `render.Job` (a report's context and where it goes); the worker builds the
report's model and charts, writes its HTML and PDF and answers with a `render.Rendered`.
"""

from __future__ import annotations

import os

_env = None


def render(job):
    from ipsetl.reports.render import render_job

    return render_job(job, _env)


def _prepare() -> None:
    global _env
    # One Typst thread a worker: the workers are as many as the cores, and more threads than
    # cores made a national run's 352 reports take 34 s instead of 26 s (Rayon reads it once).
    os.environ.setdefault("RAYON_NUM_THREADS", "1")
    # loaded before "ready" (the parent may start sending): templates, the font's glyph list
    import typst  # noqa: F401

    from ipsetl.reports import typst_pdf
    from ipsetl.reports.render import environment

    typst_pdf.covered()
    _env = environment()


DEFAULT_WORKER_MB = 200


def _grown() -> bool:
    """Whether this worker should end after its job and a fresh one take over: Typst keeps what it
    laid out in a cache of its own (a worker that made the 16 funder reports of a national run held
    440 MB), and a new worker starts in 0,4 s at 60 MB. IPSETL_REPORT_WORKER_MB sets the size."""
    from ipsetl.workers import resident_mb

    return resident_mb() > float(os.environ.get("IPSETL_REPORT_WORKER_MB") or DEFAULT_WORKER_MB)


if __name__ == "__main__":
    from ipsetl.workers import exit_now, serve

    exit_now(serve(render, _prepare, _grown))
