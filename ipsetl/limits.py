"""How much of a file the reader may read, counted by what it actually reads, never by what the
file declares: a zip's headers, a sheet's <dimension> and a sharedStrings `count` can all lie.

A monitoring export is tens of rows and a few hundred kilobytes. The bounds are far above any
real export and far below what would hurt a 2-core, few-GiB machine; over one, the file is refused
with a `file_too_large` finding that names the bound, and the run goes on with the next file. The
reading worker's own memory and time limits (ipsetl.budget) stand behind these for anything they
do not count.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ipsetl import fiformat

MIB = 1024 * 1024

DEFAULT_MAX_FILE_BYTES = 50 * MIB
EXCEL_MAX_ROWS = 1_048_576  # Excel's own limit: no export has more rows
DEFAULT_MAX_COLUMNS = 50_000  # above Excel's 16 384: a CSV may be wider, and a 20 000-column one still loads
DEFAULT_MAX_CELLS = 2_000_000  # rows × width of the grid the reader builds: about 100 MB of Python objects
DEFAULT_MAX_SHARED_STRINGS = 1_000_000
DEFAULT_MAX_CELL_CHARS = 16 * MIB  # a pasted essay of 10 MB still loads; the file bound stands above it


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES  # the file on disk, and the bytes inflated from an xlsx
    max_rows: int = EXCEL_MAX_ROWS
    max_columns: int = DEFAULT_MAX_COLUMNS
    max_cells: int = DEFAULT_MAX_CELLS
    max_shared_strings: int = DEFAULT_MAX_SHARED_STRINGS
    max_cell_chars: int = DEFAULT_MAX_CELL_CHARS

    def with_file_bytes(self, max_file_bytes: int) -> Limits:
        return replace(self, max_file_bytes=max_file_bytes)


DEFAULT_LIMITS = Limits()


def mb(n: int) -> str:
    """Bytes as whole megabytes for a Finnish message (at least 1, so a 1 MiB limit is not '0 Mt')."""
    return f"{fiformat.number(max(1, round(n / MIB)))} Mt"
