"""Render reports in a worker process (`python -m ipsetl.reports.pdf_worker`, see ipsetl.workers).

A job is a pickled `render.Job` (a report's context and where it goes); the worker builds the
report's model and charts, writes its HTML and PDF and answers with a `render.Rendered`.
"""

from __future__ import annotations

_env = None


def render(job):
    from ipsetl.reports.render import render_job

    return render_job(job, _env)


def _prepare() -> None:
    global _env
    # loaded before "ready" (the parent may start sending): templates, the font's glyph list
    import typst  # noqa: F401

    from ipsetl.reports import typst_pdf
    from ipsetl.reports.render import environment

    typst_pdf.covered()
    _env = environment()


if __name__ == "__main__":
    from ipsetl.workers import exit_now, serve

    exit_now(serve(render, _prepare))
