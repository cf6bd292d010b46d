"""The benchmark loads: the demo inbox, the national load and ten times the national load.

national: all 21 wellbeing services counties (the project's 12 regions and nine more) report
every month for five years: 60 monthly Webropol exports of 21 windows each, and ten half-yearly
self-assessment rounds. x10: the same files with 210 regions, ten times the rows. Each load also
gets the next month's export, kept out of the inbox: the "one new file" of the incremental run.

The rows come from the demo generator (ipsetl.sample_inbox), so every value passes the rules and
the exports rotate through the quirks of webropol-exports.md (encodings, delimiters, one or two
header rows, xlsx with date cells or text).
"""

from __future__ import annotations

import csv
import os
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from schemas import REGIONS_FILE

SIZES = ("small", "national", "x10")

# The nine wellbeing services counties that are not (yet) in the project's list.
MORE_COUNTIES = (
    ("ITU", "Itä-Uudenmaan hyvinvointialue"),
    ("KEU", "Keski-Uudenmaan hyvinvointialue"),
    ("LUU", "Länsi-Uudenmaan hyvinvointialue"),
    ("VAK", "Vantaan ja Keravan hyvinvointialue"),
    ("SAT", "Satakunnan hyvinvointialue"),
    ("PHA", "Päijät-Hämeen hyvinvointialue"),
    ("KYM", "Kymenlaakson hyvinvointialue"),
    ("EKA", "Etelä-Karjalan hyvinvointialue"),
    ("EPO", "Etelä-Pohjanmaan hyvinvointialue"),
)
FIRST_MONTH = date(2021, 10, 1)  # 60 months: 10/2021 … 9/2026
LAST_MONTH = date(2026, 9, 1)
NEXT_MONTH = date(2026, 10, 1)  # the new file of the incremental run
AS_OF = date(2026, 11, 26)  # fixed, so that every run of the benchmark sees the same tertiaries
# The quirks the monthly exports rotate through (a subset of the demo's rounds).
_QUIRKS: tuple[tuple[str, dict], ...] = (
    ("_Perusraportti.csv", {}),
    ("_Perusraportti.csv", {"encoding": "utf-8", "line_end": "\n"}),
    ("_Perusraportti_raaka.csv", {"header_rows": 2}),
    ("_Perusraportti.csv", {"encoding": "cp1252", "thousands": "\u00a0"}),
    ("_Perusraportti.xlsx", {"fmt": "xlsx", "xlsx_dates": "cells"}),
    ("_Perusraportti.csv", {"encoding": "utf-8", "delimiter": ",", "decimal": ".", "line_end": "\n"}),
    ("_Perusraportti.xlsx", {"fmt": "xlsx", "xlsx_dates": "text"}),
    ("_Perusraportti.csv", {"encoding": "utf-16"}),
    ("_Perusraportti.csv", {"excel_floats": True, "decimal": "."}),
)


@dataclass(frozen=True)
class Workload:
    """Where a generated load lives and the environment a run on it needs."""

    size: str
    root: Path
    regions: int
    files: int
    rows: int

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def next_file(self) -> Path | None:
        found = sorted((self.root / "next").glob("*")) if (self.root / "next").is_dir() else []
        return found[0] if found else None

    @property
    def env(self) -> dict[str, str]:
        if self.size == "small":
            return {}
        return {"IPSETL_REGIONS_FILE": str(self.root / "regions.csv")}


def region_list(size: str) -> list[tuple[str, str]]:
    """(code, name) of the load's regions: the project's 12 (+ 9 counties) (× 10 for x10)."""
    with open(REGIONS_FILE, encoding="utf-8", newline="") as fh:
        project = [(r["code"], r["name"]) for r in csv.DictReader(fh, delimiter=";")]
    national = project + list(MORE_COUNTIES)
    if size == "national":
        return national
    if size == "x10":
        return national + [(f"{c}{k}", f"{n} {k}. testialue") for k in range(2, 11) for c, n in national]
    return project


def _write_regions(path: Path, regions: list[tuple[str, str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("code;name\n")
        fh.writelines(f"{code};{name}\n" for code, name in regions)


def generate(size: str, root: Path, seed: int = 2026) -> Workload:
    """Write the load under `root` (inbox/, next/, regions.csv), replacing what was there."""
    from ipsetl.sample_inbox import generate_assessments, generate_monitoring, write_export, write_sample_inbox

    if size not in SIZES:
        raise ValueError(f"size must be one of {SIZES}, not {size!r}")
    root = Path(root)
    if root.exists():
        shutil.rmtree(root)
    (root / "inbox").mkdir(parents=True)
    if size == "small":
        paths = write_sample_inbox(root / "inbox", seed)
        return Workload(size, root, len(region_list(size)), len(paths), _rows(paths))

    regions = region_list(size)
    _write_regions(root / "regions.csv", regions)
    previous = os.environ.get("IPSETL_REGIONS_FILE")
    os.environ["IPSETL_REGIONS_FILE"] = str(root / "regions.csv")  # the generators name regions from it
    try:
        codes = [code for code, _ in regions]
        end = date(NEXT_MONTH.year + NEXT_MONTH.month // 12, NEXT_MONTH.month % 12 + 1, 1)
        last_day = date.fromordinal(end.toordinal() - 1)
        monitoring = generate_monitoring(seed, FIRST_MONTH, last_day, codes, monthly=True)
        assessments = generate_assessments(seed, FIRST_MONTH, date.fromordinal(NEXT_MONTH.toordinal() - 1), codes, True)
    finally:
        if previous is None:
            os.environ.pop("IPSETL_REGIONS_FILE", None)
        else:
            os.environ["IPSETL_REGIONS_FILE"] = previous

    months: dict[date, list[dict]] = {}
    for row in monitoring:
        months.setdefault(row["period_end"].replace(day=1), []).append(row)
    written = 0
    for i, (month, rows) in enumerate(sorted(months.items())):
        suffix, options = _QUIRKS[i % len(_QUIRKS)]
        folder = root / ("next" if month == NEXT_MONTH else "inbox")
        write_export(folder / f"IPS seuranta {month:%Y-%m}{suffix}", rows, "seuranta", **options)
        written += month != NEXT_MONTH
    halves: dict[tuple[int, int], list[dict]] = {}
    for row in assessments:
        halves.setdefault((row["assessed_on"].year, 1 if row["assessed_on"].month <= 6 else 2), []).append(row)
    for (year, half), rows in sorted(halves.items()):
        season = "kevät" if half == 1 else "syksy"
        fmt = {"fmt": "xlsx"} if half == 2 else {}
        suffix = ".xlsx" if half == 2 else ".csv"
        write_export(root / "inbox" / f"IPS laatukriteerit {season} {year}_Perusraportti{suffix}", rows, "laatu", **fmt)
        written += 1
    inbox_rows = sum(1 for r in monitoring if r["period_end"] < NEXT_MONTH) + len(assessments)
    return Workload(size, root, len(regions), written, inbox_rows)


def _rows(paths: list[Path]) -> int:
    from ipsetl.sample_inbox import sample_manifest

    return sum(f["rows"] for f in sample_manifest()["files"].values())


if __name__ == "__main__":
    import sys

    for name in sys.argv[1:] or ["national"]:
        w = generate(name, Path(__file__).resolve().parent / "data" / name)
        print(f"{w.size}: {w.regions} regions, {w.files} files, {w.rows} rows in {w.inbox}; next: {w.next_file}")
