"""The reports as their readers get them: real warehouse, real templates, real PDFs, text read back."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest
from pypdf import PdfReader

from ipsetl.fiformat import number, percent
from ipsetl.ingest import run_ingest
from ipsetl.reports import disclosure
from ipsetl.reports.data import ReportOptions, funder_context, report_tertiaries
from ipsetl.reports.render import csv_bytes, neutralise, render_reports
from ipsetl.sample_inbox import generate_monitoring, write_export, write_sample_inbox

AS_OF = date(2026, 11, 26)
TERTIARIES = ["2026-T2", "2026-T3"]  # one final, one draft


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("reports")
    write_sample_inbox(root / "inbox")
    # PIR's latest window, resubmitted the day before the as-of date with hostile open text
    latest = [r for r in generate_monitoring(2026) if r["region"] == "Pirkanmaan hyvinvointialue"][-1]
    hostile = dict(
        latest,
        submitted_at=latest["submitted_at"].replace(year=2026, month=11, day=25),
        text_successes='<script>alert("x")</script> & <b>lihavoitu</b>',
        text_challenges='=HYPERLINK("http://example.invalid")',
    )
    write_export(root / "inbox" / "zz korjaus.csv", [hostile])
    run_ingest(root / "inbox", root / "w.duckdb", 2**26, as_of=AS_OF)
    return root / "w.duckdb"


@pytest.fixture(scope="module")
def reports(warehouse, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("out")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        render_reports(con, out, AS_OF, only=TERTIARIES)
    return out


def pdf_pages(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(str(path)).pages]


def test_the_files_interface_md_names(reports):
    for t in TERTIARIES:
        folder = reports / t
        names = {p.name for p in folder.iterdir()}
        assert {
            f"rahoittajaraportti_{t}.html",
            f"rahoittajaraportti_{t}.pdf",
            f"indikaattorit_{t}.csv",
            f"indikaattorit_{t}.xlsx",
        } <= names
        regional = sorted(n for n in names if n.startswith("alueraportti_") and n.endswith(".pdf"))
        assert len(regional) == 12 and f"alueraportti_PIR_{t}.pdf" in regional


def test_which_tertiaries_are_due(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        due = report_tertiaries(con, AS_OF)
    assert [(t.label, t.draft) for t in due] == [
        ("2025-T1", False),
        ("2025-T2", False),
        ("2025-T3", False),
        ("2026-T1", False),
        ("2026-T2", False),
        ("2026-T3", True),
    ]


def test_draft_is_marked_on_every_page_and_final_is_not(reports):
    draft = pdf_pages(reports / "2026-T3" / "rahoittajaraportti_2026-T3.pdf")
    assert len(draft) > 5 and all("LUONNOS" in page for page in draft)
    regional = pdf_pages(reports / "2026-T3" / "alueraportti_HEL_2026-T3.pdf")
    assert all("LUONNOS" in page for page in regional)
    final = pdf_pages(reports / "2026-T2" / "rahoittajaraportti_2026-T2.pdf")
    assert not any("LUONNOS" in page for page in final)
    assert all(re.search(r"Sivu \d+ / \d+", page) for page in final)


def test_pdf_text_shows_the_marts_figures_in_finnish(warehouse, reports):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        nat = con.execute(
            "SELECT clients_served, clients_active_end, employment_rate, regions_reporting "
            "FROM mart.national_tertiary WHERE tertiary = '2026-T2'"
        ).fetchone()
    text = "\n".join(pdf_pages(reports / "2026-T2" / "rahoittajaraportti_2026-T2.pdf")).replace("\u00a0", " ")
    assert number(nat[0]).replace("\u00a0", " ") in text
    assert number(nat[1]).replace("\u00a0", " ") in text
    assert percent(nat[2]).replace("\u00a0", " ") in text
    assert "1.5.–31.8.2026" in text and "Tiedot tilanteessa 26.11.2026" in text
    for heading in (
        "1 Tiivistelmä",
        "2 Kehitys kausittain",
        "3 Alueet",
        "Liite 1: Tietojen laatu",
        "Liite 2: Määritelmät",
    ):
        assert heading in text
    assert "jakson aikana" in text and "jakson lopussa" in text


def test_every_small_count_is_hidden_in_the_funder_report(warehouse):
    opts = ReportOptions()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        t = [t for t in report_tertiaries(con, AS_OF) if t.label == "2026-T2"][0]
        ctx = funder_context(con, t, AS_OF, opts)
    seen_primary = seen_secondary = 0
    for s in [*ctx["sections"]]:
        for col, cell in s.cells.items():
            if cell.kind == "count" and cell.value is not None and 1 <= cell.value < 5:
                assert cell.marker == "<5", (s.code, col)
                seen_primary += 1
            if cell.marker == disclosure.SECONDARY:
                seen_secondary += 1
                assert cell.value is None or cell.value >= 5 or cell.kind == "rate"
            if cell.kind == "rate" and s.has_data:
                den = {
                    "employment_rate": "clients_served",
                    "permanent_share": "jobs_started",
                    "referral_conversion": "referrals_new",
                }[col]
                if s.cells[den].value is not None and 0 <= s.cells[den].value < 5:
                    assert cell.marker == "–", (s.code, col)
            if cell.kind in ("number", "fte", "dec1"):  # contacts, staff, FTEs: never suppressed
                assert cell.marker is None
    assert seen_primary > 0 and seen_secondary > 0
    # no column of the comparison can be solved from the national total: never exactly one hidden cell
    for col in ["clients_new", "jobs_started", "education_started", "clients_served"]:
        hidden = [s.code for s in ctx["sections"] if s.has_data and s.cells[col].marker]
        if ctx["national"][col].marker is None:
            assert len(hidden) != 1, (col, hidden)


def test_threshold_is_configurable_and_regional_reports_may_turn_it_off(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        t = [t for t in report_tertiaries(con, AS_OF) if t.label == "2026-T2"][0]
        strict = funder_context(con, t, AS_OF, ReportOptions(threshold=10))
        off = funder_context(con, t, AS_OF, ReportOptions(suppress=False))
    small = [c for s in strict["sections"] for c in s.cells.values() if c.kind == "count" and c.value and c.value < 10]
    assert small and all(c.marker in ("<10", "..") for c in small)
    assert all(c.marker is None for s in off["sections"] for c in s.cells.values())


def test_open_text_is_escaped_and_only_in_the_regional_report(reports):
    regional = (reports / "2026-T3" / "alueraportti_PIR_2026-T3.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;lihavoitu&lt;/b&gt;" in regional
    assert "<script>" not in regional and "<b>lihavoitu" not in regional
    funder = (reports / "2026-T3" / "rahoittajaraportti_2026-T3.html").read_text(encoding="utf-8")
    assert "lihavoitu" not in funder and "HYPERLINK" not in funder


def test_csv_is_finnish_excel_friendly_and_neutralised(reports):
    raw = (reports / "2026-T2" / "indikaattorit_2026-T2.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    header = rows[0]
    assert header[:3] == ["Kausi", "Alue", "Alueen nimi"]
    assert rows[-1][1] == "KOKO MAA"
    rate = header.index("Työllisyysaste (jakson aikana)")
    assert all(re.fullmatch(r"\d+,\d|–|\.\.|", r[rate]) for r in rows[1:])
    assert any(cell == "<5" for r in rows[1:] for cell in r)
    for text in ("=1+1", "+cmd", "-2", "@SUM(A1)"):
        assert neutralise(text) == "'" + text
    assert neutralise("Koko maa") == "Koko maa"


def test_a_rate_of_nobody_is_a_dash_in_the_csv_and_the_report():
    """permanent_share with no new jobs: `–` (its denominator, 0, is under the threshold), never an
    empty cell that reads as missing data; and the CSV rounds a rate as the report does."""
    from ipsetl.reports import model
    from ipsetl.reports.data import Cell, _cells

    row = {"jobs_started": 0, "jobs_started_permanent": 0, "permanent_share": None, "clients_served": 80}
    row |= {"clients_employed": 23, "employment_rate": 23 / 80}
    columns = ["jobs_started", "permanent_share", "employment_rate"]
    cells = _cells(row, "X", {}, ReportOptions(), columns)
    assert cells["permanent_share"].marker == disclosure.NOT_SHOWN
    assert model.show(cells["permanent_share"]) == "–"
    ctx = {
        "tertiary": type("T", (), {"label": "2026-T2"})(),
        "sections": [type("S", (), {"has_data": True, "code": "X", "name": "X", "cells": cells})()],
        "has_data": False,
    }
    from ipsetl.reports import figures

    header = [f"{m.label} ({m.when})" for m in figures.FUNDER_MEASURES]
    cells |= {m.column: Cell(None, m.kind) for m in figures.FUNDER_MEASURES if m.column not in cells}
    rows = list(csv.reader(io.StringIO(csv_bytes(ctx).decode("utf-8-sig")), delimiter=";"))
    line = dict(zip(rows[0][3:], rows[1][3:], strict=True))
    assert line[header[[m.column for m in figures.FUNDER_MEASURES].index("permanent_share")]] == "–"
    assert line["Työllisyysaste (jakson aikana)"] == "28,8" == model.show(cells["employment_rate"])[:4]


def test_same_warehouse_and_date_give_identical_bytes(warehouse, reports, tmp_path):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        summary = render_reports(con, tmp_path, AS_OF, only=["2026-T2"], workers=1)
    assert summary.pdf_written == 13
    for path in sorted((tmp_path / "2026-T2").iterdir()):
        assert path.read_bytes() == (reports / "2026-T2" / path.name).read_bytes(), path.name


def test_an_unchanged_report_is_not_rendered_again(warehouse, reports):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        summary = render_reports(con, reports, AS_OF, only=TERTIARIES)
    assert summary.pdf_written == 0 and summary.pdf_unchanged == 26


def test_a_region_that_sent_nothing_says_so(warehouse, reports):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        silent = [
            r[0]
            for r in con.execute(
                "SELECT region_code FROM mart.submission_status WHERE tertiary = '2026-T3' AND windows = 0"
            ).fetchall()
        ]
    assert silent
    html = (reports / "2026-T3" / f"alueraportti_{silent[0]}_2026-T3.html").read_text(encoding="utf-8")
    assert "Alue ei lähettänyt seurantatietoja tältä kolmannesvuodelta (vielä)" in html


def test_a_draft_with_no_data_yet_says_so(tmp_path):
    inbox, wh = tmp_path / "inbox", tmp_path / "w.duckdb"
    write_export(inbox / "a.csv", [r for r in generate_monitoring(3) if r["period_end"] < date(2025, 5, 1)][:3])
    run_ingest(inbox, wh, 2**26, as_of=date(2025, 6, 1))
    with duckdb.connect(str(wh), read_only=True) as con:
        render_reports(con, tmp_path / "out", date(2025, 6, 1), workers=1)
    html = (tmp_path / "out" / "2025-T2" / "rahoittajaraportti_2025-T2.html").read_text(encoding="utf-8")
    assert "Tältä kolmannesvuodelta ei ole vielä yhtään seurantajaksoa" in html and "LUONNOS" in html
    assert (tmp_path / "out" / "2025-T1" / "rahoittajaraportti_2025-T1.pdf").exists()


def test_accessible_structure(reports):
    html = (reports / "2026-T2" / "rahoittajaraportti_2026-T2.html").read_text(encoding="utf-8")
    assert '<html lang="fi">' in html
    assert html.count("<h1") == 1 and "<h2" in html and "<h3" in html
    assert 'scope="col"' in html and 'scope="row"' in html and "<caption>" in html
    assert 'role="img"' in html and "<desc" in html  # the charts


def structure(path: Path) -> tuple[dict, list[dict]]:
    """The PDF's catalog and every element of its structure tree (what a screen reader follows)."""
    reader = PdfReader(str(path))
    root = reader.trailer["/Root"]
    found: list[dict] = []

    def walk(node) -> None:
        node = node.get_object()
        if isinstance(node, list):
            for kid in node:
                walk(kid)
            return
        if not hasattr(node, "get"):
            return  # a marked-content id: the leaf's text
        if "/S" in node:
            found.append(node)
        if "/K" in node:
            walk(node["/K"])

    walk(root["/StructTreeRoot"]["/K"])
    return root, found


@pytest.mark.parametrize("name", ["2026-T2/rahoittajaraportti_2026-T2.pdf", "2026-T3/alueraportti_PIR_2026-T3.pdf"])
def test_pdf_is_tagged_for_a_screen_reader_and_archivable(reports, name):
    """PDF/UA-1 and PDF/A-2a as the issue asks: headings, tables with header cells, the charts as
    figures with their description, the language and the title; the compiler checks the rest."""
    root, elements = structure(reports / name)
    kinds = [str(e["/S"]) for e in elements]
    assert bool(root["/MarkInfo"]["/Marked"]) and str(root["/Lang"]).startswith("fi")
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    meta = PdfReader(str(reports / name)).metadata
    assert meta.title.startswith(("IPS-seurantaraportti", "Pirkanmaan")) and meta.author
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert "pdfuaid:part" in xmp and "<pdfaid:part>2</pdfaid:part>" in xmp and "<pdfaid:conformance>A" in xmp
    assert kinds.count("/H1") == 1 and "/H2" in kinds and "/H3" in kinds
    assert {"/Table", "/THead", "/TH", "/TD", "/Caption"} <= set(kinds)
    figures = [e for e in elements if str(e["/S"]) == "/Figure"]
    assert figures and all(len(str(f["/Alt"])) > 40 for f in figures)
    assert any("Työllisyysaste" in str(f["/Alt"]) or "työllisyysaste" in str(f["/Alt"]) for f in figures)


def test_report_csv_matches_the_funder_contexts_cells(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        t = [t for t in report_tertiaries(con, AS_OF) if t.label == "2026-T2"][0]
        ctx = funder_context(con, t, AS_OF, ReportOptions())
    rows = list(csv.reader(io.StringIO(csv_bytes(ctx).decode("utf-8-sig")), delimiter=";"))
    pir = next(r for r in rows if r[1] == "PIR")
    section = next(s for s in ctx["sections"] if s.code == "PIR")
    header = rows[0]
    served = section.cells["clients_served"]
    assert pir[header.index("Palvelussa olleet asiakkaat (jakson aikana)")] == (served.marker or str(served.value))


def test_funder_report_and_csv_leave_out_cumulative_figures(reports):
    """This tertiary's cumulative minus the previous report's would give back suppressed counts."""
    header = (reports / "2026-T2" / "indikaattorit_2026-T2.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert "kertymä" not in header
    funder = (reports / "2026-T2" / "rahoittajaraportti_2026-T2.html").read_text(encoding="utf-8")
    assert "kertymä hankkeen alusta" not in funder
    regional = (reports / "2026-T2" / "alueraportti_PIR_2026-T2.html").read_text(encoding="utf-8")
    assert "Uudet työsuhteet, kertymä hankkeen alusta" in regional


def test_caseload_is_hidden_with_the_active_clients_it_would_reveal():
    from ipsetl.reports.data import _cells

    row = {"clients_active_end": 3, "coaches_fte": 1.5, "caseload_per_fte": 2.0, "clients_served": 40}
    markers = {("X", "clients_active_end"): "<5"}
    cells = _cells(row, "X", markers, ReportOptions(), ["clients_active_end", "coaches_fte", "caseload_per_fte"])
    assert cells["caseload_per_fte"].marker == disclosure.SECONDARY
    assert cells["coaches_fte"].marker is None


def test_chart_hides_every_regional_rate_the_tables_hide(warehouse):
    from ipsetl.reports.data import trend_series

    with duckdb.connect(str(warehouse), read_only=True) as con:
        due = report_tertiaries(con, AS_OF)
        t = [t for t in due if t.label == "2026-T2"][0]
        trend = trend_series(con, t, ReportOptions(threshold=40))  # a high threshold hides many rates
        for tt in due[:-1]:
            ctx = funder_context(con, tt, AS_OF, ReportOptions(threshold=40))
            i = trend["categories"].index(tt.label)
            for s in ctx["sections"]:
                if s.has_data and s.cells["employment_rate"].marker:
                    assert trend["regional_rate"][s.code][i] is None, (tt.label, s.code)


def test_chart_hides_the_national_rate_the_tables_hide(warehouse):
    """The national line and the chart's description leave out a national rate its tertiary's
    tables hide (a high threshold hides the national employed count, and with it the rate)."""
    from ipsetl.reports import model
    from ipsetl.reports.data import trend_series

    opts = ReportOptions(threshold=300)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        due = report_tertiaries(con, AS_OF)
        last = due[-1]
        trend = trend_series(con, last, opts)
        ctx = funder_context(con, last, AS_OF, opts)
        hidden = []
        for tt in due:
            cell = funder_context(con, tt, AS_OF, opts)["national"]["employment_rate"]
            i = trend["categories"].index(tt.label)
            if cell.marker:
                hidden.append(tt.label)
                assert trend["national_rate"][i] is None, tt.label
            else:
                assert trend["national_rate"][i] == cell.value
    assert hidden
    figure = next(b for s in model.document(ctx).sections for b in s.blocks if isinstance(b, model.Figure))
    assert f"{hidden[-1]}: –" in figure.alt


def test_two_processes_writing_the_same_report_never_collide(tmp_path):
    """Each write goes through a temporary file of its own, renamed over the report: two runs
    writing at once leave one whole version, never an error or a half-written file."""
    code = (
        "import sys; from pathlib import Path; from ipsetl.reports.render import _write_if_changed\n"
        "for i in range(300): _write_if_changed(Path(sys.argv[1]), (sys.argv[2] * 5000 + str(i)).encode())"
    )
    target = tmp_path / "rahoittajaraportti_2026-T2.html"
    procs = [subprocess.Popen([sys.executable, "-c", code, str(target), c]) for c in "ab"]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    text = target.read_text()
    assert len(text) in (5003, 5002, 5001) and set(text[:5000]) in ({"a"}, {"b"})
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no temporary file left


def test_a_closed_tertiary_is_not_redone_when_only_the_as_of_date_moves(warehouse, tmp_path):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        first = render_reports(con, tmp_path, AS_OF, only=["2026-T2"], workers=1)
        later = render_reports(con, tmp_path, date(2026, 11, 27), only=["2026-T2"], workers=1)
    assert first.pdf_written == 13 and later.pdf_written == 0


def _inked_margins(pdf: bytes) -> list[int]:
    """Pages (1-based) with ink outside the text area's sides (18 mm margins, 0,5 mm slack): what
    runs over a column's edge ends up there, since Typst never breaks inside a word by itself."""
    import pypdfium2

    found = []
    document = pypdfium2.PdfDocument(pdf)
    for index in range(len(document)):
        page = document[index]
        scale = 4  # px per pt
        pixels = page.render(scale=scale, grayscale=True).to_numpy()
        edge = round((18 - 0.5) * 72 / 25.4 * scale)
        if pixels[:, :edge].min() < 200 or pixels[:, -edge:].min() < 200:
            found.append(index + 1)
    return found


def test_no_text_runs_over_the_page_edge(warehouse, monkeypatch):
    """Every page of the funder report keeps its ink inside the margins, also with a rejected file
    whose 80-character name has no space to break at; the check finds the name when the renderer
    does not make long words breakable."""
    from ipsetl.reports import model, typst_pdf

    with duckdb.connect(str(warehouse), read_only=True) as con:
        t = [t for t in report_tertiaries(con, AS_OF) if t.label == "2026-T2"][0]
        ctx = funder_context(con, t, AS_OF, ReportOptions())
    long_name = "IPS_seuranta_" + "x" * 200 + ".csv"
    ctx["quality"]["rejected_files"].append({"file_name": long_name, "reason": "Tuntematon lomake"})
    doc = model.document(ctx)
    assert _inked_margins(typst_pdf.pdf_bytes(doc, AS_OF)) == []
    monkeypatch.setattr(typst_pdf, "_LONG_WORD", re.compile(r"(?!x)x"))  # matches nothing
    typst_pdf.printable.cache_clear()
    try:
        assert _inked_margins(typst_pdf.pdf_bytes(doc, AS_OF)) != []
    finally:
        typst_pdf.printable.cache_clear()


def test_hostile_open_text_prints_literally_in_the_pdf(warehouse):
    """An answer holding Typst markup, emoji, CJK, a control character and a 10 000-character word:
    the PDF compiles (PDF/UA fails on a glyph the font lacks, so such characters are written as
    their code points), the markup stays text, and the HTML escapes it all."""
    import pypdfium2

    from ipsetl.reports import model, typst_pdf
    from ipsetl.reports.data import regional_context
    from ipsetl.reports.render import environment

    hostile = '#set text(red) ]#panic("x")[ $x^2$ @label <b>x</b> {{ 7*7 }} 😀 漢字 \x07 \\ *lihava*\r\nrivi\t2 '
    with duckdb.connect(str(warehouse), read_only=True) as con:
        t = [t for t in report_tertiaries(con, AS_OF) if t.label == "2026-T3"][0]
        ctx = regional_context(con, "PIR", t, AS_OF, ReportOptions(suppress=False))
    ctx["section"].texts[0]["successes"] = hostile + "y" * 10_000
    doc = model.document(ctx)
    pdf = typst_pdf.pdf_bytes(doc, AS_OF)
    extracted = (
        "".join(page.get_textpage().get_text_range() for page in pypdfium2.PdfDocument(pdf))
        .replace("\u200b", "")
        .replace("\r\n", "\n")
    )
    for literal in ("#set text(red)", ']#panic("x")[', "$x^2$", "@label", "<b>x</b>", "{{ 7*7 }}", "*lihava*"):
        assert literal in extracted
    assert "😀" in extracted  # DejaVu Sans has this one
    assert "[U+6F22][U+5B57]" in extracted and "[U+0007]" in extracted
    assert "y" * 5000 in extracted.replace("\n", "")
    assert "*lihava*\nrivi 2" in extracted  # a web form's CRLF is a line break, a tab a space
    assert "[U+000D]" not in extracted and "[U+0009]" not in extracted
    html = environment().get_template("report.html.j2").render(doc=doc)
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html and "😀" in html
    assert "\x07" not in html and "\r" not in html and "[U+0007]" in html  # the same cleaning in both
