"""Benchmark harness: time the `ipsetl` command on the benchmark loads, as a user would run it.

`python -m benchmarks.run [--sizes small,national,x10] [--repeat N] [--json PATH] [--keep] [--skip-generate]`

Per load (benchmarks.generate) and repeat, in a fresh temporary directory (a copy of the inbox, a new
warehouse, reports folder and DAGSTER_HOME), the sequence a coordinator goes through:

  full                    `ipsetl run … --tertiaries latest` on an empty warehouse
  no_change               the same again, nothing new in the inbox
  incremental_next_round  the next month's export added (current tertiary: no report should change)
  incremental_correction  one region corrects its last window of the latest complete tertiary
                          (every report of it re-renders: each shows the national figures)
  sql                     three typical queries: in-process DuckDB time and `ipsetl sql` incl. start-up
  render                  seconds and pages per PDF (funder, regional), WeasyPrint in this process

Every CLI run is a subprocess: wall time around it, and peak memory as the largest sum of PSS
(proportional set size: shared pages split between the processes sharing them) over the process and
all its descendants (parse and PDF workers), sampled every 100 ms. Results: a table per
load (median and min–max of the repeats), national figures against their targets, national → x10
scaling, and everything as JSON (default benchmarks/results/latest.json).
"""

from __future__ import annotations

import argparse
import hashlib
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
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.generate import AS_OF, SIZES, Workload, generate, region_list
from ipsetl.runner import new_dagster_home

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"
RESULTS = ROOT / "benchmarks" / "results"
IPSETL = ROOT / ".venv" / "bin" / "ipsetl"
SQL_EXAMPLES = ROOT / "docs" / "sql-examples"

RUN_STEPS = ("full", "no_change", "incremental_next_round", "incremental_correction")
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
# National targets. "Incremental run after one new file": the next monthly export, the file a
# coordinator drops every round. A correction of a reported tertiary is measured too but has no
# time target: it changes that tertiary's figures, so all its reports are rendered again (22 PDFs,
# each regional report shows the national figures), which alone takes longer than 10 s here.
TARGETS = {
    "full_s": 30.0,
    "no_change_s": 5.0,
    "incremental_s": 10.0,
    "query_ms": 100.0,
    "peak_mb": 500.0,
}
SECONDS_TARGET = {"full": "full_s", "no_change": "no_change_s", "incremental_next_round": "incremental_s"}
# The code a run executes: edited while the benchmark runs, a report's fingerprint changes and the
# run re-renders it; such a step is flagged rather than silently counted as a regression.
CODE_DIRS = ("ipsetl", "pipelines", "templates", "warehouse/sql", "schemas")
PDF_LINE = re.compile(r"PDF-tiedostoja muodostettu: (\d+) \(muuttumattomia (\d+)\)")


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
    """Samples the process tree's memory (PSS) every 20 ms and keeps the peak: ru_maxrss of RUSAGE_CHILDREN
    is a running maximum over all children ever waited for, so it says nothing about the 2nd run."""

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


def run_cli(args: list[str], env: dict[str, str], log: Path | None = None) -> CliResult:
    """Run `.venv/bin/ipsetl ARGS` from the project root; a non-zero exit stops the benchmark."""
    cmd = [str(IPSETL), *args]
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace"
    )
    sampler = TreeSampler(proc.pid)
    sampler.start()
    try:
        out, err = proc.communicate()
    finally:
        seconds = time.perf_counter() - start
        sampler.stop()
    if log is not None:
        log.write_text(f"$ {' '.join(cmd)}\n--- stdout\n{out}\n--- stderr\n{err}", encoding="utf-8")
    if proc.returncode != 0:
        tail = "\n".join((err or out).strip().splitlines()[-25:])
        raise BenchmarkError(f"`ipsetl {' '.join(args[:1])}` exited {proc.returncode}:\n$ {' '.join(cmd)}\n{tail}")
    return CliResult(seconds, sampler.peak_kb / 1024, sampler.max_processes, out + err)


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
    changed by one and submitted ten days later: the kind of file that must re-render exactly two
    reports (the funder report and the region's own)."""
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


_TINY_HTML = "<!doctype html><html><body><h1>Lämmittely</h1><p>Fontit ja asettelu latautuvat.</p></body></html>"


def measure_render(folder: Path, work: Path, label: str) -> dict[str, list[dict[str, Any]]]:
    """Seconds and pages per PDF for the funder report and three regional reports, WeasyPrint in this
    process after a warm-up, so that neither Python start-up nor the first import is counted."""
    from pypdf import PdfReader

    from ipsetl.reports.render import write_pdf

    out = work / "render"
    out.mkdir(exist_ok=True)
    warm = out / "warm-up.html"
    warm.write_text(_TINY_HTML, encoding="utf-8")
    write_pdf(warm, out / "warm-up.pdf")
    funder = folder / f"rahoittajaraportti_{label}.html"
    regional = sorted(folder.glob(f"alueraportti_*_{label}.html"))
    if not funder.exists() or not regional:
        raise BenchmarkError(f"no funder or regional report HTML in {folder}")
    preferred = folder / f"alueraportti_{CORRECTION_REGION}_{label}.html"
    step = max(1, len(regional) // REGIONAL_RENDER_SAMPLES)
    picks = ([preferred] if preferred in regional else []) + [p for p in regional[::step] if p != preferred]
    results: dict[str, list[dict[str, Any]]] = {"funder": [], "regional": []}
    for kind, html in [("funder", funder)] + [("regional", p) for p in picks[:REGIONAL_RENDER_SAMPLES]]:
        pdf = out / html.with_suffix(".pdf").name
        start = time.perf_counter()
        write_pdf(html, pdf)
        seconds = time.perf_counter() - start
        results[kind].append({"file": html.name, "seconds": seconds, "pages": len(PdfReader(pdf).pages)})
    return results


# --- one repeat ------------------------------------------------------------------------------


def run_step(
    step: str, args: list[str], env: dict[str, str], work: Path, tag: str, stamps: list[str], expected: int | None
) -> dict[str, Any]:
    """One `ipsetl run`; `expected`: the PDFs it should render (None: not checked). `stamps`: the code
    stamp at the start of each earlier step; an edit since the start of the previous run (which may
    have fingerprinted its reports with the old code) is flagged, as it re-renders every report."""
    stamps.append(code_state())
    load = os.getloadavg()[0]  # other work on the machine (tests, an editor's build) skews the timing
    result = run_cli(args, env, work / f"{step}.log")
    code_changed = code_state() != stamps[max(0, len(stamps) - 2)]
    rendered, unchanged = pdf_counts(result.output)
    record = {
        "seconds": result.seconds,
        "peak_mb": result.peak_mb,
        "max_processes": result.max_processes,
        "pdfs_rendered": rendered,
        "pdfs_unchanged": unchanged,
        "pdfs_expected": expected,
        "code_changed": code_changed,
        "loadavg_1min_before": load,
    }
    check = "" if expected is None or expected == rendered else f"  ** expected {expected} PDFs **"
    check += "  ** ipsetl code edited since the previous run **" if code_changed else ""
    say(
        f"  {tag} {step:<24} {result.seconds:8.2f} s  peak {result.peak_mb:7.1f} MB  "
        f"PDFs {rendered} (unchanged {unchanged if unchanged is not None else '-'})  load {load:.1f}{check}"
    )
    return record


def run_repeat(workload: Workload, index: int, repeats: int, keep: bool) -> dict[str, Any]:
    """One measured sequence in its own temporary directory (removed afterwards unless --keep)."""
    tag = f"[{workload.size} {index + 1}/{repeats}]"
    work = Path(tempfile.mkdtemp(prefix=f"ipsetl-bench-{workload.size}-"))
    try:
        inbox = work / "inbox"
        shutil.copytree(workload.inbox, inbox)
        dagster_home = new_dagster_home(work / "dagster_home")
        warehouse, reports = work / "warehouse" / "ipsetl.duckdb", work / "reports"
        warehouse.parent.mkdir()
        env = run_env(workload, dagster_home)
        args = ["run", "--inbox", str(inbox), "--warehouse", str(warehouse), "--reports", str(reports)]
        args += ["--as-of", AS_OF.isoformat(), "--tertiaries", "latest"]
        say(f"  {tag} in {work}")
        steps: dict[str, dict[str, Any]] = {}
        stamps: list[str] = []
        steps["full"] = run_step("full", args, env, work, tag, stamps, None)
        steps["no_change"] = run_step("no_change", args, env, work, tag, stamps, 0)
        if workload.next_file is not None:
            shutil.copy2(workload.next_file, inbox / workload.next_file.name)
            steps["incremental_next_round"] = run_step("incremental_next_round", args, env, work, tag, stamps, 0)
        else:
            say(f"  {tag} incremental_next_round   skipped: the {workload.size} load has no next/ file")
        correction = write_correction(warehouse, inbox)
        say(f"  {tag} correction file: {correction['file']} ({correction['tertiary']})")
        # Every report of the tertiary, not two: each regional report shows the national figures
        # (clients employed, employment rate) beside the region's, and the correction moves them.
        every = steps["full"]["pdfs_rendered"]
        steps["incremental_correction"] = run_step("incremental_correction", args, env, work, tag, stamps, every)
        queries = measure_queries(warehouse, env, work)
        for name, q in queries.items():
            say(f"  {tag} sql {name:<22} {q['in_process_ms']:8.2f} ms in-process  {q['cli_ms']:8.0f} ms ipsetl sql")
        label = correction["tertiary"]
        render = measure_render(reports / label, work, label)
        for kind, samples in render.items():
            for s in samples:
                say(f"  {tag} render {kind:<9} {s['seconds']:6.2f} s  {s['pages']:3d} pages  {s['file']}")
        return {"workdir": str(work), "steps": steps, "correction": correction, "sql": queries, "render": render}
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
    for step in RUN_STEPS:
        runs = [r["steps"][step] for r in repeats if step in r["steps"]]
        if runs:
            steps[step] = {
                "seconds": stats([x["seconds"] for x in runs]),
                "peak_mb": stats([x["peak_mb"] for x in runs]),
                "pdfs_rendered": stats([x["pdfs_rendered"] for x in runs]),
                "pdfs_expected": runs[0]["pdfs_expected"],
                "code_changed_runs": sum(bool(x.get("code_changed")) for x in runs),
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
            "seconds": stats([s["seconds"] for r in repeats for s in r["render"][kind]]),
            "pages": stats([s["pages"] for r in repeats for s in r["render"][kind]]),
        }
        for kind in ("funder", "regional")
    }
    return {"steps": steps, "sql": sql, "render": render}


def check_targets(summary: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The national targets, judged on the medians (and memory on every run's median peak)."""
    verdicts: dict[str, dict[str, Any]] = {}

    def judge(key: str, value: float, limit: float) -> None:
        verdicts[key] = {"value": value, "limit": limit, "ok": value <= limit}

    steps = summary["steps"]
    for step, record in steps.items():
        if step in SECONDS_TARGET:
            judge(f"{step}.seconds", record["seconds"]["median"], TARGETS[SECONDS_TARGET[step]])
        judge(f"{step}.peak_mb", record["peak_mb"]["median"], TARGETS["peak_mb"])
    for name, record in summary["sql"].items():
        judge(f"sql.{name}.in_process_ms", record["in_process_ms"]["median"], TARGETS["query_ms"])
    return verdicts


def _fmt(s: dict[str, float] | None, digits: int = 2) -> str:
    if s is None:
        return "-"
    if s["n"] == 1:
        return f"{s['median']:.{digits}f}"
    return f"{s['median']:.{digits}f} ({s['min']:.{digits}f}–{s['max']:.{digits}f})"


def _verdict(verdicts: dict[str, dict[str, Any]] | None, key: str, unit: str) -> str:
    if not verdicts or key not in verdicts:
        return ""
    v = verdicts[key]
    return f"≤ {v['limit']:g} {unit} {'OK' if v['ok'] else 'OVER'}"


def print_table(size: str, result: dict[str, Any]) -> None:
    summary, verdicts = result["summary"], result.get("targets")
    w = result["workload"]
    gen = f"generated in {result['generate_seconds']:.1f} s" if result["generate_seconds"] is not None else "reused"
    say()
    say(
        f"=== {size}: {w['regions']} regions, {w['files']} files, {w['rows']} rows ({gen}); "
        f"median (min–max) of {len(result['repeats'])} repeat(s) ==="
    )
    say(f"{'run':<24} {'seconds':>24} {'peak MB':>24} {'PDFs':>6} {'expect':>6}  targets")
    for step, r in summary["steps"].items():
        marks = "  ".join(
            x for x in (_verdict(verdicts, f"{step}.seconds", "s"), _verdict(verdicts, f"{step}.peak_mb", "MB")) if x
        )
        expected = "-" if r["pdfs_expected"] is None else str(r["pdfs_expected"])
        if verdicts and step not in SECONDS_TARGET:
            marks += "  (no time target: the tertiary's reports are all rendered again)"
        if r["code_changed_runs"]:
            marks += f"  (code edited during {r['code_changed_runs']} run(s))"
        say(
            f"{step:<24} {_fmt(r['seconds']):>24} {_fmt(r['peak_mb'], 0):>24} "
            f"{_fmt(r['pdfs_rendered'], 0):>6} {expected:>6}  {marks}"
        )
    say(f"{'sql query':<24} {'query time ms':>24} {'ipsetl sql incl. start-up ms':>30} {'rows':>5}  targets")
    for name, r in summary["sql"].items():
        say(
            f"{name:<24} {_fmt(r['in_process_ms']):>24} {_fmt(r['cli_ms'], 0):>30} {r['rows']:>5}  "
            f"{_verdict(verdicts, f'sql.{name}.in_process_ms', 'ms')}"
        )
    say(f"{'render per PDF':<24} {'seconds':>24} {'pages':>24}")
    for kind, r in summary["render"].items():
        say(f"{kind:<24} {_fmt(r['seconds']):>24} {_fmt(r['pages'], 0):>24}")
    if verdicts:
        over = [k for k, v in verdicts.items() if not v["ok"]]
        say(f"targets: {len(verdicts) - len(over)}/{len(verdicts)} OK" + (f"; OVER: {', '.join(over)}" if over else ""))


def scaling(national: dict[str, Any], x10: dict[str, Any]) -> dict[str, Any]:
    """x10 / national for every median: how the work grows with ten times the data."""
    a, b = national["summary"], x10["summary"]
    out: dict[str, Any] = {"rows_ratio": x10["workload"]["rows"] / max(1, national["workload"]["rows"])}
    for step in RUN_STEPS:
        if step in a["steps"] and step in b["steps"]:
            out[step] = {
                m: b["steps"][step][m]["median"] / a["steps"][step][m]["median"] for m in ("seconds", "peak_mb")
            }
    for name in QUERIES:
        out[f"sql.{name}"] = {
            m: b["sql"][name][m]["median"] / a["sql"][name][m]["median"] for m in ("in_process_ms", "cli_ms")
        }
    for kind in ("funder", "regional"):
        out[f"render.{kind}"] = {
            "seconds": b["render"][kind]["seconds"]["median"] / a["render"][kind]["seconds"]["median"]
        }
    return out


def print_scaling(ratios: dict[str, Any]) -> None:
    say()
    say(f"=== scaling national → x10 (×{ratios['rows_ratio']:.1f} rows) ===")
    for key, r in ratios.items():
        if key == "rows_ratio":
            continue
        parts = [f"×{v:.2f} {m.replace('_', ' ')}" for m, v in r.items()]
        say(f"{key:<32} ×10 data → " + ", ".join(parts))


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
    for package in ("ipsetl", "duckdb", "weasyprint", "dagster", "pandas"):
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
    parser.add_argument("--repeat", type=int, default=3, help="measured sequences per size (default 3)")
    parser.add_argument("--json", type=Path, default=RESULTS / "latest.json", help="where to write the results")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directories for inspection")
    parser.add_argument("--skip-generate", action="store_true", help="reuse benchmarks/data/<size> if present")
    args = parser.parse_args(argv)
    args.sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in args.sizes if s not in SIZES]
    if unknown or not args.sizes:
        parser.error(f"--sizes: choose from {', '.join(SIZES)} (got {args.sizes})")
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
    repeats = [run_repeat(workload, i, args.repeat, args.keep) for i in range(args.repeat)]
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
