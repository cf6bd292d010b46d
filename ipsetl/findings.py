"""A data-quality finding: one row of `mart.data_quality`.

Messages are Finnish (the coordinator reads them and forwards them to the region) and never quote
a personal-data cell: personal columns are dropped before anything looks at their values.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

ERROR = "error"
WARNING = "warning"

MAX_QUOTED = 60
_EMAIL = re.compile(r"[^\s@'\"<>]+@[^\s@'\"<>]+")
REDACTED = "[henkilötieto poistettu]"


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


def quote(value: object, personal: frozenset[str] = frozenset()) -> str:
    """Quote a cell value for a message, shortened so a pasted essay does not flood the report.

    A value that holds an email address or one of the row's personal-data cells (a row whose
    columns slipped) is not quoted at all: messages end up in the warehouse and the reports.
    """
    s = str(value).replace("\r", " ").replace("\n", " ")
    if _EMAIL.search(s) or any(p and p in s for p in personal):
        return REDACTED
    if len(s) > MAX_QUOTED:
        s = s[: MAX_QUOTED - 1] + "…"
    return f"'{s}'"
