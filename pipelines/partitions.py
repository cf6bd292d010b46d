"""Tertiaries (YYYY-Tn) as the partitions of the mart summary and the reports.

A static list, not a time partition: tertiaries are not a built-in period, and a static list lets
the UI show and backfill each one. The range covers the programme (2025–2027) and can be widened
with IPSETL_FIRST_TERTIARY / IPSETL_LAST_TERTIARY.
"""

import os
from datetime import date

import dagster as dg

FIRST = os.environ.get("IPSETL_FIRST_TERTIARY", "2025-T1")
LAST = os.environ.get("IPSETL_LAST_TERTIARY", "2027-T3")


def tertiary_of(day: date) -> str:
    return f"{day.year}-T{1 if day.month <= 4 else 2 if day.month <= 8 else 3}"


def tertiary_labels(first: str, last: str) -> list[str]:
    year, n = int(first[:4]), int(first[-1])
    out = []
    while f"{year}-T{n}" <= last:
        out.append(f"{year}-T{n}")
        year, n = (year + 1, 1) if n == 3 else (year, n + 1)
    return out


TERTIARIES = dg.StaticPartitionsDefinition(tertiary_labels(FIRST, LAST))
