"""Read one export file from bytes to validated rows and findings: the whole per-file pipeline.

Pure with respect to the warehouse: nothing here writes anywhere, so a file can be read in a
test, a notebook or the Dagster asset alike. Any failure to read becomes one file-level finding.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ipsetl.decoding import UnreadableFile
from ipsetl.findings import ERROR, WARNING, Finding
from ipsetl.forms import FormVersion
from ipsetl.grid import Grid, read_grid
from ipsetl.headers import forget
from ipsetl.mapping import FileRejected, MappedTable, map_rows
from ipsetl.recognise import Layout, NotAForm, find_layout

if TYPE_CHECKING:
    from ipsetl.validate import Validated

DEFAULT_MAX_BYTES = 50 * 1024 * 1024


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


def _pick_sheet(grid: Grid) -> tuple[list[list[object]], Layout, str | None]:
    """The first sheet that holds a form; a workbook with other sheets besides gets a warning."""
    if len(grid.sheets) <= 1:
        return grid.rows, find_layout(grid.rows), None
    first_error: NotAForm | None = None
    for title, rows in grid.sheets:
        try:
            layout = find_layout(rows)
        except NotAForm as exc:
            first_error = first_error or exc
            continue
        names = ", ".join(f"'{t}'" for t, _ in grid.sheets)
        return (
            rows,
            layout,
            f"Excel-tiedostossa on useita välilehtiä ({names}); vastaukset luettiin välilehdeltä '{title}'.",
        )
    raise first_error


def parse_export(file_name: str, data: bytes) -> ParsedExport:
    """Parse an export's bytes. Never raises for bad input: problems are findings."""
    return parse_exports([(file_name, data)])[0]


def parse_exports(exports: list[tuple[str, bytes]]) -> list[ParsedExport]:
    """parse_export() of each (name, bytes), the files' rows validated together (validate_many)."""
    return _validate_all([_prepare(name, data) for name, data in exports])


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


def _prepare(file_name: str, data: bytes) -> tuple[ParsedExport, _Mapped | None]:
    """Everything before validation; a file refused on the way comes back without a table."""
    result = ParsedExport(file_name, sha256_of(data), len(data))
    try:
        grid = read_grid(file_name, data)
        rows, layout, note = _pick_sheet(grid)
        table = map_rows(rows, layout, file_name)
    except (UnreadableFile, NotAForm) as exc:
        return _rejected(result, exc.rule, exc.message), None
    except FileRejected as exc:
        result.findings.extend(exc.findings)
        return result, None
    except Exception as exc:  # noqa: BLE001 - one bad file must never stop the run
        # Not an expected shape of bad input; the type (never the value) goes into the message.
        return _rejected(
            result,
            "unreadable",
            f"Tiedoston lukeminen epäonnistui odottamattomasti ({type(exc).__name__}); tarkista, että tiedosto on "
            "Webropolin CSV- tai Excel-vienti, ja ilmoita asiasta ylläpitäjälle.",
        ), None
    if note:
        result.findings.append(Finding(file_name, None, None, None, WARNING, "sheet", note))
    for warning in grid.notes:
        result.findings.append(Finding(file_name, None, None, None, WARNING, "encoding", warning))
    return result, _Mapped(layout, table)


def _finish(result: ParsedExport, mapped: _Mapped, validated: Validated | Exception) -> ParsedExport:
    file_name, layout = result.file_name, mapped.layout
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


def read_export(path: Path, max_bytes: int = DEFAULT_MAX_BYTES, name: str | None = None) -> ParsedExport:
    """Read a file from disk, refusing one over the size limit before reading its contents.

    A refused file is identified by the hash of its first MiB and its size, so that it is
    registered once and not reported again on every run, without reading gigabytes.
    """
    return read_exports([(Path(path), name or Path(path).name)], max_bytes)[0]


def read_exports(files: list[tuple[Path, str]], max_bytes: int = DEFAULT_MAX_BYTES) -> list[ParsedExport]:
    """read_export() of each (path, name), validated together; one file's bytes in memory at a time."""
    return _validate_all([_prepare_file(Path(path), name, max_bytes) for path, name in files])


def _prepare_file(path: Path, name: str, max_bytes: int) -> tuple[ParsedExport, _Mapped | None]:
    size = path.stat().st_size
    if size > max_bytes:
        with open(path, "rb") as fh:
            head = fh.read(1 << 20)
        result = ParsedExport(name, sha256_of(head + f"|size={size}".encode()), size)
        return _rejected(
            result,
            "file_too_large",
            f"Tiedosto on {size // 1_048_576} Mt, yli kokorajan {max_bytes // 1_048_576} Mt; sitä ei luettu "
            "(raja asetetaan ympäristömuuttujalla IPSETL_MAX_FILE_MB).",
        ), None
    return _prepare(name, path.read_bytes())
