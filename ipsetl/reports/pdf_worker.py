"""Render reports in a worker process (`python -m ipsetl.reports.pdf_worker`, see ipsetl.workers).

A job is a pickled `render.Job` (a report's context and where it goes); the worker builds the
report's model and charts, writes its HTML and PDF and answers with a `render.Rendered`.
"""

from __future__ import annotations

import os

_env = None
_last = {"kind": ""}


def render(job):
    from ipsetl.reports.render import render_job

    _last["kind"] = job.kind
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

    try:
        typst_pdf.covered()
    except typst_pdf.FontMissing:
        pass  # each PDF then fails naming the missing font, after its HTML is written
    _env = environment()


DEFAULT_WORKER_MB = 200
FUNDER_WORKER_MB = 140


def _grown() -> bool:
    """Whether this worker should end after its job and a fresh one take over: Typst keeps what it
    laid out in a cache of its own (a worker that made the 16 funder reports of a national run held
    440 MB), and a new worker starts in 0,4 s at 60 MB. A funder report (50 pages) leaves the most
    behind: past FUNDER_WORKER_MB after one, or IPSETL_REPORT_WORKER_MB (200) after any report.
    Not sooner: a warm worker's cache makes the next regional report faster, and recycling at
    140 MB after every report made a national run 40 % slower."""
    from ipsetl.workers import resident_mb

    try:
        limit = float(os.environ.get("IPSETL_REPORT_WORKER_MB") or DEFAULT_WORKER_MB)
    except ValueError:  # a mistyped setting must not fail the report just made
        limit = DEFAULT_WORKER_MB
    if _last["kind"] == "funder":
        limit = min(limit, FUNDER_WORKER_MB)
    return resident_mb() > limit


if __name__ == "__main__":
    from ipsetl.workers import exit_now, serve

    exit_now(serve(render, _prepare, _grown))
