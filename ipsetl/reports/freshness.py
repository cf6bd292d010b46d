"""Whether reports are up to date, without rendering anything: the signatures a run stores with
each tertiary's reports, and the check `ipsetl run` makes before starting Dagster at all.

Kept free of the renderer's imports (Jinja2, Typst) so that a run with nothing
to do costs what reading the inbox and the warehouse costs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import is_dataclass
from datetime import date, datetime
from pathlib import Path

from ipsetl.config import PROJECT_ROOT, Settings

TEMPLATES = PROJECT_ROOT / "templates"
REPORT_CODE = Path(__file__).parent
FORMATTER = REPORT_CODE.parent / "fiformat.py"  # the reports' numbers and dates, outside reports/
# where typst_pdf looks for DejaVu Sans (kept here too: this module must not import the renderer)
FONT_DIRS = (
    "/usr/share/fonts/truetype/dejavu",  # Debian, Ubuntu (fonts-dejavu-core)
    "/usr/share/fonts/dejavu-sans-fonts",  # Fedora
    "/usr/share/fonts/TTF",  # Arch
    "/usr/share/fonts/dejavu",  # Alpine
)
FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")


SIGNATURE_FILE = ".ipsetl-signature"


def signature(data_sig: str, code: str, t, as_of: date, funder, regional, regions: list[str]) -> str:
    """Everything a tertiary's reports depend on: its data (data.tertiary_signatures), the code and
    templates, the options, the regions that get a report, whether it is final, and, for a draft,
    the as-of date it prints."""
    payload = json.dumps(
        [data_sig, code, t, as_of if t.draft else None, funder, regional, regions], default=jsonable, sort_keys=True
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def pdf_current(stem: Path) -> bool:
    """HTML and PDF both there, the PDF finished after its HTML: an older PDF is one whose
    rendering failed or was interrupted, and it is rendered again."""
    try:
        return stem.with_suffix(".pdf").stat().st_mtime_ns >= stem.with_suffix(".html").stat().st_mtime_ns
    except OSError:
        return False


def tertiary_unchanged(folder: Path, label: str, regions: list[str], stored: str) -> bool:
    """The stored signature matches and every report file is there and finished (a deleted or
    half-written report makes the tertiary render again)."""
    try:
        if (folder / SIGNATURE_FILE).read_text().strip() != stored:
            return False
    except OSError:
        return False
    stems = [folder / f"rahoittajaraportti_{label}", *(folder / f"alueraportti_{c}_{label}" for c in regions)]
    return all((folder / f"indikaattorit_{label}.{ext}").exists() for ext in ("csv", "xlsx")) and all(
        pdf_current(stem) for stem in stems
    )


def code_fingerprint() -> str:
    """The templates, the report code, the Typst compiler's version and the font files: a change
    to any renders every report again (a new Typst or DejaVu changes the PDFs' bytes)."""
    from importlib.metadata import PackageNotFoundError, version

    digest = hashlib.sha256()
    for path in sorted([*TEMPLATES.glob("*"), *REPORT_CODE.glob("*.py"), FORMATTER]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    try:
        digest.update(f"typst {version('typst')}".encode())
    except PackageNotFoundError:
        pass
    for folder in FONT_DIRS:
        for name in FONT_FILES:
            font = Path(folder) / name
            if font.is_file():
                stat = font.stat()
                digest.update(f"{font}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def jsonable(value):
    if is_dataclass(value):
        return vars(value)  # json.dumps comes back here for nested ones (asdict deep-copies: 50× slower)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return repr(value)


def up_to_date(s: Settings, as_of: date, scope: str) -> bool:
    """See _up_to_date; a warehouse that cannot be read is the run's to report, not this check's."""
    try:
        return _up_to_date(s, as_of, scope)
    except Exception:  # noqa: BLE001 - any doubt: run
        return False


def _up_to_date(s: Settings, as_of: date, scope: str) -> bool:
    """Whether `ipsetl run` would change nothing: every inbox file registered under the current
    form definitions, the marts built by the current SQL for this as-of date, and each selected
    tertiary's reports carrying the signature a render would give them now.

    The same functions the run uses decide it (the ingest registry, the tertiary signatures), so a
    run skipped here is one that would have found nothing to do. Any doubt answers False.
    """
    from ipsetl import warehouse
    from ipsetl.forms import schema_fingerprint
    from ipsetl.inbox import scan
    from ipsetl.ingest import registry_of

    if not s.warehouse.exists() or not s.inbox.is_dir():
        return False
    with warehouse.connect(s.warehouse, read_only=True, wait_s=s.lock_wait_s) as con:
        if not warehouse.marts_current(con):
            return False
        stored = con.execute("SELECT value FROM raw.settings WHERE key = 'as_of'").fetchone()
        if not stored or stored[0] != as_of.isoformat():
            return False
        registry, fingerprint = registry_of(con), schema_fingerprint()
        for entry in scan(s.inbox):
            try:
                key = (entry.name, entry.key(s.max_file_bytes))
            except OSError:
                return False
            if key not in registry.entries or registry.needs_reread(key, fingerprint) is not None:
                return False
        from ipsetl.reports import data

        return not _stale(con, s, as_of, data.select_tertiaries(data.report_tertiaries(con, as_of), scope))


def due_and_stale(s: Settings, as_of: date, scope: str) -> tuple[list[str], list[str]]:
    """The selected due tertiaries, and those of them whose reports a render would change (or that
    have none yet), as the warehouse is now: after ingestion, the tertiaries the report step has
    work in."""
    from ipsetl import warehouse
    from ipsetl.reports import data

    with warehouse.connect(s.warehouse, read_only=True, wait_s=s.lock_wait_s) as con:
        due = data.select_tertiaries(data.report_tertiaries(con, as_of), scope)
        return [t.label for t in due], _stale(con, s, as_of, due)


def _stale(con, s: Settings, as_of: date, due: list) -> list[str]:
    """The tertiaries of `due` (data.Tertiary) whose reports a render would change."""
    from ipsetl import consistency
    from ipsetl.reports import data

    if not due:
        return []
    labels = [t.label for t in due]
    signatures = data.tertiary_signatures(con, labels)
    regions = data.regions_for_reports(con)
    blocked = consistency.blocking_failures(con, labels)
    funder, regional = data.report_options(s.suppression_threshold, s.regional_suppression, s.organisation)
    code = code_fingerprint()
    stale = []
    for t in due:
        if blocked.get(t.label):
            t.draft, t.blocked = True, tuple(blocked[t.label])
        sig = signature(signatures[t.label], code, t, as_of, funder, regional, regions)
        if not tertiary_unchanged(Path(s.reports) / t.label, t.label, regions, sig):
            stale.append(t.label)
    return stale
