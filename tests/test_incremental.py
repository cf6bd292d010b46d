"""Only the work that changed: tertiary signatures, the report scope, Liite 1 per tertiary, the
up-to-date check of `ipsetl run`, and the benchmark loads.

A small load (three regions, monthly windows) keeps each render at four PDFs; the reports are
real (Typst), the warehouse is a real DuckDB file filled by the real ingestion.
"""

from __future__ import annotations

import os
import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from benchmarks.generate import generate, region_list
from ipsetl.config import settings
from ipsetl.ingest import run_ingest
from ipsetl.reports import data
from ipsetl.reports.data import Tertiary, select_tertiaries
from ipsetl.reports.freshness import SIGNATURE_FILE, up_to_date
from ipsetl.reports.render import render_reports
from ipsetl.sample_inbox import generate_monitoring, write_export
from pipelines.partitions import tertiary_of

AS_OF = date(2026, 11, 26)
REGIONS = ["PIR", "HUS", "LAP"]
LATEST = "2026-T2"


def _t(label: str, complete: bool) -> Tertiary:
    return Tertiary(label, date(2026, 1, 1), date(2026, 4, 30), complete, draft=not complete)


def test_select_tertiaries_by_scope():
    due = [_t("2025-T3", True), _t("2026-T1", True), _t("2026-T2", True), _t("2026-T3", False)]
    labels = lambda scope: [t.label for t in select_tertiaries(due, scope)]  # noqa: E731
    assert labels("all") == ["2025-T3", "2026-T1", "2026-T2", "2026-T3"]
    assert labels("latest") == ["2026-T2"]
    assert labels("current") == ["2026-T3"]
    assert labels("none") == []
    assert labels("latest,current") == ["2026-T2", "2026-T3"]
    assert labels("2026-T1") == ["2026-T1"]
    assert labels("2019-T1") == []  # not due: nothing (the command line says so)
    assert labels("latest") == labels(" latest , ")


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return generate_monitoring(2026, date(2025, 9, 1), date(2026, 10, 31), REGIONS, monthly=True)


def _by_month(rows: list[dict], first: date, last: date) -> list[dict]:
    return [r for r in rows if first <= r["period_end"] <= last]


@pytest.fixture()
def load(tmp_path, rows) -> dict:
    """Windows up to 8/2026 in the inbox (2026-T2 is the latest complete tertiary), rendered once."""
    inbox, wh, out = tmp_path / "inbox", tmp_path / "w.duckdb", tmp_path / "reports"
    write_export(
        inbox / "IPS seuranta 2025-2026_Perusraportti.csv", _by_month(rows, date(2025, 9, 1), date(2026, 8, 31))
    )
    run_ingest(inbox, wh, 2**26, as_of=AS_OF)
    with duckdb.connect(str(wh), read_only=True) as con:
        first = render_reports(con, out, AS_OF, only=[LATEST])
    return {"inbox": inbox, "wh": wh, "out": out, "first": first, "rows": rows}


def _render(load: dict, out: Path | None = None):
    with duckdb.connect(str(load["wh"]), read_only=True) as con:
        return render_reports(con, out or load["out"], AS_OF, only=[LATEST])


def _mtimes(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}


def test_a_file_for_a_later_tertiary_leaves_the_closed_one_alone(load):
    """The next round's export (October, 2026-T3) changes nothing the 2026-T2 reports can read: the
    tertiary is skipped without building a context, and re-rendering it anyway gives the same bytes."""
    assert load["first"].pdf_written == 1 + len(REGIONS)
    folder = load["out"] / LATEST
    before = _mtimes(folder)
    write_export(
        load["inbox"] / "IPS seuranta 2026-10_Perusraportti.csv",
        _by_month(load["rows"], date(2026, 10, 1), date(2026, 10, 31)),
    )
    run_ingest(load["inbox"], load["wh"], 2**26, as_of=AS_OF)
    again = _render(load)
    assert again.tertiaries_unchanged == [LATEST] and again.pdf_written == 0
    assert _mtimes(folder) == before
    # Soundness of the signature: a fresh render of 2026-T2 from the grown warehouse is identical.
    fresh = load["out"].parent / "fresh"
    _render(load, fresh)
    for name in before:
        if name.endswith((".html", ".csv")):
            assert (fresh / LATEST / name).read_bytes() == (folder / name).read_bytes(), name


def test_a_correction_rerenders_only_the_reports_it_changes(load):
    """A region corrects the open text of its last 2026-T2 window: the tertiary's signature moves;
    the region's report (the text) and the funder report (Liite 1 lists the new file) are rendered
    again, the other regions' are not. (A corrected count would move the national figures, which
    every report of the tertiary shows.)"""
    folder = load["out"] / LATEST
    before = _mtimes(folder)
    last = [r for r in load["rows"] if r["region"] == "Lapin hyvinvointialue" and r["period_end"] == date(2026, 8, 31)]
    fixed = dict(last[0], submitted_at=last[0]["submitted_at"] + timedelta(days=10), text_successes="Korjattu teksti.")
    write_export(load["inbox"] / "korjaus LAP.csv", [fixed])
    run_ingest(load["inbox"], load["wh"], 2**26, as_of=AS_OF)
    again = _render(load)
    assert again.tertiaries_unchanged == [] and again.pdf_written == 2
    changed = {n for n, m in _mtimes(folder).items() if before.get(n) != m}
    assert changed == {
        *(f"{stem}_{LATEST}.{ext}" for stem in ("alueraportti_LAP", "rahoittajaraportti") for ext in ("html", "pdf")),
        SIGNATURE_FILE,
    }
    assert "Korjattu teksti." in (folder / f"alueraportti_LAP_{LATEST}.html").read_text(encoding="utf-8")


def test_a_deleted_or_unfinished_pdf_is_rendered_again(load):
    folder = load["out"] / LATEST
    (folder / f"alueraportti_PIR_{LATEST}.pdf").unlink()
    assert _render(load).pdf_written == 1
    html = folder / f"alueraportti_HUS_{LATEST}.html"
    os.utime(html, ns=(html.stat().st_atime_ns, (folder / f"alueraportti_HUS_{LATEST}.pdf").stat().st_mtime_ns + 10**9))
    assert _render(load).pdf_written == 1  # a PDF older than its HTML was never finished


def test_up_to_date_check_agrees_with_the_run(load, monkeypatch):
    s = settings(str(load["inbox"]), str(load["wh"]), str(load["out"]))
    assert up_to_date(s, AS_OF, LATEST)
    assert up_to_date(s, AS_OF, "none")
    assert not up_to_date(s, AS_OF, "all")  # the other due tertiaries were never rendered
    assert not up_to_date(s, AS_OF + timedelta(days=1), LATEST)  # another as-of date is a new run
    (load["out"] / LATEST / SIGNATURE_FILE).write_text("tampered\n")
    assert not up_to_date(s, AS_OF, LATEST)
    _render(load)
    assert up_to_date(s, AS_OF, LATEST)
    shutil.copy(next(load["inbox"].iterdir()), load["inbox"] / "kopio.csv")  # a new name: a file to register
    assert not up_to_date(s, AS_OF, LATEST)
    monkeypatch.setenv("IPSETL_SUPPRESSION_THRESHOLD", "10")  # other options: other reports
    (load["inbox"] / "kopio.csv").unlink()
    assert not up_to_date(settings(str(load["inbox"]), str(load["wh"]), str(load["out"])), AS_OF, LATEST)


def test_data_quality_appendix_lists_the_tertiarys_own_files(load):
    bad = dict(load["rows"][0], coaches_fte="paljon")  # a rejected row of a 2026-T3 file
    october = _by_month(load["rows"], date(2026, 10, 1), date(2026, 10, 31))
    write_export(load["inbox"] / "IPS seuranta 2026-10_Perusraportti.csv", [*october, bad])
    (load["inbox"] / "tyhjä.csv").write_bytes(b"")
    run_ingest(load["inbox"], load["wh"], 2**26, as_of=AS_OF)
    with duckdb.connect(str(load["wh"]), read_only=True) as con:
        files = dict(con.execute("SELECT file_name, tertiary FROM mart.source_file").fetchall())
        findings = con.execute("SELECT DISTINCT source_file, tertiary FROM mart.data_quality").fetchall()
        t2 = data.Tertiary(LATEST, date(2026, 5, 1), date(2026, 8, 31), True, False)
        t3 = data.Tertiary("2026-T3", date(2026, 9, 1), date(2026, 12, 31), False, True)
        q2 = data.quality_appendix(con, t2, [], {})
        q3 = data.quality_appendix(con, t3, [], {})
    read_in = tertiary_of(date.today())  # a file with nothing readable: the tertiary it was read in
    assert files == {
        "IPS seuranta 2025-2026_Perusraportti.csv": LATEST,  # its latest window
        "IPS seuranta 2026-10_Perusraportti.csv": "2026-T3",
        "tyhjä.csv": read_in,
    }
    assert ("IPS seuranta 2026-10_Perusraportti.csv", "2026-T3") in findings
    assert q2["files_total"] == 1 and q2["rows_rejected"] == 0 and q2["per_region"] == []
    assert q3["rows_rejected"] == 1 and [r["rule"] for r in q3["per_region"]] == ["type"]
    assert q3["files_total"] == (2 if read_in == "2026-T3" else 1)


def test_benchmark_loads_have_the_announced_shape(tmp_path):
    w = generate("national", tmp_path / "national")
    assert w.regions == 21 == len(region_list("national")) and len(region_list("x10")) == 210
    files = sorted(p.name for p in w.inbox.iterdir())
    assert len(files) == 70 == w.files
    assert sum(n.startswith("IPS seuranta ") for n in files) == 60
    assert sum(n.startswith("IPS laatukriteerit ") for n in files) == 10
    assert w.next_file is not None and w.next_file.name.startswith("IPS seuranta 2026-10")
    assert w.env == {"IPSETL_REGIONS_FILE": str(w.root / "regions.csv")}  # no tertiary range to set
    os.environ["IPSETL_REGIONS_FILE"] = w.env["IPSETL_REGIONS_FILE"]
    try:
        summary = run_ingest(w.inbox, tmp_path / "w.duckdb", 2**26, as_of=AS_OF)
    finally:
        del os.environ["IPSETL_REGIONS_FILE"]
    assert all(f.status == "loaded" and f.rows_rejected == 0 for f in summary.files)
    assert summary.windows_active == 21 * 60
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM mart.data_quality WHERE severity = 'error'").fetchone()[0] == 0
        assert con.execute("SELECT count(DISTINCT tertiary) FROM mart.region_tertiary").fetchone()[0] == 16


def test_the_command_runs_the_report_job_only_when_a_report_would_change(tmp_path, rows):
    """`ipsetl run` (the runner): the ingest job always; the tertiary job only over the selected
    tertiaries whose reports would change. Next month's export (2026-T3) leaves 2026-T2's reports
    as they are: one Dagster run, no report step. A corrected 2026-T2 answer: both jobs, the
    tertiary job over 2026-T2 alone."""
    import dagster as dg

    from ipsetl import progress
    from ipsetl.runner import dagster_instance, run_pipeline

    inbox, out = tmp_path / "inbox", tmp_path / "reports"
    write_export(inbox / "IPS seuranta 2025-2026.csv", _by_month(rows, date(2025, 9, 1), date(2026, 8, 31)))
    s = settings(str(inbox), str(tmp_path / "w.duckdb"), str(out))

    def run() -> tuple[list[tuple[str, str | None]], list[str]]:
        said: list[str] = []
        with dagster_instance() as instance:
            before = {r.run_id for r in instance.get_runs()}
        with progress.sink(said.append):
            run_pipeline(s, AS_OF, "latest")
        with dagster_instance() as instance:
            new = [r for r in instance.get_runs(filters=dg.RunsFilter(tags={"ipsetl/trigger": "cli"}))]
        runs = [(r.job_name, r.tags.get("dagster/asset_partition_range_start")) for r in new if r.run_id not in before]
        return sorted(runs), said

    runs, _ = run()
    assert runs == [("ipsetl_ingest", None), ("ipsetl_tertiary", LATEST)]
    before = _mtimes(out / LATEST)

    write_export(inbox / "IPS seuranta 2026-10.csv", _by_month(rows, date(2026, 10, 1), date(2026, 10, 31)))
    runs, said = run()
    assert runs == [("ipsetl_ingest", None)]
    assert f"Raportit {LATEST}: ennallaan" in said
    assert _mtimes(out / LATEST) == before

    last = [r for r in rows if r["region"] == "Lapin hyvinvointialue" and r["period_end"] == date(2026, 8, 31)]
    write_export(inbox / "korjaus LAP.csv", [dict(last[0], submitted_at=last[0]["submitted_at"] + timedelta(days=10))])
    runs, _ = run()
    assert runs == [("ipsetl_ingest", None), ("ipsetl_tertiary", LATEST)]
    assert _mtimes(out / LATEST) != before
