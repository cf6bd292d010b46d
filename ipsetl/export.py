"""`ipsetl export DIR`: every table and view of schema `mart` as a file of its own, for the tools
beyond SQL (Power BI's Parquet connector, Excel's Power Query).

- **Parquet** (the default) keeps the types. DuckDB writes it (COPY … (FORMAT parquet)), with the
  data dictionary in the file's key-value metadata: `ipsetl:table` (mart.NAME), `ipsetl:row` (what
  one row is), `ipsetl:as_of` (the as-of date of the run that built the marts) and
  `ipsetl:columns`, a JSON object {column: description}. Parquet has no per-column key-value
  metadata (only Arrow's own serialised schema carries field metadata, and DuckDB does not write
  that), so the descriptions are one file-level entry. Sums DuckDB keeps as HUGEINT are written as
  BIGINT: DuckDB would write HUGEINT as DOUBLE, and Power BI would then show counts as decimals.
- **CSV** as the reports' CSV files are (README, Reports): UTF-8 with a BOM, `;` between columns,
  CRLF, decimal comma, dates as 2026-04-30 and times as 2026-04-30 14:05:00, true/false, an empty
  cell for NULL, and a text cell that a spreadsheet would run as a formula (= + - @) prefixed with
  an apostrophe. That is what a Finnish Excel opens with a double-click and what Power Query's
  "From Text/CSV" detects. Line breaks in open answers are kept (LF, inside quotes, as RFC 4180
  has it); Power Query keeps them in the cell with QuoteStyle.Csv in its Source step.

Each file is written beside its final name and renamed over it only when complete, so a reader
(a Power BI refresh) never sees half a file. The warehouse is opened read-only.

The descriptions come from docs/data-dictionary.md, the same tables tests/test_data_dictionary.py
checks against the warehouse (every mart column documented).
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb

from ipsetl.config import PROJECT_ROOT
from ipsetl.fiformat import neutralise, plain
from ipsetl.warehouse import fsync_path

DICTIONARY = PROJECT_ROOT / "docs" / "data-dictionary.md"
FORMATS = ("parquet", "csv")
_WIDE_INTEGERS = ("HUGEINT", "UHUGEINT")


class ExportError(RuntimeError):
    """A problem the user can fix (a file in the way, an empty warehouse), in one Finnish sentence."""


@dataclass(frozen=True)
class DataDictionary:
    tables: dict[str, str]  # mart table → what one row is
    columns: dict[str, str]  # column → description, with its unit and "when" in brackets


@dataclass(frozen=True)
class Exported:
    table: str
    path: Path
    rows: int
    size_bytes: int


def _plain(text: str) -> str:
    return text.replace("`", "").strip()


def read_dictionary(path: Path = DICTIONARY) -> DataDictionary:
    """The tables "Views and their columns" and "Columns" of docs/data-dictionary.md."""
    if not path.is_file():
        return DataDictionary({}, {})
    doc = path.read_text(encoding="utf-8")
    tables = {
        name: _plain(row) for name, row in re.findall(r"^\| `mart\.(\w+)` \| ([^|]+) \| [^|]+ \|$", doc, flags=re.M)
    }
    columns = {}
    section = doc.split("## Columns", 1)[1].split("\n## ", 1)[0] if "## Columns" in doc else ""
    for name, meaning, unit, when in re.findall(r"^\|\s*(\w+)\s*\|([^|]+)\|([^|]*)\|([^|]*)\|$", section, flags=re.M):
        if name == "column":
            continue
        extra = ", ".join(p for p in (_plain(unit), _plain(when)) if p)
        columns[name] = _plain(meaning) + (f" [{extra}]" if extra else "")
    return DataDictionary(tables, columns)


def mart_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every table and view of schema `mart` (macros are not tables and are not listed)."""
    rows = con.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = 'mart' AND table_catalog = current_database() ORDER BY table_name"
    ).fetchall()
    return [r[0] for r in rows]


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quote_str(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _select(con: duckdb.DuckDBPyConnection, table: str) -> tuple[str, list[str]]:
    cols = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'mart' "
        "AND table_name = ? AND table_catalog = current_database() ORDER BY ordinal_position",
        [table],
    ).fetchall()
    parts = [
        f"CAST({_quote_ident(c)} AS BIGINT) AS {_quote_ident(c)}" if t in _WIDE_INTEGERS else _quote_ident(c)
        for c, t in cols
    ]
    return f"SELECT {', '.join(parts)} FROM mart.{_quote_ident(table)}", [c for c, _ in cols]


def _as_of(con: duckdb.DuckDBPyConnection) -> str:
    try:
        (value,) = con.execute("SELECT mart.as_of()").fetchone()
    except duckdb.Error:
        return ""
    return value.isoformat() if value else ""


def _write_parquet(con, query: str, tmp: Path, metadata: dict[str, str]) -> None:
    kv = ", ".join(f"{_quote_str(k)}: {_quote_str(v)}" for k, v in metadata.items())
    con.execute(f"COPY ({query}) TO {_quote_str(str(tmp))} (FORMAT parquet, COMPRESSION snappy, KV_METADATA {{{kv}}})")


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = repr(value)
        if "e" in text or "E" in text:
            text = format(Decimal(text), "f")
        return text.replace(".", ",")
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="milliseconds" if value.microsecond else "seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    return neutralise(str(value))


def _write_csv(con, query: str, tmp: Path, columns: list[str]) -> None:
    rel = con.execute(query)
    with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(columns)
        while batch := rel.fetchmany(10_000):
            writer.writerows([_csv_cell(v) for v in row] for row in batch)


def check_target(out_dir: Path, names: list[str], fmt: str) -> None:
    """Fail, before anything is written, when the folder or one of its files cannot be written."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ExportError(f"{out_dir} on tiedosto eikä kansio; anna vientikansioksi kansio (se luodaan tarvittaessa).")
    for name in names:
        target = out_dir / f"{name}.{fmt}"
        if target.is_dir() or (target.exists() and not target.is_file()):
            raise ExportError(f"{target} on kansio tai muu kuin tavallinen tiedosto; siirrä se pois vientikansiosta.")


def export_marts(
    con: duckdb.DuckDBPyConnection,
    out_dir: Path,
    fmt: str = "parquet",
    dictionary: DataDictionary | None = None,
    on_file: Callable[[Exported], None] | None = None,
) -> list[Exported]:
    """Write every mart table of `con` to out_dir/NAME.parquet (or .csv); an existing file of the
    same name is replaced, other files in the folder are left alone."""
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r}: anna {' tai '.join(FORMATS)}")
    out_dir = Path(out_dir)
    names = mart_tables(con)
    if not names:
        raise ExportError("Tietovarastossa ei ole mart-tauluja; aja ensin `ipsetl run` tai `ipsetl demo`.")
    check_target(out_dir, names, fmt)
    out_dir.mkdir(parents=True, exist_ok=True)
    dictionary = dictionary if dictionary is not None else read_dictionary()
    as_of = _as_of(con)
    done = []
    for name in names:
        query, columns = _select(con, name)
        target = out_dir / f"{name}.{fmt}"
        tmp = out_dir / f".{name}.{fmt}.{os.getpid()}.tmp"
        try:
            if fmt == "parquet":
                metadata = {"ipsetl:table": f"mart.{name}"}
                if name in dictionary.tables:
                    metadata["ipsetl:row"] = dictionary.tables[name]
                if as_of:
                    metadata["ipsetl:as_of"] = as_of
                described = {c: dictionary.columns[c] for c in columns if c in dictionary.columns}
                metadata["ipsetl:columns"] = json.dumps(described, ensure_ascii=False)
                _write_parquet(con, query, tmp, metadata)
            else:
                _write_csv(con, query, tmp, columns)
            fsync_path(tmp)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        (rows,) = con.execute(f"SELECT count(*) FROM mart.{_quote_ident(name)}").fetchone()
        item = Exported(f"mart.{name}", target, rows, target.stat().st_size)
        done.append(item)
        if on_file:
            on_file(item)
    fsync_path(out_dir)
    return done
