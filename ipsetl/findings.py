"""A data-quality finding: one row of `mart.data_quality`.

Messages are Finnish (the coordinator reads them and forwards them to the region) and never quote
a personal-data cell: personal columns are dropped before anything looks at their values.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

ERROR = "error"
WARNING = "warning"

MAX_QUOTED = 60


@dataclass(frozen=True)
class Finding:
    source_file: str
    source_row: int | None
    region_code: str | None
    column_name: str | None
    severity: str  # ERROR: the row or file was rejected; WARNING: kept
    rule: str
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


def quote(value: object) -> str:
    """Quote a cell value for a message, shortened so a pasted essay does not flood the report."""
    s = str(value).replace("\r", " ").replace("\n", " ")
    if len(s) > MAX_QUOTED:
        s = s[: MAX_QUOTED - 1] + "…"
    return f"'{s}'"
