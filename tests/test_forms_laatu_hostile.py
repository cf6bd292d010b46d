"""Issue 17 on the quality form (laatu) and under hostile conditions: reworded items are told apart
by their numbers, `ipsetl forms draft` writes laatu-2 from one-row, two-row, xlsx and UTF-16
exports, the drafted version loads the new round to exactly the figures the old headers give
(command line and Dagster alike), and hostile files and broken forms folders are one Finnish
sentence, never a traceback, a hang or a changed warehouse.

Real processes and real files throughout; every folder is under tmp_path.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import duckdb
import pytest

from ipsetl.formcheck import check_headers
from ipsetl.forms import get_form
from ipsetl.sample_inbox import generate_assessments, write_export
from ipsetl.similarity import PLAUSIBLE
from schemas import FORMS_DIR

IPSETL = [sys.executable, "-m", "ipsetl.cli"]

# Rewordings a new form round could make of the items most alike as text: 7 and 8 share
# "Työhönvalmennuksen tiimi…", 17 and 18 share "työnantaj…".
ITEM_07 = {"item_07": "7. Työhönvalmennustiimi"}
ITEMS_07_08 = {**ITEM_07, "item_08": "8. Työhönvalmennustiimin vetäjän rooli"}
ITEMS_07_08_17_18 = {
    **ITEMS_07_08,
    "item_17": "17. Tiiviit yhteydet työnantajiin",
    "item_18": "18. Työnantajayhteyksien laadukkuus",
}
SCENARIOS = {"7": ITEM_07, "7+8": ITEMS_07_08, "7+8+17+18": ITEMS_07_08_17_18}
AS_OF = "2026-12-03"


def ipsetl(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("IPSETL_")}
    full_env.update(env or {})
    return subprocess.run([*IPSETL, *args], capture_output=True, text=True, env=full_env, timeout=timeout)


def no_traceback(result: subprocess.CompletedProcess) -> None:
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout, result.stderr


def run_args(root: Path, warehouse: Path | None = None) -> list[str]:
    return [
        "--inbox",
        str(root / "inbox"),
        "--warehouse",
        str(warehouse or root / "w.duckdb"),
        "--reports",
        str(root / "reports"),
        "--as-of",
        AS_OF,
        "--tertiaries",
        "none",
    ]


def drafted_headers(path: Path) -> dict[str, str]:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    assert raw["form"] == "laatu" and raw["version"] == 2
    return {c["column"]: c["header"] for c in raw["column"]}


def expected_headers(reworded: dict[str, str]) -> dict[str, str]:
    return {c.column: reworded.get(c.column, c.header) for c in get_form("laatu-1").columns}


def source_files(warehouse: Path) -> dict[str, tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "SELECT file_name, form_version, status, rows_total, rows_accepted, rows_rejected FROM mart.source_file"
        ).fetchall()
    return {name: tuple(rest) for name, *rest in rows}


def fidelity(warehouse: Path) -> list[tuple]:
    """mart.fidelity_assessment without its file-name column, in a fixed order."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("SELECT * EXCLUDE (source_file) FROM mart.fidelity_assessment ORDER BY ALL").fetchall()


def item_07_answers(warehouse: Path, file_name: str) -> list:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return [
            r[0]
            for r in con.execute(
                "SELECT item_07 FROM mart.fidelity_assessment WHERE source_file = ? ORDER BY source_row", [file_name]
            ).fetchall()
        ]


def sha(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return generate_assessments(seed=17)[:24]


@pytest.fixture
def forms_dir(tmp_path) -> Path:
    folder = tmp_path / "forms"
    shutil.copytree(FORMS_DIR, folder)
    return folder


# --- 1. reworded items are mapped to their own items -------------------------------------------


@pytest.mark.parametrize("reworded", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_each_reworded_item_is_taken_for_its_own_item(reworded):
    form = get_form("laatu-1")
    headers = [reworded.get(c.column, c.header) for c in form.columns]
    check = check_headers(form, headers)
    assert {m.column.column: m.nearest.text for m in check.reworded} == reworded
    assert {m.column.column for m in check.missing} == set(reworded)  # nothing else is missing
    assert check.new_questions == [] and check.loads  # items are optional: it loads, losing them
    for m in check.reworded:
        assert m.reworded and m.score >= PLAUSIBLE
        assert m.nearest.position == headers.index(m.nearest.text) + 1
        assert check.rewording_of(m.nearest) == m
        ranked = check.similar_columns(m.nearest)
        assert ranked[0][0].column == m.column.column, ranked
        assert all(score < ranked[0][1] for _, score in ranked[1:]), ranked  # the neighbour item is less alike


@pytest.mark.parametrize("reworded", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_forms_check_names_each_reworded_item_and_says_its_answers_would_be_lost(tmp_path, rows, reworded):
    path = write_export(tmp_path / "syksy.csv", rows, "laatu", headers=reworded)
    result = ipsetl("forms", "check", str(path), env={"IPSETL_FORMS_DIR": str(FORMS_DIR)})
    no_traceback(result)
    assert result.returncode == 0, result.stdout + result.stderr  # it loads, the items empty
    out = result.stdout
    assert "Lomakeversio: laatu-1" in out
    for column, text in reworded.items():
        (line,) = [x for x in out.splitlines() if f"tuntematon → muutettu {column}?" in x]
        assert f"  {text}  " in line, line  # the header as the file has it
        assert f"'{text}'" in out  # quoted whole in the missing questions' list
    n = len(reworded)
    assert f"Lomakkeen kysymykset, joita tiedostossa ei ole ({n}, pakollisia 0):" in out
    assert f"Tulos: latautuisi sellaisenaan versiona laatu-1: {len(rows)} vastausta" in out
    said = "1 valinnainen kysymys näyttää muutetulta" if n == 1 else f"{n} valinnaista kysymystä näyttää muutetuilta"
    assert f"Huom: {said}" in out and f"ipsetl forms draft {path}" in out


def test_drafted_laatu_2_loads_the_new_round_to_the_figures_of_the_old_headers(tmp_path, rows, forms_dir):
    """One inbox, both rounds: before the draft the reworded items are lost (laatu-1, NULL); the
    drafted laatu-2 re-reads the new round, and the fidelity figures are then exactly those of the
    same answers written with the original headers."""
    old_round, new_round = rows[:12], rows[12:]
    env = {"IPSETL_FORMS_DIR": str(forms_dir)}
    mixed, same = tmp_path / "mixed", tmp_path / "same"
    write_export(mixed / "inbox" / "kevät.csv", old_round, "laatu")
    reworded = write_export(mixed / "inbox" / "syksy.csv", new_round, "laatu", headers=ITEMS_07_08_17_18)
    write_export(same / "inbox" / "kevät.csv", old_round, "laatu")
    write_export(same / "inbox" / "syksy.csv", new_round, "laatu")

    before = ipsetl("run", *run_args(mixed), env=env)
    assert before.returncode == 0, before.stderr
    assert source_files(mixed / "w.duckdb")["syksy.csv"][0] == "laatu-1"
    assert set(item_07_answers(mixed / "w.duckdb", "syksy.csv")) == {None}  # the answers were lost

    drafted = ipsetl("forms", "draft", str(reworded), env=env)
    no_traceback(drafted)
    assert drafted.returncode == 0, drafted.stderr
    assert "Kirjoitettiin lomakeversio laatu-2" in drafted.stdout
    assert "Muutetut kysymykset (4)" in drafted.stdout
    assert sorted(p.name for p in forms_dir.iterdir()) == ["laatu-1.toml", "laatu-2.toml", "seuranta-1.toml"]
    text = (forms_dir / "laatu-2.toml").read_text(encoding="utf-8")
    assert drafted_headers(forms_dir / "laatu-2.toml") == expected_headers(ITEMS_07_08_17_18)
    v1 = get_form("laatu-1")
    for column, new in ITEMS_07_08_17_18.items():
        (line,) = [x for x in text.splitlines() if x.startswith(f'header = "{new}"')]
        assert f'# muutettu: oli "{v1.column(column).header}"' in line

    results = {root: ipsetl("run", *run_args(root), env=env) for root in (mixed, same)}
    for result in results.values():
        no_traceback(result)
        assert result.returncode == 0, result.stderr
    assert "syksy.csv (luettu uudelleen: lomakemääritykset ovat muuttuneet): laatu-2" in results[mixed].stderr
    accepted = (len(old_round), len(old_round), 0), (len(new_round), len(new_round), 0)
    assert source_files(mixed / "w.duckdb") == {
        "kevät.csv": ("laatu-1", "loaded", *accepted[0]),
        "syksy.csv": ("laatu-2", "loaded", *accepted[1]),
    }
    assert {v[0] for v in source_files(same / "w.duckdb").values()} == {"laatu-1"}
    figures = fidelity(mixed / "w.duckdb")
    assert len(figures) == len(rows)
    assert figures == fidelity(same / "w.duckdb")
    assert any(v is not None for v in item_07_answers(mixed / "w.duckdb", "syksy.csv"))


# --- 2. two-row raw exports and xlsx -----------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "header_rows", "suffix"),
    [("csv", 1, "csv"), ("csv", 2, "csv"), ("xlsx", 1, "xlsx"), ("xlsx", 2, "xlsx")],
    ids=["csv-1", "csv-2", "xlsx-1", "xlsx-2"],
)
def test_two_row_and_xlsx_exports_are_checked_and_drafted_the_same_way(
    tmp_path, rows, forms_dir, fmt, header_rows, suffix
):
    path = write_export(
        tmp_path / f"IPS laatukriteerit syksy 2026.{suffix}",
        rows,
        "laatu",
        fmt=fmt,
        header_rows=header_rows,
        headers=ITEMS_07_08,
    )
    env = {"IPSETL_FORMS_DIR": str(forms_dir)}
    check = ipsetl("forms", "check", str(path), env=env)
    no_traceback(check)
    assert check.returncode == 0, check.stdout + check.stderr
    rows_said = "otsikkorivit 1–2" if header_rows == 2 else "otsikkorivi 1,"
    assert f"Lomakeversio: laatu-1 ({forms_dir / 'laatu-1.toml'}); {rows_said}" in check.stdout
    assert "32 saraketta, 24 vastausta" in check.stdout
    for column in ITEMS_07_08:
        assert f"tuntematon → muutettu {column}?" in check.stdout
    # the raw export's split personal question is still personal, not unknown
    assert check.stdout.count("henkilötieto (ei tallenneta)") == 2

    draft = ipsetl("forms", "draft", str(path), env=env)
    no_traceback(draft)
    assert draft.returncode == 0, draft.stderr
    assert drafted_headers(forms_dir / "laatu-2.toml") == expected_headers(ITEMS_07_08)

    again = ipsetl("forms", "check", str(path), env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Tulos: latautuisi sellaisenaan versiona laatu-2: 24 vastausta, 24 hyväksyttäisiin" in again.stdout
    assert "tuntematon" not in again.stdout


# --- 3. hostile input to forms check and forms draft -------------------------------------------


def _directory(tmp_path: Path) -> Path:
    path = tmp_path / "IPS laatukriteerit.csv"
    path.mkdir()
    return path


def _fifo(tmp_path: Path) -> Path:
    path = tmp_path / "IPS laatukriteerit.csv"
    os.mkfifo(path)
    return path


def _empty(tmp_path: Path) -> Path:
    path = tmp_path / "tyhjä.csv"
    path.write_bytes(b"")
    return path


def _binary(tmp_path: Path) -> Path:
    path = tmp_path / "roskaa.csv"
    path.write_bytes(bytes(range(256)) * 400)
    return path


def _broken_xlsx(tmp_path: Path) -> Path:
    path = tmp_path / "katkennut.xlsx"
    path.write_bytes(b"PK\x03\x04" + bytes((i * 37) % 256 for i in range(5000)))
    return path


def _not_a_form(tmp_path: Path) -> Path:
    path = tmp_path / "osoitteet.csv"
    path.write_text("Nimi;Osoite;Puhelin\nMatti;Kotikatu 1;040 123\n", encoding="utf-8")
    return path


HOSTILE = {
    "directory": (_directory, "ei ole tavallinen tiedosto"),
    "fifo": (_fifo, "ei ole tavallinen tiedosto"),
    "missing": (lambda tmp_path: tmp_path / "puuttuu.csv", "ei ole."),
    "empty": (_empty, "Tiedosto on tyhjä"),
    "binary": (_binary, "binääriseltä tai vioittuneelta"),
    "broken-xlsx": (_broken_xlsx, "vioittunut tai katkennut"),
    "not-a-form": (_not_a_form, "eivät vastaa seurantalomaketta eikä laatulomaketta"),
}


@pytest.mark.parametrize("command", ["check", "draft"])
@pytest.mark.parametrize("case", HOSTILE.keys())
def test_a_hostile_file_is_one_finnish_sentence_and_no_draft(tmp_path, forms_dir, case, command):
    make, said = HOSTILE[case]
    path = make(tmp_path)
    started = time.monotonic()
    result = ipsetl("forms", command, str(path), env={"IPSETL_FORMS_DIR": str(forms_dir)}, timeout=30)
    assert time.monotonic() - started < 30
    no_traceback(result)
    assert result.returncode == 1
    assert result.stderr.startswith("Virhe: "), result.stderr
    assert said in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stdout == ""
    assert sorted(p.name for p in forms_dir.iterdir()) == ["laatu-1.toml", "seuranta-1.toml"]
    if case == "fifo":
        assert path.exists()  # not consumed, not replaced


def _wide(tmp_path: Path, rows: list[dict], junk_first: bool) -> Path:
    """The form's headers with four items reworded, and 20 000 questions no version knows."""
    extra = {f"Lisäkysymys {i}": i % 5 for i in range(20_000)}
    columns = [c.column for c in get_form("laatu-1").columns]
    return write_export(
        tmp_path / "leveä.csv",
        rows,
        "laatu",
        headers=ITEMS_07_08_17_18,
        extra=extra,
        columns=[*extra, *columns] if junk_first else None,
    )


def _check_and_draft_the_wide_file(path: Path, forms_dir: Path) -> None:
    env = {"IPSETL_FORMS_DIR": str(forms_dir)}
    started = time.monotonic()
    check = ipsetl("forms", "check", str(path), env=env, timeout=60)
    assert time.monotonic() - started < 60
    no_traceback(check)
    assert check.returncode == 0, check.stderr  # the items are optional: it loads, losing them
    for column in ITEMS_07_08_17_18:
        assert f"tuntematon → muutettu {column}?" in check.stdout, column
    assert "Huom: 4 valinnaista kysymystä näyttää muutetuilta" in check.stdout

    started = time.monotonic()
    draft = ipsetl("forms", "draft", str(path), env=env, timeout=60)
    assert time.monotonic() - started < 60
    no_traceback(draft)
    assert draft.returncode == 0, draft.stderr
    assert "Muutetut kysymykset (4)" in draft.stdout
    assert drafted_headers(forms_dir / "laatu-2.toml") == expected_headers(ITEMS_07_08_17_18)
    assert "Uudet kysymykset (20000)" in draft.stdout  # listed, mapped to nothing

    again = ipsetl("forms", "check", str(path), env=env, timeout=60)
    assert again.returncode == 0 and "versiona laatu-2" in again.stdout, again.stderr


def test_twenty_thousand_unknown_columns_after_the_form_still_show_the_rewordings(tmp_path, rows, forms_dir):
    _check_and_draft_the_wide_file(_wide(tmp_path, rows, junk_first=False), forms_dir)


def test_twenty_thousand_unknown_columns_before_the_form_still_show_the_rewordings(tmp_path, rows, forms_dir):
    _check_and_draft_the_wide_file(_wide(tmp_path, rows, junk_first=True), forms_dir)


def test_a_utf16_export_is_checked_and_drafted(tmp_path, rows, forms_dir):
    path = write_export(tmp_path / "IPS laatukriteerit (2).csv", rows, "laatu", encoding="utf-16", headers=ITEM_07)
    assert path.read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    env = {"IPSETL_FORMS_DIR": str(forms_dir)}
    check = ipsetl("forms", "check", str(path), env=env)
    no_traceback(check)
    assert check.returncode == 0, check.stderr
    assert "tuntematon → muutettu item_07?" in check.stdout and "24 vastausta" in check.stdout
    draft = ipsetl("forms", "draft", str(path), env=env)
    assert draft.returncode == 0, draft.stderr
    assert drafted_headers(forms_dir / "laatu-2.toml") == expected_headers(ITEM_07)
    again = ipsetl("forms", "check", str(path), env=env)
    assert again.returncode == 0 and "versiona laatu-2: 24 vastausta, 24 hyväksyttäisiin" in again.stdout


def test_non_ascii_digits_in_cells_reject_their_rows_only(tmp_path, rows, forms_dir):
    """٣ (Arabic-Indic), ４ (fullwidth) and १ (Devanagari) are no scores or dates: their rows are
    rejected, the file is checked and drafted as any other. Item 7's bad answer counts only once
    the draft maps the reworded item 7 (before, the column is not read at all)."""
    bad = [dict(r) for r in rows]
    bad[0]["item_01"] = "\u0663"
    bad[1]["item_02"] = "\uff14"
    bad[2]["assessed_on"] = "\uff11\uff15.\uff15.2026"
    bad[3]["item_07"] = "\u0967"
    path = write_export(tmp_path / "numerot.csv", bad, "laatu", headers=ITEM_07)
    env = {"IPSETL_FORMS_DIR": str(forms_dir)}
    check = ipsetl("forms", "check", str(path), env=env)
    no_traceback(check)
    assert check.returncode == 0, check.stderr
    assert "versiona laatu-1: 24 vastausta, 21 hyväksyttäisiin, 3 hylättäisiin" in check.stdout
    assert "tuntematon → muutettu item_07?" in check.stdout
    draft = ipsetl("forms", "draft", str(path), env=env)
    no_traceback(draft)
    assert draft.returncode == 0, draft.stderr
    again = ipsetl("forms", "check", str(path), env=env)
    assert again.returncode == 0, again.stderr
    assert "versiona laatu-2: 24 vastausta, 20 hyväksyttäisiin, 4 hylättäisiin" in again.stdout


# --- 4. a broken forms folder ------------------------------------------------------------------


def _missing_folder(tmp_path: Path) -> tuple[Path, Path]:
    return tmp_path / "ei-lomakkeita", tmp_path / "ei-lomakkeita"


def _empty_folder(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "tyhjä-kansio"
    folder.mkdir()
    return folder, folder


def _syntax_error(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "lomakkeet"
    shutil.copytree(FORMS_DIR, folder)
    text = (FORMS_DIR / "laatu-1.toml").read_text(encoding="utf-8").replace("version = 1", "version = 2")
    broken = folder / "laatu-2.toml"
    broken.write_text(text.replace("[[column]]", "[[column]", 3), encoding="utf-8")
    return folder, broken


def _misspelt_column(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "lomakkeet"
    shutil.copytree(FORMS_DIR, folder)
    text = (FORMS_DIR / "laatu-1.toml").read_text(encoding="utf-8").replace("version = 1", "version = 2")
    typo = folder / "laatu-2.toml"
    typo.write_text(text.replace('column = "item_07"', 'column = "item_7"'), encoding="utf-8")
    return folder, typo


BROKEN_FOLDERS = {
    "missing": _missing_folder,
    "empty": _empty_folder,
    "syntax-error": _syntax_error,
    "misspelt-column": _misspelt_column,
}


@pytest.fixture(scope="module")
def loaded_warehouse(tmp_path_factory, rows) -> Path:
    """A warehouse that has loaded one laatu export under the shipped forms."""
    root = tmp_path_factory.mktemp("loaded")
    write_export(root / "inbox" / "kevät.csv", rows, "laatu")
    result = ipsetl("run", *run_args(root), env={"IPSETL_FORMS_DIR": str(FORMS_DIR)})
    assert result.returncode == 0, result.stderr
    assert source_files(root / "w.duckdb")["kevät.csv"][:2] == ("laatu-1", "loaded")
    return root


@pytest.mark.parametrize("case", BROKEN_FOLDERS.keys())
def test_forms_check_names_the_broken_folder_or_file(tmp_path, rows, case):
    folder, named = BROKEN_FOLDERS[case](tmp_path)
    path = write_export(tmp_path / "kevät.csv", rows, "laatu")
    result = ipsetl("forms", "check", str(path), env={"IPSETL_FORMS_DIR": str(folder)})
    no_traceback(result)
    assert result.returncode == 1
    assert result.stderr.startswith("Virhe: ") and str(named) in result.stderr, result.stderr
    if case == "misspelt-column":
        assert "'item_7'" in result.stderr
    draft = ipsetl("forms", "draft", str(path), env={"IPSETL_FORMS_DIR": str(folder)})
    no_traceback(draft)
    assert draft.returncode == 1 and str(named) in draft.stderr, draft.stderr
    assert not (folder / "laatu-3.toml").exists()


@pytest.mark.parametrize("case", BROKEN_FOLDERS.keys())
def test_run_with_a_broken_forms_folder_fails_and_leaves_the_warehouse(tmp_path, loaded_warehouse, case):
    folder, named = BROKEN_FOLDERS[case](tmp_path)
    env = {"IPSETL_FORMS_DIR": str(folder)}
    existing = tmp_path / "w.duckdb"
    shutil.copy(loaded_warehouse / "w.duckdb", existing)
    before = sha(existing)
    for warehouse in (existing, tmp_path / "uusi.duckdb"):
        result = ipsetl("run", *run_args(loaded_warehouse, warehouse), env=env)
        no_traceback(result)
        assert result.returncode == 1, result.stderr
        assert str(named) in result.stderr, result.stderr
    assert sha(existing) == before
    assert not (tmp_path / "uusi.duckdb").exists()
    assert source_files(existing)["kevät.csv"][:2] == ("laatu-1", "loaded")


# --- 5. Dagster honours IPSETL_FORMS_DIR --------------------------------------------------------


def test_dagster_ingest_reads_the_drafted_version_from_the_forms_folder(tmp_path, rows, forms_dir, monkeypatch):
    """The ingest job as the UI and the schedules run it: without the variable the reworded file is
    laatu-1 with item 7 lost; with IPSETL_FORMS_DIR at the drafted laatu-2 the same warehouse
    re-reads it as laatu-2 (its reading workers inherit the environment)."""
    import dagster as dg

    from pipelines.definitions import INGEST_ASSETS
    from pipelines.resources import IpsetlPaths

    inbox = tmp_path / "inbox"
    write_export(inbox / "kevät.csv", rows[:12], "laatu")
    reworded = write_export(inbox / "syksy.xlsx", rows[12:], "laatu", fmt="xlsx", headers=ITEMS_07_08)
    drafted = ipsetl("forms", "draft", str(reworded), env={"IPSETL_FORMS_DIR": str(forms_dir)})
    assert drafted.returncode == 0, drafted.stderr
    paths = IpsetlPaths(
        inbox=str(inbox), warehouse=str(tmp_path / "w.duckdb"), reports=str(tmp_path / "reports"), as_of=AS_OF
    )
    warehouse = tmp_path / "w.duckdb"

    monkeypatch.delenv("IPSETL_FORMS_DIR", raising=False)
    with dg.instance_for_test() as instance:
        assert dg.materialize(INGEST_ASSETS, resources={"ipsetl": paths}, instance=instance).success
    assert {k: v[0] for k, v in source_files(warehouse).items()} == {"kevät.csv": "laatu-1", "syksy.xlsx": "laatu-1"}
    assert set(item_07_answers(warehouse, "syksy.xlsx")) == {None}

    monkeypatch.setenv("IPSETL_FORMS_DIR", str(forms_dir))
    with dg.instance_for_test() as instance:
        assert dg.materialize(INGEST_ASSETS, resources={"ipsetl": paths}, instance=instance).success
    assert source_files(warehouse) == {
        "kevät.csv": ("laatu-1", "loaded", 12, 12, 0),
        "syksy.xlsx": ("laatu-2", "loaded", 12, 12, 0),
    }
    expected = [r["item_07"] if isinstance(r["item_07"], int) else None for r in rows[12:]]  # "En osaa sanoa": NULL
    assert item_07_answers(warehouse, "syksy.xlsx") == expected

    # a drafted version broken by hand: the ingest step fails naming the file, the warehouse stays
    text = (forms_dir / "laatu-2.toml").read_text(encoding="utf-8")
    (forms_dir / "laatu-2.toml").write_text(text.replace('column = "item_07"', 'column = "item_7"'), encoding="utf-8")
    before = sha(warehouse)
    with dg.instance_for_test() as instance:
        result = dg.materialize(INGEST_ASSETS, resources={"ipsetl": paths}, instance=instance, raise_on_error=False)
    assert not result.success
    (failure,) = result.get_step_failure_events()
    cause = failure.step_failure_data.error.cause  # the step's own error under Dagster's wrapper
    assert cause.cls_name == "FormFileError" and "laatu-2.toml" in cause.message and "'item_7'" in cause.message
    assert sha(warehouse) == before
