"""Render the reports of every due tertiary: HTML (self-contained, Jinja2), PDF (Typst) and the CSV.

Both outputs are laid out from one report model (ipsetl.reports.model), built in the worker that
renders the report. Deterministic: the same warehouse and as-of date give byte-identical HTML, CSV
and PDF (the PDF's dates are the as-of date). A PDF is rendered only when its HTML changed, so a
run re-renders just the reports whose figures moved.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from itertools import chain, islice
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ipsetl import fiformat
from ipsetl.config import PROJECT_ROOT
from ipsetl.fiformat import neutralise
from ipsetl.reports import data, model, typst_pdf
from ipsetl.reports.freshness import SIGNATURE_FILE, code_fingerprint, jsonable, pdf_current
from ipsetl.reports.freshness import signature as _signature
from ipsetl.reports.freshness import tertiary_unchanged as _tertiary_unchanged
from ipsetl.workers import JobFailed, Pool, WorkerFailed, cores, take

if TYPE_CHECKING:  # the report workers need no database: 30 MB and 0,2 s less each
    import duckdb

TEMPLATES = PROJECT_ROOT / "templates"
PARALLEL_FROM = 4  # reports to render before worker processes pay for their start (two seconds)
PDF_WORKER = "ipsetl.reports.pdf_worker"


def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "j2"], default=True),
        undefined=StrictUndefined,
        trim_blocks=False,
        keep_trailing_newline=True,
    )


# --- writing ---------------------------------------------------------------------------------------


@dataclass
class RenderSummary:
    tertiaries: list[str] = field(default_factory=list)
    html_written: int = 0
    pdf_written: int = 0
    pdf_unchanged: int = 0
    files: list[Path] = field(default_factory=list)
    tertiaries_unchanged: list[str] = field(default_factory=list)  # skipped whole: signature unchanged


def _file_mode() -> int:
    """What a plain open() would give a new file here: 0666 less the umask (mkstemp gives 0600)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


_FILE_MODE = _file_mode()


def _write_if_changed(path: Path, content: bytes) -> bool:
    """Write `path` whole or not at all (a temporary file of this process renamed over it), only
    when its bytes change."""
    if path.exists() and path.read_bytes() == content:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        os.chmod(tmp, _FILE_MODE)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return True


def csv_bytes(ctx: dict) -> bytes:
    header, body = data.csv_rows(ctx)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([neutralise(h) for h in header])
    for row in body:
        writer.writerow([neutralise(_csv_cell(c)) for c in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _csv_cell(cell) -> str:
    """Spreadsheet-friendly: decimal comma, no thousands separator, rates in percent without the sign."""
    if not isinstance(cell, data.Cell):
        return str(cell)
    if cell.marker:
        return cell.marker
    if cell.value is None:
        return ""
    digits = fiformat.digits(cell.kind)
    if cell.kind == "rate":  # rounded as the report's percentages are: 23/80 is 28,8
        return fiformat.plain(fiformat.percent_rounded(cell.value, digits))
    return fiformat.plain(fiformat.round_half_up(cell.value, digits))


def write_pdf(doc: model.Document, as_of: date, pdf_path: Path) -> None:
    """The PDF ends newer than its HTML also when its bytes did not change: a PDF older than its
    HTML is one whose rendering failed or was interrupted, and the next run renders it again."""
    if not _write_if_changed(pdf_path, typst_pdf.pdf_bytes(doc, as_of)):
        os.utime(pdf_path)


@dataclass
class Job:
    """One report to render: its context (built from the warehouse by the parent) and where it goes."""

    kind: str  # "funder" / "regional"
    stem: Path
    ctx: dict


class Rendered(NamedTuple):
    """What rendering one report wrote (travels back from the worker that rendered it)."""

    html: Path
    pdf: Path
    html_changed: bool
    pdf_written: bool


def render_job(job: Job, env: Environment | None = None) -> Rendered:
    """The report's model (its charts drawn), its HTML and its PDF, in whichever process runs it.
    The PDF is made when the HTML changed or the PDF is missing or older than its HTML."""
    env = env or environment()
    doc = model.document(job.ctx)
    html = env.get_template("report.html.j2").render(doc=doc)
    html_path, pdf_path = job.stem.with_suffix(".html"), job.stem.with_suffix(".pdf")
    changed = _write_if_changed(html_path, html.encode("utf-8"))
    if changed or not pdf_current(job.stem):
        write_pdf(doc, job.ctx["as_of"], pdf_path)
        return Rendered(html_path, pdf_path, changed, True)
    return Rendered(html_path, pdf_path, changed, False)


PROGRESS_EVERY = 25  # a progress line per this many PDFs (a first run on all tertiaries renders hundreds)


def _run_jobs(jobs: Iterable[Job], pool: Pool | None, summary: RenderSummary, progress: Callable[[str], None]) -> None:
    """Render the reports as their jobs come: in the worker pool when there is one (started by the
    runner, or here once PARALLEL_FROM reports were known), the next report to the first free
    worker while the following ones' contexts are built here; charts, templates and PDFs all run
    there. Without a pool (workers=1: a test, a notebook), here, one after the other.

    In the pool each report has MAX_REPORT_SECONDS: a render that fails or overruns is that
    report's failure (its worker is replaced, the other reports are made), and the call fails at
    the end naming each such report, so the run says which file is missing and never hangs."""
    if pool is None:
        env = environment()
        results: Iterable[Rendered | JobFailed] = (render_job(job, env) for job in jobs)
    else:
        limit = report_seconds()
        results = pool.map(jobs, describe=lambda job: job.stem.name, timeout=lambda _job: limit, tolerant=True)
    failures: list[str] = []
    try:
        for count, done in enumerate(results, 1):
            if isinstance(done, JobFailed):
                failures.append(_failure_text(done))
                continue
            if done.html_changed:
                summary.html_written += 1
                summary.files.append(done.html)
            if done.pdf_written:
                summary.pdf_written += 1
                summary.files.append(done.pdf)
            else:
                summary.pdf_unchanged += 1
            if count % PROGRESS_EVERY == 0:
                progress(f"PDF-tiedostoja valmiina {count} …")
    except WorkerFailed as exc:
        raise RuntimeError(f"Raportin muodostus epäonnistui: {exc}") from exc
    if failures:
        raise RuntimeError("Raportin muodostus epäonnistui: " + "; ".join(failures))


DEFAULT_REPORT_SECONDS = 300.0  # the national funder PDF takes 7 s here, a tenfold programme's 75 s


def report_seconds() -> float:
    """IPSETL_MAX_REPORT_SECONDS: how long one report's render may take in its worker."""
    return float(os.environ.get("IPSETL_MAX_REPORT_SECONDS") or DEFAULT_REPORT_SECONDS)


def _failure_text(failed: JobFailed) -> str:
    name = f"{failed.job.stem.name}.pdf"
    if failed.kind == "timeout":
        return f"{name} ei valmistunut aikarajassa ({report_seconds():g} s, IPSETL_MAX_REPORT_SECONDS)"
    return f"{name}: {failed.reason}"


def render_reports(
    con: duckdb.DuckDBPyConnection,
    out_dir: Path,
    as_of: date,
    funder: data.ReportOptions | None = None,
    regional: data.ReportOptions | None = None,
    progress: Callable[[str], None] | None = None,
    only: list[str] | None = None,
    workers: int | None = None,
    blocked: dict[str, list[str]] | None = None,
) -> RenderSummary:
    """Write every due tertiary's funder report, regional reports and indicators CSV."""
    funder = funder or data.ReportOptions()
    regional = regional or data.ReportOptions(suppress=False)
    progress = progress or (lambda _m: None)
    summary = RenderSummary()
    size = workers or min(2, cores())
    pool: Pool | None = take(PDF_WORKER)  # started by the runner, which saw reports to render
    if pool is not None and workers == 1:  # the caller asked for no workers
        pool.close()
        pool = None
    failed = True
    try:
        code = code_fingerprint()
        due = [t for t in data.report_tertiaries(con, as_of) if only is None or t.label in only]
        signatures = data.tertiary_signatures(con, [t.label for t in due])
        regions = data.regions_for_reports(con)
        todo: list[tuple] = []  # (tertiary, folder, signature) of the tertiaries to render
        for t in due:
            if blocked and blocked.get(t.label):  # an error-level check failed: not final
                t.draft, t.blocked = True, tuple(blocked[t.label])
            folder = Path(out_dir) / t.label
            summary.tertiaries.append(t.label)
            state = "luonnos" if t.draft else "lopullinen"
            signature = _signature(signatures[t.label], code, t, as_of, funder, regional, regions)
            if _tertiary_unchanged(folder, t.label, regions, signature):
                summary.pdf_unchanged += 1 + len(regions)
                summary.tertiaries_unchanged.append(t.label)
                progress(f"Raportit {t.label} ({state}): ennallaan")
                continue
            todo.append((t, folder, signature))
            progress(f"Raportit {t.label} ({state}): {folder}")
        jobs = _jobs(con, code, todo, as_of, funder, regional, regions, summary)
        if pool is None and workers != 1:
            # Rendered in workers, each report under its time limit: two from PARALLEL_FROM
            # reports on (they start while the following contexts are built), else one.
            first = list(islice(jobs, PARALLEL_FROM))
            if first:
                pool = Pool(PDF_WORKER, size if len(first) >= PARALLEL_FROM else 1)
            jobs = chain(first, jobs)
        if todo:
            progress("PDF-tiedostoja muodostetaan …")
        _run_jobs(jobs, pool, summary, progress)
        if todo:
            progress(f"PDF-tiedostoja muodostettu: {summary.pdf_written} (muuttumattomia {summary.pdf_unchanged})")
        for _t, folder, signature in todo:  # only once every PDF of the tertiary is in place
            _write_if_changed(folder / SIGNATURE_FILE, (signature + "\n").encode())
        failed = False
    finally:
        if pool is not None:
            pool.close(kill=failed)  # failing: the reports still being rendered would be thrown away
    return summary


def _jobs(con, code, todo, as_of, funder, regional, regions, summary: RenderSummary) -> Iterator[Job]:
    """A job for each report whose own fingerprint moved (a new window of one region leaves the
    other regions' reports alone), built as the workers ask for them; each tertiary's CSV and xlsx
    on the way. Tertiary by tertiary, its funder report (the longest) first: two workers seldom
    lay out two funder reports at once (each holds ~170 MB while it does), and none is left with
    one at the end."""

    from ipsetl.reports import xlsx  # here, not in the report workers: openpyxl is 19 MB and 0,27 s

    def job(kind: str, stem: Path, ctx: dict) -> Job | None:
        ctx["fingerprint"] = fingerprint(ctx, code)
        if _unchanged(stem, ctx["fingerprint"]):
            summary.pdf_unchanged += 1
            return None
        return Job(kind, stem, ctx)

    for t, folder, _ in todo:
        folder.mkdir(parents=True, exist_ok=True)
        ctx = data.funder_context(con, t, as_of, funder)
        for path, content in (
            (folder / f"indikaattorit_{t.label}.csv", csv_bytes(ctx)),
            (folder / f"indikaattorit_{t.label}.xlsx", xlsx.xlsx_bytes(ctx)),
        ):
            if _write_if_changed(path, content):
                summary.files.append(path)
        if funder_job := job("funder", folder / f"rahoittajaraportti_{t.label}", ctx):
            yield funder_job
        for rctx in data.regional_contexts(con, regions, t, as_of, regional):
            stem = folder / f"alueraportti_{rctx['section'].code}_{t.label}"
            if regional_job := job("regional", stem, rctx):
                yield regional_job


def fingerprint(ctx: dict, code: str) -> str:
    """What a report shows, as one hash: equal fingerprints mean an identical report.

    A closed tertiary's report is not redone only because the as-of date moved on: its figures are
    what decide; a draft's as-of date is part of what it says, so it counts there.
    """
    t = ctx["tertiary"]
    content = {k: v for k, v in ctx.items() if k != "as_of"} if t.complete and not t.draft else ctx
    payload = json.dumps(content, default=jsonable, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256((code + payload).encode("utf-8")).hexdigest()[:32]


def _unchanged(stem: Path, fp: str) -> bool:
    if not pdf_current(stem):
        return False
    with open(stem.with_suffix(".html"), encoding="utf-8", errors="replace") as fh:
        head = fh.read(2000)
    return f'<meta name="ipsetl-fingerprint" content="{fp}">' in head
