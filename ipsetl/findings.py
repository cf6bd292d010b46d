"""A data-quality finding: one row of `mart.data_quality`.

Messages are Finnish (the coordinator reads them and forwards them to the region) and never quote
a personal-data cell: personal columns are dropped before anything looks at their values.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from ipsetl.decoding import printable
from schemas.catalogue import catalogue

_CAT = catalogue()

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

    def __post_init__(self) -> None:
        # A header, a quoted cell or a file name may hold an undecodable byte (a lone surrogate):
        # DuckDB, the terminal and the reports need text, so it is written as \\xNN here, once.
        for name in ("source_file", "column_name", "message"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, printable(value))

    def as_dict(self) -> dict:
        return asdict(self)


def quote(value: object, personal: frozenset[str] = frozenset()) -> str:
    """Quote a cell value for a message, shortened so a pasted essay does not flood the report.

    A value that holds an email address or one of the row's personal-data cells (a row whose
    columns slipped) is not quoted at all: messages end up in the warehouse and the reports.
    """
    s = str(value)
    long = len(s) > MAX_QUOTED
    s = s[: MAX_QUOTED - 1].replace("\r", " ").replace("\n", " ")  # cut first: the checks stay cheap
    if ("@" in s and _EMAIL.search(s)) or any(p and (p in s or p in str(value)[:1000]) for p in personal):
        return REDACTED
    return f"'{s}…'" if long else f"'{s}'"


# What each rule means, in the words the coordinator uses (status screen, reports, data dictionary).
RULE_LABELS: dict[str, str] = {
    "type": "arvo ei ole oikeaa tyyppiä",
    "required": "pakollinen kysymys vastaamatta",
    "range": "arvo sallitun alueen ulkopuolella",
    "choice": "arvo ei ole vaihtoehtojen joukossa",
    "unknown_region": "tuntematon alue",
    "fte_le_headcount": "htv suurempi kuin henkilömäärä",
    "active_le_served": "aktiivisia enemmän kuin palvelussa olleita",
    "employed_le_served": "palkkatyössä olleita enemmän kuin palvelussa olleita",
    "permanent_le_jobs": "toistaiseksi voimassa olevia enemmän kuin uusia työsuhteita",
    "wage_subsidy_le_jobs": "palkkatuettuja enemmän kuin uusia työsuhteita",
    "period_end_ge_start": "jakso päättyy ennen alkuaan",
    "window_length": f"jakson pituus ei ole {_CAT.window_min_days}–{_CAT.window_max_days} päivää",
    "extra_fields": "rivillä liikaa kenttiä",
    "field_count": "rivillä liian vähän kenttiä",
    "phase_sum": "vaiheiden summa ei täsmää",
    "end_reason_sum": "päättymisen syiden summa ei täsmää",
    "period_end_after_submission": "jakso päättyy vastausajan jälkeen",
    "dont_know": "kriteeriin vastattu 'En osaa sanoa'",
    "empty_file": "tyhjä tiedosto",
    "unreadable": "tiedostoa ei voi lukea",
    "csv_syntax": "CSV-rakenne rikki",
    "xlsx_protected": "salasanasuojattu tai vanha Excel",
    "xlsx_unreadable": "vioittunut Excel",
    "not_a_workbook": "ei Excel- eikä CSV-tiedosto",
    "events_export": "Webropol Events -ilmoittautumislista",
    "unknown_form": "tuntematon lomake",
    "missing_column": "pakollinen kysymys puuttuu tiedostosta",
    "duplicate_column": "kysymys tiedostossa kahdesti",
    "file_too_large": "tiedosto liian suuri",
    "unknown_column": "tuntematon sarake ohitettu",
    "sheet": "useita välilehtiä",
    "encoding": "merkkejä, jotka eivät ole tuettua merkistöä",
    "no_responses": "ei vastauksia",
    "macros": "Excel sisältää makroja",
    "not_a_file": "ei tavallinen tiedosto",
}


def rule_label(rule: str) -> str:
    return RULE_LABELS.get(rule, rule)
