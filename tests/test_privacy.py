"""No respondent's name or e-mail address survives a run, anywhere (interface.md, "Personal data").

One end-to-end run of `ipsetl run` on an inbox that holds the whole bad-input corpus (names in
number fields, in rejected files, in an Events list, in another survey, in mojibake …) and a
generated export of several regions, with DAGSTER_HOME and IPSETL_REPORTS pointing into the
test's folder. Afterwards every byte the run left is searched for every planted name and e-mail
address, as UTF-8 and as UTF-16-LE:

- the warehouse folder (the DuckDB file, its WAL, the snapshots), byte for byte and also row by
  row, since DuckDB compresses strings on disk (a byte search alone could miss them);
- every file under DAGSTER_HOME (run and event storage, logs, compute logs);
- every report file (HTML, CSV, PDF bytes and the text pypdf extracts from each PDF);
- whatever else the run wrote into its working folder;
- the run's stdout and stderr.

The search is shown to work on strings that must be there (a region name, a file name), and the
planted strings are shown to be in the inbox, so the test can fail.

The as-of date is 30.4.2025, the end of the first tertiary of the data: the reports are then
those of one tertiary (9 PDFs, ~15 s) and not of the six the corpus spans (~80 PDFs, ~100 s).
The funder report's data-quality appendix lists every rejected file's reason whatever the
tertiary, so every message that could quote a cell still reaches a report.
"""

from __future__ import annotations

import importlib.util
import io
import os
import re
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import duckdb
import pytest
from pypdf import PdfReader

from ipsetl.sample_inbox import generate_assessments, generate_monitoring, write_events_list, write_export

CORPUS = Path(__file__).resolve().parent / "corpus"
AS_OF = "2025-04-30"
RUN_TIMEOUT = 300  # the run takes ~35 s; the corpus has inputs built to be slow
REGIONS = ["HUS", "PIR", "LAP", "KSH", "VSH"]
ENCODINGS = ("utf-8", "utf-16-le")
INPUT_ENCODINGS = ("utf-8", "utf-16-le", "cp1252", "mac_roman")  # how the inbox may hold them


def _load_builder():
    name = "build_corpus"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, CORPUS / "build_corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def write_generated(inbox: Path) -> set[str]:
    """Form A and B exports of five regions around the first tertiary of 2025, and an Events list;
    returns the names and e-mail addresses they hold."""
    monitoring = generate_monitoring(8, start=date(2024, 11, 1), end=date(2025, 4, 30), regions=REGIONS)
    assessments = generate_assessments(8, start=date(2024, 1, 1), end=date(2025, 6, 30), regions=REGIONS)
    write_export(inbox / "IPS seuranta 2-2025_Perusraportti.csv", monitoring)
    write_export(
        inbox / "IPS seuranta 2-2025_Perusraportti_raaka.csv", monitoring[:3], header_rows=2, encoding="utf-16"
    )
    write_export(inbox / "IPS laatukriteerit 2025_Perusraportti.xlsx", assessments, "laatu", fmt="xlsx")
    write_events_list(inbox / "IPS-verkostopäivä_Ilmoittautuneet.csv")
    planted = {r[k] for r in monitoring + assessments for k in ("respondent_name", "respondent_email") if r.get(k)}
    # The Events list holds first and last names in separate cells; its e-mail addresses are whole.
    text = (inbox / "IPS-verkostopäivä_Ilmoittautuneet.csv").read_text(encoding="utf-8-sig")
    planted |= set(re.findall(r"[\w.]+@example\.fi", text))
    return planted


def _input_blobs(path: Path) -> list[bytes]:
    """A file's bytes and, for a zip (xlsx), the bytes of each member it still has."""
    data = path.read_bytes()
    out = [data]
    if data[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                for member in z.namelist():
                    try:
                        out.append(z.read(member))
                    except Exception:  # noqa: BLE001 - a damaged member of a corpus file
                        pass
        except zipfile.BadZipFile:
            pass
    return out


def _encodings(s: str, encodings=ENCODINGS) -> list[bytes]:
    out = []
    for enc in encodings:
        try:
            out.append(s.encode(enc))
        except UnicodeEncodeError:
            pass
    return out


def _pdf_text(path: Path) -> str:
    text = " ".join(page.extract_text() or "" for page in PdfReader(path).pages)
    return re.sub(r"\s+", " ", text)


def _duckdb_text(path: Path) -> str:
    """Every value of every table and view, and every view's SQL, as text."""
    parts = []
    with duckdb.connect(str(path), read_only=True) as con:
        relations = con.execute(
            "SELECT table_catalog, table_schema, table_name FROM information_schema.tables"
        ).fetchall()
        for catalog, schema, table in relations:
            rows = con.execute(f'SELECT * FROM "{catalog}"."{schema}"."{table}"').fetchall()
            parts.extend("\t".join("" if v is None else str(v) for v in r) for r in rows)
        parts.extend(sql or "" for (sql,) in con.execute("SELECT sql FROM duckdb_views()").fetchall())
    return "\n".join(parts)


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("privacy")
    inbox = root / "inbox"
    bc = _load_builder()
    bc.build(inbox)
    planted = set(bc.planted_personal()) | write_generated(inbox)
    dagster_home = root / "dagster_home"
    dagster_home.mkdir()
    (dagster_home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    work = root / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPSETL_") and k != "DAGSTER_HOME"}
    env |= {
        "DAGSTER_HOME": str(dagster_home),
        "IPSETL_REPORTS": str(root / "reports"),
        "IPSETL_MAX_FILE_MB": "1",  # the corpus's oversized file is refused, as the corpus expects
    }
    cmd = [sys.executable, "-m", "ipsetl.cli", "run", "--inbox", str(inbox), "--warehouse",
           str(root / "warehouse" / "ipsetl.duckdb"), "--as-of", AS_OF]  # fmt: skip
    try:
        done = subprocess.run(cmd, capture_output=True, env=env, cwd=work, timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.fail(f"`ipsetl run` on the corpus did not finish within {RUN_TIMEOUT} s")
    assert done.returncode == 0, f"the run failed:\n{done.stderr.decode('utf-8', 'replace')[-3000:]}"
    return root, inbox, planted, done


def test_no_personal_data_anywhere(finished_run):
    root, inbox, planted, done = finished_run

    # The inputs do hold every planted string, so finding none below means something.
    blobs = [b for p in inbox.rglob("*") if p.is_file() for b in _input_blobs(p)]
    absent = [s for s in planted if not any(e in b for e in _encodings(s, INPUT_ENCODINGS) for b in blobs)]
    assert not absent, f"planted strings not in the inbox (the test would prove nothing): {absent}"
    assert len(planted) >= 40 and any("@" in s for s in planted) and any(" " in s for s in planted)

    # Every file the run left, outside the inbox.
    written = sorted(p for p in root.rglob("*") if p.is_file() and inbox not in p.parents)
    dagster_files = [p for p in written if (root / "dagster_home") in p.parents]
    warehouses = [p for p in written if p.suffix == ".duckdb"]
    pdfs = [p for p in written if p.suffix == ".pdf"]
    assert len(dagster_files) > 1, "nothing in DAGSTER_HOME: the run did not use the instance given to it"
    assert (
        warehouses and pdfs and any(p.suffix == ".html" for p in written) and any(p.suffix == ".csv" for p in written)
    )

    haystacks: dict[str, bytes | str] = {"stdout": done.stdout, "stderr": done.stderr}
    for p in written:
        haystacks[str(p.relative_to(root))] = p.read_bytes()
    for p in pdfs:
        haystacks[f"{p.relative_to(root)} (text)"] = _pdf_text(p)
    for p in warehouses:
        haystacks[f"{p.relative_to(root)} (rows)"] = _duckdb_text(p)

    # The search finds what must be there: a region name in the rows and in the reports' text, a
    # corpus file name in Dagster's event log.
    region = "Pirkanmaan hyvinvointialue"
    assert any(region in h for k, h in haystacks.items() if k.endswith("(rows)")), "row search finds nothing"
    assert any(region in h for k, h in haystacks.items() if k.endswith("(text)")), "PDF text search finds nothing"
    assert any(b"ilmoittautuneet_events.csv" in h for k, h in haystacks.items() if k.startswith("dagster_home")), (
        "the Dagster storage does not mention the corpus files: is it searched at all?"
    )

    leaks = []
    for where, hay in haystacks.items():
        for s in planted:
            needles = [s] if isinstance(hay, str) else _encodings(s)
            if any(n in hay for n in needles):
                leaks.append(f"{s!r} in {where}")
    assert not leaks, f"{len(leaks)} leaks of personal data:\n" + "\n".join(sorted(leaks)[:40])
