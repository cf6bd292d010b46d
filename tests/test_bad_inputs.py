"""Bad and hostile inputs: what the pipeline must do with each file of tests/corpus.

The corpus is written by tests/corpus/build_corpus.py; tests/corpus/expected.toml says which
findings each file must produce. Every file is parsed on its own (nothing may raise; the
findings are there, in Finnish, naming the question and never a respondent's name or e-mail; the
good rows of the file are accepted with their values), and then the whole corpus goes through
one ingest run into a real DuckDB file beside a few good exports.

Files that have made the reader slow (a 100 000-character cell, 20 000 columns) or that could
(zip bombs, a billion laughs) are parsed in a child process with a time limit, so a regression
fails the test instead of hanging the suite.

What a file must never give (an entity's expansion, a line of /etc/passwd: `Entry.forbidden`) is
looked for in everything its parse returns and in every string of the warehouse; no accepted value
may hold U+FFFD or a lone surrogate (a byte that was not text, stored as something else).
"""

from __future__ import annotations

import hashlib
import importlib.util
import math
import pickle
import re
import shutil
import subprocess
import sys
import tomllib
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from ipsetl.forms import get_form, regions
from ipsetl.headers import normalise_header
from ipsetl.reader import ParsedExport, parse_export, read_export
from ipsetl.sample_inbox import DONT_KNOW, generate_assessments, generate_monitoring, write_export

CORPUS = Path(__file__).resolve().parent / "corpus"


def _load_builder():
    spec = importlib.util.spec_from_file_location("build_corpus", CORPUS / "build_corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


bc = _load_builder()
ENTRIES = {e.name: e for e in bc.ENTRIES}
with open(CORPUS / "expected.toml", "rb") as fh:
    EXPECTED: dict[str, dict] = tomllib.load(fh)

FORMS = {"seuranta": get_form("seuranta"), "laatu": get_form("laatu")}
CELL_RULES = {"type", "range", "required", "choice", "dont_know", "encoding"}
ROW_VALUE_RULES = {
    "fte_le_headcount",
    "active_le_served",
    "employed_le_served",
    "permanent_le_jobs",
    "wage_subsidy_le_jobs",
    "period_end_ge_start",
    "window_length",
    "phase_sum",
    "end_reason_sum",
    "period_end_after_submission",
    "extra_fields",
    "field_count",
}
MAX_MESSAGE = 500
INGEST_TIME_LIMIT = 30  # a healthy run of the corpus takes about 10 s
_FINNISH = re.compile(r"[äöÄÖ]|\b(ei|on|tai|ja|eivät|kysymys|tiedosto|tiedostossa|arvo|alue|rivillä|sarake)\b", re.I)
_ENGLISH = re.compile(r"\b(the|is not|cannot|could not|invalid value|traceback|exception)\b", re.I)


# --- reading --------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("corpus")
    bc.build(d)
    return d


def _parse_in_child(name: str, path: Path, limit: float, max_bytes: int | None = None) -> ParsedExport:
    """parse_export (or, with max_bytes, read_export) in a child process killed after `limit` s."""
    code = (
        "import pickle, sys\nfrom pathlib import Path\nfrom ipsetl.reader import parse_export, read_export\n"
        "path, name, max_bytes = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])\n"
        "parsed = read_export(path, max_bytes) if max_bytes else parse_export(name, path.read_bytes())\n"
        "sys.stdout.buffer.write(pickle.dumps(parsed))\n"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", code, str(path), name, str(max_bytes or 0)],
            capture_output=True,
            timeout=limit,
            cwd=path.parent,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{name}: parse_export did not finish within {limit} s")
    if done.returncode != 0:
        pytest.fail(f"{name}: parse_export raised instead of reporting a finding:\n{done.stderr.decode()[-3000:]}")
    return pickle.loads(done.stdout)


def _read(name: str, path: Path) -> ParsedExport:
    spec = EXPECTED[name]
    if "time_limit" in spec:
        return _parse_in_child(name, path, spec["time_limit"], spec.get("max_bytes"))
    if "max_bytes" in spec:
        return read_export(path, spec["max_bytes"])
    return parse_export(name, path.read_bytes())


# --- matching ---------------------------------------------------------------------------------------


def _matches(found: dict, want: dict, strict: bool) -> bool:
    """`found` has keys severity, rule, row, column. Strict: a key left out of `want` means empty; "*" means any."""
    for key in ("severity", "rule", "row", "column"):
        if key not in want and not strict:
            continue
        expected = want.get(key)
        if expected == "*":
            continue
        if key == "rule" and isinstance(expected, list):
            if found[key] not in expected:
                return False
        elif found[key] != expected:
            return False
    return True


def _as_dicts(rows) -> list[dict]:
    return [{"severity": s, "rule": r, "row": None if pd.isna(n) else int(n), "column": c} for s, r, n, c in rows]


def _header_of(column: str | None) -> str | None:
    for form in FORMS.values():
        try:
            return form.column(column).header
        except KeyError:
            continue
    return None


def _assert_no_personal_data(name: str, f, personal: set[str]) -> None:
    for p in personal:
        assert p not in f.message, f"personal data {p!r} in the message: {name} row {f.source_row}: {f.message!r}"
        assert p not in (f.column_name or ""), f"personal data {p!r} in column_name: {name}: {f.column_name!r}"


def _assert_message(name: str, f) -> None:
    msg = f.message
    where = f"{name} row {f.source_row} {f.column_name} {f.rule}: {msg!r}"
    assert isinstance(msg, str) and msg.strip(), where
    assert len(msg) <= MAX_MESSAGE, f"{where[:300]}… ({len(msg)} characters)"
    assert _FINNISH.search(msg) and not _ENGLISH.search(msg), f"not Finnish: {where}"
    header = _header_of(f.column_name)
    if f.rule in CELL_RULES | {"missing_column", "duplicate_column"} and header:
        assert header in msg, f"the message does not name the question: {where}"
    elif f.rule == "unknown_column":
        assert f.column_name and f.column_name in msg, where
    elif f.rule in ROW_VALUE_RULES:
        assert re.search(r"\d", msg), f"the message shows no values: {where}"
    elif f.rule == "unknown_region":
        assert "Alue" in msg, where
    elif f.rule == "macros":
        assert f.severity == "warning" and f.source_row is None and "makro" in msg.lower(), where
    elif f.rule == "file_too_large":
        assert f.source_row is None and re.search(r"\d", msg), f"the message names no bound: {where}"


_NOT_TEXT = re.compile("[\ufffd\ud800-\udfff]")  # U+FFFD, or a lone surrogate (a byte kept undecoded)


def _assert_nothing_forbidden(name: str, parsed: ParsedExport, forbidden: set[str]) -> None:
    """Nothing the file must not give (an entity's expansion, /etc/passwd) is anywhere in the result."""
    if not forbidden:
        return
    everything = pickle.dumps(parsed)  # findings, accepted frame and all: its strings as UTF-8
    for text in forbidden:
        assert text.encode("utf-8") not in everything, f"{name}: {text!r} in what its parse returned"


def _assert_accepted_is_text(name: str, accepted: pd.DataFrame) -> None:
    for column in accepted.columns:
        for row, value in accepted[column].items():
            if isinstance(value, str):
                assert not _NOT_TEXT.search(value), f"{name} row {row} {column}: not text as typed: {value[:80]!r}"


def _same(kind: str, have: object, want: object) -> bool:
    if have is None or (not isinstance(have, str) and pd.isna(have)):
        have = None
    if isinstance(have, pd.Timestamp):
        have = have.to_pydatetime()
    if want is None or have is None:
        return want is None and have is None
    if kind == "date":
        return (have.date() if isinstance(have, datetime) else have) == want
    if kind == "timestamp":
        return have == want
    if kind in ("integer", "item"):
        return int(have) == int(want)
    if kind == "decimal":
        return math.isclose(float(have), float(want), abs_tol=1e-9)
    return have == want


def _assert_values(form: str, name: str, row: int, get, want: dict) -> None:
    """`get(column)` gives the stored value; `want` the canonical values of the source row."""
    for col in FORMS[form].data_columns:
        if col.type == "region":
            assert get("region_code") == regions()[normalise_header(want["region"])], (name, row)
            continue
        have = get(col.column)
        expected = want.get(col.column)
        if col.type == "item" and expected == DONT_KNOW:
            expected = None
        assert _same(col.type, have, expected), f"{name} row {row} {col.column}: {have!r} != {expected!r}"


# --- the corpus itself ------------------------------------------------------------------------------


def test_corpus_and_expectations_agree():
    assert len(ENTRIES) >= 40
    assert set(ENTRIES) == set(EXPECTED), set(ENTRIES) ^ set(EXPECTED)
    for name, spec in EXPECTED.items():
        assert spec["status"] in ("loaded", "rejected"), name
        assert "findings" in spec, name
        if spec["status"] == "rejected":
            assert spec["findings"] and all(f["severity"] == "error" for f in spec["findings"]), name


def test_corpus_is_deterministic(corpus_dir, tmp_path):
    bc.build(tmp_path)
    for name in ENTRIES:
        first = hashlib.sha256((corpus_dir / name).read_bytes()).hexdigest()
        assert hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() == first, name


def test_corpus_files_are_small(corpus_dir):
    """The corpus is built in CI: a bomb is small on disk (it proves the bound by what it inflates
    to). Only the sparse oversized file and the 20 000-column one are over 256 KiB."""
    big = {bc.LARGE_FILE, "20000_saraketta.csv"}
    for name in ENTRIES:
        if name not in big:
            assert (corpus_dir / name).stat().st_size <= 256 * 1024, name


# --- each file on its own -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(ENTRIES))
def test_bad_input(corpus_dir, name):
    entry, spec = ENTRIES[name], EXPECTED[name]
    parsed = _read(name, corpus_dir / name)  # must not raise: every problem is a finding

    for f in parsed.findings:  # the worst failure first: a respondent's name or e-mail in a message
        _assert_no_personal_data(name, f, entry.personal)
    _assert_nothing_forbidden(name, parsed, entry.forbidden)
    found = _as_dicts((f.severity, f.rule, f.source_row, f.column_name) for f in parsed.findings)
    for want in spec["findings"]:
        assert any(_matches(f, want, strict=True) for f in found), f"{name}: {want} missing; found {found[:20]}"
    for unwanted in spec.get("absent", []):
        hits = [f for f in found if _matches(f, unwanted, strict=False)]
        assert not hits, f"{name}: misleading extra finding {hits}"
    for f in parsed.findings:
        assert f.source_file == name
        assert f.severity in ("error", "warning")
        _assert_message(name, f)

    assert parsed.status == spec["status"], (name, found[:5])
    assert parsed.rows_total == spec["rows_total"], name
    if "rows_rejected" in spec:
        assert parsed.rows_rejected == spec["rows_rejected"], name
    if spec["status"] == "rejected":
        assert parsed.form is None and parsed.rows_total == 0
        assert any(f["severity"] == "error" and f["row"] is None for f in found), name
        return

    assert parsed.form is not None and parsed.accepted is not None
    rejected_rows = {f["row"] for f in found if f["severity"] == "error" and f["row"] is not None}
    assert len(rejected_rows) == parsed.rows_rejected, name
    accepted = parsed.accepted
    assert not {"respondent_name", "respondent_email"} & set(accepted.columns)
    _assert_accepted_is_text(name, accepted)
    assert sorted(accepted["source_row"]) == sorted(entry.good), f"{name}: accepted rows"
    assert not rejected_rows & set(entry.good), f"{name}: a good row has an error"
    for row, want in entry.good.items():
        got = accepted.loc[row]
        _assert_values(parsed.form.form, name, row, lambda c, got=got: got[c], want)


# --- the whole corpus through one ingest run ---------------------------------------------------------


def _good_exports(inbox: Path) -> dict[str, tuple[str, list[dict]]]:
    monitoring = generate_monitoring(seed=11)
    assessments = generate_assessments(seed=11)
    files = {
        "IPS seuranta 1-2025_Perusraportti.csv": ("seuranta", monitoring[:10], {}),
        "IPS seuranta 2-2025_Perusraportti.xlsx": ("seuranta", monitoring[10:20], {"fmt": "xlsx"}),
        "IPS seuranta 3-2025_Perusraportti_raaka.csv": (
            "seuranta",
            monitoring[20:30],
            {"header_rows": 2, "delimiter": ",", "decimal": ".", "encoding": "utf-8", "line_end": "\n"},
        ),
        "IPS laatukriteerit kevät 2025_Perusraportti.csv": ("laatu", assessments[:12], {}),
    }
    for name, (form, rows, options) in files.items():
        write_export(inbox / name, rows, form, **options)
    return {name: (form, rows) for name, (form, rows, _) in files.items()}


TABLE = {"seuranta": "raw.monitoring_response", "laatu": "raw.fidelity_response"}


def _stored_rows(con, form: str, file_name: str) -> dict[int, dict]:
    columns = ["source_row", "region_code"] + [c.column for c in FORMS[form].data_columns if c.type != "region"]
    cur = con.execute(f"SELECT {', '.join(columns)} FROM {TABLE[form]} WHERE source_file = ?", [file_name])
    return {r[0]: dict(zip(columns, r, strict=True)) for r in cur.fetchall()}


def test_whole_corpus_through_ingest(corpus_dir, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ENTRIES:
        shutil.copyfile(corpus_dir / name, inbox / name)
    good = _good_exports(inbox)
    before = sorted((p.name, p.stat().st_size) for p in inbox.iterdir())
    warehouse = tmp_path / "w.duckdb"

    code = (
        "import sys\nfrom pathlib import Path\nfrom ipsetl.ingest import run_ingest\n"
        "run_ingest(Path(sys.argv[1]), Path(sys.argv[2]), max_bytes=int(sys.argv[3]), wait_s=5)\n"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", code, str(inbox), str(warehouse), str(bc.MAX_BYTES)],
            capture_output=True,
            timeout=INGEST_TIME_LIMIT,
            cwd=tmp_path,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"run_ingest did not finish within {INGEST_TIME_LIMIT} s")
    assert done.returncode == 0, f"run_ingest failed on the corpus:\n{done.stderr.decode()[-3000:]}"
    assert sorted((p.name, p.stat().st_size) for p in inbox.iterdir()) == before, "the run changed the inbox"

    planted = set(bc.planted_personal())
    for _, rows in good.values():
        planted |= {r[k] for r in rows for k in ("respondent_name", "respondent_email") if r.get(k)}

    with duckdb.connect(str(warehouse), read_only=True) as con:
        listing = con.execute("SELECT table_schema, table_name FROM information_schema.tables").fetchall()
        tables = {f"{schema}.{table}" for schema, table in listing}
        for t in (
            "raw.finding",
            "raw.source_file",
            "raw.monitoring_response",
            "raw.fidelity_response",
            "mart.source_file",
            "mart.data_quality",
            "mart.monitoring_window",
            "mart.fidelity_assessment",
        ):
            assert t in tables, f"{t} is gone after the run"

        registered = {
            r[0]: r[1:]
            for r in con.execute(
                "SELECT file_name, status, form, rows_total, rows_accepted, rows_rejected FROM mart.source_file"
            ).fetchall()
        }
        assert set(registered) == set(ENTRIES) | set(good)

        # good exports: every row arrives with its values
        for name, (form, rows) in good.items():
            status, form_name, total, accepted, rejected = registered[name]
            assert (status, form_name, total, accepted, rejected) == ("loaded", form, len(rows), len(rows), 0), name
            stored = _stored_rows(con, form, name)
            assert sorted(stored) == list(range(1, len(rows) + 1)), name
            for i, row in enumerate(rows, 1):
                _assert_values(form, name, i, stored[i].get, row)

        for name, entry in ENTRIES.items():
            spec = EXPECTED[name]
            status, form_name, total, accepted, rejected = registered[name]
            assert status == spec["status"], (name, status)
            assert total == spec["rows_total"] and total == accepted + rejected, name
            if "rows_rejected" in spec:
                assert rejected == spec["rows_rejected"], name
            # corpus files: the good rows arrive, the bad ones do not
            if status == "loaded":
                stored = _stored_rows(con, form_name, name)
                assert sorted(stored) == sorted(entry.good), name
                for row, want in entry.good.items():
                    _assert_values(form_name, name, row, stored[row].get, want)
            # every bad file has its findings in mart.data_quality
            if spec["findings"]:
                found = _as_dicts(
                    con.execute(
                        "SELECT severity, rule, source_row, column_name FROM mart.data_quality WHERE source_file = ?",
                        [name],
                    ).fetchall()
                )
                assert found, f"{name}: no finding in mart.data_quality"
                for want in spec["findings"]:
                    assert any(_matches(f, want, strict=True) for f in found), f"{name}: {want} not in mart"

        # hostile text is stored exactly as typed
        texts = dict(
            con.execute(
                "SELECT source_file, text_successes FROM raw.monitoring_response "
                "WHERE source_file IN ('html_ja_skripti.csv', 'sql_injektio.csv', 'kaavat.csv')"
            ).fetchall()
        )
        assert texts == {"html_ja_skripti.csv": bc.SCRIPT, "sql_injektio.csv": bc.SQL, "kaavat.csv": bc.HYPERLINK}
        (long_text,) = con.execute(
            "SELECT text_challenges FROM raw.monitoring_response WHERE source_file = 'pitka_solu.csv'"
        ).fetchone()
        assert len(long_text) == bc.LONG_TEXT_CHARS
        assert long_text == ENTRIES["pitka_solu.csv"].good[1]["text_challenges"]

        # no respondent's name or e-mail in any column of any table or view
        strings = []
        for t in sorted(tables):
            if t.split(".")[0] not in ("raw", "mart"):
                continue
            for record in con.execute(f"SELECT * FROM {t}").fetchall():
                strings.extend(v for v in record if isinstance(v, str))
        everything = "\x00".join(strings)
        leaked = sorted(p for p in planted if p in everything)
        assert not leaked, f"personal data in the warehouse: {leaked}"
        forbidden = sorted({t for e in ENTRIES.values() for t in e.forbidden if t in everything})
        assert not forbidden, f"what a hostile file must never give is in the warehouse: {forbidden}"

        # every stored answer is text as typed: no U+FFFD, no lone surrogate
        for form_name, table in TABLE.items():
            text_columns = [c.column for c in FORMS[form_name].data_columns if c.type == "text"]
            if not text_columns:
                continue
            query = f"SELECT source_file, source_row, {', '.join(text_columns)} FROM {table}"
            for record in con.execute(query).fetchall():
                for value in record[2:]:
                    assert not (isinstance(value, str) and _NOT_TEXT.search(value)), f"not text as typed: {record[:2]}"

    raw_bytes = b"".join(p.read_bytes() for p in tmp_path.glob("w.duckdb*"))
    leaked = sorted(p for p in planted if p.encode("utf-8") in raw_bytes)
    assert not leaked, f"personal data in the bytes of the .duckdb file: {leaked}"


def test_planted_personal_data_is_really_in_the_corpus(corpus_dir):
    """Guard for the leak checks above: they look for strings that the files do contain."""
    for name, entry in ENTRIES.items():
        if name.endswith(".xlsx") or name.startswith("mojibake"):
            continue  # compressed or in another encoding: not findable as UTF-8 bytes
        data = (corpus_dir / name).read_bytes()
        for p in entry.personal:
            assert p.encode("utf-8") in data or p.encode("cp1252") in data, (name, p)
