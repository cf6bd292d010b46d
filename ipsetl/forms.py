"""The form definitions of `schemas/forms/*.toml` and the region list, loaded as plain data."""

from __future__ import annotations

import csv
import os
import tomllib
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

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

    @cached_property
    def by_header(self) -> dict[str, FormColumn]:
        """Built once a form version (a frozen dataclass still takes a cached_property): recognition
        asks for it for every candidate header row of every file."""
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


def _stamp(paths) -> tuple:
    """(path, mtime, size) of each file: a cache key that changes when a file is edited, so a
    long-running Dagster code server sees a new region or form version without a restart."""
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in paths)


def form_files() -> list:
    return sorted(FORMS_DIR.glob("*.toml"))


def form_versions() -> tuple[FormVersion, ...]:
    """Every form version under schemas/forms, newest version of each form first."""
    return _form_versions(_stamp(form_files()))


@cache
def _form_versions(stamp: tuple) -> tuple[FormVersion, ...]:
    forms = [_load_form(Path(p)) for p, _, _ in stamp]
    return tuple(sorted(forms, key=lambda f: (f.form, -f.version)))


def get_form(name: str) -> FormVersion:
    """A form version by its label (`seuranta-1`), or the newest version of a form (`seuranta`)."""
    for f in form_versions():
        if name in (f.name, f.form):
            return f
    raise KeyError(name)


def regions_file() -> Path:
    """schemas/regions.csv, or the file IPSETL_REGIONS_FILE names (the benchmarks' 21 or 210
    regions; a trial of a new region list) — the same for the command line and Dagster."""
    return Path(os.environ.get("IPSETL_REGIONS_FILE") or REGIONS_FILE)


def regions() -> dict[str, str]:
    """Region name as written in the Webropol choice list → the project's region code."""
    return _regions(_stamp([regions_file()]))


@cache
def _regions(stamp: tuple) -> dict[str, str]:
    with open(stamp[0][0], encoding="utf-8", newline="") as fh:
        return {normalise_header(r["name"]): r["code"] for r in csv.DictReader(fh, delimiter=";")}


def region_names() -> dict[str, str]:
    """Region code → name."""
    return {code: name for name, code in regions().items()}


def known_header_prefixes() -> frozenset[str]:
    return _known_header_prefixes(form_versions())


@cache
def _known_header_prefixes(forms: tuple[FormVersion, ...]) -> frozenset[str]:
    """Every known header and every question part of a `question:field` header (a raw export's top row)."""
    out: set[str] = set()
    for f in forms:
        for c in f.columns:
            out.add(c.header)
            if ":" in c.header:
                out.add(c.header.split(":", 1)[0])
    return frozenset(out)


def schema_fingerprint() -> str:
    """A hash of what decides how a file is read (form versions, regions, the pandera models): when
    it changes, files already registered are read again, so a new region or a reworded question
    takes effect on the inbox as it is."""
    import hashlib

    from schemas import SCHEMAS_DIR

    digest = hashlib.sha256()
    # models.py by path, not by import: importing it imports pandera (half a second)
    for path in [*form_files(), regions_file(), SCHEMAS_DIR / "models.py"]:
        digest.update(Path(path).name.encode() + b"\0" + Path(path).read_bytes() + b"\0")
    return digest.hexdigest()[:16]
