"""Benchmark harness: time the `ipsetl` command on the benchmark loads, as a user would run it.

`python -m benchmarks.run [--sizes small,national,x10] [--scopes all,latest] [--repeat N] [--json PATH]
[--keep] [--skip-generate]`

Per load (benchmarks.generate) and repeat, in a fresh temporary directory, the sequence a
coordinator goes through, once per scope, each scope from its own fresh copy of the inbox, warehouse,
reports folder and DAGSTER_HOME:

  all (the main figures)  `ipsetl run` as the coordinator and the inbox sensor run it: no
                          --tertiaries, so every complete tertiary with data and the current draft
  latest (latest.*)       `ipsetl run --tertiaries latest`: the latest complete tertiary only

  full                    on an empty warehouse (national: 16 tertiaries × 22 reports in `all`)
  no_change               the same again, nothing new in the inbox (0 PDFs)
  incremental_next_round  the next month's export added: in `all` the draft tertiary's reports whose
                          figures moved are rendered again; in `latest` none
  incremental_correction  one region corrects its last window of the latest complete tertiary: at
                          least every report of that tertiary again (each shows the national
                          figures); in `all` the later tertiaries' too (their trend charts include it)

and, on the main scope's warehouse:

  sql                     three typical queries: in-process DuckDB time and `ipsetl sql` incl. start-up
  render                  the funder report and three regional reports of the corrected tertiary,
                          timed inside a fresh Python process (Typst's memo cache would otherwise
                          carry over between repeats) after a warm-up compile of a tiny document:
                          context, model + HTML, PDF (Typst, one thread as in the report workers),
                          pages

Every CLI run is a subprocess: wall time around it, its progress lines timestamped as they arrive
(where the time goes: start-up, ingest and marts until the first "Raportit" line, rendering from
"PDF-tiedostoja muodostetaan" to "…muodostettu"), and peak memory as the largest sum of PSS
(proportional set size: shared pages split between the processes sharing them) over the process and
all its descendants (parse and PDF workers), sampled every 100 ms. Results: a table per load
(median and min–max of the repeats), the national main figures against their targets (the latest
scope beside them, informational), national → x10 scaling (x10 time ≤ 10 × national time), and
everything as JSON (default benchmarks/results/latest.json).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from benchmarks.generate import AS_OF, SIZES, Workload, generate, region_list
from ipsetl.runner import new_dagster_home

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"
RESULTS = ROOT / "benchmarks" / "results"
IPSETL = ROOT / ".venv" / "bin" / "ipsetl"
SQL_EXAMPLES = ROOT / "docs" / "sql-examples"

RUN_STEPS = ("full", "no_change", "incremental_next_round", "incremental_correction")
# scope → (the step names' prefix, the extra `ipsetl run` arguments). `all` is the default flow.
SCOPES: dict[str, tuple[str, list[str]]] = {"all": ("", []), "latest": ("latest.", ["--tertiaries", "latest"])}
STEP_NAMES = tuple(prefix + step for prefix, _ in SCOPES.values() for step in RUN_STEPS)
CORRECTION_REGION = "PIR"
SAMPLE_INTERVAL_S = 0.1  # reading smaps_rollup walks page tables: at 20 ms the sampler took a third of a core
FULL_SCAN_EVERY = 5  # samples; between full scans only pids above the root's are read (see _children)
SQL_IN_PROCESS_RUNS = 20
SQL_CLI_RUNS = 3
REGIONAL_RENDER_SAMPLES = 3
LATEST_COMPLETE = "SELECT max(tertiary) FROM mart.national_tertiary WHERE complete"
QUERIES: dict[str, tuple[str, str]] = {
    # name: (query, the docs/sql-examples file that asks the same question)
    "employment_trend_PIR": (
        "SELECT tertiary, employment_rate FROM mart.region_tertiary WHERE region_code = 'PIR' ORDER BY tertiary",
        "01_employment_rate_trend.sql",
    ),
    "below_41pct_latest": (
        "SELECT region_code, employment_rate FROM mart.region_tertiary "
        f"WHERE tertiary = ({LATEST_COMPLETE}) AND employment_rate < 0.41 ORDER BY 2",
        "02_below_benchmark_last_tertiary.sql",
    ),
    "not_reported": (
        "SELECT region_code, tertiary FROM mart.submission_status WHERE missing ORDER BY 2, 1",
        "04_not_reported.sql",
    ),
}
# National targets on the 2-core benchmark machine (issue 15), judged on the default flow's
# medians; the latest scope is printed beside them, informational. "Next round": the monthly export a
# coordinator drops every round, its draft reports included. "Correction": one region corrects a
# reported tertiary, so all of that tertiary's reports are made again (each regional report shows the
# national figures). The funder PDF (about 50 pages) is the Typst compile of one report.
TARGETS = {
    "full_s": 20.0,
    "next_round_s": 4.0,
    "correction_s": 5.0,
    "no_change_s": 1.0,
    "query_ms": 100.0,
    "peak_mb": 500.0,
    "render_funder_pdf_s": 0.5,
    "x10_time_ratio": 10.0,  # x10 load: at most ten times the national time, per step
}
SECONDS_TARGET = {
    "full": "full_s",
    "no_change": "no_change_s",
    "incremental_next_round": "next_round_s",
    "incremental_correction": "correction_s",
}
# The code a run executes: edited while the benchmark runs, a report's fingerprint changes and the
# run re-renders it; such a step is flagged rather than silently counted as a regression.
CODE_DIRS = ("ipsetl", "pipelines", "templates", "warehouse/sql", "schemas")
PDF_LINE = re.compile(r"PDF-tiedostoja muodostettu: (\d+) \(muuttumattomia (\d+)\)")
PDF_PROGRESS = re.compile(r"PDF-tiedostoja valmiina (\d+)")
# The progress lines (on stderr) that divide a run: the first line starting with each marks it.
MARKS = {
    "started": "Ajo alkaa",
    "no_change": "Ei muutoksia",
    "reports": "Raportit ",
    "pdf_start": "PDF-tiedostoja muodostetaan",
    "pdf_done": "PDF-tiedostoja muodostettu",
    "done": "Valmis ",
}
FILE_LINE = re.compile(r"\[\d+/\d+\] ")  # "[i/N] file: …" of each new file: the last one marks files_read
# Where the time goes, from one mark to the next (None: the start or the exit of the process).
# "files" is part of "ingest": until the last new file's line (parsed in workers while Dagster
# starts); the rest of "ingest" is loading, the marts, the checks and the report run starting (the
# first "Raportit" line of a full run comes from the report step itself; of a run that leaves some
# tertiary unchanged, right after the ingest run). "prepare": on to the first PDF job (the report
# run starting, the signatures; the contexts are built while the workers render).
PHASES: dict[str, tuple[str | None, str | None, str]] = {
    "startup": (None, "started", "start-up"),
    "ingest": ("started", "reports", "to Raportit"),
    "files": ("started", "files_read", "of it: files"),
    "prepare": ("reports", "pdf_start", "report start"),
    "rendering": ("pdf_start", "pdf_done", "rendering"),
    "finish": ("pdf_done", "done", "finish"),
    "status": ("done", None, "status"),
}


class BenchmarkError(RuntimeError):
    """A step that cannot be measured (a failing run, a missing report): the benchmark stops."""


def say(message: str = "") -> None:
    print(message, flush=True)


# --- process-tree memory ---------------------------------------------------------------------


def _children(root: int, full: bool) -> dict[int, list[int]]:
    """ppid → pids from /proc/*/stat. Descendants are started after the root, so between full scans
    only pids above the root's are read: reading /proc costs ~30 µs a process on this kind of VM."""
    kids: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or (not full and int(entry.name) < root):
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:  # the process ended meanwhile
            continue
        ppid = int(stat.rsplit(b")", 1)[1].split()[1])  # the command name may hold spaces and parentheses
        kids.setdefault(ppid, []).append(int(entry.name))
    return kids


def _pss_kb(pid: int) -> int:
    """Proportional set size: a page shared by n processes counts 1/n in each, so the sum over the
    tree is the memory the run really holds (the workers share the interpreter's and libraries'
    pages; a sum of RSS would count them once per process). Falls back to VmRSS without smaps."""
    for source, key in (("smaps_rollup", b"Pss:"), ("status", b"VmRSS:")):
        try:
            with open(f"/proc/{pid}/{source}", "rb") as fh:
                for line in fh:
                    if line.startswith(key):
                        return int(line.split()[1])
        except OSError:
            pass
    return 0  # ended, or a zombie


def tree_rss_kb(root: int, full: bool = True) -> tuple[int, int]:
    """(sum of PSS in kB, number of processes) over `root` and all its descendants."""
    kids = _children(root, full)
    total, count, todo = 0, 0, [root]
    while todo:
        pid = todo.pop()
        total += _pss_kb(pid)
        count += 1
        todo.extend(kids.get(pid, ()))
    return total, count


class TreeSampler(threading.Thread):
    """Samples the process tree's memory (PSS) every SAMPLE_INTERVAL_S and keeps the peak: ru_maxrss
    of RUSAGE_CHILDREN is a running maximum over all children ever waited for, so it says nothing
    about the 2nd run."""

    def __init__(self, pid: int, interval: float = SAMPLE_INTERVAL_S) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_kb = 0
        self.max_processes = 0
        self.samples = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            kb, count = tree_rss_kb(self.pid, full=self.samples % FULL_SCAN_EVERY == 0)
            self.peak_kb = max(self.peak_kb, kb)
            self.max_processes = max(self.max_processes, count)
            self.samples += 1
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


# --- running the command ---------------------------------------------------------------------


@dataclass
class CliResult:
    seconds: float
    peak_mb: float
    max_processes: int
    output: str  # stdout and stderr
    # (seconds since the start, "out" / "err", text) of every line, timestamped as it arrived
    lines: list[tuple[float, str, str]] = field(default_factory=list)


def _read_lines(stream: IO[str], name: str, start: float, into: list[tuple[float, str, str]]) -> None:
    for line in stream:
        into.append((time.perf_counter() - start, name, line.rstrip("\n")))
    stream.close()


def run_cli(args: list[str], env: dict[str, str], log: Path | None = None) -> CliResult:
    """Run `.venv/bin/ipsetl ARGS` from the project root; a non-zero exit stops the benchmark. Both
    streams are read line by line as they come (the progress lines are on stderr), each line with
    the moment it arrived."""
    cmd = [str(IPSETL), *args]
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace"
    )
    sampler = TreeSampler(proc.pid)
    sampler.start()
    lines: list[tuple[float, str, str]] = []  # list.append is atomic: both readers share it
    readers = [
        threading.Thread(target=_read_lines, args=(stream, name, start, lines), daemon=True)
        for stream, name in ((proc.stdout, "out"), (proc.stderr, "err"))
    ]
    for reader in readers:
        reader.start()
    try:
        proc.wait()
    finally:
        seconds = time.perf_counter() - start
        sampler.stop()
        for reader in readers:
            reader.join()
    out = "\n".join(text for _, name, text in lines if name == "out")
    err = "\n".join(text for _, name, text in lines if name == "err")
    if log is not None:
        stamped = "\n".join(f"{t:8.3f} {name} {text}" for t, name, text in lines)
        log.write_text(f"$ {' '.join(cmd)}\n--- {seconds:.3f} s, exit {proc.returncode}\n{stamped}\n", encoding="utf-8")
    if proc.returncode != 0:
        tail = "\n".join((err or out).strip().splitlines()[-25:])
        raise BenchmarkError(f"`ipsetl {' '.join(args[:1])}` exited {proc.returncode}:\n$ {' '.join(cmd)}\n{tail}")
    return CliResult(seconds, sampler.peak_kb / 1024, sampler.max_processes, out + "\n" + err, lines)


def timeline(result: CliResult) -> dict[str, Any]:
    """Where a run's time went, from its progress lines: when each mark (MARKS, and files_read: the
    line of the inbox's last file) first appeared, the phases between them (PHASES; None where a
    mark is missing, e.g. no rendering in a run with nothing to render), and the PDF progress lines
    as (seconds, PDFs done)."""
    marks: dict[str, float] = {}
    progress: list[list[float]] = []
    for t, _, text in result.lines:
        text = text.strip()
        for key, prefix in MARKS.items():
            if key not in marks and text.startswith(prefix):
                marks[key] = t
        if found := PDF_PROGRESS.match(text):
            progress.append([t, int(found.group(1))])
        elif FILE_LINE.match(text):
            marks["files_read"] = t  # the last one: the inbox's new files are parsed and loaded
    phases: dict[str, float | None] = {}
    for name, (a, b, _) in PHASES.items():
        since = 0.0 if a is None else marks.get(a)
        until = result.seconds if b is None else marks.get(b)
        phases[name] = None if since is None or until is None else until - since
    return {
        "marks": marks,
        "phases": phases,
        "until_first_reports_s": marks.get("reports"),  # start-up, ingest, marts and checks
        "rendering_s": phases["rendering"],  # "PDF-tiedostoja muodostetaan" → "…muodostettu"
        "pdf_progress": progress,
    }


def pdf_counts(output: str) -> tuple[int, int | None]:
    """(PDFs rendered, PDFs unchanged) from the run's progress line; no line: nothing rendered."""
    found = PDF_LINE.search(output)
    return (int(found.group(1)), int(found.group(2))) if found else (0, None)


def code_state() -> str:
    """A cheap stamp (names, sizes, mtimes) of the project's code, to notice edits during a step."""
    digest = hashlib.sha256()
    for folder in CODE_DIRS:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                st = path.stat()
                digest.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def run_env(workload: Workload, dagster_home: Path) -> dict[str, str]:
    """The user's environment minus any IPSETL_* settings (the benchmark's must not leak in), plus
    the load's region list and a DAGSTER_HOME of its own (runs must not land in dagster_home/)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPSETL_") and k != "SOURCE_DATE_EPOCH"}
    env.update(workload.env)
    env["DAGSTER_HOME"] = str(dagster_home)
    return env


# --- the correction file ---------------------------------------------------------------------


def latest_complete_tertiary(warehouse: Path) -> str:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        (label,) = con.execute(LATEST_COMPLETE).fetchone()
    if label is None:
        raise BenchmarkError("no complete tertiary in the warehouse")
    return label


def write_correction(warehouse: Path, inbox: Path, region: str = CORRECTION_REGION) -> dict[str, Any]:
    """A resubmission of `region`'s last window of the latest complete tertiary, clients_employed
    changed by one and submitted ten days later. It moves the national figures, which every report
    of that tertiary shows, so all of them are rendered again (in the default flow the later
    tertiaries' too, whose trend charts include it)."""
    import duckdb

    from ipsetl.forms import get_form
    from ipsetl.sample_inbox import write_export

    label = latest_complete_tertiary(warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rel = con.execute(
            "SELECT * FROM mart.monitoring_window WHERE region_code = ? AND tertiary = ? "
            "ORDER BY period_end DESC LIMIT 1",
            [region, label],
        )
        names = [d[0] for d in rel.description]
        found = rel.fetchone()
    if found is None:
        raise BenchmarkError(f"region {region} has no window in the latest complete tertiary {label}")
    window = dict(zip(names, found, strict=True))
    columns = [c.column for c in get_form("seuranta").columns]
    row = {c: window[c] for c in columns if c in window}
    row["region"] = window["region_name"]  # the form carries the region's name, not its code
    row["respondent_name"], row["respondent_email"] = "Bea Benchmark", "bea.benchmark@example.fi"  # not stored
    employed, served = window["clients_employed"], window["clients_served"]
    if employed + 1 <= served:
        row["clients_employed"] = employed + 1
    elif employed >= 1:
        row["clients_employed"] = employed - 1
    else:
        raise BenchmarkError(f"cannot change clients_employed of {region} {label}: served {served}")
    submitted = window["submitted_at"] or datetime.combine(window["period_end"], datetime.min.time())
    row["submitted_at"] = submitted + timedelta(days=10)
    start, end = window["period_start"], window["period_end"]
    period = f"{start:%Y-%m}" if (start.year, start.month) == (end.year, end.month) else f"{start:%Y-%m}-{end:%Y-%m}"
    path = write_export(inbox / f"IPS seuranta korjaus {region} {period}_Perusraportti.csv", [row], "seuranta")
    return {
        "file": path.name,
        "tertiary": label,
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "clients_employed": [employed, row["clients_employed"]],
    }


# --- queries and rendering -------------------------------------------------------------------


def measure_queries(warehouse: Path, env: dict[str, str], log_dir: Path) -> dict[str, dict[str, Any]]:
    """In-process DuckDB time (median of 20 after a warm-up: what the query costs) and the wall time
    of `ipsetl sql --format csv` (what the coordinator waits for, Python start-up included)."""
    import duckdb

    results: dict[str, dict[str, Any]] = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for name, (query, _) in QUERIES.items():
            rows = len(con.execute(query).fetchall())
            times = []
            for _ in range(SQL_IN_PROCESS_RUNS):
                start = time.perf_counter()
                con.execute(query).fetchall()
                times.append((time.perf_counter() - start) * 1000)
            results[name] = {"rows": rows, "in_process_ms": statistics.median(times)}
    for name, (query, _) in QUERIES.items():
        args = ["sql", query, "--warehouse", str(warehouse), "--format", "csv"]
        cli = [run_cli(args, env, log_dir / f"sql_{name}_{i}.log").seconds * 1000 for i in range(SQL_CLI_RUNS)]
        results[name]["cli_ms"] = statistics.median(cli)
        results[name]["cli_runs_ms"] = cli
    return results


def _warm_up_document():
    """A one-page document unlike any report (Typst memoises: a document compiled before is laid out
    again much faster), with a table and a small chart, so that the fonts, the template and the
    SVG path are loaded before the measured compiles, as in a report worker after its first job."""
    from ipsetl.reports import model
    from ipsetl.reports.charts import line_chart

    chart = line_chart(
        ["2025-T1", "2025-T2"], {"A": [0.3, 0.4]}, title="Lämmittely", description="Kaksi pistettä.", y_label="y"
    )
    table = model.Table(
        "Lämmittely",
        [model.Column("Alue"), model.Column("Arvo", numeric=True)],
        [model.Row([model.cell("A"), model.cell("1")])],
    )
    return model.Document(
        report="funder",
        title="Lämmittely",
        meta_title="Lämmittely",
        running_title="Lämmittely",
        as_of_text="1.1.2000",
        draft=True,
        front=[model.text("Fontit ja asettelu latautuvat.")],
        front_page=False,
        sections=[model.Section("Lämmittely", 2, "w", [table, model.Figure(chart, "Kuvio 1", "Kaksi pistettä.")])],
        author="benchmark",
    )


def _render_picks(regions: list[str]) -> list[str]:
    """REGIONAL_RENDER_SAMPLES regions spread over the list, the corrected region first."""
    step = max(1, len(regions) // REGIONAL_RENDER_SAMPLES)
    picks = ([CORRECTION_REGION] if CORRECTION_REGION in regions else []) + [
        r for r in regions[::step] if r != CORRECTION_REGION
    ]
    return picks[:REGIONAL_RENDER_SAMPLES]


def measure_render_fresh(warehouse: Path, work: Path, label: str) -> dict[str, Any]:
    """measure_render in a fresh interpreter, started (spawned) for it: Typst's memo cache lasts as
    long as its process, and every repeat renders the same documents, so from the second repeat on
    this process would time its cache. The timing is inside that process, after its imports."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from benchmarks import run as harness  # by its module name, also when this is `python -m benchmarks.run`

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(harness.measure_render, warehouse, work, label).result()


def measure_render(warehouse: Path, work: Path, label: str) -> dict[str, Any]:
    """The funder report and three regional reports of tertiary `label`, in this process from
    contexts built from the warehouse: seconds for the context (the regional ones come from one
    query a table for all three: each sample shows a third of it), for the model and its HTML
    (charts drawn, Jinja2) and for the PDF (Typst), and the PDF's pages.

    After a warm-up compile of a different, tiny document, each report is compiled once: Typst
    memoises, so compiling the same document again would measure its cache, not the report (run it
    in a process of its own, measure_render_fresh). One Typst thread, as in the report workers
    (pdf_worker sets RAYON_NUM_THREADS=1)."""
    os.environ.setdefault("RAYON_NUM_THREADS", "1")  # read once, when Typst first lays out
    import duckdb
    from pypdf import PdfReader

    from ipsetl.reports import data, model, render, typst_pdf

    out = work / "render"
    out.mkdir(exist_ok=True)
    env = render.environment()
    template = env.get_template("report.html.j2")
    warm = _warm_up_document()
    start = time.perf_counter()
    template.render(doc=warm)
    (out / "warm-up.pdf").write_bytes(typst_pdf.pdf_bytes(warm, AS_OF))
    warm_up = time.perf_counter() - start

    with duckdb.connect(str(warehouse), read_only=True) as con, data.snapshot(con):
        t = next((x for x in data.report_tertiaries(con, AS_OF) if x.label == label), None)
        if t is None:
            raise BenchmarkError(f"tertiary {label} is not among the reported ones in {warehouse}")
        codes = _render_picks(data.regions_for_reports(con))
        if not codes:
            raise BenchmarkError(f"no region to render a regional report for in {warehouse}")
        start = time.perf_counter()
        funder = data.funder_context(con, t, AS_OF, data.ReportOptions())
        funder_s = time.perf_counter() - start
        start = time.perf_counter()
        regional = list(data.regional_contexts(con, codes, t, AS_OF, data.ReportOptions(suppress=False)))
        regional_s = (time.perf_counter() - start) / len(regional)
    jobs = [("funder", f"rahoittajaraportti_{label}", funder, funder_s)] + [
        ("regional", f"alueraportti_{ctx['section'].code}_{label}", ctx, regional_s) for ctx in regional
    ]
    results: dict[str, Any] = {"funder": [], "regional": [], "warm_up_s": warm_up}
    results["rayon_threads"] = os.environ["RAYON_NUM_THREADS"]
    for kind, stem, ctx, context_s in jobs:
        start = time.perf_counter()
        doc = model.document(ctx)
        html = template.render(doc=doc)
        model_html_s = time.perf_counter() - start
        start = time.perf_counter()
        pdf = typst_pdf.pdf_bytes(doc, AS_OF)
        pdf_s = time.perf_counter() - start
        (out / f"{stem}.html").write_text(html, encoding="utf-8")
        (out / f"{stem}.pdf").write_bytes(pdf)
        results[kind].append(
            {
                "file": f"{stem}.pdf",
                "context_seconds": context_s,
                "model_html_seconds": model_html_s,
                "seconds": pdf_s,  # the PDF: Typst's compile of the model
                "pages": len(PdfReader(io.BytesIO(pdf)).pages),
                "bytes": len(pdf),
            }
        )
    return results


# --- one repeat ------------------------------------------------------------------------------


def run_step(
    step: str,
    args: list[str],
    env: dict[str, str],
    work: Path,
    tag: str,
    stamps: list[str],
    expected: int | None,
    at_least: bool = False,
) -> dict[str, Any]:
    """One `ipsetl run`; `expected`: the PDFs it should render (None: not checked; `at_least`: that
    many or more). `stamps`: the code stamp at the start of each earlier step; an edit since the
    start of the previous run (which may have fingerprinted its reports with the old code) is
    flagged, as it re-renders every report."""
    stamps.append(code_state())
    load = os.getloadavg()[0]  # other work on the machine (tests, an editor's build) skews the timing
    result = run_cli(args, env, work / f"{step}.log")
    code_changed = code_state() != stamps[max(0, len(stamps) - 2)]
    rendered, unchanged = pdf_counts(result.output)
    reports = Path(args[args.index("--reports") + 1])
    times = timeline(result)
    record = {
        "seconds": result.seconds,
        "peak_mb": result.peak_mb,
        "max_processes": result.max_processes,
        "pdfs_rendered": rendered,
        "pdfs_unchanged": unchanged,
        "pdfs_expected": expected,
        "pdfs_expected_at_least": at_least,
        "pdfs_in_reports": sum(1 for _ in reports.rglob("*.pdf")) if reports.is_dir() else 0,
        "code_changed": code_changed,
        "loadavg_1min_before": load,
        **times,
    }
    ok = expected is None or (rendered >= expected if at_least else rendered == expected)
    check = "" if ok else f"  ** expected {'≥ ' if at_least else ''}{expected} PDFs **"
    check += "  ** ipsetl code edited since the previous run **" if code_changed else ""
    wanted = "" if expected is None else f"/{'≥' if at_least else ''}{expected}"
    say(
        f"  {tag} {step:<30} {result.seconds:8.2f} s  peak {result.peak_mb:7.1f} MB  "
        f"PDFs {rendered}{wanted} (unchanged {unchanged if unchanged is not None else '-'}, "
        f"{record['pdfs_in_reports']} in the folder)  load {load:.1f}{check}"
    )
    return record


def run_scope(workload: Workload, scope: str, work: Path, tag: str) -> dict[str, Any]:
    """The four runs of one scope in `work` (a fresh copy of the inbox, warehouse, reports folder
    and DAGSTER_HOME): their records under the scope's step names, the correction and the warehouse."""
    prefix, scope_args = SCOPES[scope]
    work.mkdir()
    inbox = work / "inbox"
    shutil.copytree(workload.inbox, inbox)
    dagster_home = new_dagster_home(work / "dagster_home")
    warehouse, reports = work / "warehouse" / "ipsetl.duckdb", work / "reports"
    warehouse.parent.mkdir()
    env = run_env(workload, dagster_home)
    args = ["run", "--inbox", str(inbox), "--warehouse", str(warehouse), "--reports", str(reports)]
    args += ["--as-of", AS_OF.isoformat(), *scope_args]
    say(f"  {tag} scope {scope}: ipsetl {' '.join(['run', *scope_args])} in {work}")
    steps: dict[str, dict[str, Any]] = {}
    stamps: list[str] = []

    def step(name: str, expected: int | None, at_least: bool = False) -> None:
        steps[prefix + name] = run_step(prefix + name, args, env, work, tag, stamps, expected, at_least)

    step("full", None)
    step("no_change", 0)
    if workload.next_file is not None:
        shutil.copy2(workload.next_file, inbox / workload.next_file.name)
        # all: the draft tertiary's reports whose figures moved (not checked: counted and shown);
        # latest: the next month is in the draft tertiary, which this scope does not render.
        step("incremental_next_round", None if scope == "all" else 0)
    else:
        say(f"  {tag} {prefix}incremental_next_round   skipped: the {workload.size} load has no next/ file")
    correction = write_correction(warehouse, inbox)
    say(f"  {tag} correction file: {correction['file']} ({correction['tertiary']})")
    # Every report of the tertiary, not two: each regional report shows the national figures
    # (clients employed, employment rate) beside the region's, and the correction moves them. In
    # `all` the later tertiaries' reports may change too: their trend charts include it.
    every = sum(1 for _ in (reports / correction["tertiary"]).glob("*.pdf"))
    if scope == "all":
        step("incremental_correction", every, at_least=True)
    else:
        step("incremental_correction", steps[prefix + "full"]["pdfs_rendered"])
    return {"steps": steps, "correction": correction, "warehouse": warehouse, "env": env}


def run_repeat(workload: Workload, index: int, repeats: int, scopes: list[str], keep: bool) -> dict[str, Any]:
    """One measured sequence in its own temporary directory (removed afterwards unless --keep): each
    scope's four runs in a subdirectory of its own, then the queries and the rendering on the first
    scope's warehouse (the default flow's, unless only `latest` was asked for)."""
    tag = f"[{workload.size} {index + 1}/{repeats}]"
    work = Path(tempfile.mkdtemp(prefix=f"ipsetl-bench-{workload.size}-"))
    try:
        scoped = {scope: run_scope(workload, scope, work / scope, tag) for scope in scopes}
        steps = {name: record for s in scoped.values() for name, record in s["steps"].items()}
        main = scoped[scopes[0]]
        queries = measure_queries(main["warehouse"], main["env"], work)
        for name, q in queries.items():
            say(f"  {tag} sql {name:<22} {q['in_process_ms']:8.2f} ms in-process  {q['cli_ms']:8.0f} ms ipsetl sql")
        label = main["correction"]["tertiary"]
        render = measure_render_fresh(main["warehouse"], work, label)
        for kind in ("funder", "regional"):
            for s in render[kind]:
                say(
                    f"  {tag} render {kind:<9} context {s['context_seconds']:6.3f} s  model+HTML "
                    f"{s['model_html_seconds']:6.3f} s  PDF {s['seconds']:6.3f} s  {s['pages']:3d} pages  {s['file']}"
                )
        return {
            "workdir": str(work),
            "steps": steps,
            "correction": {scope: s["correction"] for scope, s in scoped.items()},
            "sql": queries,
            "render": render,
        }
    finally:
        if keep:
            say(f"  {tag} kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


# --- loads -----------------------------------------------------------------------------------


def prepare_load(size: str, skip_generate: bool) -> tuple[Workload, float | None]:
    """Generate the load into benchmarks/data/<size>, or reuse it (--skip-generate) with the counts
    recorded when it was generated (meta.json)."""
    root = DATA / size
    if skip_generate and (root / "inbox").is_dir():
        meta_path = root / "meta.json"
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
        files = sum(1 for p in (root / "inbox").iterdir() if p.is_file())
        workload = Workload(size, root, meta.get("regions", len(region_list(size))), files, meta.get("rows", -1))
        return workload, None
    start = time.perf_counter()
    workload = generate(size, root)
    seconds = time.perf_counter() - start
    meta = {"regions": workload.regions, "files": workload.files, "rows": workload.rows, "seconds": seconds}
    (root / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return workload, seconds


# --- summaries -------------------------------------------------------------------------------


def stats(values: list[float]) -> dict[str, float] | None:
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def summarise(repeats: list[dict[str, Any]]) -> dict[str, Any]:
    """Median and min–max over the repeats; render samples are pooled (three regional per repeat)."""
    steps = {}
    for step in STEP_NAMES:
        runs = [r["steps"][step] for r in repeats if step in r["steps"]]
        if runs:
            steps[step] = {
                "seconds": stats([x["seconds"] for x in runs]),
                "peak_mb": stats([x["peak_mb"] for x in runs]),
                "pdfs_rendered": stats([x["pdfs_rendered"] for x in runs]),
                "pdfs_expected": runs[0]["pdfs_expected"],
                "pdfs_expected_at_least": runs[0]["pdfs_expected_at_least"],
                "pdfs_in_reports": runs[-1]["pdfs_in_reports"],
                "code_changed_runs": sum(bool(x.get("code_changed")) for x in runs),
                "phases": {
                    name: stats([x["phases"][name] for x in runs if x["phases"][name] is not None]) for name in PHASES
                },
                "until_first_reports_s": stats(
                    [x["until_first_reports_s"] for x in runs if x["until_first_reports_s"] is not None]
                ),
            }
    sql = {
        name: {
            "in_process_ms": stats([r["sql"][name]["in_process_ms"] for r in repeats]),
            "cli_ms": stats([r["sql"][name]["cli_ms"] for r in repeats]),
            "rows": repeats[-1]["sql"][name]["rows"],
        }
        for name in QUERIES
    }
    render = {
        kind: {
            metric: stats([s[metric] for r in repeats for s in r["render"][kind]])
            for metric in ("context_seconds", "model_html_seconds", "seconds", "pages")
        }
        for kind in ("funder", "regional")
    }
    return {"steps": steps, "sql": sql, "render": render}


def _limit(step: str) -> float | None:
    """The seconds target of a step of either scope (the latest scope's are informational)."""
    key = SECONDS_TARGET.get(step.removeprefix(SCOPES["latest"][0]))
    return TARGETS[key] if key else None


def check_targets(summary: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The national targets, judged on the default flow's medians (memory: every run's median
    peak) and the funder PDF's median compile; the latest scope is not judged (see print_table)."""
    verdicts: dict[str, dict[str, Any]] = {}

    def judge(key: str, value: float, limit: float) -> None:
        verdicts[key] = {"value": value, "limit": limit, "ok": value <= limit}

    for step, record in summary["steps"].items():
        if step not in RUN_STEPS:  # latest.*: informational
            continue
        judge(f"{step}.seconds", record["seconds"]["median"], TARGETS[SECONDS_TARGET[step]])
        judge(f"{step}.peak_mb", record["peak_mb"]["median"], TARGETS["peak_mb"])
    funder = summary["render"]["funder"]["seconds"]
    if funder is not None:
        judge("render.funder.seconds", funder["median"], TARGETS["render_funder_pdf_s"])
    for name, record in summary["sql"].items():
        judge(f"sql.{name}.in_process_ms", record["in_process_ms"]["median"], TARGETS["query_ms"])
    return verdicts


def _fmt(s: dict[str, float] | None, digits: int = 2) -> str:
    if s is None:
        return "-"
    if s["n"] == 1 or s["min"] == s["max"]:
        return f"{s['median']:.{digits}f}"
    return f"{s['median']:.{digits}f} ({s['min']:.{digits}f}–{s['max']:.{digits}f})"


def _verdict(verdicts: dict[str, dict[str, Any]] | None, key: str, unit: str) -> str:
    if not verdicts or key not in verdicts:
        return ""
    v = verdicts[key]
    return f"≤ {v['limit']:g} {unit} {'OK' if v['ok'] else 'OVER'}"


def _informational(value: float, limit: float | None, unit: str) -> str:
    if limit is None:
        return ""
    return f"(≤ {limit:g} {unit} {'ok' if value <= limit else 'over'}, not judged)"


def _expected(r: dict[str, Any]) -> str:
    if r["pdfs_expected"] is None:
        return "-"
    return f"{'≥' if r['pdfs_expected_at_least'] else ''}{r['pdfs_expected']}"


def print_table(size: str, result: dict[str, Any]) -> None:
    summary, verdicts = result["summary"], result.get("targets")
    w = result["workload"]
    gen = f"generated in {result['generate_seconds']:.1f} s" if result["generate_seconds"] is not None else "reused"
    say()
    say(
        f"=== {size}: {w['regions']} regions, {w['files']} files, {w['rows']} rows ({gen}); "
        f"median (min–max) of {len(result['repeats'])} repeat(s) ==="
    )
    say("run: `ipsetl run` (all tertiaries with data and the draft: the main figures); latest.*: --tertiaries latest")
    say(f"{'run':<30} {'seconds':>20} {'peak MB':>16} {'PDFs':>6} {'expect':>6} {'total':>6}  targets")
    for step, r in summary["steps"].items():
        if step in RUN_STEPS:
            marks = "  ".join(
                x
                for x in (_verdict(verdicts, f"{step}.seconds", "s"), _verdict(verdicts, f"{step}.peak_mb", "MB"))
                if x
            )
        elif verdicts is not None:  # the latest scope beside the main figures, against the same limits
            marks = _informational(r["seconds"]["median"], _limit(step), "s")
        else:
            marks = ""
        if r["code_changed_runs"]:
            marks += f"  (code edited during {r['code_changed_runs']} run(s))"
        say(
            f"{step:<30} {_fmt(r['seconds']):>20} {_fmt(r['peak_mb'], 0):>16} "
            f"{_fmt(r['pdfs_rendered'], 0):>6} {_expected(r):>6} {r['pdfs_in_reports']:>6}  {marks}"
        )
    say("(PDFs: rendered by the run; expect: - not checked, ≥N at least; total: PDFs in the reports folder after it)")
    # The runs that rendered reports (a no-change run ends at "Ei muutoksia", before any of the marks).
    full_steps = [step for step, r in summary["steps"].items() if r["phases"]["rendering"] is not None]
    if full_steps:
        heads = [label for _, _, label in PHASES.values()] + ["1st Raportit", "ms/PDF"]
        say(f"{'where the time goes (s, median)':<30} " + " ".join(f"{h:>13}" for h in heads))
        for step in full_steps:
            r = summary["steps"][step]
            cells = [r["phases"][name] for name in PHASES] + [r["until_first_reports_s"]]
            text = [f"{c['median']:.2f}" if c else "-" for c in cells]
            rendered, rendering = r["pdfs_rendered"]["median"], r["phases"]["rendering"]
            text.append(f"{rendering['median'] / rendered * 1000:.0f}" if rendering and rendered else "-")
            say(f"{step:<30} " + " ".join(f"{x:>13}" for x in text))
        say(
            "(start-up: until 'Ajo alkaa'; to Raportit: on to the first 'Raportit' line (ingest, marts, checks, "
            "Dagster); of it: files: until the last new file's line; report start: to 'PDF-tiedostoja "
            "muodostetaan'; rendering: to '…muodostettu' (the contexts are built meanwhile); finish: to "
            "'Valmis'; status: to the exit; 1st Raportit: seconds from the start; ms/PDF: rendering / PDFs)"
        )
    say(f"{'sql query':<30} {'query time ms':>20} {'ipsetl sql incl. start-up ms':>30} {'rows':>5}  targets")
    for name, r in summary["sql"].items():
        say(
            f"{name:<30} {_fmt(r['in_process_ms']):>20} {_fmt(r['cli_ms'], 0):>30} {r['rows']:>5}  "
            f"{_verdict(verdicts, f'sql.{name}.in_process_ms', 'ms')}"
        )
    say(f"{'render in process (s)':<30} {'context':>20} {'model+HTML':>22} {'PDF (Typst)':>22} {'pages':>10}  targets")
    for kind, r in summary["render"].items():
        mark = _verdict(verdicts, f"render.{kind}.seconds", "s")
        say(
            f"{kind:<30} {_fmt(r['context_seconds'], 3):>20} {_fmt(r['model_html_seconds'], 3):>22} "
            f"{_fmt(r['seconds'], 3):>22} {_fmt(r['pages'], 0):>10}  {mark}"
        )
    if verdicts:
        over = [k for k, v in verdicts.items() if not v["ok"]]
        say(f"targets: {len(verdicts) - len(over)}/{len(verdicts)} OK" + (f"; OVER: {', '.join(over)}" if over else ""))


def _ratio(b: float, a: float) -> float:
    return b / a if a > 0 else float("inf")


def scaling(national: dict[str, Any], x10: dict[str, Any]) -> dict[str, Any]:
    """x10 / national for every median: how the work grows with ten times the data; the default
    flow's run times judged against TARGETS["x10_time_ratio"] (x10 load ≤ x10 time)."""
    a, b = national["summary"], x10["summary"]
    out: dict[str, Any] = {"rows_ratio": x10["workload"]["rows"] / max(1, national["workload"]["rows"])}
    targets: dict[str, dict[str, Any]] = {}
    for step in STEP_NAMES:
        if step in a["steps"] and step in b["steps"]:
            out[step] = {
                m: _ratio(b["steps"][step][m]["median"], a["steps"][step][m]["median"]) for m in ("seconds", "peak_mb")
            }
            if step in RUN_STEPS:
                limit = TARGETS["x10_time_ratio"]
                value = out[step]["seconds"]
                targets[f"{step}.seconds_ratio"] = {"value": value, "limit": limit, "ok": value <= limit}
    for name in QUERIES:
        out[f"sql.{name}"] = {
            m: _ratio(b["sql"][name][m]["median"], a["sql"][name][m]["median"]) for m in ("in_process_ms", "cli_ms")
        }
    for kind in ("funder", "regional"):
        out[f"render.{kind}"] = {
            m: _ratio(b["render"][kind][m]["median"], a["render"][kind][m]["median"])
            for m in ("model_html_seconds", "seconds", "pages")
        }
    out["targets"] = targets
    return out


def print_scaling(ratios: dict[str, Any]) -> None:
    say()
    say(f"=== scaling national → x10 (×{ratios['rows_ratio']:.1f} rows) ===")
    targets = ratios.get("targets", {})
    for key, r in ratios.items():
        if key in ("rows_ratio", "targets"):
            continue
        parts = [f"×{v:.2f} {m.replace('_', ' ')}" for m, v in r.items()]
        verdict = targets.get(f"{key}.seconds_ratio")
        mark = f"  time ≤ ×{verdict['limit']:g} {'OK' if verdict['ok'] else 'OVER'}" if verdict else ""
        say(f"{key:<32} ×10 data → " + ", ".join(parts) + mark)
    if targets:
        over = [k for k, v in targets.items() if not v["ok"]]
        say(
            f"scaling targets: {len(targets) - len(over)}/{len(targets)} OK"
            + (f"; OVER: {', '.join(over)}" if over else "")
        )


# --- machine and main ------------------------------------------------------------------------


def machine_info() -> dict[str, Any]:
    """Enough to tell two result files' machines and code apart."""
    from importlib.metadata import version

    info: dict[str, Any] = {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        info["cpu_model"] = next(
            (ln.split(":", 1)[1].strip() for ln in cpuinfo.splitlines() if ln.startswith("model name")), None
        )
        meminfo = Path("/proc/meminfo").read_text()
        kb = next(int(ln.split()[1]) for ln in meminfo.splitlines() if ln.startswith("MemTotal:"))
        info["ram_gb"] = round(kb / 1024 / 1024, 1)
    except (OSError, StopIteration):
        pass
    for package in ("ipsetl", "duckdb", "typst", "jinja2", "dagster", "pandas"):
        try:
            info[f"{package}_version"] = version(package)
        except Exception:  # noqa: BLE001 - an optional detail
            pass
    git_env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}  # read-only: never touch the index
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, env=git_env)
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env=git_env,
        )
        info["git_commit"] = head.stdout.strip() or None
        info["git_dirty"] = bool(dirty.stdout.strip())
    except OSError:
        pass
    return info


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(SIZES), help="comma-separated: small,national,x10")
    parser.add_argument(
        "--scopes",
        default=",".join(SCOPES),
        help="comma-separated: all (the default flow, the main figures), latest (--tertiaries latest); default both",
    )
    parser.add_argument("--repeat", type=int, default=3, help="measured sequences per size (default 3)")
    parser.add_argument("--json", type=Path, default=RESULTS / "latest.json", help="where to write the results")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directories for inspection")
    parser.add_argument("--skip-generate", action="store_true", help="reuse benchmarks/data/<size> if present")
    args = parser.parse_args(argv)
    args.sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in args.sizes if s not in SIZES]
    if unknown or not args.sizes:
        parser.error(f"--sizes: choose from {', '.join(SIZES)} (got {args.sizes})")
    chosen = {x.strip() for x in args.scopes.split(",") if x.strip()}
    if not chosen or chosen - set(SCOPES):
        parser.error(f"--scopes: choose from {', '.join(SCOPES)} (got {args.scopes!r})")
    args.scopes = [x for x in SCOPES if x in chosen]  # the default flow first: the main figures
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def write_json(path: Path, report: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")


def benchmark_size(size: str, args: argparse.Namespace) -> dict[str, Any]:
    workload, gen_seconds = prepare_load(size, args.skip_generate)
    how = f"generated in {gen_seconds:.1f} s" if gen_seconds is not None else "reused (--skip-generate)"
    say(f"{size}: {workload.regions} regions, {workload.files} files, {workload.rows} rows, {how}: {workload.root}")
    repeats = [run_repeat(workload, i, args.repeat, args.scopes, args.keep) for i in range(args.repeat)]
    result: dict[str, Any] = {
        "workload": {
            "regions": workload.regions,
            "files": workload.files,
            "rows": workload.rows,
            "root": str(workload.root),
            "next_file": str(workload.next_file) if workload.next_file else None,
        },
        "generate_seconds": gen_seconds,
        "repeats": repeats,
        "summary": summarise(repeats),
    }
    if size == "national":
        result["targets"] = check_targets(result["summary"])
    return result


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not IPSETL.exists():
        say(f"{IPSETL} missing: run scripts/setup first")
        return 2
    missing = [f for _, f in QUERIES.values() if not (SQL_EXAMPLES / f).exists()]
    report: dict[str, Any] = {
        "machine": machine_info(),
        "as_of": AS_OF.isoformat(),
        "repeat": args.repeat,
        "scopes": {scope: ["run", *SCOPES[scope][1]] for scope in args.scopes},
        "targets": TARGETS,
        "queries": {name: {"sql": q, "docs_example": f} for name, (q, f) in QUERIES.items()},
        "docs_examples_missing": missing,
        "sizes": {},
    }
    m = report["machine"]
    say(
        f"machine: {m.get('cpu_model')} × {m['cpu_count']}, {m.get('ram_gb')} GB RAM, Python {m['python']}, "
        f"{m['date']}, commit {str(m.get('git_commit'))[:10]}{' (dirty)' if m.get('git_dirty') else ''}"
    )
    if missing:
        say(f"note: docs/sql-examples missing: {', '.join(missing)}")
    try:
        for size in args.sizes:
            report["sizes"][size] = benchmark_size(size, args)
            print_table(size, report["sizes"][size])
            write_json(args.json, report)
            say()
    except BenchmarkError as exc:
        report["error"] = str(exc)
        write_json(args.json, report)
        say(f"\nBENCHMARK FAILED: {exc}")
        return 1
    if len(report["sizes"]) > 1:  # the tables again, together, after the progress lines of every size
        for size, result in report["sizes"].items():
            print_table(size, result)
    if "national" in report["sizes"] and "x10" in report["sizes"]:
        report["scaling"] = scaling(report["sizes"]["national"], report["sizes"]["x10"])
        print_scaling(report["scaling"])
    write_json(args.json, report)
    say(f"results: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
