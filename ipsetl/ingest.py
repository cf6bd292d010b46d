"""One ingestion run: inbox → parsed exports → one warehouse transaction.

Files are parsed before the warehouse is opened for writing, so the write lock is held only for
the short transaction; the transaction re-reads the registry, so a file registered meanwhile by
another run is not loaded twice. A failure anywhere before COMMIT leaves the warehouse as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from ipsetl import budget as budgets
from ipsetl import snapshots, warehouse
from ipsetl.budget import Budget
from ipsetl.findings import ERROR, WARNING
from ipsetl.forms import form_versions, region_names, schema_fingerprint
from ipsetl.inbox import Entry, scan
from ipsetl.supersede import Response, active_keys

if TYPE_CHECKING:
    import pandas as pd

    from ipsetl.reader import ParsedExport

# pandas, pandera and the reader are imported when a file is to be read: a run with nothing new
# (and `ipsetl run`'s up-to-date check) does not pay the second it takes to import them.

Progress = Callable[[str], None]


@dataclass
class FileOutcome:
    file_name: str
    status: str  # loaded / duplicate / rejected / known
    form_version: str | None = None
    rows_total: int = 0
    rows_accepted: int = 0
    rows_rejected: int = 0
    errors: int = 0
    warnings: int = 0
    duplicate_of: str | None = None
    message: str | None = None


@dataclass
class IngestSummary:
    files: list[FileOutcome] = field(default_factory=list)
    windows_active: int = 0
    assessments_active: int = 0
    superseded: int = 0

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def new_files(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status != "known"]

    @property
    def findings_by_severity(self) -> dict[str, int]:
        return {
            ERROR: sum(f.errors for f in self.files),
            WARNING: sum(f.warnings for f in self.files),
        }


@dataclass
class Registry:
    """What the warehouse already knows: (file_name, sha256) → (file_seq, status, schema fingerprint)."""

    entries: dict[tuple[str, str], tuple[int, str, str | None]] = field(default_factory=dict)
    first_by_sha: dict[str, str] = field(default_factory=dict)  # sha256 → the first file registered with it

    def needs_reread(self, key: tuple[str, str], fingerprint: str) -> int | None:
        """The file_seq of a registered file read under other form definitions, or None.

        Adding a region or a reworded question to schemas/ must take effect on files already
        in the inbox, as the findings' messages promise; duplicates follow their original.
        """
        seq, status, seen = self.entries[key]
        return seq if status != "duplicate" and seen != fingerprint else None


def registry_of(con: duckdb.DuckDBPyConnection) -> Registry:
    reg = Registry()
    if not warehouse.has_schema(con):
        return reg
    rows = con.execute(
        "SELECT file_name, sha256, file_seq, status, schema_fingerprint FROM raw.source_file ORDER BY file_seq"
    ).fetchall()
    for name, sha, seq, status, fingerprint in rows:
        reg.first_by_sha.setdefault(sha, name)
        reg.entries[(name, sha)] = (seq, status, fingerprint)
    return reg


def read_registry(path: Path, wait_s: float, on_wait: Progress | None) -> Registry:
    if not path.exists():
        return Registry()
    with warehouse.connect(path, read_only=True, wait_s=wait_s, on_wait=on_wait) as con:
        return registry_of(con)


@dataclass
class Pending:
    name: str
    sha256: str
    size_bytes: int
    parsed: ParsedExport | None  # None for a duplicate
    duplicate_of: str | None = None
    reread_seq: int | None = None  # a registered file read again under changed form definitions


PARALLEL_FROM = 8  # files to parse before a second process pays for its start (about a second)
BATCH = 16  # files validated in one pandera pass: its cost is per pass, not per row
PARSE_WORKER = "ipsetl.parse_worker"


def probably_new(inbox: Path, warehouse_path: Path) -> int:
    """How many inbox files the warehouse has probably not read, judged by name only (cheap: no
    hashing, no parsing): a hint for starting the reading workers before Dagster starts up."""
    names = [e.name for e in scan(inbox) if e.readable]
    if not names or not warehouse_path.exists():
        return len(names)
    from ipsetl import warehouse

    try:
        with warehouse.connect(warehouse_path, read_only=True, wait_s=0) as con:
            known = {row[0] for row in con.execute("SELECT file_name FROM raw.source_file").fetchall()}
    except Exception:  # noqa: BLE001 - only a hint; the run itself reports an unreadable warehouse
        return 0
    return sum(name not in known for name in names)


def plan_run(
    inbox: Path, registry: Registry, max_bytes: int, progress: Progress, budget: Budget | None = None
) -> list[Pending]:
    """Parse every inbox file that is new, or was read under other form definitions (no writes).

    Files are parsed by worker processes only (one per core for many files), in batches validated
    together (a pandera pass costs the same for one file or sixteen). An entry that is not a
    regular file is refused here, by its `lstat`, without being opened."""
    entries = scan(inbox)
    fingerprint = schema_fingerprint()
    seen_sha = dict(registry.first_by_sha)
    planned: list[tuple[int, Entry, str, int | None, str | None]] = []
    for i, entry in enumerate(entries, 1):
        try:
            sha = entry.key(max_bytes)
        except OSError:  # gone, or swapped for something else, since the scan: the next run sees it
            continue
        reread = None
        if (entry.name, sha) in registry.entries:
            reread = registry.needs_reread((entry.name, sha), fingerprint)
            if reread is None:
                continue
        duplicate_of = seen_sha[sha] if reread is None and sha in seen_sha and entry.readable else None
        seen_sha.setdefault(sha, entry.name)
        planned.append((i, entry, sha, reread, duplicate_of))
    to_parse = [(e.target or e.path, e.name) for _, e, _, _, dup in planned if dup is None and e.readable]
    parsed = iter(_parse_all(to_parse, max_bytes, budget or budgets.from_env()))
    pending: list[Pending] = []
    for i, entry, sha, reread, duplicate_of in planned:
        name = entry.name
        if duplicate_of is not None:
            progress(f"[{i}/{len(entries)}] {name}: sama sisältö kuin tiedostossa {duplicate_of}, ei ladata uudelleen")
            pending.append(Pending(name, sha, entry.size, None, duplicate_of))
            continue
        result = next(parsed) if entry.readable else not_a_file(entry, sha)
        again = " (luettu uudelleen: lomakemääritykset ovat muuttuneet)" if reread else ""
        progress(f"[{i}/{len(entries)}] {name}{again}: {describe(result)}")
        pending.append(Pending(name, sha, entry.size, result, reread_seq=reread))
    return pending


def not_a_file(entry: Entry, sha: str) -> ParsedExport:
    """The refused ParsedExport of an inbox entry that is not read (a folder, a FIFO, a bad link)."""
    from ipsetl.reader import refused

    return refused(entry.name, sha, "not_a_file", entry.refusal())


def _failed_file(name: str, failure, budget: Budget) -> ParsedExport:
    """The refused ParsedExport of a file whose reading worker died on it or overran its time."""
    from ipsetl.reader import memory_message, refused, time_message, unexpected_message

    if failure.kind == "timeout":
        return refused(name, "", "unreadable", time_message(budget.seconds))
    if failure.kind == "error":  # the worker raised (not a finding): the type, never a value
        return refused(name, "", "unreadable", unexpected_message(failure.reason.split(":", 1)[0][:60]))
    # the worker died: the kernel's OOM killer or a crash in C code, both far past any export's needs
    return refused(name, "", "file_too_large", memory_message(budget.memory_mb))


def _batch_seconds(budget: Budget, files: int) -> float:
    """How long the run waits for a worker's batch before killing it: each file's own budget (the
    worker interrupts a file that overruns it), the batch's validation, and a margin."""
    return budget.seconds * files + 30 + 5 * files


def _parse_all(files: list[tuple[Path, str]], max_bytes: int, budget: Budget):
    """read_export of each file, in order, always in worker processes under `budget`: the run's own
    process never parses a file. Batches are validated together (one pandera pass a batch). A
    worker that dies on a batch (out of memory in C code, a crash) or overruns it is replaced; that
    batch's files are read again one by one, and a file that kills its worker on its own is refused
    with a finding. The run goes on."""
    from ipsetl.workers import JobFailed, Pool, cores, take

    if not files:
        return
    warm = take(PARSE_WORKER)  # started by the runner when it saw new files
    size = 2 if len(files) >= PARALLEL_FROM and cores() > 1 else 1
    # Batches small enough that both workers stay busy to the end and progress keeps moving.
    per = max(1, min(BATCH, -(-len(files) // 8)))
    batches = [(max_bytes, files[i : i + per], budget) for i in range(0, len(files), per)]

    def describe(b) -> str:
        return ", ".join(name for _, name in b[1])

    def timeout(b) -> float:
        return _batch_seconds(budget, len(b[1]))

    with warm or Pool(PARSE_WORKER, size) as pool:
        done: list = []
        for result in pool.map(batches, describe=describe, timeout=timeout, tolerant=True):
            done.append(result)
            if not any(isinstance(r, JobFailed) for r in done):
                yield from done.pop()  # in order, as they come, until a batch fails
        if not done:
            return
        failed = [(max_bytes, [f], budget) for r in done if isinstance(r, JobFailed) for f in r.job[1]]
        alone = iter(pool.map(failed, describe=describe, timeout=timeout, tolerant=True))
        for result in done:
            if not isinstance(result, JobFailed):
                yield from result
                continue
            for _, name in result.job[1]:
                again = next(alone)
                yield _failed_file(name, again, budget) if isinstance(again, JobFailed) else again[0]


def describe(p: ParsedExport) -> str:
    if p.form is None:
        return "HYLÄTTY – " + (p.findings[0].message if p.findings else "ei luettavissa")
    warnings = sum(1 for f in p.findings if f.severity == WARNING)
    responses = "1 vastaus" if p.rows_total == 1 else f"{p.rows_total} vastausta"
    warned = "" if not warnings else ", 1 varoitus" if warnings == 1 else f", {warnings} varoitusta"
    return f"{p.form.name}, {responses}: {p.rows_accepted} hyväksytty, {p.rows_rejected} hylätty{warned}"


def _insert_frame(con, table: str, frame: pd.DataFrame) -> None:
    con.register("incoming", frame)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM incoming")
    finally:
        con.unregister("incoming")


SOURCE_FILE_INSERT = """INSERT INTO raw.source_file
    (file_seq, file_name, sha256, size_bytes, form, form_version, loaded_at, rows_total, rows_accepted,
     rows_rejected, status, duplicate_of, schema_fingerprint)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"""


def _write(con: duckdb.DuckDBPyConnection, pending: list[Pending], loaded_at: datetime) -> list[FileOutcome]:
    registry = registry_of(con)
    fingerprint = schema_fingerprint()
    seq = con.execute("SELECT coalesce(max(file_seq), 0) FROM raw.source_file").fetchone()[0]
    outcomes: list[FileOutcome] = []
    finding_rows: list[dict] = []
    # One INSERT per table and column layout, not one per file: each costs DuckDB a plan (15 ms).
    frames: dict[tuple, list[pd.DataFrame]] = {}
    for p in pending:
        key = (p.name, p.sha256)
        if key in registry.entries and registry.needs_reread(key, fingerprint) is None:
            continue  # another run registered (or re-read) it while we were parsing
        parsed = p.parsed
        duplicate_of = p.duplicate_of
        if duplicate_of is None and p.reread_seq is None and parsed is not None:
            duplicate_of = registry.first_by_sha.get(p.sha256)
        if duplicate_of is not None:
            seq += 1
            con.execute(
                SOURCE_FILE_INSERT,
                [
                    seq,
                    p.name,
                    p.sha256,
                    p.size_bytes,
                    None,
                    None,
                    loaded_at,
                    0,
                    0,
                    0,
                    "duplicate",
                    duplicate_of,
                    fingerprint,
                ],
            )
            outcomes.append(FileOutcome(p.name, "duplicate", duplicate_of=duplicate_of))
            registry.first_by_sha.setdefault(p.sha256, p.name)
            continue
        if p.reread_seq is not None:
            file_seq = p.reread_seq  # keeps its place in the precedence order
            for table in ("raw.monitoring_response", "raw.fidelity_response", "raw.finding", "raw.source_file"):
                con.execute(f"DELETE FROM {table} WHERE file_seq = ?", [file_seq])
        else:
            seq += 1
            file_seq = seq
        registry.first_by_sha.setdefault(p.sha256, p.name)
        form = parsed.form
        con.execute(
            SOURCE_FILE_INSERT,
            [
                file_seq,
                p.name,
                p.sha256,
                p.size_bytes,
                form.form if form else None,
                form.name if form else None,
                loaded_at,
                parsed.rows_total,
                parsed.rows_accepted,
                parsed.rows_rejected,
                parsed.status,
                None,
                fingerprint,
            ],
        )
        if form is not None and len(parsed.accepted):
            frame = parsed.accepted.drop(columns=["region"]).copy()
            frame.insert(0, "file_seq", file_seq)
            frame.insert(1, "source_file", p.name)
            frame["active"] = False
            table = "raw.monitoring_response" if form.form == "seuranta" else "raw.fidelity_response"
            frames.setdefault((table, tuple(frame.columns), tuple(map(str, frame.dtypes))), []).append(frame)
        for n, f in enumerate(parsed.findings, 1):
            finding_rows.append({"file_seq": file_seq, "finding_seq": n, **f.as_dict()})
        outcomes.append(
            FileOutcome(
                p.name,
                "reread" if p.reread_seq is not None else parsed.status,
                form.name if form else None,
                parsed.rows_total,
                parsed.rows_accepted,
                parsed.rows_rejected,
                errors=sum(1 for f in parsed.findings if f.severity == ERROR),
                warnings=sum(1 for f in parsed.findings if f.severity == WARNING),
                message=parsed.findings[0].message if form is None and parsed.findings else None,
            )
        )
    if not frames and not finding_rows:
        return outcomes
    import pandas as pd  # not on import of this module: a run with nothing new never needs it

    for (table, _, _), parts in frames.items():
        _insert_frame(con, table, pd.concat(parts, ignore_index=True))
    if finding_rows:
        frame = pd.DataFrame(finding_rows)
        frame["source_row"] = frame["source_row"].astype("Int64")
        _insert_frame(con, "raw.finding", frame)
    return outcomes


def _resolve(con: duckdb.DuckDBPyConnection, table: str, group_sql: str, start: str, end: str) -> None:
    """Recompute the resubmission verdict of every stored response of a history table."""
    rows = con.execute(
        f"SELECT file_seq, source_row, {group_sql}, {start}, {end}, submitted_at FROM {table}"
    ).fetchall()
    responses = [
        Response((fs, sr), tuple(g) if isinstance(g, list | tuple) else (g,), s, e, sub, fs, sr)
        for fs, sr, g, s, e, sub in rows
    ]
    verdict = active_keys(responses)
    import pandas as pd

    frame = pd.DataFrame(
        [(k[0], k[1], w is None, w[0] if w else None, w[1] if w else None) for k, w in verdict.items()],
        columns=["file_seq", "source_row", "active", "by_seq", "by_row"],
    ).astype({"by_seq": "Int64", "by_row": "Int64"})
    con.register("verdict", frame)
    try:
        con.execute(
            f"""UPDATE {table} AS t SET active = v.active, superseded_by_file_seq = v.by_seq,
                superseded_by_row = v.by_row
                FROM verdict AS v WHERE t.file_seq = v.file_seq AND t.source_row = v.source_row
                AND (t.active IS DISTINCT FROM v.active
                     OR t.superseded_by_file_seq IS DISTINCT FROM v.by_seq
                     OR t.superseded_by_row IS DISTINCT FROM v.by_row)"""
        )
    finally:
        con.unregister("verdict")


def write_run(
    path: Path,
    pending: list[Pending],
    wait_s: float,
    progress: Progress,
    as_of: date | None = None,
    loaded_at: datetime | None = None,
) -> list[FileOutcome]:
    """Everything a run writes, in one transaction: schema, files, rows, findings, verdicts, as-of date."""
    loaded_at = loaded_at or datetime.now().replace(microsecond=0)
    existed = Path(path).exists()

    def keep_replaced(old: Path) -> None:
        snap = snapshots.keep_old(old)
        if snap:
            progress(f"Varmuuskopio ennen kirjoitusta: {snap.path}")

    with warehouse.publishing(path, wait_s=wait_s, on_wait=progress, snapshot=keep_replaced) as building:
        con = building.con
        changes = _will_change(con, pending, as_of or date.today()) or not warehouse.marts_current(con)
        if existed and not changes and not _regions_differ(con):
            building.discard()  # nothing new: the published file stays, no snapshot
            return []
        con.execute("BEGIN TRANSACTION")
        try:
            warehouse.apply_schema(con, refresh=False)
            con.executemany(
                "INSERT INTO raw.region VALUES (?, ?) "
                "ON CONFLICT (region_code) DO UPDATE SET region_name = excluded.region_name",
                sorted(region_names().items()),
            )
            con.execute(
                "INSERT INTO raw.settings VALUES ('as_of', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [(as_of or date.today()).isoformat()],
            )
            outcomes = _write(con, pending, loaded_at)
            _resolve(con, "raw.monitoring_response", "region_code", "period_start", "period_end")
            _resolve(con, "raw.fidelity_response", "[region_code, assessment_type]", "assessed_on", "assessed_on")
            if changes:  # new rows, another as-of date or new SQL: the marts are rebuilt with them
                warehouse.refresh_marts(con)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    snapshots.prune(path)
    return outcomes


def _regions_differ(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the region list (schemas/regions.csv or IPSETL_REGIONS_FILE) names a region the
    warehouse does not have, or names one differently."""
    stored = dict(con.execute("SELECT region_code, region_name FROM raw.region").fetchall())
    return any(stored.get(code) != name for code, name in region_names().items())


def _will_change(con: duckdb.DuckDBPyConnection, pending: list[Pending], as_of: date) -> bool:
    """Whether this run writes anything new: files to register, or another as-of date."""
    if pending or not warehouse.has_schema(con):
        return True
    row = con.execute("SELECT value FROM raw.settings WHERE key = 'as_of'").fetchone()
    return row is None or row[0] != as_of.isoformat()


def run_ingest(
    inbox: Path,
    warehouse_path: Path,
    max_bytes: int,
    wait_s: float = 300,
    progress: Progress | None = None,
    as_of: date | None = None,
) -> IngestSummary:
    progress = progress or (lambda _msg: None)
    # Every form version read (and checked) here, before the warehouse is opened: a hand-edited
    # version with a typo stops the run naming its file, instead of each reading worker refusing
    # every inbox file as unreadable.
    form_versions()
    registry = read_registry(warehouse_path, wait_s, progress)
    known = [e.name for e in scan(inbox)]
    pending = plan_run(inbox, registry, max_bytes, progress)
    outcomes = write_run(warehouse_path, pending, wait_s, progress, as_of)
    summary = IngestSummary(files=outcomes)
    new_names = {o.file_name for o in outcomes}
    summary.files += [FileOutcome(n, "known") for n in known if n not in new_names]
    with warehouse.connect(warehouse_path, read_only=True, wait_s=wait_s, on_wait=progress) as con:
        summary.windows_active = con.execute("SELECT count(*) FROM mart.monitoring_window").fetchone()[0]
        summary.assessments_active = con.execute("SELECT count(*) FROM mart.fidelity_assessment").fetchone()[0]
        summary.superseded = con.execute(
            "SELECT (SELECT count(*) FROM raw.monitoring_response WHERE NOT active)"
            " + (SELECT count(*) FROM raw.fidelity_response WHERE NOT active)"
        ).fetchone()[0]
    return summary
