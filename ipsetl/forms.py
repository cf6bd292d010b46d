"""The form definitions of `schemas/forms/*.toml` and the region list, loaded as plain data.

A form version maps Webropol headers to canonical columns; what a column is (its type, whether it
is required, its choices) is the catalogue's (schemas/catalogue.toml), whatever version maps it."""

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
    path: Path | None = field(default=None, compare=False)  # the TOML it was read from (forms draft copies it)

    @property
    def name(self) -> str:
        """The form_version label stored in mart.source_file, e.g. `seuranta-1`."""
        return f"{self.form}-{self.version}"

    @cached_property
    def by_header(self) -> dict[str, FormColumn]:
        """Built once a form version (a frozen dataclass still takes a cached_property): recognition
        asks for it for every candidate header row of every file."""
        return {normalise_header(c.header): c for c in self.columns}

    @cached_property
    def by_column(self) -> dict[str, FormColumn]:
        return {c.column: c for c in self.columns}

    def column(self, name: str) -> FormColumn:
        try:
            return self.by_column[name]
        except KeyError:
            raise KeyError(name) from None

    @property
    def data_columns(self) -> list[FormColumn]:
        """Columns that reach the warehouse: everything except personal data."""
        return [c for c in self.columns if c.type != "personal"]


class FormFileError(ValueError):
    """A form version file that cannot be used: said with the file, and the line where TOML knows it,
    because the coordinator edits these files by hand (a draft of `ipsetl forms draft`)."""


def load_form(path: Path) -> FormVersion:
    """One form version file, checked: a hand-edited file with a typo fails here, naming the file,
    not later as a KeyError in the middle of a run."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))  # Notepad's BOM is no error
    except UnicodeDecodeError as exc:
        raise FormFileError(f"Lomaketiedosto {path} ei ole UTF-8-tekstiä ({exc.reason}).") from None
    except tomllib.TOMLDecodeError as exc:
        raise FormFileError(f"Lomaketiedosto {path} ei ole kelvollista TOML:ää: {exc}.") from None
    try:
        form = FormVersion(
            form=str(raw["form"]),
            version=int(raw["version"]),
            columns=tuple(_column(c, str(raw["form"])) for c in raw["column"]),
            ignore=frozenset(normalise_header(h) for h in raw.get("ignore", ())),
            path=path,
        )
    except KeyError as exc:
        raise FormFileError(f"Lomaketiedostosta {path} puuttuu avain {exc.args[0]!r}.") from None
    except (TypeError, ValueError) as exc:
        raise FormFileError(f"Lomaketiedosto {path}: {exc}") from None
    _check_columns(form, path)
    return form


def _column(c: dict, form: str) -> FormColumn:
    """A header → column line, with what the column is from the catalogue. A `type` line (older
    version files have them) must agree with the catalogue's; a column the catalogue does not
    have is refused by _check_columns, which names it."""
    name = str(c["column"])
    known = canonical_columns().get(form, {}).get(name)
    stated = c.get("type")
    if stated is not None and stated not in COLUMN_TYPES:
        types = ", ".join(sorted(COLUMN_TYPES))
        raise ValueError(f"sarakkeen {name!r} tyyppi {stated!r} ei ole mikään tunnetuista ({types})")
    if known is None:
        return FormColumn(header=normalise_header(c["header"]), column=name, type=stated or "")
    column = known_column(form, name)
    return FormColumn(
        header=normalise_header(c["header"]),
        column=name,
        type=stated or column.type,
        required=column.required,
        metadata=column.metadata,
        choices=column.choices,
    )


def _check_columns(form: FormVersion, path: Path) -> None:
    """Each version maps headers to the canonical columns the warehouse has: those of the form's
    first version as shipped in schemas/forms (the raw tables and the pandera models are built for
    them), each with its shipped type. A header twice, or a column twice, is refused too."""
    seen_headers: dict[str, str] = {}
    seen_columns: set[str] = set()
    for c in form.columns:
        if c.header in seen_headers:
            raise FormFileError(
                f"Lomaketiedostossa {path} sama otsikko '{c.header}' on sarakkeilla {seen_headers[c.header]} "
                f"ja {c.column}."
            )
        if c.column in seen_columns:
            raise FormFileError(f"Lomaketiedostossa {path} sarake {c.column} on kahdesti.")
        seen_headers[c.header] = c.column
        seen_columns.add(c.column)
    canonical = canonical_columns().get(form.form)
    if canonical is None:
        raise FormFileError(
            f"Lomaketiedoston {path} lomake {form.form!r} ei ole seuranta eikä laatu "
            f"(tunnetut: {', '.join(sorted(canonical_columns()))})."
        )
    for c in form.columns:
        shipped = canonical.get(c.column)
        if shipped is None:
            raise FormFileError(
                f"Lomaketiedostossa {path} sarake {c.column!r} (otsikko '{c.header[:60]}') ei ole lomakkeen "
                f"{form.form} sarake; tarkista kirjoitusasu (sarakkeet: schemas/catalogue.toml)."
            )
        if shipped != c.type:
            raise FormFileError(
                f"Lomaketiedostossa {path} sarakkeen {c.column} tyyppi on {c.type!r}, mutta tietovarastossa "
                f"{shipped!r}; lomakeversio ei voi muuttaa sarakkeen tyyppiä."
            )


def canonical_columns() -> dict[str, dict[str, str]]:
    """form → canonical column → type: the catalogue's (schemas/catalogue.toml), whatever
    IPSETL_FORMS_DIR says: the warehouse's columns are the code's, not the data's."""
    from schemas.catalogue import catalogue

    cat = catalogue()
    return {form: {c.key: c.type for c in cat.form_columns(form)} for form in ("seuranta", "laatu")}


def known_column(form: str, name: str):
    """The catalogue's entry of a form's column (by the name the form mapping uses)."""
    from schemas.catalogue import catalogue

    return next(c for c in catalogue().form_columns(form) if c.key == name)


def _stamp(paths) -> tuple:
    """(path, mtime, size) of each file: a cache key that changes when a file is edited, so a
    long-running Dagster code server sees a new region or form version without a restart."""
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in paths)


def forms_dir() -> Path:
    """schemas/forms, or the folder IPSETL_FORMS_DIR names (a drafted form version on trial) — the
    same for the command line, Dagster and the reading workers, which inherit the environment."""
    return Path(os.environ.get("IPSETL_FORMS_DIR") or FORMS_DIR)


def form_files() -> list:
    folder = forms_dir()
    files = sorted(folder.glob("*.toml"))
    if not files:
        where = "ei ole" if not folder.is_dir() else "on tyhjä"
        raise FormFileError(
            f"Lomakeversioiden hakemisto {folder} {where} (IPSETL_FORMS_DIR); siinä pitää olla "
            "lomakkeiden TOML-tiedostot, kuten schemas/forms/seuranta-1.toml."
        )
    return files


def form_versions() -> tuple[FormVersion, ...]:
    """Every form version of the forms folder, newest version of each form first."""
    return _form_versions(_stamp(form_files()))


@cache
def _form_versions(stamp: tuple) -> tuple[FormVersion, ...]:
    forms = [load_form(Path(p)) for p, _, _ in stamp]
    seen: dict[str, Path] = {}
    for f in forms:
        if f.name in seen:
            raise FormFileError(
                f"Lomakeversio {f.name} on kahdessa tiedostossa: {seen[f.name]} ja {f.path}; anna "
                "uudelle versiolle seuraava numero (version = …)."
            )
        seen[f.name] = f.path
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
    for path in [
        *form_files(),
        regions_file(),
        *(SCHEMAS_DIR / n for n in ("models.py", "catalogue.toml", "catalogue.py")),
    ]:
        digest.update(Path(path).name.encode() + b"\0" + Path(path).read_bytes() + b"\0")
    return digest.hexdigest()[:16]
