"""Header hygiene and the two-row raw layout (forms.md; webropol-exports.md §3.3–5)."""

from ipsetl.headers import merge_header_rows, normalise_header


def test_normalise_header_hygiene():
    assert normalise_header("  Uudet lähetteet\u00a0jakson  aikana : ") == "Uudet lähetteet jakson aikana"
    assert normalise_header("Vastausaika:") == "Vastausaika"
    assert normalise_header("\ufeffVastausaika") == "Vastausaika"
    # a colon inside the question is part of it
    assert normalise_header("Millaista tukea toivotte THL:ltä?") == "Millaista tukea toivotte THL:ltä?"
    # NFC: a decomposed ä matches the composed one
    assert normalise_header("Pa\u0308a\u0308ttyneet") == "Päättyneet"
    assert normalise_header(None) == ""
    assert normalise_header(3) == "3"


def test_case_is_kept():
    assert normalise_header("vastausaika") != normalise_header("Vastausaika")


def test_merge_two_header_rows():
    top = [
        "Vastausaika",
        "Vastaajan tiedot",
        "",
        "Päättyneiden asiakkuuksien syyt",
        "",
        "Millaista tukea toivotte THL:ltä?",
    ]
    sub = ["", "Nimi", "Sähköposti", "Työllistyi", "Muu syy", ""]
    assert merge_header_rows(top, sub) == [
        "Vastausaika",
        "Vastaajan tiedot:Nimi",
        "Vastaajan tiedot:Sähköposti",
        "Päättyneiden asiakkuuksien syyt:Työllistyi",
        "Päättyneiden asiakkuuksien syyt:Muu syy",
        "Millaista tukea toivotte THL:ltä?",
    ]


def test_merge_with_empty_question_title():
    assert merge_header_rows(["", "x"], ["Voimassa alkaen", ""]) == [":Voimassa alkaen", "x"]


def test_labels_under_single_questions_do_not_hide_them():
    known = frozenset({"Vastausaika", "Vastaajan tiedot:Nimi", "Uudet lähetteet jakson aikana"})
    top = ["Vastausaika", "Vastaajan tiedot", "Uudet lähetteet jakson aikana"]
    sub = ["-", "Nimi", "Uudet lähetteet jakson aikana"]
    assert merge_header_rows(top, sub, known) == [
        "Vastausaika",
        "Vastaajan tiedot:Nimi",
        "Uudet lähetteet jakson aikana",
    ]
    assert merge_header_rows(["Kysymys"], ["Vastaus"], known) == ["Kysymys:Vastaus"]
    assert merge_header_rows(["Uudet lähetteet jakson aikana"], ["x"], known) == ["Uudet lähetteet jakson aikana"]


def test_reading_leaves_no_cell_text_in_the_header_cache(tmp_path):
    """Recognition normalises the cells of a file's first rows (names among them) through a cache;
    a long-lived process must not keep them once the files are read."""
    from ipsetl import headers
    from ipsetl.reader import read_exports
    from ipsetl.sample_inbox import write_sample_inbox

    write_sample_inbox(tmp_path)
    files = sorted(tmp_path.iterdir())[:3]
    read_exports([(p, p.name) for p in files])
    assert headers._normalise.cache_info().currsize == 0
    assert headers.normalise_header("Alue:\u00a0") == "Alue"  # still normalises, cached again
    assert headers._normalise.cache_info().currsize == 1
