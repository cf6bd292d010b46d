"""The catalogue of columns and figures (schemas/catalogue.toml), as typed, read-only data.

Every rule about a column is stated once, in the TOML; the pandera models, the raw tables' DDL,
the dtypes, the SQL of the tertiary marts, the consistency checks, the report figures and the data
dictionary are built from what this module returns. Kept free of pandas and pandera: the command
line reads it on paths that must stay fast.
"""

from __future__ import annotations

import calendar
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

CATALOGUE_FILE = Path(__file__).resolve().parent / "catalogue.toml"

DURING = "jakson aikana"
AT_END = "jakson lopussa"
CUMULATIVE = "kauden lopussa"


@dataclass(frozen=True)
class ColumnType:
    dtype: str | None  # the pandas dtype a parsed cell column becomes (ipsetl.mapping)
    sql: str | None  # the raw table's column type


TYPES: dict[str, ColumnType] = {
    "timestamp": ColumnType("datetime64[ns]", "TIMESTAMP"),
    "date": ColumnType("datetime64[ns]", "DATE"),
    "integer": ColumnType("Int64", "INTEGER"),
    "item": ColumnType("Int64", "INTEGER"),
    "decimal": ColumnType("Float64", "DOUBLE"),
    "region": ColumnType("string", "VARCHAR"),
    "choice": ColumnType("string", "VARCHAR"),
    "text": ColumnType("string", "VARCHAR"),
    "personal": ColumnType(None, None),  # redacted on reading, never stored
}


@dataclass(frozen=True)
class Column:
    name: str
    meaning: str = ""
    unit: str = ""
    when: str = ""
    form: tuple[str, ...] = ()
    form_column: str | None = None
    type: str | None = None
    required: bool = False
    metadata: bool = False
    choices: tuple[str, ...] = ()
    ge: float | None = None
    le: float | None = None
    tertiary: str | None = None
    national: str | None = None
    weight: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    label: str | None = None
    kind: str | None = None
    definition: str = ""

    @property
    def key(self) -> str:
        """The name a form mapping and the pandera models use."""
        return self.form_column or self.name

    @property
    def stored(self) -> bool:
        return bool(self.form) and self.type != "personal"


@dataclass(frozen=True)
class Benchmark:
    rate: float
    name: str

    @property
    def percent(self) -> int:
        return round(self.rate * 100)


@dataclass(frozen=True)
class Level:
    min: int
    name: str


@dataclass(frozen=True)
class Section:
    name: str
    items: tuple[int, ...]


@dataclass(frozen=True)
class Total:
    rule: str  # the finding's rule when the parts do not add up
    value: str  # the name the sum has in a finding's message
    parts: tuple[str, ...]
    equals: str


@dataclass(frozen=True)
class Catalogue:
    columns: tuple[Column, ...]
    benchmarks: tuple[Benchmark, ...]
    levels: tuple[Level, ...]
    sections: tuple[Section, ...]
    totals: tuple[Total, ...]
    window_min_days: int
    window_max_days: int
    discrepancy_points: int
    tertiary_last_months: tuple[int, ...]

    def __getitem__(self, name: str) -> Column:
        return self.by_name[name]

    @property
    def by_name(self) -> dict[str, Column]:
        return _by_name(self)

    def form_columns(self, form: str) -> list[Column]:
        """The questions of a form, in the catalogue's order (that of the raw table)."""
        return [c for c in self.columns if form in c.form]

    def where(self, **attrs) -> list[str]:
        """Names of the columns whose attributes have the given values, in catalogue order."""
        return [c.name for c in self.columns if all(getattr(c, k) == v for k, v in attrs.items())]

    def total(self, rule: str) -> Total:
        return next(t for t in self.totals if t.rule == rule)

    def level_of(self, total: float | None) -> str | None:
        if total is None:
            return None
        return next(lv.name for lv in self.levels if total >= lv.min)


@cache
def _by_name(cat: Catalogue) -> dict[str, Column]:
    return {c.name: c for c in cat.columns}


def _column(raw: dict) -> Column:
    forms = raw.get("form", ())
    return Column(
        **{
            **raw,
            "form": (forms,) if isinstance(forms, str) else tuple(forms),
            "choices": tuple(raw.get("choices", ())),
        }
    )


@cache
def catalogue() -> Catalogue:
    raw = tomllib.loads(CATALOGUE_FILE.read_text(encoding="utf-8"))
    rules = raw["rules"]
    return Catalogue(
        columns=tuple(_column(c) for c in raw["column"]),
        benchmarks=tuple(Benchmark(**b) for b in raw["benchmark"]),
        levels=tuple(Level(**lv) for lv in raw["level"]),
        sections=tuple(Section(s["name"], tuple(s["items"])) for s in raw["section"]),
        totals=tuple(Total(t["rule"], t["value"], tuple(t["parts"]), t["equals"]) for t in raw["total"]),
        window_min_days=int(rules["window_min_days"]),
        window_max_days=int(rules["window_max_days"]),
        discrepancy_points=int(rules["discrepancy_points"]),
        tertiary_last_months=tuple(int(m) for m in raw["tertiaries"]["last_months"]),
    )


# The tertiary calendar, for Python; the SQL macros mart.tertiary_* are rendered from the same months.


def tertiary_of(day: date) -> str:
    """The label (YYYY-Tn) of the tertiary holding a day."""
    months = catalogue().tertiary_last_months
    return f"{day.year}-T{next(n for n, last in enumerate(months, 1) if day.month <= last)}"


def tertiary_bounds(label: str) -> tuple[date, date]:
    """First and last day of a tertiary."""
    year, n = int(label[:4]), int(label[-1])
    months = (0, *catalogue().tertiary_last_months)
    last = months[n]
    return date(year, months[n - 1] + 1, 1), date(year, last, calendar.monthrange(year, last)[1])


def previous_tertiary(label: str) -> str:
    year, n = int(label[:4]), int(label[-1])
    return f"{year - 1}-T{len(catalogue().tertiary_last_months)}" if n == 1 else f"{year}-T{n - 1}"


def deadlines() -> tuple[tuple[int, int], ...]:
    """(month, day) of each tertiary's last day in a non-leap year: the funder report's deadlines."""
    return tuple((m, calendar.monthrange(2025, m)[1]) for m in catalogue().tertiary_last_months)


def tertiary_calendar_text() -> str:
    """`T1 = 1.1.–30.4., T2 = 1.5.–31.8., T3 = 1.9.–31.12.`"""
    out = []
    for n in range(1, len(catalogue().tertiary_last_months) + 1):
        start, end = tertiary_bounds(f"2025-T{n}")
        out.append(f"T{n} = {start.day}.{start.month}.–{end.day}.{end.month}.")
    return ", ".join(out)


# SQL built from the catalogue: the marts' SQL files are Jinja templates given these (see
# ipsetl.warehouse.sql_text), and the checks call the same functions.


def raw_columns(form: str) -> str:
    """The raw table's columns of a form's questions, `name TYPE [NOT NULL]`, comma-separated."""
    return ",\n    ".join(
        f"{c.name} {TYPES[c.type].sql}" + (" NOT NULL" if c.required else "")
        for c in catalogue().form_columns(form)
        if c.stored
    )


def rate(name: str, prefix: str = "") -> str:
    """A rate as every mart computes it: `mart.ratio(numerator, denominator) AS name`."""
    c = catalogue()[name]
    numerator = " + ".join(f"{prefix}{part.strip()}" for part in c.numerator.split("+"))
    return f"mart.ratio({numerator}, {prefix}{c.denominator}) AS {name}"


def total(rule: str) -> str:
    """The sum of a consistency total's parts, in SQL."""
    return "(" + " + ".join(catalogue().total(rule).parts) + ")"


def total_mismatch(rule: str) -> str:
    """True where a consistency total's parts do not add up (NULL where one is missing)."""
    t = catalogue().total(rule)
    return f"{total(rule)} <> {t.equals}"


def section(name: str) -> str:
    s = next(s for s in catalogue().sections if s.name == name)
    return " + ".join(f"item_{i:02d}" for i in s.items)


def sql_globals() -> dict:
    """What the SQL templates of warehouse/sql may use."""
    cat = catalogue()
    return {
        "catalogue": cat,
        "raw_columns": raw_columns,
        "rate": rate,
        "total": total,
        "total_mismatch": total_mismatch,
        "section": section,
        "tertiary_calendar": tertiary_calendar_text(),
        "items": [c.name for c in cat.form_columns("laatu") if c.type == "item"],
        "tertiary_sums": cat.where(tertiary="sum"),
        "tertiary_latest": cat.where(tertiary="latest"),
        "national_sums": cat.where(national="sum"),
        "national_weighted": [(c.name, c.weight) for c in cat.columns if c.national == "weighted"],
    }


# The data dictionary's "Columns" table (docs/data-dictionary.md).

DICTIONARY_HEAD = "| column | meaning (Suomeksi) | unit | when |\n|---|---|---|---|\n"


def dictionary_table() -> str:
    return DICTIONARY_HEAD + "".join(
        f"| {c.name} | {c.meaning} | {c.unit} |{f' {c.when} ' if c.when else ' '}|\n"
        for c in catalogue().columns
        if c.meaning
    )


def write_dictionary(path: Path) -> bool:
    """Replace the Columns table of the data dictionary with the catalogue's; True if it changed."""
    text = path.read_text(encoding="utf-8")
    start = text.index(DICTIONARY_HEAD)
    end = text.index("\n\n", start)
    new = text[:start] + dictionary_table().rstrip("\n") + text[end:]
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":
    import sys

    if sys.argv[1:] != ["--write-dictionary"]:
        sys.exit("käyttö: python -m schemas.catalogue --write-dictionary")
    doc = Path(__file__).resolve().parent.parent / "docs" / "data-dictionary.md"
    print(f"{doc}: {'päivitetty' if write_dictionary(doc) else 'ennallaan'}")
