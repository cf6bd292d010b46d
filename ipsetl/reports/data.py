"""Everything a report shows, read from the marts: the contexts the report model is built from.

Figures come from `mart.*` as they are; this module only selects them, pairs each with its label,
applies disclosure control and takes differences between tertiaries. The model
(ipsetl/reports/model.py) words and formats them; the templates only place them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from ipsetl import fiformat
from ipsetl.config import DEFAULT_ORGANISATION
from ipsetl.findings import rule_label
from ipsetl.reports import disclosure
from ipsetl.reports.figures import (
    BY_COLUMN,
    COMPARISON,
    DISCREPANCY,
    END_REASONS,
    FIDELITY_ITEMS,
    FUNDER_MEASURES,
    LEVELS,
    MEASURES,
    PHASES,
    SHORT_LABELS,
    Measure,
)
from schemas.catalogue import previous_tertiary, tertiary_bounds

if TYPE_CHECKING:  # the report workers need no database: 30 MB and 0,2 s less each
    import duckdb

# What a report of tertiary t reads from each mart table: the rows whose key is t or earlier.
# (The funder report's data-quality appendix reads only t's own files and findings, a subset.)
SIGNATURE_KEYS = {
    "region_tertiary": "tertiary",
    "national_tertiary": "tertiary",
    "submission_status": "tertiary",
    "monitoring_window": "tertiary",
    "fidelity_assessment": "mart.tertiary_of(assessed_on)",
    "source_file": "tertiary",
    "data_quality": "tertiary",
}


def tertiary_signatures(con: duckdb.DuckDBPyConnection, labels: Iterable[str]) -> dict[str, str]:
    """For each tertiary, a hash of every mart row its reports can read (rows of that tertiary or
    earlier, and the region names): when it is unchanged, so are the reports, and a run skips the
    tertiary without building a single report context. One grouped query per table, whatever the
    number of tertiaries."""
    import hashlib

    parts: list[tuple[str, str, str]] = []
    for name, key in SIGNATURE_KEYS.items():
        parts += [
            (k or "", name, h)
            for k, h in con.execute(
                f"""SELECT {key} AS k, md5(string_agg(CAST(x AS VARCHAR), chr(10) ORDER BY CAST(x AS VARCHAR)))
                   FROM mart.{name} x GROUP BY 1"""
            ).fetchall()
        ]
    regions = con.execute(
        "SELECT md5(string_agg(CAST(r AS VARCHAR), chr(10) ORDER BY CAST(r AS VARCHAR))) FROM raw.region r"
    ).fetchone()[0]
    parts.sort()
    out = {}
    for label in labels:
        digest = hashlib.sha256(f"regions:{regions}".encode())
        for k, name, h in parts:
            if k <= label:
                digest.update(f"|{k}:{name}:{h}".encode())
        out[label] = digest.hexdigest()
    return out


@dataclass
class Cell:
    """One published figure: its value, how to format it, and a disclosure marker if hidden."""

    value: Any
    kind: str
    marker: str | None = None

    @property
    def plotted(self) -> Any:
        """The figure as a chart draws it: its value, or a gap where the tables show a mark. Every
        chart series is made of these, so a chart cannot show what a table hides."""
        return None if self.marker else self.value


@dataclass
class ReportOptions:
    threshold: int = disclosure.DEFAULT_THRESHOLD
    suppress: bool = True
    organisation: str = DEFAULT_ORGANISATION


def report_options(
    threshold: int, regional_suppression: bool, organisation: str
) -> tuple[ReportOptions, ReportOptions]:
    """(funder, regional): suppression always on in the funder report, in the regions' own reports
    only when asked (IPSETL_REGIONAL_SUPPRESSION)."""
    funder = ReportOptions(threshold=threshold, suppress=True, organisation=organisation)
    regional = ReportOptions(threshold=threshold, suppress=regional_suppression, organisation=organisation)
    return funder, regional


@dataclass
class Tertiary:
    label: str
    start: date
    end: date
    complete: bool
    draft: bool
    blocked: tuple[str, ...] = ()  # why a complete tertiary's report stays a draft


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: Iterable = ()) -> list[dict]:
    rel = con.execute(sql, list(params))
    cols = [d[0] for d in rel.description]
    return [dict(zip(cols, r, strict=True)) for r in rel.fetchall()]


def report_tertiaries(con: duckdb.DuckDBPyConnection, as_of: date) -> list[Tertiary]:
    """Every tertiary with data that is complete by the as-of date, and the one holding the as-of
    date as a draft (interface.md, "Reports")."""
    current = con.execute("SELECT mart.tertiary_of(CAST(? AS DATE))", [as_of]).fetchone()[0]
    labels = [
        r[0]
        for r in con.execute(
            "SELECT tertiary FROM mart.national_tertiary WHERE tertiary_end <= ? ORDER BY tertiary", [as_of]
        ).fetchall()
    ]
    out = []
    for label in [*labels, current] if current not in labels else labels:
        start, end = tertiary_bounds(label)
        out.append(Tertiary(label, start, end, end <= as_of, draft=end > as_of))
    return out


SCOPE_WORDS = ("all", "latest", "current", "none")


def select_tertiaries(due: list[Tertiary], scope: str) -> list[Tertiary]:
    """The due tertiaries a run renders: `all` (the default: every one, interface.md), `latest`
    (the latest complete tertiary), `current` (the one holding the as-of date), `none`, or labels
    such as `2026-T2`; comma-separated words combine. A label that is not due selects nothing
    (the command line says so after the run)."""
    words = [w.strip() for w in scope.split(",") if w.strip()] or ["all"]
    chosen: set[str] = set()
    for word in words:
        if word == "all":
            chosen |= {t.label for t in due}
        elif word == "latest":
            chosen |= set([t.label for t in due if t.complete][-1:])
        elif word == "current":
            chosen |= {t.label for t in due if t.draft}
        elif word != "none":
            chosen.add(word)
    return [t for t in due if t.label in chosen]


previous_label = previous_tertiary  # the calendar is the catalogue's

# --- disclosure control -------------------------------------------------------------------------------

COUNT_COLUMNS = [m.column for m in MEASURES if m.kind == "count"]
PHASE_COLUMNS = [c for c, _ in PHASES]
END_COLUMNS = [c for c, _ in END_REASONS]


def _suppress(regions: dict[str, dict], national: dict | None, opts: ReportOptions) -> dict[tuple[str, str], str]:
    """Markers for (region_code or "national", column): primary for small counts, secondary where a
    hidden cell could be recovered from a row or column total and the other cells."""
    if not opts.suppress:
        return {}
    values: dict[tuple[str, str], int | None] = {}
    counted = COUNT_COLUMNS + PHASE_COLUMNS + END_COLUMNS
    for code, row in regions.items():
        for col in counted:
            values[(code, col)] = row.get(col)
    if national:
        for col in counted:
            values[("national", col)] = national.get(col)
    lines: list[tuple[list, Any]] = []
    for col in counted:  # columns: the regions add up to the national figure
        lines.append(([(code, col) for code in regions], ("national", col) if national else None))
    for code in [*regions, *(["national"] if national else [])]:  # rows: phases and end reasons add up
        lines.append(([(code, c) for c in PHASE_COLUMNS], (code, "clients_active_end")))
        lines.append(([(code, c) for c in END_COLUMNS], (code, "clients_ended")))
    return disclosure.suppress_counts(values, lines, threshold=opts.threshold)


def _cells(row: dict | None, key: str, markers: dict, opts: ReportOptions, columns: Iterable[str]) -> dict[str, Cell]:
    out: dict[str, Cell] = {}
    for col in columns:
        m = BY_COLUMN.get(col)
        kind = m.kind if m else "count"
        value = row.get(col) if row else None
        marker = markers.get((key, col))
        if marker == disclosure.PRIMARY:
            marker = f"<{opts.threshold}"  # the mark names the threshold in force
        if m is not None and m.kind == "rate" and row is not None and opts.suppress:
            den = row.get(m.denominator)
            num_col = _numerator(col)
            if disclosure.rate_hidden(den, opts.threshold):
                marker = disclosure.NOT_SHOWN
            elif markers.get((key, m.denominator)) or (num_col and markers.get((key, num_col))):
                marker = disclosure.SECONDARY  # the rate and the shown count would reveal the hidden one
        if col == "caseload_per_fte" and markers.get((key, "clients_active_end")):
            marker = disclosure.SECONDARY  # clients per FTE × the shown FTE would give back the hidden count
        out[col] = Cell(value, kind, marker)
    return out


def _numerator(rate_column: str) -> str | None:
    return {
        "employment_rate": "clients_employed",
        "permanent_share": "jobs_started_permanent",
        "referral_conversion": "clients_new",
    }.get(rate_column)


ALL_COLUMNS = [m.column for m in MEASURES] + PHASE_COLUMNS + END_COLUMNS
# The figures of the regional report's window table.
WINDOW_FIGURES = [
    "clients_served",
    "clients_active_end",
    "clients_new",
    "jobs_started",
    "employment_rate",
    "employer_contacts_per_fte_week",
]


# --- fidelity -----------------------------------------------------------------------------------------


MAX_OPEN_TEXT = 2000  # characters of one open answer a report shows; the warehouse keeps all of it


def shown_text(text: str | None, table: str) -> str | None:
    """An open answer as a report shows it: whole up to MAX_OPEN_TEXT characters, else cut there
    (at a word break near it) with a note of where the whole text is. A 10 MB answer pasted into
    the form loads exactly, but made its report 10 MB of HTML and a PDF that never finished."""
    if text is None or len(text) <= MAX_OPEN_TEXT:
        return text
    cut = text[:MAX_OPEN_TEXT]
    space = cut.rfind(" ", MAX_OPEN_TEXT - 200)
    if space > 0:
        cut = cut[:space]
    return (
        f"{cut} …\n[Vastaus on lyhennetty: raportissa on {fiformat.number(len(cut))} ensimmäistä merkkiä "
        f"{fiformat.number(len(text))} merkistä. Koko vastaus on tietovarastossa ({table}).]"
    )


def _by_region(con, sql: str, params: Iterable = ()) -> dict[str, list[dict]]:
    """The rows of `sql`, grouped by region_code in their order: one query for every region a
    report speaks of, instead of one per region."""
    out: dict[str, list[dict]] = {}
    for r in _rows(con, sql, params):
        out.setdefault(r["region_code"], []).append(r)
    return out


def fidelity_histories(con, end: date, region_code: str | None = None) -> dict[str, list[dict]]:
    """Every region's assessments dated on or before `end`, oldest first (an external review after
    a self-assessment of the same date)."""
    only = "AND region_code = ?" if region_code else ""
    return _by_region(
        con,
        f"""SELECT * FROM mart.fidelity_assessment WHERE assessed_on <= ? {only}
           ORDER BY region_code, assessed_on, assessment_type = 'Ulkoinen arviointi', source_file, source_row""",
        [end, region_code] if region_code else [end],
    )


def fidelity_for(con, region_code: str, end: date, indicative: dict | None) -> dict | None:
    return fidelity_from(fidelity_histories(con, end, region_code).get(region_code, []), indicative)


def fidelity_from(history: list[dict], indicative: dict | None) -> dict | None:
    """The region's latest assessment in `history` (an external review wins over a
    self-assessment of the same date), its change from the one before, and the indicative item
    scores beside the latest self-assessment (indicators.md, "Fidelity assessments")."""
    if not history:
        return None
    latest = dict(history[-1])
    latest["text_development_targets"] = shown_text(latest.get("text_development_targets"), "mart.fidelity_assessment")
    before = history[-2] if len(history) > 1 else None
    change = (
        (latest["total"] - before["total"])
        if before and latest["total"] is not None and before["total"] is not None
        else None
    )
    selfs = [h for h in history if h["assessment_type"] == "Itsearviointi"]
    compared = selfs[-1] if selfs else None
    items = []
    for number, column, name in FIDELITY_ITEMS:
        ind = indicative.get(column) if indicative else None
        own = compared.get(f"item_{number:02d}") if compared else None
        flag = ind is not None and own is not None and abs(ind - own) >= DISCREPANCY
        items.append({"number": number, "name": name, "indicative": ind, "assessed": own, "flag": flag})
    return {
        "latest": latest,
        "before": before,
        "change": change,
        "history": history,
        "compared": compared,
        "items": items,
    }


# --- the funder report -------------------------------------------------------------------------------


@dataclass
class RegionSection:
    code: str
    name: str
    has_data: bool
    cells: dict[str, Cell] = field(default_factory=dict)
    fidelity: dict | None = None
    submission: dict | None = None
    windows: list[dict] = field(default_factory=list)
    texts: list[dict] = field(default_factory=list)
    national: dict[str, Cell] = field(default_factory=dict)
    # the figures of each window as published: with regional suppression on, a small count is its
    # mark here as in the key figures (issue 18's gap: the window table printed them raw)
    window_cells: list[dict[str, Cell]] = field(default_factory=list)


def _regions_known(con, t: Tertiary) -> list[dict]:
    """Regions that have reported at some point up to this tertiary: those a report speaks of."""
    return _rows(
        con,
        """SELECT DISTINCT s.region_code, s.region_name FROM mart.submission_status s
           WHERE s.tertiary <= ? ORDER BY s.region_code""",
        [t.label],
    )


def _change(cur: Cell, prev: Cell | None) -> tuple[float | None, str]:
    """Change from the previous tertiary, unless either figure is hidden or empty."""
    if prev is None or cur.marker or prev.marker or cur.value is None or prev.value is None:
        return None, cur.kind
    return cur.value - prev.value, cur.kind


def trend_series(con, t: Tertiary, opts: ReportOptions) -> dict:
    """Employment rate, new clients and new jobs over every tertiary up to this one."""
    nat = _rows(con, "SELECT * FROM mart.national_tertiary WHERE tertiary <= ? ORDER BY tertiary", [t.label])
    cats = [r["tertiary"] for r in nat]
    reg = _rows(con, "SELECT * FROM mart.region_tertiary WHERE tertiary <= ? ORDER BY region_code, tertiary", [t.label])
    regional: dict[str, list] = {}
    by_tertiary: dict[str, dict] = {}
    for r in reg:
        by_tertiary.setdefault(r["tertiary"], {})[r["region_code"]] = r
    national = {r["tertiary"]: r for r in nat}
    charted = ["employment_rate", "clients_new", "jobs_started", "education_started"]
    national_cells: dict[str, dict[str, Cell]] = {}
    for label, rows in by_tertiary.items():
        markers = _suppress(rows, national.get(label), opts)  # the same marks as that tertiary's tables
        for code, row in rows.items():
            cell = _cells(row, code, markers, opts, ["employment_rate"])["employment_rate"]
            series = regional.setdefault(code, [None] * len(cats))
            if label in cats:
                series[cats.index(label)] = cell.plotted
        if label in cats:  # a national figure the tables hide is not drawn or described either
            national_cells[label] = _cells(national[label], "national", markers, opts, charted)

    def plotted(col: str) -> list:
        return [national_cells[c][col].plotted for c in cats]

    return {
        "categories": cats,
        "national_rate": plotted("employment_rate"),
        "regional_rate": regional,
        "clients_new": plotted("clients_new"),
        "jobs_started": plotted("jobs_started"),
        "education_started": plotted("education_started"),
    }


def funder_context(con: duckdb.DuckDBPyConnection, t: Tertiary, as_of: date, opts: ReportOptions) -> dict:
    regions = _regions_known(con, t)
    rows = {r["region_code"]: r for r in _rows(con, "SELECT * FROM mart.region_tertiary WHERE tertiary = ?", [t.label])}
    national = (_rows(con, "SELECT * FROM mart.national_tertiary WHERE tertiary = ?", [t.label]) or [None])[0]
    prev_label = previous_label(t.label)
    prev_rows = {
        r["region_code"]: r for r in _rows(con, "SELECT * FROM mart.region_tertiary WHERE tertiary = ?", [prev_label])
    }
    prev_nat = (_rows(con, "SELECT * FROM mart.national_tertiary WHERE tertiary = ?", [prev_label]) or [None])[0]
    markers = _suppress(rows, national, opts)
    prev_markers = _suppress(prev_rows, prev_nat, opts)
    nat_cells = _cells(national, "national", markers, opts, ALL_COLUMNS)
    prev_cells = _cells(prev_nat, "national", prev_markers, opts, ALL_COLUMNS) if prev_nat else None
    changes = {col: _change(nat_cells[col], prev_cells[col] if prev_cells else None) for col in ALL_COLUMNS}
    status = {
        r["region_code"]: r for r in _rows(con, "SELECT * FROM mart.submission_status WHERE tertiary = ?", [t.label])
    }
    sections = []
    level_counts = {level: 0 for level in LEVELS}
    histories = fidelity_histories(con, t.end)
    for reg in regions:
        code = reg["region_code"]
        row = rows.get(code)
        cells = _cells(row, code, markers, opts, ALL_COLUMNS)
        fid = fidelity_from(histories.get(code, []), row)
        if fid and fid["latest"]["level"]:
            level_counts[fid["latest"]["level"]] += 1
        sections.append(RegionSection(code, reg["region_name"], row is not None, cells, fid, status.get(code)))
    return {
        "kind": "funder",
        "tertiary": t,
        "as_of": as_of,
        "options": opts,
        "has_data": national is not None,
        "national": nat_cells,
        "national_row": national,
        "changes": changes,
        "previous_label": prev_label if prev_nat else None,
        "regions_reporting": national["regions_reporting"] if national else 0,
        "regions_total": len(regions),
        "level_counts": level_counts,
        "assessed_regions": sum(level_counts.values()),
        "sections": sections,
        "comparison_columns": [(BY_COLUMN[c], SHORT_LABELS[c]) for c in COMPARISON],
        "trend": trend_series(con, t, opts),
        "quality": quality_appendix(con, t, regions, status),
        "measures": FUNDER_MEASURES,
        "phases": PHASES,
        "end_reasons": END_REASONS,
    }


def quality_appendix(con, t: Tertiary, regions: list[dict], status: dict) -> dict:
    """Liite 1 of one tertiary: its files and findings only (mart.source_file.tertiary,
    mart.data_quality.tertiary), so a closed tertiary's report stays as it was delivered."""
    names = {r["region_code"]: r["region_name"] for r in regions}
    not_reported = [
        {"code": code, "name": names.get(code, code), "missing": s["missing"]}
        for code, s in sorted(status.items())
        if s["windows"] == 0
    ]
    files = _rows(con, "SELECT * FROM mart.source_file WHERE tertiary = ? ORDER BY loaded_at, file_name", [t.label])
    reasons = {
        r["source_file"]: r["message"]
        for r in _rows(
            con,
            """SELECT source_file, first(message ORDER BY message) AS message FROM mart.data_quality
               WHERE tertiary = ? AND source_row IS NULL AND severity = 'error' GROUP BY 1""",
            [t.label],
        )
    }
    rejected_files = [
        {"file_name": f["file_name"], "reason": reasons.get(f["file_name"], "–")}
        for f in files
        if f["status"] == "rejected"
    ]
    per_region = _rows(
        con,
        """SELECT coalesce(region_code, '?') AS region_code, rule,
                  count(*) FILTER (WHERE severity = 'error') AS errors,
                  count(*) FILTER (WHERE severity = 'warning') AS warnings
           FROM mart.data_quality WHERE source_row IS NOT NULL AND tertiary = ? GROUP BY 1, 2 ORDER BY 1, 2""",
        [t.label],
    )
    for r in per_region:
        r["label"] = rule_label(r["rule"])
        r["name"] = names.get(r["region_code"], "tuntematon alue")
    counts = {s: sum(1 for f in files if f["status"] == s) for s in ("loaded", "duplicate", "rejected")}
    return {
        "not_reported": not_reported,
        "files": counts,
        "files_total": len(files),
        "rows_rejected": sum(f["rows_rejected"] for f in files),
        "rejected_files": rejected_files,
        "per_region": per_region,
    }


# --- the regional report -----------------------------------------------------------------------------


def regional_context(con: duckdb.DuckDBPyConnection, code: str, t: Tertiary, as_of: date, opts: ReportOptions) -> dict:
    return next(regional_contexts(con, [code], t, as_of, opts))


def regional_contexts(
    con: duckdb.DuckDBPyConnection, codes: list[str], t: Tertiary, as_of: date, opts: ReportOptions
) -> Iterator[dict]:
    """The regional reports' contexts of tertiary `t`, one per region of `codes`, from one query a
    table for all of them (a query per region and table was a third of a national run's CPU)."""
    since = previous_label(previous_label(t.label))
    names = dict(con.execute("SELECT region_code, region_name FROM raw.region").fetchall())
    rows = _by_region(con, "SELECT * FROM mart.region_tertiary WHERE tertiary = ?", [t.label])
    national = (_rows(con, "SELECT * FROM mart.national_tertiary WHERE tertiary = ?", [t.label]) or [None])[0]
    # beside the region's figures; with regional suppression on, protected as the funder report protects
    # the national line (a national count of 4 is as small as a region's)
    nat_markers = _suppress({"national": national}, None, opts) if national else {}
    nat_cells = _cells(national, "national", nat_markers, opts, ALL_COLUMNS)
    # The window table covers a year (this tertiary and the two before): enough to see the trend
    # beside the chart, and a report's length does not grow with the programme's age.
    windows = _by_region(
        con,
        """SELECT * FROM mart.monitoring_window WHERE period_end <= ? AND tertiary >= ?
           ORDER BY region_code, period_start""",
        [t.end, since],
    )
    statuses = _by_region(con, "SELECT * FROM mart.submission_status WHERE tertiary = ?", [t.label])
    trends = _by_region(
        con,
        """SELECT r.*, n.employment_rate AS national_rate, n.clients_served AS national_clients_served,
                  n.clients_employed AS national_clients_employed
           FROM mart.region_tertiary r JOIN mart.national_tertiary n USING (tertiary)
           WHERE r.tertiary <= ? ORDER BY r.region_code, r.tertiary""",
        [t.label],
    )
    histories = fidelity_histories(con, t.end)
    for code in codes:
        row = (rows.get(code) or [None])[0]
        markers = _suppress({code: row} if row else {}, None, opts)
        cells = _cells(row, code, markers, opts, ALL_COLUMNS)
        own_windows = windows.get(code, [])
        texts = [
            {
                "period_start": w["period_start"],
                "period_end": w["period_end"],
                "successes": shown_text(w["text_successes"], "mart.monitoring_window"),
                "challenges": shown_text(w["text_challenges"], "mart.monitoring_window"),
                "support": shown_text(w["text_support_needs"], "mart.monitoring_window"),
            }
            for w in own_windows
            if w["tertiary"] == t.label
        ]
        window_cells = [_cells(w, code, _suppress({code: w}, None, opts), opts, WINDOW_FIGURES) for w in own_windows]
        status = (statuses.get(code) or [None])[0]
        trend = [_trend_point(r, code, opts) for r in trends.get(code, [])]
        fidelity = fidelity_from(histories.get(code, []), row)
        yield {
            "kind": "regional",
            "tertiary": t,
            "as_of": as_of,
            "options": opts,
            "section": RegionSection(
                code, names[code], row is not None, cells, fidelity, status, own_windows, texts, nat_cells, window_cells
            ),
            "row": row,
            "windows_since": since,
            "trend": trend,
            "measures": MEASURES,
            "phases": PHASES,
            "end_reasons": END_REASONS,
        }


def _trend_point(row: dict, code: str, opts: ReportOptions) -> dict:
    """One tertiary of a regional report's chart: the region's rate and the national one, each as
    that tertiary's tables publish it (with regional suppression on, a hidden rate is a gap)."""
    national = {
        "employment_rate": row["national_rate"],
        "clients_served": row["national_clients_served"],
        "clients_employed": row["national_clients_employed"],
    }
    own = _cells(row, code, _suppress({code: row}, None, opts), opts, ["employment_rate"])
    nat = _cells(national, "national", _suppress({"national": national}, None, opts), opts, ["employment_rate"])
    return {
        "tertiary": row["tertiary"],
        "employment_rate": own["employment_rate"].plotted,
        "national_rate": nat["employment_rate"].plotted,
    }


def regions_for_reports(con) -> list[str]:
    """Every region that has ever reported (up to the as-of date) gets a report, data or not."""
    return [r[0] for r in con.execute("SELECT DISTINCT region_code FROM mart.submission_status ORDER BY 1").fetchall()]


def csv_rows(ctx: dict) -> tuple[list[str], list[list[Cell | str]]]:
    """The region × tertiary table as the funder report shows it, for indikaattorit_YYYY-Tn.csv."""
    measures: list[Measure] = list(FUNDER_MEASURES)
    header = ["Kausi", "Alue", "Alueen nimi"] + [f"{m.label} ({m.when})" for m in measures]
    body = []
    label = ctx["tertiary"].label
    for s in ctx["sections"]:
        if s.has_data:
            body.append([label, s.code, s.name] + [s.cells[m.column] for m in measures])
    if ctx["has_data"]:
        body.append([label, "KOKO MAA", "Koko maa"] + [ctx["national"][m.column] for m in measures])
    return header, body
