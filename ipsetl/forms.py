"""The form definitions of `schemas/forms/*.toml` and the region list, loaded as plain data."""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass, field
from functools import cache

from ipsetl.headers import normalise_header
from schemas import FORMS_DIR, REGIONS_FILE

COLUMN_TYPES = {"timestamp", "date", "integer", "decimal", "region", "text", "personal", "choice", "item"}


@dataclass(frozen=True)
class FormColumn:
    header: str
    column: str
    type: str
    required: bool = False
    metadata: bool = False
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class FormVersion:
    form: str  # "seuranta" or "laatu"
    version: int
    columns: tuple[FormColumn, ...]
    ignore: frozenset[str] = field(default_factory=frozenset)

    @property
    def name(self) -> str:
        """The form_version label stored in mart.source_file, e.g. `seuranta-1`."""
        return f"{self.form}-{self.version}"

    @property
    def by_header(self) -> dict[str, FormColumn]:
        return {normalise_header(c.header): c for c in self.columns}

    def column(self, name: str) -> FormColumn:
        for c in self.columns:
            if c.column == name:
                return c
        raise KeyError(name)

    @property
    def data_columns(self) -> list[FormColumn]:
        """Columns that reach the warehouse: everything except personal data."""
        return [c for c in self.columns if c.type != "personal"]


def _load_form(path) -> FormVersion:
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    columns = []
    for c in raw["column"]:
        if c["type"] not in COLUMN_TYPES:
            raise ValueError(f"{path.name}: unknown column type {c['type']!r} for {c['column']}")
        columns.append(
            FormColumn(
                header=normalise_header(c["header"]),
                column=c["column"],
                type=c["type"],
                required=bool(c.get("required", False)),
                metadata=bool(c.get("metadata", False)),
                choices=tuple(c.get("choices", ())),
            )
        )
    return FormVersion(
        form=raw["form"],
        version=int(raw["version"]),
        columns=tuple(columns),
        ignore=frozenset(normalise_header(h) for h in raw.get("ignore", ())),
    )


@cache
def form_versions() -> tuple[FormVersion, ...]:
    """Every form version under schemas/forms, newest version of each form first."""
    forms = [_load_form(p) for p in sorted(FORMS_DIR.glob("*.toml"))]
    return tuple(sorted(forms, key=lambda f: (f.form, -f.version)))


def get_form(name: str) -> FormVersion:
    """A form version by its label (`seuranta-1`), or the newest version of a form (`seuranta`)."""
    for f in form_versions():
        if name in (f.name, f.form):
            return f
    raise KeyError(name)


@cache
def regions() -> dict[str, str]:
    """Region name as written in the Webropol choice list → the project's region code."""
    with open(REGIONS_FILE, encoding="utf-8", newline="") as fh:
        return {normalise_header(r["name"]): r["code"] for r in csv.DictReader(fh, delimiter=";")}


def region_names() -> dict[str, str]:
    """Region code → name."""
    return {code: name for name, code in regions().items()}
