"""One export file read as a run reads it, for `ipsetl forms check` and `ipsetl forms draft`: its
header layout, the form version it belongs to (or most resembles) and what a run would do with it.

The reading is the run's own (ipsetl.inbox, ipsetl.grid, ipsetl.recognise, ipsetl.reader), under
the same limits and the same memory and time budget, so a check never says a file loads that a
run would refuse, and a hostile file cannot hang the command.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ipsetl import budget as budgets
from ipsetl.config import settings
from ipsetl.decoding import UnreadableFile
from ipsetl.formcheck import HeaderCheck, check_layout, guess_layout
from ipsetl.grid import Grid, read_grid
from ipsetl.inbox import NotARegularFile, read_limited
from ipsetl.limits import DEFAULT_LIMITS, mb
from ipsetl.reader import ParsedExport, find_sheet, memory_message, parse_export, time_message
from ipsetl.recognise import CHECK_HINT, Layout, NotAForm


class NotInspectable(ValueError):
    """The file cannot be read as any form's export: said in one Finnish sentence."""


@dataclass(frozen=True)
class Inspection:
    path: Path
    layout: Layout
    exact: bool  # a run recognises the layout as it is (False: only with rewordings counted)
    check: HeaderCheck
    sheet: str | None  # the workbook sheet the answers are on, when there are several
    parsed: ParsedExport | None  # the run's reading, when the file loads

    @property
    def loads(self) -> bool:
        return self.exact and self.check.loads and self.parsed is not None and self.parsed.status == "loaded"


def inspect(path: Path) -> Inspection:
    path = Path(path)
    s = settings()
    limits = DEFAULT_LIMITS.with_file_bytes(s.max_file_bytes)
    try:
        data, size = read_limited(path, s.max_file_bytes)
    except FileNotFoundError:
        raise NotInspectable(f"Tiedostoa {path} ei ole.") from None
    except NotARegularFile:
        raise NotInspectable(
            f"{path} ei ole tavallinen tiedosto (vaan kansio, putki, laite tai linkki); anna Webropol-vienti."
        ) from None
    except OSError as exc:
        raise NotInspectable(
            f"Tiedostoa {path} ei voitu avata ({type(exc).__name__}); sen pitää olla tavallinen, luettava tiedosto."
        ) from None
    if size > s.max_file_bytes:
        raise NotInspectable(
            f"Tiedosto {path} on {mb(size)}, yli kokorajan {mb(s.max_file_bytes)} (IPSETL_MAX_FILE_MB); sitä ei luettu."
        )
    budget = budgets.from_env()
    try:
        with budgets.enforced(budget):
            grid = read_grid(path.name, data, limits)
            title, layout, exact = _find(grid)
    except UnreadableFile as exc:
        raise NotInspectable(exc.message) from None
    except MemoryError:
        raise NotInspectable(memory_message(budget.memory_mb)) from None
    except budgets.OverTime:
        raise NotInspectable(time_message(budget.seconds)) from None
    check = check_layout(layout)
    parsed = parse_export(path.name, data, limits) if exact and check.loads else None
    return Inspection(path, layout, exact, check, title, parsed)


def _find(grid: Grid) -> tuple[str | None, Layout, bool]:
    """The sheet and layout a run recognises; else the sheet and layout most like a form with its
    rewordings counted; else the run's own reason for refusing the file."""
    try:
        title, _, layout = find_sheet(grid)
        return title, layout, True
    except NotAForm as exc:
        refusal = exc
    sheets = list(grid.sheets) or [(None, grid.rows)]
    guesses = [(title, layout) for title, rows in sheets if (layout := guess_layout(rows)) is not None]
    if guesses:
        title, layout = max(guesses, key=lambda g: g[1].matched)
        return (title if len(sheets) > 1 else None), layout, False
    raise NotInspectable(refusal.message.replace(" " + CHECK_HINT, ""))  # this is the check
