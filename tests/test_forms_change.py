"""When THL edits the Webropol form (issue 17): the run's findings explain, `ipsetl forms check`
names each change, `ipsetl forms draft` writes the next version, and both rounds then load."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from ipsetl.formcheck import check_headers
from ipsetl.forms import FormFileError, form_versions, get_form, load_form
from ipsetl.reader import read_export
from ipsetl.sample_inbox import generate_monitoring, write_export
from ipsetl.similarity import PLAUSIBLE, assign, similarity
from schemas import FORMS_DIR

IPSETL = [sys.executable, "-m", "ipsetl.cli"]

# The rewordings: a word changed, a comma added, a word changed; and a question added.
REWORDED = {
    "coaches_headcount": "Työhönvalmentajien lukumäärä jakson lopussa (henkilöä)",
    "clients_served": "Palvelussa olleet asiakkaat, jakson aikana yhteensä",
    "clients_waiting": "Jonossa odottavat asiakkaat jakson lopussa",
}
NEW_QUESTION = "Vertaistyöntekijöiden määrä jakson lopussa"

# Rewordings a form round makes, realistic for both forms: each must be taken for its question.
REWORDINGS = [
    ("coaches_headcount", "Työhönvalmentajien lukumäärä jakson lopussa (henkilöä)"),
    ("clients_waiting", "Jonossa odottavat asiakkaat jakson lopussa"),
    ("referrals_new", "Uudet lähetteet jakson aikana, kpl"),
    ("referrals_new", "Jakson aikana tulleet uudet lähetteet"),
    ("text_successes", "Mikä jakson aikana on onnistunut hyvin?"),
    ("text_support_needs", "Millaista tukea toivoisitte THL:ltä?"),
    ("clients_active_end", "Aktiivisten asiakkaiden määrä jakson lopussa"),
    (
        "pct_time_job_coaching",
        "Kuinka suuren osan työajastaan työhönvalmentajat käyttävät varsinaiseen työhönvalmennukseen? (%)",
    ),
    ("care_teams_attached", "Kuinka moneen psykiatriseen hoitotiimiin työhönvalmentajat on kiinnitetty?"),
    ("clients_ended", "Jakson aikana päättyneet asiakkuudet"),
    ("region", "Hyvinvointialue tai IPS-hanke"),
    ("period_start", "Raportointijakson alkupäivä"),
    ("period_end", "Raportointijakson loppupäivä"),
    ("ended_other", "Asiakkuuden päättymisen syyt:Muu syy"),
    ("clients_phase_3", "Asiakkaat jakson lopussa prosessin vaiheittain:Vaihe 3 – työnhaku"),
    ("employer_contacts", "Työnantajakontaktit (kasvokkain tapaamiset) jakson aikana yhteensä"),
    ("item_07", "7. Työhönvalmennustiimi"),
    ("item_07", "7. Työhönvalmennuksen tiimin koko"),
    ("item_12", "12. Taloudellisiin etuuksiin liittyvä neuvonta"),
    ("item_19", "19. Tarjottujen töiden monimuotoisuus"),
]

# Questions a new round might add: none may be taken for any existing question.
UNRELATED = [
    "Vertaistyöntekijöiden määrä jakson lopussa",
    "Asiakastyytyväisyyskyselyyn vastanneet jakson aikana",
    "Työhönvalmentajien koulutuspäivät jakson aikana",
    "Onko alueella IPS-ohjausryhmä?",
    "Etätapaamisten osuus asiakastapaamisista (%)",
    "Uudet opiskelupaikat jakson aikana",
    "Muuta kommentoitavaa",
    "Kuinka monta työnantajaa tavattiin ensimmäistä kertaa?",
    "26. Vertaistuki",
    "Lisätietoja arvioinnista",
    "Arvioijan nimike",
    "Arvioinnin kesto (tuntia)",
    "Työhönvalmentajien määrä, joilla on IPS-koulutus",
    # the same words on the other side of a contrast: opposite questions
    "Jonossa olevat asiakkaat jakson alussa",
    "Aktiiviset asiakkaat jakson alussa",
    "Asiakkaat, jotka keskeyttivät opinnot jakson aikana",
    "Raportointijakson alkupäivä tai päättymispäivä, jos jakso päättyi",
]


def ipsetl(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("IPSETL_")}
    full_env.update(env or {})
    return subprocess.run([*IPSETL, *args], capture_output=True, text=True, env=full_env, cwd=cwd, timeout=300)


def _column_form(column: str):
    return next(f for f in form_versions() if column in f.by_column)


def _all_headers():
    return [c for f in form_versions() for c in f.columns if c.type != "personal"]


@pytest.mark.parametrize(("column", "text"), REWORDINGS)
def test_a_rewording_is_most_like_its_own_question_and_plausible(column, text):
    form = _column_form(column)
    scores = sorted(
        ((similarity(text, c.header), c.column) for c in form.columns if c.type != "personal"), reverse=True
    )
    assert scores[0][1] == column, scores[:3]
    assert scores[0][0] >= PLAUSIBLE, scores[:3]


@pytest.mark.parametrize("text", UNRELATED)
def test_an_unrelated_question_is_no_questions_rewording(text):
    best = max(_all_headers(), key=lambda c: similarity(text, c.header))
    assert similarity(text, best.header) < PLAUSIBLE, best.header


def test_items_that_differ_by_number_are_told_apart():
    """Items 7 and 8 share most of their words; a reworded 7 is 7 even when 8 is missing too."""
    form = get_form("laatu")
    headers = [c.header for c in form.columns]
    i7, i8 = (headers.index(form.column(n).header) for n in ("item_07", "item_08"))
    headers[i7] = "7. Työhönvalmennustiimi"
    headers[i8] = "8. Työhönvalmennustiimin vetäjän rooli"
    check = check_headers(form, headers)
    got = {m.column.column: m.nearest.text for m in check.reworded}
    assert got == {"item_07": "7. Työhönvalmennustiimi", "item_08": "8. Työhönvalmennustiimin vetäjän rooli"}


def test_assignment_is_one_to_one():
    """Two missing phases and one text most like both: it goes to one, the other stays missing."""
    wanted = ["Vaihe 2 – osaamisen kartoittaminen", "Vaihe 3 – työn etsintä"]
    pairs = assign(["Vaihe 3 – työn etsiminen"], wanted)
    assert pairs == {1: (0, pytest.approx(similarity("Vaihe 3 – työn etsiminen", wanted[1])))}


@pytest.fixture
def rows():
    return generate_monitoring(11)[:12]


def test_the_runs_findings_quote_the_new_texts_and_say_what_to_do(tmp_path, rows):
    path = write_export(tmp_path / "uusi.csv", rows, headers=REWORDED, extra={NEW_QUESTION: 3})
    parsed = read_export(path)
    assert parsed.status == "rejected"
    missing = {f.column_name: f.message for f in parsed.findings if f.rule == "missing_column"}
    assert set(missing) == set(REWORDED)
    headers = [c.header for c in get_form("seuranta").columns] + [NEW_QUESTION]
    for column, text in REWORDED.items():
        position = headers.index(get_form("seuranta").column(column).header) + 1
        assert f"sarakkeessa {position}: '{text}'" in missing[column]
        assert missing[column].endswith("Jos lomakkeen kysymystä on muutettu, aja `ipsetl forms check <tiedosto>`.")
    unknown = {f.column_name for f in parsed.findings if f.rule == "unknown_column"}
    assert unknown == {*REWORDED.values(), NEW_QUESTION}  # listed although the file was refused
    assert all(f.severity == "warning" for f in parsed.findings if f.rule == "unknown_column")


def test_a_reworded_optional_question_loads_but_its_warning_says_so(tmp_path, rows):
    text = "Tiiminvetäjän työpanos henkilötyövuosina (htv)"
    assert similarity(text, get_form("seuranta").column("team_leader_fte").header) >= PLAUSIBLE
    parsed = read_export(write_export(tmp_path / "x.csv", rows, headers={"team_leader_fte": text}))
    assert parsed.status == "loaded"
    (warning,) = [f for f in parsed.findings if f.rule == "unknown_column"]
    assert "Tiiminvetäjän henkilötyövuodet (htv)" in warning.message and "ipsetl forms check" in warning.message


def test_no_unknown_header_says_so(tmp_path, rows):
    columns = [c.column for c in get_form("seuranta").columns if c.column != "clients_new"]
    parsed = read_export(write_export(tmp_path / "x.csv", rows, columns=columns))
    (f,) = [f for f in parsed.findings if f.rule == "missing_column"]
    assert "ei ole tuntemattomia sarakkeita" in f.message


@pytest.fixture
def forms_dir(tmp_path):
    folder = tmp_path / "forms"
    shutil.copytree(FORMS_DIR, folder)
    return folder


def test_check_names_each_change_and_exits_1(tmp_path, rows, forms_dir):
    path = write_export(tmp_path / "uusi.csv", rows, headers=REWORDED, extra={NEW_QUESTION: 3})
    result = ipsetl("forms", "check", str(path), env={"IPSETL_FORMS_DIR": str(forms_dir)})
    assert result.returncode == 1, result.stderr
    out = result.stdout
    assert "Lomakeversio: seuranta-1" in out
    for column, text in REWORDED.items():
        assert f"tuntematon → muutettu {column}?" in out
        assert f"'{text}'" in out  # in the missing questions' list, quoted whole
    assert "Vertaistyöntekijöiden määrä jakson lopussa      tuntematon; lähimmät" in out
    assert "submitted_at" in out and "henkilötieto (ei tallenneta)" in out
    assert "Tulos: ei latautuisi sellaisenaan (3 pakollista kysymystä puuttuu)." in out
    assert f"ipsetl forms draft {path}" in out
    assert len(out.splitlines()) <= 60  # one screen, give or take


def test_check_of_a_file_that_loads_exits_0_with_its_counts(tmp_path, rows):
    columns = [c.column for c in get_form("seuranta").columns][::-1]  # reordered questions
    path = write_export(tmp_path / "vanha.csv", rows, columns=columns, header_noise=True)
    result = ipsetl("forms", "check", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Tulos: latautuisi sellaisenaan versiona seuranta-1: 12 vastausta, 12 hyväksyttäisiin" in result.stdout


def test_check_of_a_removed_optional_question_exits_0_and_lists_it(tmp_path, rows):
    columns = [c.column for c in get_form("seuranta").columns if c.column != "team_leader_fte"]
    result = ipsetl("forms", "check", str(write_export(tmp_path / "x.csv", rows, columns=columns)))
    assert result.returncode == 0
    assert "team_leader_fte (valinnainen)" in result.stdout and "→ ei vastinetta" in result.stdout


def test_a_file_that_matches_nothing_is_refused_by_check_and_draft(tmp_path, forms_dir):
    path = tmp_path / "muu.csv"
    path.write_text("Nimi;Osoite;Puhelin\nMatti;Kotikatu 1;040 123\n", encoding="utf-8")
    env = {"IPSETL_FORMS_DIR": str(forms_dir)}
    for command in ("check", "draft"):
        result = ipsetl("forms", command, str(path), env=env)
        assert result.returncode == 1
        assert result.stderr.startswith("Virhe: Tiedoston otsikot eivät vastaa seurantalomaketta"), result.stderr
        assert "Traceback" not in result.stderr and "Matti" not in result.stderr
    assert sorted(p.name for p in forms_dir.iterdir()) == ["laatu-1.toml", "seuranta-1.toml"]


def test_draft_writes_the_next_version_for_review(tmp_path, rows, forms_dir):
    path = write_export(tmp_path / "uusi.csv", rows, headers=REWORDED, extra={NEW_QUESTION: 3})
    result = ipsetl("forms", "draft", str(path), env={"IPSETL_FORMS_DIR": str(forms_dir)})
    assert result.returncode == 0, result.stderr
    drafted = forms_dir / "seuranta-2.toml"
    text = drafted.read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    assert raw["version"] == 2 and raw["form"] == "seuranta"
    v1 = get_form("seuranta-1")
    headers = {c["column"]: c["header"] for c in raw["column"]}
    assert headers == {c.column: REWORDED.get(c.column, c.header) for c in v1.columns}
    for column, new in REWORDED.items():
        old = v1.column(column).header
        (line,) = [x for x in text.splitlines() if x.startswith(f'header = "{new}"')]
        assert f'# muutettu: oli "{old}"' in line
    assert f'#   sarake {len(v1.columns) + 1}: "{NEW_QUESTION}"' in text  # listed, not mapped
    assert NEW_QUESTION not in headers.values()
    assert "# Form A — periodic monitoring" in text  # the base file's own comments kept
    assert "seuranta-2" in result.stdout and NEW_QUESTION in result.stdout
    # a second draft of the same file: it now loads as seuranta-2, nothing to write
    again = ipsetl("forms", "draft", str(path), env={"IPSETL_FORMS_DIR": str(forms_dir)})
    assert again.returncode == 0 and "uutta versiota ei tarvita" in again.stdout
    assert not (forms_dir / "seuranta-3.toml").exists()


def test_draft_refuses_when_a_required_question_has_no_match(tmp_path, rows, forms_dir):
    columns = [c.column for c in get_form("seuranta").columns if c.column != "clients_new"]
    path = write_export(tmp_path / "x.csv", rows, columns=columns, headers=REWORDED, extra={NEW_QUESTION: 1})
    result = ipsetl("forms", "draft", str(path), env={"IPSETL_FORMS_DIR": str(forms_dir)})
    assert result.returncode == 1
    assert "clients_new" in result.stderr and "Luonnosta ei kirjoitettu" in result.stderr
    assert "coaches_headcount" not in result.stderr  # only the one without a match is named
    assert not (forms_dir / "seuranta-2.toml").exists()


def test_draft_into_a_new_folder_brings_the_current_versions(tmp_path, rows):
    path = write_export(tmp_path / "uusi.csv", rows, headers=REWORDED)
    out = tmp_path / "kokeilu"
    result = ipsetl("forms", "draft", str(path), "--out", f"{out}/")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["laatu-1.toml", "seuranta-1.toml", "seuranta-2.toml"]
    assert f"IPSETL_FORMS_DIR={out}" in result.stdout
    again = ipsetl("forms", "draft", str(path), "--out", str(out / "seuranta-2.toml"))
    assert again.returncode == 1 and "on jo olemassa" in again.stderr


def _windows(warehouse: Path) -> list[tuple]:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("SELECT * EXCLUDE (source_file) FROM mart.monitoring_window ORDER BY ALL").fetchall()


def test_both_rounds_in_one_inbox_load_to_the_same_windows(tmp_path, forms_dir):
    """The drafted version loads the new round's export as seuranta-2, the old round's still as
    seuranta-1, to exactly the windows the same answers give under the old headers."""
    rows = generate_monitoring(12)[:24]
    old_round, new_round = rows[:12], rows[12:]
    reworded = write_export(tmp_path / "uusi.csv", new_round, headers=REWORDED, extra={NEW_QUESTION: 2})
    env = {"IPSETL_FORMS_DIR": str(forms_dir)}
    assert ipsetl("forms", "draft", str(reworded), env=env).returncode == 0

    mixed, same = tmp_path / "mixed", tmp_path / "same"
    write_export(mixed / "inbox" / "kierros1.csv", old_round)
    shutil.copy(reworded, mixed / "inbox" / "kierros2.csv")
    write_export(same / "inbox" / "kierros1.csv", old_round)
    write_export(same / "inbox" / "kierros2.csv", new_round, header_rows=1)
    for root in (mixed, same):
        args = ["--inbox", str(root / "inbox"), "--warehouse", str(root / "w.duckdb"), "--reports", str(root / "r")]
        result = ipsetl("run", *args, "--as-of", "2026-12-03", "--tertiaries", "none", env=env)
        assert result.returncode == 0, result.stderr
    import duckdb

    with duckdb.connect(str(mixed / "w.duckdb"), read_only=True) as con:
        versions = dict(con.execute("SELECT file_name, form_version FROM mart.source_file").fetchall())
    assert versions == {"kierros1.csv": "seuranta-1", "kierros2.csv": "seuranta-2"}
    assert _windows(mixed / "w.duckdb") == _windows(same / "w.duckdb")
    assert len(_windows(mixed / "w.duckdb")) == 24


def test_a_draft_edited_by_hand_loads_and_a_typo_is_named(tmp_path, rows, forms_dir):
    path = write_export(tmp_path / "uusi.csv", rows, headers=REWORDED)
    env = {"IPSETL_FORMS_DIR": str(forms_dir)}
    assert ipsetl("forms", "draft", str(path), env=env).returncode == 0
    drafted = forms_dir / "seuranta-2.toml"
    # the coordinator corrects one header by hand (the form's final wording) and drops the markers
    text = drafted.read_text(encoding="utf-8")
    final = "Jonossa odottavat asiakkaat jakson lopussa (henkilöä)"
    text = text.replace('header = "Jonossa odottavat asiakkaat jakson lopussa"', f'header = "{final}"')
    text = "\n".join(line.split("  # muutettu")[0] for line in text.splitlines()) + "\n"
    drafted.write_text(text, encoding="utf-8")
    edited = write_export(tmp_path / "lopullinen.csv", rows, headers={**REWORDED, "clients_waiting": final})
    result = ipsetl("forms", "check", str(edited), env=env)
    assert result.returncode == 0, result.stdout
    assert "versiona seuranta-2" in result.stdout

    drafted.write_text(text.replace('column = "clients_waiting"', 'column = "clients_wating"'), encoding="utf-8")
    result = ipsetl("forms", "check", str(edited), env=env)
    assert result.returncode == 1
    assert "seuranta-2.toml" in result.stderr and "'clients_wating'" in result.stderr
    with pytest.raises(FormFileError, match="clients_wating"):
        load_form(drafted)


def test_forms_dir_changes_what_a_registered_file_is(tmp_path, forms_dir):
    """Pointing IPSETL_FORMS_DIR at a folder with the drafted version re-reads the inbox's refused
    file, as an edited schemas/ does."""
    rows = generate_monitoring(13)[:6]
    inbox = tmp_path / "inbox"
    write_export(inbox / "uusi.csv", rows, headers=REWORDED)
    args = ["--inbox", str(inbox), "--warehouse", str(tmp_path / "w.duckdb"), "--reports", str(tmp_path / "r")]
    first = ipsetl("run", *args, "--as-of", "2026-12-03", "--tertiaries", "none")
    assert "uusi.csv: HYLÄTTY – Pakollinen kysymys" in first.stderr
    assert ipsetl("forms", "draft", str(inbox / "uusi.csv"), env={"IPSETL_FORMS_DIR": str(forms_dir)}).returncode == 0
    second = ipsetl(
        "run", *args, "--as-of", "2026-12-03", "--tertiaries", "none", env={"IPSETL_FORMS_DIR": str(forms_dir)}
    )
    assert second.returncode == 0, second.stderr
    assert "uusi.csv (luettu uudelleen: lomakemääritykset ovat muuttuneet): seuranta-2, 6 vastausta" in second.stderr


def test_a_contrasting_new_question_does_not_take_a_heavily_reworded_ones_column(tmp_path, rows, forms_dir):
    """'… jakson alussa' is no rewording of '… jakson lopussa', however alike the words: the draft
    refuses rather than load start-of-period counts as end-of-period ones."""
    reworded = {"clients_waiting": "Kuinka monta asiakasta odotti palveluun pääsyä jakson lopussa?"}
    path = write_export(tmp_path / "x.csv", rows, headers=reworded, extra={"Jonossa olevat asiakkaat jakson alussa": 4})
    check = check_headers(get_form("seuranta"), read_headers(path))
    (m,) = check.missing
    assert m.column.column == "clients_waiting" and not m.reworded
    result = ipsetl("forms", "draft", str(path), env={"IPSETL_FORMS_DIR": str(forms_dir)})
    assert result.returncode == 1 and "clients_waiting" in result.stderr


def test_a_split_question_is_no_rewording_of_the_whole(tmp_path, rows, forms_dir):
    """'Uudet asiakkaat' split into women and men: either part alone would load half the count."""
    header = get_form("seuranta").column("clients_new").header
    columns = [c.column for c in get_form("seuranta").columns if c.column != "clients_new"]
    path = write_export(tmp_path / "x.csv", rows, columns=columns, extra={f"{header}:Naiset": 1, f"{header}:Miehet": 2})
    check = check_headers(get_form("seuranta"), read_headers(path))
    assert [m.column.column for m in check.missing] == ["clients_new"] and not check.reworded
    assert ipsetl("forms", "draft", str(path), env={"IPSETL_FORMS_DIR": str(forms_dir)}).returncode == 1


def test_an_inserted_criterion_renumbers_the_items_and_each_keeps_its_column(tmp_path, forms_dir):
    """A new criterion 7 moves items 7–25 to 8–26: each old text maps to its own item, and until
    the new version exists the run's warning says the answers would go unsaved."""
    from ipsetl.sample_inbox import generate_assessments

    form = get_form("laatu")
    items = [c for c in form.columns if c.type == "item"]
    renumbered = {}
    for c in items[6:]:
        number, _, text = c.header.partition(". ")
        renumbered[c.column] = f"{int(number) + 1}. {text}"
    path = write_export(
        tmp_path / "laatu.csv",
        generate_assessments()[:6],
        "laatu",
        headers=renumbered,
        extra={"7. Vertaistyöntekijän rooli": 3},
    )
    check = check_headers(form, read_headers(path))
    assert {m.column.column: m.nearest.text for m in check.reworded} == renumbered
    assert [h.text for h in check.new_questions] == ["7. Vertaistyöntekijän rooli"]
    parsed = read_export(path)
    assert parsed.status == "loaded"
    warnings = " ".join(f.message for f in parsed.findings if f.rule == "unknown_column")
    assert "vastaukset jää" in warnings or "muistuttaa" in warnings
    assert "ipsetl forms check" in warnings
    result = ipsetl("forms", "draft", str(path), env={"IPSETL_FORMS_DIR": str(forms_dir)})
    assert result.returncode == 0, result.stderr
    drafted = load_form(forms_dir / "laatu-2.toml")
    assert {c.column: c.header for c in drafted.columns if c.column in renumbered} == renumbered


def test_a_reworded_contact_block_stays_personal(tmp_path, rows, forms_dir):
    """'Yhteyshenkilön tiedot:Nimi' is a name however the block is called: never quoted, never
    stored, and the drafted version knows the new headers."""
    renamed = {"respondent_name": "Yhteyshenkilön tiedot:Nimi", "respondent_email": "Yhteyshenkilön tiedot:Sähköposti"}
    bad = [dict(r) for r in rows]
    bad[1]["coaches_fte"] = bad[0]["respondent_name"]  # a name typed into a number field
    path = write_export(tmp_path / "x.csv", bad, headers={**REWORDED, **renamed})
    check = check_headers(get_form("seuranta"), read_headers(path))
    assert {m.column.column for m in check.reworded} == {*REWORDED, *renamed}
    assert not check.new_questions
    assert ipsetl("forms", "draft", str(path), env={"IPSETL_FORMS_DIR": str(forms_dir)}).returncode == 0
    text = (forms_dir / "seuranta-2.toml").read_text(encoding="utf-8")
    assert 'header = "Yhteyshenkilön tiedot:Nimi"' in text
    # loaded with the new version: the name in row 2 is a type error that does not quote it
    import ipsetl.forms as forms_module

    os.environ["IPSETL_FORMS_DIR"] = str(forms_dir)
    try:
        parsed = read_export(path)
    finally:
        del os.environ["IPSETL_FORMS_DIR"]
    assert parsed.form.name == "seuranta-2"
    messages = " ".join(f.message for f in parsed.findings)
    assert bad[0]["respondent_name"] not in messages and "arvoa ei näytetä" in messages
    assert forms_module.forms_dir() == FORMS_DIR


def test_drafting_again_from_a_draft_carries_no_old_markers(tmp_path, rows, forms_dir):
    """v3 drafted from an unreviewed v2: one banner, only this round's changes marked; a commented
    `[[column]]` line and a BOM (Notepad) keep the file editable line by line."""
    base = forms_dir / "seuranta-1.toml"
    base.write_text(
        "\ufeff" + base.read_text(encoding="utf-8").replace("[[column]]", "[[column]]  # kysymys", 1), encoding="utf-8"
    )
    first = write_export(tmp_path / "k2.csv", rows, headers=REWORDED, extra={NEW_QUESTION: 1})
    env = {"IPSETL_FORMS_DIR": str(forms_dir)}
    assert ipsetl("forms", "draft", str(first), env=env).returncode == 0
    third_round = {**REWORDED, "referrals_new": "Jakson aikana tulleet uudet lähetteet"}
    second = write_export(tmp_path / "k3.csv", rows, headers=third_round)
    result = ipsetl("forms", "draft", str(second), env=env)
    assert result.returncode == 0, result.stderr
    text = (forms_dir / "seuranta-3.toml").read_text(encoding="utf-8")
    assert text.count("--- LUONNOS") == 1 and "Uudet kysymykset" not in text
    assert text.count("  # muutettu: oli") == 1 and "# Form A — periodic monitoring" in text
    assert "[[column]]  # kysymys" in text
    assert load_form(forms_dir / "seuranta-3.toml").column("referrals_new").header == third_round["referrals_new"]


def read_headers(path: Path) -> tuple[str, ...]:
    from ipsetl.forminspect import inspect

    return inspect(path).layout.headers
