"""The next version of a form, drafted from an export of the new form round (`ipsetl forms draft`).

The draft is the latest version's TOML file as the coordinator knows it — its comments, order
and layout kept — with each reworded question's header replaced by the export's text and marked
`# muutettu: oli "…"` for review, its `version` bumped, and the export's new questions listed as
comments (a new question needs a warehouse column, which is a code change, not a form version).
Where the file cannot be edited line by line (a header written over several lines, say), the
version is written out whole instead, without the old comments.
"""

from __future__ import annotations

import re
import shutil
import tomllib
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ipsetl import fiformat
from ipsetl.formcheck import Header, HeaderCheck, Missing, check_headers
from ipsetl.forms import FormFileError, FormVersion, form_files, forms_dir, get_form, load_form
from ipsetl.headers import normalise_header
from ipsetl.similarity import REVIEW, percent

MAX_NEW_LISTED = 50  # new questions listed in the draft; more is no form round, but a wrong file
_TABLE = re.compile(r"^\s*\[")
_VERSION = re.compile(r"^(\s*version\s*=\s*)(\d+)(.*)$")


class DraftRefused(ValueError):
    """No draft: a required question has no plausible new wording in the file (said which)."""


@dataclass(frozen=True)
class Draft:
    base: FormVersion
    version: int
    text: str
    changed: tuple[Missing, ...]
    new_questions: tuple[Header, ...]

    @property
    def name(self) -> str:
        return f"{self.base.form}-{self.version}"

    @property
    def file_name(self) -> str:
        return f"{self.name}.toml"


def draft(headers: tuple[str, ...], form: str, source: str, today: date | None = None) -> Draft:
    """The next version of `form` for a file with these (normalised) headers.

    Raises DraftRefused when a required question of the latest version has no header in the file
    that is plausibly its new wording."""
    base = get_form(form)  # the newest version of the form
    check = check_headers(base, headers)
    lost = [m for m in check.missing_required if not m.reworded]
    if lost:
        raise DraftRefused(_refusal(base, lost))
    if not check.reworded:
        raise DraftRefused(
            f"Luonnosta ei kirjoitettu: tiedostossa ei ole lomakkeen {base.name} kysymysten uusia muotoja, joten uusi "
            "versio olisi sama kuin nykyinen; katso `ipsetl forms check`, miksi tiedosto ei lataudu."
        )
    version = base.version + 1
    text = _edited(base, check, version, source, today or date.today())
    if text is None or not _faithful(text, base, check, version):
        text = _rendered(base, check, version, source, today or date.today())
    return Draft(
        base,
        version,
        text,
        tuple(check.reworded),
        tuple(check.new_questions),
    )


def _refusal(base: FormVersion, lost: list[Missing]) -> str:
    parts = []
    for m in lost:
        nearest = (
            f"lähin tiedoston otsikko sarakkeessa {m.nearest.position} '{m.nearest.text[:80]}' on vain "
            f"{percent(m.score)} samankaltainen"
            if m.nearest is not None
            else "tiedostossa ei ole tuntemattomia otsikoita"
        )
        parts.append(f"{m.column.column} '{m.column.header[:80]}' ({nearest})")
    return (
        f"Luonnosta ei kirjoitettu: lomakkeen {base.name} pakollisille kysymyksille ei löytynyt tiedostosta "
        f"vastinetta: {'; '.join(parts)}. Jos kysymys on muotoiltu kokonaan uudelleen, kopioi {base.path} "
        "seuraavaksi versioksi (version = …) ja kirjoita uusi otsikko käsin. Jos kysymys on poistettu "
        "lomakkeelta, pakollinen tieto puuttuu jatkossa: sen poistaminen on ohjelmistomuutos (ota yhteys "
        "ylläpitoon)."
    )


def toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif unicodedata.category(ch) == "Cc":
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _comment(text: str) -> str:
    """Text safe inside a `#` comment: one line."""
    return "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)


def _changed_comment(m: Missing) -> str:
    check = "; TARKISTA: vain osin sama teksti" if m.score < REVIEW else ""
    return (
        f"# muutettu: oli {_comment(toml_string(m.column.header))} (samankaltaisuus {percent(m.score)}, "
        f"sarake {m.nearest.position}{check})"
    )


# The draft's own comment blocks start with these lines, so that a draft drafted from (v3 from a
# reviewed v2) does not carry the previous round's banner and new-question list.
INTRO = "# --- LUONNOS"
OUTRO = "# --- Uudet kysymykset"
END = "# ---"


def _intro(base: FormVersion, version: int, source: str, today: date) -> list[str]:
    return [
        f"{INTRO} {fiformat.fi_date(today)}: `ipsetl forms draft` tiedostosta {_comment(source)},",
        f"# pohjana {base.name} ({base.path.name if base.path else base.name}). Tarkista rivit, joilla on",
        '# "# muutettu", ja poista tämä kommentti, kun versio on tarkistettu.',
        END,
    ]


def _without_previous_draft(lines: list[str]) -> list[str]:
    """The base file without an earlier draft's banner, new-question list and review markers."""
    out: list[str] = []
    skipping = False
    for line in lines:
        if line.startswith(INTRO):
            skipping = True
            continue
        if line.startswith(OUTRO):
            break  # the list is the file's last block
        if skipping:
            skipping = line != END
            continue
        for marker in ("  # muutettu: oli ", "  # ei tiedostossa "):
            line = line.split(marker, 1)[0]
        out.append(line)
    while out and not out[-1].strip():
        out.pop()
    return out


def _outro(check: HeaderCheck, source: str) -> list[str]:
    new = check.new_questions
    if not new:
        return []
    lines = [
        "",
        f"{OUTRO} tiedostossa {_comment(source)}; niitä ei ole liitetty mihinkään sarakkeeseen",
        "# (uuden kysymyksen tallentaminen tarvitsee tietovarastoon uuden sarakkeen: ohjelmistomuutos):",
    ]
    lines += [f"#   sarake {h.position}: {_comment(toml_string(h.text))}" for h in new[:MAX_NEW_LISTED]]
    if len(new) > MAX_NEW_LISTED:
        lines.append(f"#   … ja {len(new) - MAX_NEW_LISTED} muuta (ipsetl forms check näyttää ne)")
    return lines


def _header_lines(lines: list[str]) -> dict[str, int] | None:
    """canonical column → the index of its one-line `header = …`; None when a block has none."""
    out: dict[str, int] = {}
    block: dict[str, object] | None = None

    def close() -> bool:
        if block is None:
            return True
        if "column" not in block or "header_line" not in block:
            return False
        out[str(block["column"])] = int(block["header_line"])
        return True

    for i, line in enumerate(lines):
        if _TABLE.match(line):
            if not close():
                return None
            block = {} if line.split("#", 1)[0].strip() == "[[column]]" else None
            continue
        if block is None:
            continue
        key = line.split("=", 1)[0].strip() if "=" in line else ""
        if key not in ("header", "column"):
            continue
        try:
            value = tomllib.loads(line)[key]
        except tomllib.TOMLDecodeError:
            return None  # a multi-line string: not edited line by line
        block[key] = value
        if key == "header":
            block["header_line"] = i
    return out if close() else None


def _edited(base: FormVersion, check: HeaderCheck, version: int, source: str, today: date) -> str | None:
    if base.path is None:
        return None
    lines = _without_previous_draft(base.path.read_text(encoding="utf-8-sig").splitlines())
    where = _header_lines(lines)
    if where is None:
        return None
    for m in check.missing:
        i = where.get(m.column.column)
        if i is None:
            return None
        if m.reworded:
            lines[i] = f"header = {toml_string(m.nearest.text)}  {_changed_comment(m)}"
        else:
            lines[i] = f"{lines[i].rstrip()}  # ei tiedostossa {_comment(source)}"
    for i, line in enumerate(lines):
        if _TABLE.match(line):
            return None  # no top-level version line
        if match := _VERSION.match(line):
            lines[i] = f"{match.group(1)}{version}{match.group(3)}"
            break
    else:
        return None
    return "\n".join(_intro(base, version, source, today) + lines + _outro(check, source)) + "\n"


def _rendered(base: FormVersion, check: HeaderCheck, version: int, source: str, today: date) -> str:
    changed = {m.column.column: m for m in check.reworded}
    lines = _intro(base, version, source, today) + [
        f"form = {toml_string(base.form)}",
        f"version = {version}",
        "ignore = [" + ", ".join(toml_string(h) for h in sorted(base.ignore)) + "]",
    ]
    for c in base.columns:
        m = changed.get(c.column)
        header = f"header = {toml_string(m.nearest.text if m else c.header)}"
        if m:
            header += f"  {_changed_comment(m)}"
        # what the column is (type, required, choices) is the catalogue's (schemas/catalogue.toml)
        lines += ["", "[[column]]", header, f"column = {toml_string(c.column)}"]
    return "\n".join(lines + _outro(check, source)) + "\n"


def _faithful(text: str, base: FormVersion, check: HeaderCheck, version: int) -> bool:
    """Whether the edited text says what was meant: the base version with the new headers."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return False
    changed = {m.column.column: m.nearest.text for m in check.reworded}
    expected = [(c.column, changed.get(c.column, c.header)) for c in base.columns]
    got = [(c.get("column"), normalise_header(c.get("header"))) for c in raw.get("column", [])]
    return raw.get("version") == version and raw.get("form") == base.form and got == expected


def write(d: Draft, out: Path) -> tuple[Path, list[Path]]:
    """Write the draft at `out` (a `.toml` file, else a folder: the draft's own name there), checked
    by loading it; never over an existing file. Returns (written, copied): into a folder that holds
    no form versions yet, the forms folder's versions are copied too, so that IPSETL_FORMS_DIR
    pointed at it reads both rounds."""
    out = Path(out)
    target = out if out.suffix == ".toml" and not out.is_dir() else out / d.file_name
    if target.exists():
        raise FileExistsError(f"Tiedosto {target} on jo olemassa; anna toinen --out tai poista se ensin.")
    target.parent.mkdir(parents=True, exist_ok=True)
    folder = target.parent
    copied: list[Path] = []
    if folder.resolve() != forms_dir().resolve() and not any(folder.glob("*.toml")):
        for source in form_files():
            copied.append(Path(shutil.copy2(source, folder / source.name)))
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.write_text(d.text, encoding="utf-8")
    try:
        load_form(tmp)  # the same checks a run makes of it
    except FormFileError:
        tmp.unlink()
        raise
    tmp.replace(target)
    return target, copied
