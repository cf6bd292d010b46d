"""Lazy pandera validation of a mapped table, turned into findings and an accepted subset.

Every failure of every row is collected at once (lazy=True), so the region can fix all its
mistakes in one round. A row with any error is rejected; warnings keep it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import pandas as pd
import pandera.pandas as pa

from ipsetl import fiformat
from ipsetl.findings import ERROR, WARNING, Finding, quote
from ipsetl.forms import FormVersion
from ipsetl.mapping import MappedTable
from schemas.models import END_REASONS, MODELS, PHASES, RULES

_BOUND = re.compile(r"^(greater_than_or_equal_to|less_than_or_equal_to|greater_than|less_than)\((.*)\)$")
_BOUND_FI = {
    "greater_than_or_equal_to": "vähintään",
    "less_than_or_equal_to": "enintään",
    "greater_than": "suurempi kuin",
    "less_than": "pienempi kuin",
}


@dataclass
class Validated:
    accepted: pd.DataFrame
    findings: list[Finding]
    rows_total: int
    rows_rejected: int


def fmt_value(value: object) -> str:
    """Finnish rendering of a value inside a message: 2,5 and 3.2.2026."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "tyhjä"
    if isinstance(value, pd.Timestamp):
        if value.hour or value.minute or value.second:
            return fiformat.fi_cell_datetime(value)
        return fiformat.fi_date(value)
    if isinstance(value, float):
        return fiformat.plain(fiformat.round_half_up(value, 2), trim=True)
    return str(value)


def _bound(text: str) -> str:
    """A check's bound as pandera writes it (`0`, `1.5`), with a decimal comma."""
    try:
        return fiformat.plain(Decimal(text))
    except InvalidOperation:
        return text


def _failures(model: type[pa.DataFrameModel], frame: pd.DataFrame) -> pd.DataFrame:
    try:
        model.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        return exc.failure_cases
    return pd.DataFrame(columns=["schema_context", "column", "check", "failure_case", "index"])


def _row_message(rule: str, row: pd.Series) -> tuple[str, str]:
    column, template = RULES[rule]
    values = {k: fmt_value(v) for k, v in row.items()}
    values["window_days"] = fmt_value(
        (row["period_end"] - row["period_start"]).days + 1 if "period_end" in row else None
    )
    if "clients_phase_1" in row:
        values["phase_total"] = fmt_value(sum(row[c] for c in PHASES if not pd.isna(row[c])))
        values["end_reason_total"] = fmt_value(sum(row[c] for c in END_REASONS if not pd.isna(row[c])))
    return column, template.format(**values)


def _finding(
    form: FormVersion, file_name: str, frame: pd.DataFrame, case: pd.Series, severity: str, secrets: frozenset
) -> Finding:
    row_no = int(case["index"])
    secret = secrets
    row = frame.loc[row_no]
    region = row["region_code"] if not pd.isna(row["region_code"]) else None
    check = str(case["check"])
    if check == "known_region":  # a row-wise check: the region's name is not on the list
        return Finding(
            file_name,
            row_no,
            None,
            "region",
            severity,
            "unknown_region",
            f"Alue {quote(row['region'], secret)} ei ole hankkeen aluelistalla (schemas/regions.csv); tarkista "
            "kirjoitusasu tai lisää uusi alue listaan.",
        )
    if case["schema_context"] == "DataFrameSchema" and check in RULES:
        column, message = _row_message(check, row)
        return Finding(file_name, row_no, region, column, severity, check, message)
    column = str(case["column"])
    header = form.column(column).header
    value = case["failure_case"]
    if check == "not_nullable":
        return Finding(
            file_name, row_no, region, column, severity, "required", f"Pakollinen kysymys '{header}' on vastaamatta."
        )
    if check.startswith("isin"):
        allowed = " / ".join(form.column(column).choices)
        return Finding(
            file_name,
            row_no,
            region,
            column,
            severity,
            "choice",
            f"Kysymys '{header}': arvo {quote(value, secret)} ei ole sallittu ({allowed}).",
        )
    if m := _BOUND.match(check):
        return Finding(
            file_name,
            row_no,
            region,
            column,
            severity,
            "range",
            f"Kysymys '{header}': arvo {fmt_value(value)} on sallitun alueen ulkopuolella "
            f"(arvon pitää olla {_BOUND_FI[m[1]]} {_bound(m[2])}).",
        )
    return Finding(
        file_name,
        row_no,
        region,
        column,
        severity,
        check,
        f"Kysymys '{header}': arvo {quote(value, secret)} ei läpäise tarkistusta {check}.",
    )


def validate(table: MappedTable, form: FormVersion, file_name: str) -> Validated:
    result = validate_many([(table, form, file_name)])[0]
    if isinstance(result, Exception):
        raise result
    return result


Cases = dict[str, pd.DataFrame]  # severity → pandera's failure cases, "index" = the file's source_row


def validate_many(items: list[tuple[MappedTable, FormVersion, str]]) -> list[Validated | Exception]:
    """validate() of each file, with one pandera pass per form and column layout instead of one a file.

    A pandera pass costs about 70 ms whatever the number of rows (its checks are vectorised; the
    cost is per check), so a first run over five years of monthly exports spent nine tenths of
    its reading time there. The checks are all row-wise, so a row fails the same way whichever
    file's rows stand beside it; the failures are handed back to their own files.

    A batch that fails unexpectedly is validated again file by file; a file that still fails gets
    its exception in its place (the reader refuses that file alone, the others go on).
    """
    cases: list[Cases | None] = [None] * len(items)
    groups: dict[tuple, list[int]] = {}
    for k, (table, form, _) in enumerate(items):
        frame = table.frame
        groups.setdefault((form.form, tuple(frame.columns), tuple(map(str, frame.dtypes))), []).append(k)
    for ks in groups.values():
        if len(ks) > 1:
            try:
                for k, found in zip(ks, _batch_failures([items[k] for k in ks]), strict=True):
                    cases[k] = found
            except Exception:  # noqa: BLE001 - each file on its own then, as validate() does
                pass
    out: list[Validated | Exception] = []
    for k, (table, form, file_name) in enumerate(items):
        try:
            found = cases[k]
            if found is None:
                error_model, warning_model = MODELS[form.form]
                found = {ERROR: _failures(error_model, table.frame), WARNING: _failures(warning_model, table.frame)}
            out.append(_validated(table, form, file_name, found))
        except Exception as exc:  # noqa: BLE001 - this file only (reader._finish says so to the user)
            out.append(exc)
    return out


def _batch_failures(items: list[tuple[MappedTable, FormVersion, str]]) -> list[Cases]:
    """Failure cases of files of one form and column layout, validated as one frame."""
    frames = [table.frame for table, _, _ in items]
    owner = [k for k, frame in enumerate(frames) for _ in range(len(frame))]
    source_row = [row for frame in frames for row in frame.index]
    whole = pd.concat(frames, ignore_index=True)
    error_model, warning_model = MODELS[items[0][1].form]
    out: list[Cases] = [{} for _ in items]
    for severity, model in ((ERROR, error_model), (WARNING, warning_model)):
        found = _failures(model, whole)
        found = found[found["index"].notna()]  # column-level failures: validate() skips them too
        at = found["index"].astype(int)
        found = found.assign(index=[source_row[i] for i in at], _owner=[owner[i] for i in at])
        for k in range(len(items)):
            out[k][severity] = found[found["_owner"] == k].drop(columns="_owner")
    return out


def _validated(table: MappedTable, form: FormVersion, file_name: str, found: Cases) -> Validated:
    frame = table.frame
    findings = list(table.findings)
    rejected = {row for row, _ in table.errors}
    for severity in (ERROR, WARNING):
        seen: set[tuple[int, str, str]] = set()
        for _, case in found[severity].iterrows():
            if pd.isna(case["index"]):
                continue
            row_no = int(case["index"])
            key = (
                row_no,
                str(case["check"]),
                "" if case["schema_context"] == "DataFrameSchema" else str(case["column"]),
            )
            if key in seen or (row_no, key[2]) in table.errors or (row_no, "*") in table.errors:
                continue  # already reported as a type error: one finding per cell
            seen.add(key)
            finding = _finding(form, file_name, frame, case, severity, table.secrets)
            findings.append(finding)
            if severity == ERROR:
                rejected.add(row_no)
    # a warning means "kept" (interface.md): a rejected row carries its errors only
    findings = [f for f in findings if not (f.severity == WARNING and f.source_row in rejected)]
    accepted = frame[~frame["source_row"].isin(rejected)].copy()
    findings.sort(key=lambda f: (f.source_row or 0, f.severity, f.column_name or "", f.rule))
    return Validated(accepted, findings, len(frame), len(rejected))
