"""Read one export file from bytes to validated rows and findings: the whole per-file pipeline.

Pure with respect to the warehouse: nothing here writes anywhere, so a file can be read in a
test, a notebook or the Dagster asset alike. Any failure to read becomes one file-level finding.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ipsetl.budget import OverTime
from ipsetl.decoding import UnreadableFile
from ipsetl.findings import ERROR, WARNING, Finding
from ipsetl.forms import FormVersion
from ipsetl.grid import Grid, read_grid
from ipsetl.headers import forget
from ipsetl.inbox import read_limited
from ipsetl.limits import DEFAULT_LIMITS, DEFAULT_MAX_FILE_BYTES, Limits, mb
from ipsetl.mapping import FileRejected, MappedTable, map_rows
from ipsetl.recognise import Layout, NotAForm, find_layout

if TYPE_CHECKING:
    from ipsetl.validate import Validated

DEFAULT_MAX_BYTES = DEFAULT_MAX_FILE_BYTES
# What the reading worker wraps each file's reading in (ipsetl.budget.enforced); none elsewhere.
Guard = Callable[[], AbstractContextManager]


@dataclass
class ParsedExport:
    file_name: str
    sha256: str
    size_bytes: int
    form: FormVersion | None = None
    accepted: pd.DataFrame | None = None  # canonical columns + source_row, region_code; index = source_row
    findings: list[Finding] = field(default_factory=list)
    rows_total: int = 0
    rows_rejected: int = 0

    @property
    def rows_accepted(self) -> int:
        return self.rows_total - self.rows_rejected

    @property
    def status(self) -> str:
        return "loaded" if self.form is not None else "rejected"


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _rejected(result: ParsedExport, rule: str, message: str, column: str | None = None) -> ParsedExport:
    result.findings.append(Finding(result.file_name, None, None, column, ERROR, rule, message))
    return result


def find_sheet(grid: Grid) -> tuple[str | None, list[list[object]], Layout]:
    """(title, rows, layout) of the first sheet that holds a form — the title only when the
    workbook has several sheets; the first sheet's NotAForm when none does."""
    if len(grid.sheets) <= 1:
        return None, grid.rows, find_layout(grid.rows)
    first_error: NotAForm | None = None
    for title, rows in grid.sheets:
        try:
            return title, rows, find_layout(rows)
        except NotAForm as exc:
            first_error = first_error or exc
    raise first_error


def _pick_sheet(grid: Grid) -> tuple[list[list[object]], Layout, str | None]:
    """find_sheet(), and a warning when the workbook has other sheets besides."""
    title, rows, layout = find_sheet(grid)
    if title is None:
        return rows, layout, None
    names = ", ".join(f"'{t}'" for t, _ in grid.sheets)
    note = f"Excel-tiedostossa on useita välilehtiä ({names}); vastaukset luettiin välilehdeltä '{title}'."
    return rows, layout, note


def parse_export(file_name: str, data: bytes, limits: Limits | None = None) -> ParsedExport:
    """Parse an export's bytes. Never raises for bad input: problems are findings."""
    return parse_exports([(file_name, data)], limits)[0]


def parse_exports(exports: list[tuple[str, bytes]], limits: Limits | None = None) -> list[ParsedExport]:
    """parse_export() of each (name, bytes), the files' rows validated together (validate_many)."""
    return _validate_all([_prepare(name, data, limits or DEFAULT_LIMITS) for name, data in exports])


def _validate_all(prepared: list[tuple[ParsedExport, _Mapped | None]]) -> list[ParsedExport]:
    # imported here: pandera is half a second and 20 MB, and a process that only unpickles the
    # results of the reading workers (the run's own) never validates
    from ipsetl.validate import validate_many

    forget()  # the batch is recognised and mapped: no respondent's cell stays in the header cache

    tables = [(m.table, m.layout.form, result.file_name) for result, m in prepared if m is not None]
    done = iter(validate_many(tables))  # a file whose validation failed comes back as its exception
    return [_finish(result, m, next(done)) if m is not None else result for result, m in prepared]


@dataclass
class _Mapped:
    layout: Layout
    table: MappedTable


def memory_message(budget_mb: int | None) -> str:
    limit = f"yli {budget_mb} Mt muistia" if budget_mb else "enemmän muistia kuin lukijalla on käytössä"
    return (
        f"Tiedoston lukeminen vaati {limit} (raja IPSETL_MAX_FILE_MEMORY_MB), joten se keskeytettiin eikä "
        "tiedostoa luettu. Webropolin seurantavienti tarvitsee murto-osan tästä: tarkista, että tiedosto on oikea "
        "vienti, ja lataa se tarvittaessa uudelleen."
    )


def unexpected_message(kind: str) -> str:
    """A failure that is not an expected shape of bad input: its type, never a value, is named."""
    return (
        f"Tiedoston lukeminen epäonnistui odottamattomasti ({kind}); tarkista, että tiedosto on Webropolin CSV- "
        "tai Excel-vienti, ja ilmoita asiasta ylläpitäjälle."
    )


def refused(file_name: str, sha256: str, rule: str, message: str) -> ParsedExport:
    """A file refused whole, with its one file-level finding."""
    return _rejected(ParsedExport(file_name, sha256, 0), rule, message)


def time_message(seconds: float | None) -> str:
    limit = f"yli {seconds:g} s" if seconds else "liian kauan"
    return (
        f"Tiedoston lukeminen kesti {limit} (raja IPSETL_MAX_FILE_SECONDS), joten se keskeytettiin eikä tiedostoa "
        "luettu. Tarkista, että tiedosto on Webropolin CSV- tai Excel-vienti, ja lataa se tarvittaessa uudelleen."
    )


def _prepare(
    file_name: str, data: bytes, limits: Limits = DEFAULT_LIMITS, guard: Guard | None = None, budget=None
) -> tuple[ParsedExport, _Mapped | None]:
    """Everything before validation; a file refused on the way comes back without a table."""
    result = ParsedExport(file_name, sha256_of(data), len(data))
    try:
        with (guard or nullcontext)():
            grid = read_grid(file_name, data, limits)
            rows, layout, note = _pick_sheet(grid)
            table = map_rows(rows, layout, file_name)
    except (UnreadableFile, NotAForm) as exc:
        return _rejected(result, exc.rule, exc.message), None
    except FileRejected as exc:
        result.findings.extend(exc.findings)
        return result, None
    except MemoryError:
        return _rejected(result, "file_too_large", memory_message(budget and budget.memory_mb)), None
    except OverTime:
        return _rejected(result, "unreadable", time_message(budget and budget.seconds)), None
    except Exception as exc:  # noqa: BLE001 - one bad file must never stop the run
        # Not an expected shape of bad input; the type (never the value) goes into the message.
        return _rejected(result, "unreadable", unexpected_message(type(exc).__name__)), None
    if note:
        result.findings.append(Finding(file_name, None, None, None, WARNING, "sheet", note))
    for rule, warning in grid.notes:
        result.findings.append(Finding(file_name, None, None, None, WARNING, rule, warning))
    return result, _Mapped(layout, table)


def _finish(result: ParsedExport, mapped: _Mapped, validated: Validated | Exception) -> ParsedExport:
    file_name, layout = result.file_name, mapped.layout
    if isinstance(validated, MemoryError):
        return _rejected(result, "file_too_large", memory_message(None))
    if isinstance(validated, Exception):
        return _rejected(
            result,
            "unreadable",
            f"Tiedoston tarkistus epäonnistui odottamattomasti ({type(validated).__name__}); ilmoita asiasta "
            "ylläpitäjälle.",
        )
    result.form = layout.form
    result.accepted = validated.accepted
    result.findings.extend(validated.findings)
    result.rows_total = validated.rows_total
    result.rows_rejected = validated.rows_rejected
    if result.rows_total == 0:
        result.findings.append(
            Finding(
                file_name,
                None,
                None,
                None,
                WARNING,
                "no_responses",
                f"Tiedostossa on lomakkeen {layout.form.name} otsikot mutta ei yhtään vastausta.",
            )
        )
    return result


def read_export(
    path: Path, max_bytes: int = DEFAULT_MAX_BYTES, name: str | None = None, limits: Limits | None = None
) -> ParsedExport:
    """Read a file from disk, refusing one over the size limit before reading its contents.

    A refused file is identified by the hash of its first MiB and its size, so that it is
    registered once and not reported again on every run, without reading gigabytes.
    """
    return read_exports([(Path(path), name or Path(path).name)], max_bytes, limits)[0]


def read_exports(
    files: list[tuple[Path, str]],
    max_bytes: int = DEFAULT_MAX_BYTES,
    limits: Limits | None = None,
    guard: Guard | None = None,
    budget=None,
) -> list[ParsedExport]:
    """read_export() of each (path, name), validated together; one file's bytes in memory at a time.

    `max_bytes` bounds the file and what an xlsx inflates to; `guard` (the reading worker's budget)
    wraps the reading of each file."""
    limits = (limits or DEFAULT_LIMITS).with_file_bytes(max_bytes)
    return _validate_all([_prepare_file(Path(path), name, limits, guard, budget) for path, name in files])


def _prepare_file(
    path: Path, name: str, limits: Limits, guard: Guard | None, budget
) -> tuple[ParsedExport, _Mapped | None]:
    max_bytes = limits.max_file_bytes
    try:
        data, size = read_limited(path, max_bytes)  # never opens a FIFO or follows a final link
    except OSError as exc:
        result = ParsedExport(name, hashlib.sha256(f"ipsetl-unopened:{name}".encode()).hexdigest(), 0)
        return _rejected(
            result,
            "unreadable",
            f"Tiedostoa ei voitu avata ({type(exc).__name__}); tarkista, että se on tavallinen tiedosto ja "
            "luettavissa, ja kopioi se tarvittaessa saapuneisiin uudelleen.",
        ), None
    if size > max_bytes:
        result = ParsedExport(name, sha256_of(data + f"|size={size}".encode()), size)
        return _rejected(
            result,
            "file_too_large",
            f"Tiedosto on {mb(size)}, yli kokorajan {mb(max_bytes)}; sitä ei luettu "
            "(raja asetetaan ympäristömuuttujalla IPSETL_MAX_FILE_MB).",
        ), None
    return _prepare(name, data, limits, guard, budget)
