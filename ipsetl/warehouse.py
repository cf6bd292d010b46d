"""The DuckDB warehouse file: connections, schema, and the one-transaction write of a run.

DuckDB allows one writing process per file, and even a reader cannot open the file while a
writer holds it, so every open retries for a while (and says that it is waiting) instead of
failing at once.

The file is written in DuckDB's storage version STORAGE_VERSION, not the engine's own (2.0 writes
"v2", which no DuckDB 1.x client opens: the DuckDB CLI on PyPI, the R package, DBeaver's JDBC and
the ODBC driver behind Excel and Power BI). A file found in a newer version is copied down to it
by the next writing connection.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from ipsetl.config import SQL_DIR

LOCK_MARKERS = ("Could not set lock", "Conflicting lock")
# The oldest storage version the current DuckDB 1.x CLI (1.5.6) reads: its range is 64–68, and
# v1.0.0 is 64, which every client from DuckDB 0.10 on reads too. Nothing the warehouse uses
# (tables, constraints, views, macros) needs a later one.
STORAGE_VERSION = "v1.0.0"
_WRITE_CONFIG = {"storage_compatibility_version": STORAGE_VERSION}


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
    """Open the warehouse, waiting while another process holds it."""
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_s
    delay, told = 0.2, False
    while True:
        try:
            if read_only:
                con = duckdb.connect(str(path), read_only=True)
            else:
                con = duckdb.connect(str(path), config=_WRITE_CONFIG)
                if _newer_than_written(con):
                    con = _copy_down(con, path)
            break
        except duckdb.IOException as exc:
            if not _is_lock_error(exc):
                raise
            if time.monotonic() >= deadline:
                raise WarehouseBusy(
                    f"Tietovarasto {path} on toisen ajon käytössä, eikä se vapautunut {wait_s:.0f} sekunnissa; "
                    "yritä myöhemmin uudelleen."
                ) from exc
            if on_wait and not told:
                on_wait(f"Tietovarasto {path} on toisen ajon käytössä; odotetaan, että se vapautuu…")
                told = True
            time.sleep(delay)
            delay = min(delay * 1.5, 2.0)
    try:
        yield con
    finally:
        con.close()


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
    their rows and constraints, views, macros) and put the copy in its place, while `con` holds
    the file's write lock; returns a connection to the copy."""
    import os

    tmp = path.with_name(path.name + ".storage.tmp")
    tmp.unlink(missing_ok=True)
    quoted = str(tmp).replace("'", "''")
    database = con.execute("SELECT current_database()").fetchone()[0].replace('"', '""')
    con.execute("CHECKPOINT")
    con.execute(f"ATTACH '{quoted}' AS ipsetl_storage (STORAGE_VERSION '{STORAGE_VERSION}')")
    con.execute(f'COPY FROM DATABASE "{database}" TO ipsetl_storage')
    con.execute("DETACH ipsetl_storage")
    con.close()
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
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
    """The SQL behind the marts: a new release's changed view rebuilds them on the next run."""
    import hashlib

    digest = hashlib.sha256()
    for path in sql_files():
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def apply_schema(con: duckdb.DuckDBPyConnection, refresh: bool = True) -> None:
    """Tables, macros and the `calc` views; with `refresh`, the mart tables built from them too."""
    for path in sql_files():
        con.execute(path.read_text(encoding="utf-8"))
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
