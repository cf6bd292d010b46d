"""From a grid with a recognised layout to a typed table of canonical columns.

This is where personal data is dropped (before any value is looked at) and where cells are
parsed into numbers and dates; a cell that does not parse becomes a `type` finding and a null,
so pandera can then check ranges and rules on the columns that did parse.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from ipsetl import values
from ipsetl.decoding import undecodable_bytes
from ipsetl.findings import ERROR, REDACTED, WARNING, Finding, quote
from ipsetl.formcheck import PERSONAL, HeaderCheck, Missing, check_layout
from ipsetl.forms import FormColumn, regions
from ipsetl.headers import normalise_header
from ipsetl.recognise import CHECK_HINT, Layout
from ipsetl.similarity import percent
from schemas.catalogue import TYPES

PARSERS = {
    "timestamp": values.parse_timestamp,
    "date": values.parse_date,
    "integer": values.parse_integer,
    "decimal": values.parse_decimal,
    "item": values.parse_item,
}
DTYPES = {name: t.dtype for name, t in TYPES.items() if t.dtype}  # schemas/catalogue.py
MAX_UNKNOWN_LISTED = 30  # more unknown columns than this are one summary finding, not thousands


class FileRejected(ValueError):
    """The file as a whole cannot be loaded (e.g. a required column is missing)."""

    def __init__(self, findings: list[Finding]):
        super().__init__("; ".join(f.message for f in findings))
        self.findings = findings


@dataclass
class MappedTable:
    frame: pd.DataFrame  # canonical typed columns; index = source_row
    findings: list[Finding] = field(default_factory=list)
    errors: set[tuple[int, str]] = field(default_factory=set)  # (source_row, column) with a type error
    # every personal-data cell of the file, kept in memory only so that no message quotes one
    secrets: frozenset[str] = frozenset()


def _column_plan(layout: Layout, file_name: str) -> tuple[dict[str, int], list[int], list[Finding]]:
    """canonical column → grid index; unknown headers give warnings, missing required ones reject.

    The unknown headers are reported in both cases: when the file is refused for a missing
    question, they are what the coordinator needs to see (the question's new wording among them)."""
    check = check_layout(layout)
    fatal: list[Finding] = []
    for name, idx in check.duplicates.items():
        fatal.append(
            Finding(
                file_name,
                None,
                None,
                name,
                ERROR,
                "duplicate_column",
                f"Kysymys '{layout.form.column(name).header}' on tiedostossa {len(idx)} kertaa; "
                "ei voida päätellä, mikä sarake on oikea.",
            )
        )
    for m in check.missing_required:
        fatal.append(Finding(file_name, None, None, m.column.column, ERROR, "missing_column", _missing_message(m)))
    findings = _unknown_findings(check, file_name)
    if fatal:
        raise FileRejected(fatal + findings)
    plan = {name: idx[0] for name, idx in check.positions.items() if layout.form.column(name).type != "personal"}
    personal = [h.position - 1 for h in check.headers if h.kind == PERSONAL]
    return plan, personal, findings


def _missing_message(m: Missing) -> str:
    said = f"Pakollinen kysymys '{m.column.header}' puuttuu tiedostosta."
    if m.nearest is None:
        return f"{said} Tiedostossa ei ole tuntemattomia sarakkeita, jotka voisivat olla sen uusi muoto. {CHECK_HINT}"
    return (
        f"{said} Lähin tuntematon otsikko on sarakkeessa {m.nearest.position}: '{m.nearest.text[:120]}' "
        f"(samankaltaisuus {percent(m.score)}). {CHECK_HINT}"
    )


def _unknown_findings(check: HeaderCheck, file_name: str) -> list[Finding]:
    unknown = check.unknown
    form = check.form.name
    if len(unknown) > MAX_UNKNOWN_LISTED:
        shown = ", ".join(f"'{h.text[:60]}'" for h in unknown[:3])
        message = (
            f"{len(unknown)} tuntematonta saraketta ohitettiin (esim. {shown}); ne eivät kuulu lomakkeeseen {form}."
        )
        if lost := [m for m in check.reworded if not m.column.required and m.column.type != "personal"]:
            # renumbered quality criteria, say: their answers would go unsaved without a word
            names = ", ".join(f"'{m.column.header[:40]}'" for m in lost[:3])
            message += (
                f" Niistä {len(lost)} muistuttaa lomakkeen kysymyksiä, joita tiedostossa ei ole (esim. {names}), "
                f"ja niiden vastaukset jäävät tallentamatta. {CHECK_HINT}"
            )
        return [Finding(file_name, None, None, unknown[0].text[:200], WARNING, "unknown_column", message)]
    counts = Counter(h.text for h in unknown)
    findings = []
    for text, n in counts.items():
        times = f" ({n} kertaa)" if n > 1 else ""
        header = next(h for h in unknown if h.text == text)
        where = ", ".join(str(h.position) for h in unknown if h.text == text)
        message = (
            f"Tuntematon sarake '{text[:120]}'{times} (sarake {where}) ohitettiin; se ei kuulu lomakkeeseen {form}."
        )
        if (m := check.rewording_of(header)) is not None and not m.column.required and m.column.type != "personal":
            # a required question's absence is already its own finding; an optional one's rewording
            # would otherwise lose its answers quietly
            message += (
                f" Se muistuttaa lomakkeen kysymystä '{m.column.header[:120]}' ({percent(m.score)}), jota "
                f"tiedostossa ei ole. {CHECK_HINT}"
            )
        findings.append(Finding(file_name, None, None, text[:200], WARNING, "unknown_column", message))
    return findings


def _region_code(cell: object) -> str | None:
    if not isinstance(cell, str):
        return None
    return regions().get(normalise_header(cell))


def _misaligned(raw: list[object], width: int):
    """(rule, message) when a row's cells do not line up with the header, else None.

    Webropol writes every cell of every row, so a short CSV row means a cell was deleted and the
    rest slipped left (a name may now sit under a date): the row is rejected, never parsed.
    """
    if any(not values.is_empty(c) for c in raw[width:]):
        return (
            "extra_fields",
            f"Rivillä on {len(raw)} kenttää, mutta otsikoita on {width}; rivin sarakkeet eivät ole kohdallaan "
            "(erotin- tai lainausmerkkivirhe). Rivi hylättiin kokonaan.",
        )
    if len(raw) < width:
        return (
            "field_count",
            f"Rivillä on vain {len(raw)} kenttää, mutta otsikoita on {width}; rivin sarakkeet eivät ole "
            "kohdallaan (solu poistettu tai rivi katkennut). Rivi hylättiin kokonaan.",
        )
    return None


def map_rows(rows: list[list[object]], layout: Layout, file_name: str) -> MappedTable:
    plan, personal_idx, findings = _column_plan(layout, file_name)
    width = len(layout.headers)
    data_rows = rows[layout.header_start + layout.header_rows :]
    records: list[dict[str, object]] = []
    errors: set[tuple[int, str]] = set()
    columns: list[FormColumn] = [c for c in layout.form.data_columns if c.column in plan]
    responses = [raw for raw in data_rows if not all(values.is_empty(c) for c in raw)]  # blank rows are not responses
    # every respondent's name and email in the file: a message about one row must not quote
    # another respondent's name either (typed into a number field, say)
    secrets = frozenset(
        str(raw[i]).strip() for raw in responses for i in personal_idx if i < len(raw) and not values.is_empty(raw[i])
    )
    for source_row, raw in enumerate(responses, 1):
        region_cell = raw[plan["region"]] if plan.get("region") is not None and plan["region"] < len(raw) else None
        region_code = _region_code(region_cell)
        record: dict[str, object] = {"source_row": source_row, "region_code": region_code}
        misaligned = _misaligned(raw, width)
        if misaligned:
            # A row whose cells slipped is rejected whole: its cells are not parsed, so no message
            # can quote a cell that slipped under another question (a name under a date, say).
            errors.add((source_row, "*"))
            findings.append(Finding(file_name, source_row, region_code, None, ERROR, *misaligned))
            records.append(record)
            continue
        for col in columns:
            i = plan[col.column]
            cell = raw[i] if i < len(raw) else None
            record[col.column] = _parse_cell(col, cell, file_name, source_row, region_code, findings, errors, secrets)
        records.append(record)
    frame = pd.DataFrame.from_records(records, columns=["source_row", "region_code"] + [c.column for c in columns])
    for col in layout.form.data_columns:
        if col.column not in frame.columns:
            frame[col.column] = None
        frame[col.column] = frame[col.column].astype(DTYPES[col.type])
    frame["region_code"] = frame["region_code"].astype("string")
    frame = frame.set_index("source_row", drop=False)
    frame.index.name = None
    return MappedTable(frame, findings, errors, secrets)


def _undecodable(col: FormColumn, cell: str) -> str | None:
    """The finding's message for a cell that held bytes of no supported encoding, else None."""
    found = undecodable_bytes(cell)
    if not found:
        return None
    shown = ", ".join(f"0x{b:02X}" for b in found[:3]) + (" …" if len(found) > 3 else "")
    return (
        f"Kysymys '{col.header}': vastauksessa on {len(found)} tavua ({shown}), jotka eivät ole UTF-8- eivätkä "
        "Windows-1252-merkkejä, joten vastausta ei voi tallentaa sellaisena kuin se kirjoitettiin. Rivi hylättiin; "
        "tallenna tiedosto uudelleen UTF-8-muodossa tai korjaa vastaus Webropolissa."
    )


def _parse_cell(col, cell, file_name, source_row, region_code, findings, errors, personal):
    if isinstance(cell, str) and (message := _undecodable(col, cell)):
        errors.add((source_row, col.column))
        findings.append(Finding(file_name, source_row, region_code, col.column, ERROR, "encoding", message))
        return None
    if col.type in ("text", "region", "choice"):
        text = values.clean_text(cell)
        if text is not None and col.type != "text":
            text = normalise_header(text)
        return text
    if col.type == "item" and isinstance(cell, str) and cell.strip().casefold() == values.DONT_KNOW:
        findings.append(
            Finding(
                file_name,
                source_row,
                region_code,
                col.column,
                WARNING,
                "dont_know",
                f"Kriteeriin '{col.header}' vastattiin 'En osaa sanoa'; se lasketaan vastaamattomaksi.",
            )
        )
        return None
    try:
        return PARSERS[col.type](cell)
    except values.CellError as exc:
        errors.add((source_row, col.column))
        message = exc.message
        if quote(cell, personal) == REDACTED:
            message = (
                "vastaus ei ole kelvollinen (arvoa ei näytetä: se voi olla henkilötieto tai siirtynyt väärän "
                "kysymyksen alle)"
            )
        findings.append(
            Finding(
                file_name, source_row, region_code, col.column, ERROR, exc.rule, f"Kysymys '{col.header}': {message}."
            )
        )
        return None
