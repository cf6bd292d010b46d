"""The DuckDB warehouse file: connections, schema, and how a run publishes what it wrote.

Readers never block runs and runs never tear readers: a run never writes the published file. It
copies it to a building file beside it, writes there in one transaction, checkpoints, fsyncs, and
renames the copy over `ipsetl.duckdb` (`publishing`). A connection opened before keeps reading the
state it opened (it holds the old inode); one opened after sees the new state. Writers exclude each
other with their own lock file (`ipsetl.duckdb.lock`, which names the run holding it), not DuckDB's,
so an open notebook cannot stop a run; a killed run leaves the published file as it was, and the
next run removes its half-built copy. The replaced file is the snapshot (hard-linked into
`snapshots/`, no second copy).

The file is written in DuckDB's storage version STORAGE_VERSION, not the engine's own (2.0 writes
"v2", which no DuckDB 1.x client opens: the DuckDB CLI on PyPI, the R package, DBeaver's JDBC and
the ODBC driver behind Excel and Power BI). A file found in a newer version is copied down to it
by the next writing connection.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import stat
import struct
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import TypeVar

import duckdb

from ipsetl import fiformat
from ipsetl.config import SQL_DIR

LOCK_MARKERS = ("Could not set lock", "Conflicting lock")
# Storage number 64, the oldest the current DuckDB 1.x CLI (1.5.6, which reads 64–68) opens. Named
# v1.1.0, the oldest client that reads the warehouse written so: DuckDB 1.0 cannot read its tables'
# PRIMARY KEYs even in storage 64 (tried: 1.0.0 fails; 1.1.0, 1.1.3, 1.2.2, 1.3.2, 1.5.6 read every
# mart table and macro). Nothing the warehouse uses (tables, constraints, views, macros) needs later.
STORAGE_VERSION = "v1.1.0"
STORAGE_TAG = "v1.0.0"  # how DuckDB names storage 64 in duckdb_databases().tags (the first release of it)
_WRITE_CONFIG = {"storage_compatibility_version": STORAGE_VERSION}
T = TypeVar("T")


class WarehouseBusy(RuntimeError):
    pass


def _is_lock_error(exc: Exception) -> bool:
    return any(m in str(exc) for m in LOCK_MARKERS)


@contextmanager
def connect(
    path: Path,
    read_only: bool = False,
    wait_s: float = 300,
    on_wait: Callable[[str], None] | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse to read it (runs write through `publishing`), waiting while a program
    outside ipsetl holds it for writing (a DuckDB session opened without -readonly). `read_only=False`
    is only for folding a leftover WAL into the published file (`publishing` does it)."""
    path = Path(path)

    def attempt() -> duckdb.DuckDBPyConnection | None:
        try:
            if read_only:
                return duckdb.connect(str(path), read_only=True)
            return duckdb.connect(str(path), config=_WRITE_CONFIG)
        except duckdb.IOException as exc:
            if not _is_lock_error(exc):
                raise
            return None

    con = _wait_for(
        attempt,
        wait_s,
        on_wait,
        waiting=lambda: f"Tietovarasto {path} on toisen ohjelman kirjoituskäytössä; odotetaan, että se vapautuu…",
        gave_up=lambda: (
            f"Tietovarasto {path} on toisen ohjelman kirjoituskäytössä (esim. DuckDB-istunto ilman "
            f"-readonly), eikä se vapautunut {fiformat.number(wait_s)} sekunnissa; yritä myöhemmin uudelleen."
        ),
    )
    try:
        yield con
    finally:
        con.close()


def _wait_for(
    attempt: Callable[[], T | None],
    wait_s: float,
    on_wait: Callable[[str], None] | None,
    waiting: Callable[[], str],
    gave_up: Callable[[], str],
    delay: float = 0.2,
    longest: float = 2.0,
) -> T:
    """`attempt()` again until it gives something (None: someone else holds what it needs), saying
    once that it waits (`waiting()`), and raising WarehouseBusy(`gave_up()`) after `wait_s`."""
    deadline = time.monotonic() + wait_s
    told = False
    while (got := attempt()) is None:
        if time.monotonic() >= deadline:
            raise WarehouseBusy(gave_up())
        if on_wait and not told:
            on_wait(waiting())
            told = True
        time.sleep(delay)
        delay = min(delay * 1.5, longest)
    return got


# --- writing: a lock of our own, a building copy, an atomic rename -------------------------------


def lock_path(path: Path) -> Path:
    return Path(path).with_name(Path(path).name + ".lock")


def _building_glob(path: Path) -> str:
    return f".{Path(path).name}.building-*"


def _holder(lock: Path) -> str:
    """Who holds the lock, as the run wrote it: "ajo (prosessi 1234, alkoi 3.12.2026 klo 14.05)"."""
    try:
        info = json.loads(lock.read_text(encoding="utf-8") or "{}")
        started = datetime.fromisoformat(info["started"])
        what = info.get("what") or "ajo"
        return f"{what} (prosessi {info['pid']}, alkoi {fiformat.fi_datetime(started)})"
    except (OSError, ValueError, KeyError, TypeError):
        return "toinen ajo"


@contextmanager
def write_lock(
    path: Path, wait_s: float = 300, on_wait: Callable[[str], None] | None = None, what: str = "ajo"
) -> Iterator[None]:
    """Hold the warehouse's own lock file: one writer at a time, readers never counted. flock is
    released by the kernel when the holder dies, so a killed run never leaves it locked."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = lock_path(path)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)

    def attempt() -> bool | None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return None

    try:
        _wait_for(
            attempt,
            wait_s,
            on_wait,
            waiting=lambda: f"Tietovarastoon {path} kirjoittaa {_holder(lock)}; odotetaan, että se päättyy…",
            gave_up=lambda: (
                f"Tietovarastoon {path} kirjoittaa {_holder(lock)}, eikä se päättynyt "
                f"{fiformat.number(wait_s)} sekunnissa; yritä myöhemmin uudelleen."
            ),
            delay=0.1,
            longest=1.0,
        )
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "started": datetime.now().isoformat(), "what": what}).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@dataclass
class Building:
    """The connection a run writes through (to the building copy); `discard()` when the run turns
    out to change nothing: the published file then stays as it is, with no snapshot."""

    con: duckdb.DuckDBPyConnection
    keep: bool = True

    def discard(self) -> None:
        self.keep = False


def fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_building(path: Path) -> None:
    for stale in Path(path).parent.glob(_building_glob(path)):
        stale.unlink(missing_ok=True)


_OFD_READ_LOCK = struct.pack("hhqqi4x", fcntl.F_RDLCK, os.SEEK_SET, 0, 0, 0)  # struct flock: whole file


def _outside_writer_free(path: Path, wait_s: float, on_wait: Callable[[str], None] | None) -> int | None:
    """A read lock on the published file (an open-file-description lock: DuckDB's readers hold the
    same kind of shared lock, so no reader is waited for, but a program that opened the file for
    writing holds an exclusive one, and its later commits would land in a WAL beside the new file
    and be replayed onto the wrong rows). Returns the locked fd, held until the file is replaced;
    None when there is no published file."""
    if not path.exists():
        return None

    def attempt() -> int | None:
        fd = os.open(path, os.O_RDONLY)
        try:
            fcntl.fcntl(fd, fcntl.F_OFD_SETLK, _OFD_READ_LOCK)
            return fd
        except OSError:
            os.close(fd)
            return None

    return _wait_for(
        attempt,
        wait_s,
        on_wait,
        waiting=lambda: f"Tietovarasto {path} on toisen ohjelman kirjoituskäytössä; odotetaan, että se suljetaan…",
        gave_up=lambda: (
            f"Tietovarasto {path} on toisen ohjelman kirjoituskäytössä (esim. DuckDB-istunto ilman -readonly), "
            f"eikä se vapautunut {fiformat.number(wait_s)} sekunnissa; sulje se tai avaa se vain luku -tilassa."
        ),
        delay=0.5,
        longest=0.5,
    )


def _checkpoint_in_place(path: Path, wait_s: float, on_wait: Callable[[str], None] | None) -> None:
    """Fold a WAL left beside the published file (a writer killed before this release, or a
    program outside ipsetl) into it with DuckDB's own crash-safe checkpoint, so that no WAL is
    ever copied or left beside a new file (it would be replayed onto it)."""
    with connect(path, read_only=False, wait_s=wait_s, on_wait=on_wait) as con:
        con.execute("CHECKPOINT")


@contextmanager
def publishing(
    path: Path,
    wait_s: float = 300,
    on_wait: Callable[[str], None] | None = None,
    snapshot: Callable[[Path], None] | None = None,
    source: Path | None = None,
    what: str = "ajo",
) -> Iterator[Building]:
    """Build the warehouse's next state in a copy and publish it atomically (see the module).

    `snapshot(old)` is called with the published file just before it is replaced (it links the old
    inode into snapshots/); `source` builds from another file (a snapshot being restored)."""
    path = Path(path)
    with write_lock(path, wait_s, on_wait, what):
        _remove_building(path)  # a killed run's half-built copy: we hold the lock, its run is gone
        if Path(str(path) + ".wal").exists():
            _checkpoint_in_place(path, wait_s, on_wait)
        guard = _outside_writer_free(path, wait_s, on_wait)
        building = path.with_name(f".{path.name}.building-{os.getpid()}.duckdb")
        origin = Path(source) if source is not None else path
        try:
            if origin.exists():
                shutil.copyfile(origin, building)
                _keep_access(path if path.exists() else origin, building)
            con = duckdb.connect(str(building), config=_WRITE_CONFIG)
        except BaseException:
            if guard is not None:
                os.close(guard)
            _remove_building(path)
            raise
        try:
            if _newer_than_written(con):
                con = _copy_down(con, building)
            work = Building(con)
            yield work
            if not work.keep:
                return
            con.execute("CHECKPOINT")
            con.close()
            Path(str(building) + ".wal").unlink(missing_ok=True)  # empty after the checkpoint
            fsync_path(building)
            if snapshot is not None and path.exists():
                snapshot(path)
            os.replace(building, path)
            fsync_path(path.parent)
        finally:
            con.close()
            if guard is not None:
                os.close(guard)
            _remove_building(path)


def _keep_access(old: Path, new: Path) -> None:
    """The new file gets the old one's permissions and group (a warehouse kept 0640 for one group
    must not become world-readable because a run replaced it)."""
    st = old.stat()
    os.chmod(new, stat.S_IMODE(st.st_mode))
    try:
        os.chown(new, -1, st.st_gid)
    except OSError:
        pass


def storage_version(con: duckdb.DuckDBPyConnection) -> str:
    """The storage version of the connection's database file, e.g. `v1.0.0`."""
    (tags,) = con.execute("SELECT tags FROM duckdb_databases() WHERE database_name = current_database()").fetchone()
    return str(dict(tags).get("storage_version", "")).rstrip("+")


def _version_key(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.lstrip("v").split(".") if part.isdigit())


def _newer_than_written(con: duckdb.DuckDBPyConnection) -> bool:
    found = storage_version(con)
    return bool(found) and _version_key(found) > _version_key(STORAGE_VERSION)


def _copy_down(con: duckdb.DuckDBPyConnection, path: Path) -> duckdb.DuckDBPyConnection:
    """Copy a warehouse written by DuckDB 2.0's default storage into STORAGE_VERSION (tables with
    their rows and constraints, views, macros) and put the copy in its place (the building file,
    under the run's lock); returns a connection to the copy."""
    tmp = path.with_name(path.name + ".storage.tmp")
    tmp.unlink(missing_ok=True)
    quoted = str(tmp).replace("'", "''")
    database = con.execute("SELECT current_database()").fetchone()[0].replace('"', '""')
    con.execute("CHECKPOINT")
    con.execute(f"ATTACH '{quoted}' AS ipsetl_storage (STORAGE_VERSION '{STORAGE_VERSION}')")
    con.execute(f'COPY FROM DATABASE "{database}" TO ipsetl_storage')
    con.execute("DETACH ipsetl_storage")
    con.close()
    fsync_path(tmp)
    os.replace(tmp, path)
    Path(str(path) + ".wal").unlink(missing_ok=True)
    return duckdb.connect(str(path), config=_WRITE_CONFIG)


def sql_files() -> list[Path]:
    """The schema, in file-name order: tables first, then macros, then the mart views."""
    return sorted(SQL_DIR.glob("*.sql"))


# The mart tables, in the order they are built (each view in `calc` may read the ones before).
MARTS = (
    "source_file",
    "data_quality",
    "monitoring_window",
    "fidelity_assessment",
    "region_tertiary",
    "national_tertiary",
    "submission_status",
)


def sql_fingerprint() -> str:
    """The SQL behind the marts and the catalogue it is rendered from: a new release's changed view
    or column rebuilds them on the next run. Hashes the sources, not the rendering, so the check
    a no-op run makes does not import Jinja2."""
    import hashlib

    from schemas.catalogue import CATALOGUE_FILE

    digest = hashlib.sha256()
    for path in [*sql_files(), CATALOGUE_FILE, Path(CATALOGUE_FILE).with_suffix(".py")]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def sql_text(path: Path) -> str:
    """A schema file rendered: the SQL files are Jinja templates over schemas/catalogue.toml (the
    responses' columns, the tertiary sums and latest values, the rates, the consistency sums), so
    each of those rules is written once, in the catalogue."""
    return _sql_environment().from_string(path.read_text(encoding="utf-8")).render()


@cache
def _sql_environment():
    from jinja2 import Environment, StrictUndefined

    from schemas.catalogue import sql_globals

    env = Environment(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False)
    env.globals.update(sql_globals())
    return env


def apply_schema(con: duckdb.DuckDBPyConnection, refresh: bool = True) -> None:
    """Tables, macros and the `calc` views; with `refresh`, the mart tables built from them too."""
    for path in sql_files():
        con.execute(sql_text(path))
    if refresh:
        refresh_marts(con)


def refresh_marts(con: duckdb.DuckDBPyConnection) -> None:
    """Materialise every mart from its `calc` view, in SQL inside DuckDB, in the caller's
    transaction. Tables, not views: a coordinator's query or a report reads stored rows instead of
    recomputing every window (the views took 30–100 ms a query at national size, tables ~1 ms)."""
    views = {
        r[0]
        for r in con.execute(
            "SELECT view_name FROM duckdb_views() WHERE schema_name = 'mart' AND NOT internal"
        ).fetchall()
    }
    for name in MARTS:
        if name in views:  # a warehouse from before the marts were tables
            con.execute(f"DROP VIEW mart.{name}")
        con.execute(f"CREATE OR REPLACE TABLE mart.{name} AS SELECT * FROM calc.{name}")
    con.execute(
        "INSERT INTO raw.settings VALUES ('sql_fingerprint', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [sql_fingerprint()],
    )


def marts_current(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the mart tables were built by this SQL (false for a warehouse that has none yet)."""
    if not has_schema(con):
        return False
    row = con.execute("SELECT value FROM raw.settings WHERE key = 'sql_fingerprint'").fetchone()
    return bool(row) and row[0] == sql_fingerprint()


def has_schema(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw' AND table_name = 'source_file'"
    ).fetchone()
    return bool(row and row[0])
