"""An independent reference implementation of /work/shared/spec/indicators.md, in plain Python.

Written from the spec text alone (not from the warehouse SQL), so that `test_indicators_reference.py`
can hold the warehouse's views against it. Inputs are plain dicts:

- a *window* is one ACTIVE monitoring window: the canonical columns of form A (forms.md) plus
  `region_code`, `period_start`, `period_end` (datetime.date) and `submitted_at`;
- an *assessment* is a dict with `item_01` … `item_25` (int 1–5 or None for unanswered).

Every function is pure. Rates are returned as floats (fractions 0–1); every band decision and every
rounding is made in exact rational arithmetic, so that a value on a boundary takes the band the spec
shows ("a value on a boundary takes the band shown") whatever the binary floating point would say.
None means empty.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from fractions import Fraction

# --- canonical columns (forms.md, form A) ------------------------------------------------------

FLOWS = (
    "referrals_new", "clients_new", "clients_ended",
    "ended_employed", "ended_education", "ended_own_wish", "ended_unreachable", "ended_other",
    "jobs_started", "jobs_started_permanent", "jobs_started_wage_subsidy", "jobs_ended",
    "education_started", "employer_contacts",
    "clients_employed", "clients_served",
)
STOCKS = (
    "coaches_headcount", "coaches_fte", "team_leader_fte", "clients_active_end",
    "clients_phase_1", "clients_phase_2", "clients_phase_3", "clients_phase_4", "clients_phase_5",
    "clients_phase_unknown", "clients_waiting",
    "pct_time_job_coaching", "pct_time_in_community", "care_teams_attached", "pct_clients_from_main_teams",
)
# Stocks that count people or FTEs: summed nationally ("the counting stocks").
COUNTING_STOCKS = (
    "coaches_headcount", "coaches_fte", "team_leader_fte", "clients_active_end",
    "clients_phase_1", "clients_phase_2", "clients_phase_3", "clients_phase_4", "clients_phase_5",
    "clients_phase_unknown", "clients_waiting",
)
CUMULATIVE = ("jobs_started", "jobs_started_permanent", "clients_new", "education_started")
CANONICAL_A = (
    "coaches_headcount", "coaches_fte", "team_leader_fte", "pct_time_job_coaching", "pct_time_in_community",
    "care_teams_attached", "pct_clients_from_main_teams", "referrals_new", "clients_new", "clients_served",
    "clients_active_end", "clients_phase_1", "clients_phase_2", "clients_phase_3", "clients_phase_4",
    "clients_phase_5", "clients_phase_unknown", "clients_waiting", "clients_ended", "ended_employed",
    "ended_education", "ended_own_wish", "ended_unreachable", "ended_other", "clients_employed", "jobs_started",
    "jobs_started_permanent", "jobs_started_wage_subsidy", "jobs_ended", "education_started", "employer_contacts",
    "median_days_to_employer_contact", "text_successes", "text_challenges", "text_support_needs",
)
WINDOW_INPUT = ("region_code", "period_start", "period_end", "submitted_at", *CANONICAL_A)

ITEMS = tuple(f"item_{i:02d}" for i in range(1, 26))
SECTIONS = {
    "staffing_score": range(1, 4),
    "organisation_score": range(4, 12),
    "services_score": range(12, 26),
}
LEVELS = (
    (115, "esimerkillinen taso"),
    (100, "hyvä taso"),
    (74, "kohtalainen taso"),
)
LEVEL_LOWEST = "ei tuettua työllistymistä"


# --- exact arithmetic helpers -----------------------------------------------------------------


def exact(x: int | float | Fraction | None) -> Fraction | None:
    """The decimal the user typed: a float read back from the warehouse is taken by its shortest repr."""
    if x is None or isinstance(x, Fraction):
        return x
    if isinstance(x, float):
        return Fraction(repr(x))
    return Fraction(x)


def ratio(num, den) -> Fraction | None:
    """num / den, empty when den is 0 or either side is empty."""
    num, den = exact(num), exact(den)
    if num is None or den is None or den == 0:
        return None
    return num / den


def as_float(x: Fraction | None) -> float | None:
    return None if x is None else float(x)


def round_half_up(x: Fraction) -> int:
    return int((x + Fraction(1, 2)).__floor__())


# --- tertiaries ---------------------------------------------------------------------------------


def tertiary_of(d: date) -> tuple[int, int]:
    """T1 = 1.1.–30.4., T2 = 1.5.–31.8., T3 = 1.9.–31.12."""
    return d.year, (d.month - 1) // 4 + 1


def label(t: tuple[int, int]) -> str:
    return f"{t[0]}-T{t[1]}"


def tertiary_bounds(t: tuple[int, int]) -> tuple[date, date]:
    year, n = t
    start = date(year, 4 * (n - 1) + 1, 1)
    end = date(year + 1, 1, 1) - timedelta(days=1) if n == 3 else date(year, 4 * n + 1, 1) - timedelta(days=1)
    return start, end


def next_tertiary(t: tuple[int, int]) -> tuple[int, int]:
    return (t[0] + 1, 1) if t[1] == 3 else (t[0], t[1] + 1)


def is_complete(t: tuple[int, int], as_of: date) -> bool:
    """complete: true when the tertiary ended on or before the as-of date."""
    return tertiary_bounds(t)[1] <= as_of


def window_days(w: dict) -> int:
    return (w["period_end"] - w["period_start"]).days + 1


def fte_weeks(w: dict) -> Fraction:
    return exact(w["coaches_fte"]) * window_days(w) / 7


# --- indicative fidelity item scores ------------------------------------------------------------


def score_01(r: Fraction | None) -> int | None:
    if r is None:
        return None
    if r <= 20:
        return 5
    if r <= 25:
        return 4
    if r <= 30:
        return 3
    if r <= 40:
        return 2
    return 1


def score_02(p) -> int | None:
    p = exact(p)
    if p is None:
        return None
    if p >= 96:
        return 5
    if p >= 90:
        return 4
    if p >= 75:
        return 3
    if p >= 60:
        return 2
    return 1


def score_04(t, s) -> int | None:
    if t is None:
        return None
    if t == 0:
        return 1
    if t >= 3:
        return 2
    s = exact(s)
    if s is None:
        return None  # t in 1–2 and no s: an empty input gives an empty score
    if s >= 90:
        return 5
    if s >= 75:
        return 4
    if s >= 50:
        return 3
    return 2


def score_15(d) -> int | None:
    if d is None:
        return None
    if d <= 30:
        return 5
    if d <= 60:
        return 4
    if d <= 150:
        return 3
    if d <= 270:
        return 2
    return 1


def score_17(c: Fraction | None, fte, job_seekers) -> int | None:
    """c = employer contacts per FTE week; job seekers per FTE = (phase 3 + phase 4) / coaches_fte."""
    fte = exact(fte)
    if fte is None or fte == 0 or c is None or job_seekers is None:
        return None
    js = Fraction(job_seekers) / fte
    if c >= 6 or (js < 3 and c >= 2 * js):
        return 5
    if c >= 5:
        return 4
    if c >= 4:
        return 3
    if c >= 2:
        return 2
    return 1


def score_21(permanent: int | None, jobs: int | None) -> int | None:
    if jobs is None or permanent is None:
        return None
    if jobs < 10:
        return 1  # also with no job starts at all
    q = Fraction(permanent, jobs) * 100
    if q >= 95:
        return 5
    if q >= 85:
        return 4
    if q >= 75:
        return 3
    if q >= 65:
        return 2
    return 1


def score_24(p) -> int | None:
    p = exact(p)
    if p is None:
        return None
    if p >= 65:
        return 5
    if p >= 50:
        return 4
    if p >= 40:
        return 3
    if p >= 30:
        return 2
    return 1


def _job_seekers(row: dict) -> int | None:
    a, b = row.get("clients_phase_3"), row.get("clients_phase_4")
    return None if a is None or b is None else a + b


# --- window indicators ---------------------------------------------------------------------------


def window_indicators(w: dict) -> dict:
    """The window indicators and indicative scores of one window."""
    fte = exact(w["coaches_fte"])
    days = window_days(w)
    caseload = ratio(w["clients_active_end"], fte)
    contacts = ratio(Fraction(w["employer_contacts"]), fte * days / 7) if fte else None
    return {
        "region_code": w["region_code"],
        "period_start": w["period_start"],
        "period_end": w["period_end"],
        "tertiary": label(tertiary_of(w["period_end"])),
        "window_days": days,
        "caseload_per_fte": as_float(caseload),
        "employment_rate": as_float(ratio(w["clients_employed"], w["clients_served"])),
        "permanent_share": as_float(ratio(w["jobs_started_permanent"], w["jobs_started"])),
        "employer_contacts_per_fte_week": as_float(contacts),
        "referral_conversion": as_float(ratio(w["clients_new"], w["referrals_new"])),
        "fid_01": score_01(caseload),
        "fid_02": score_02(w["pct_time_job_coaching"]),
        "fid_04": score_04(w["care_teams_attached"], w["pct_clients_from_main_teams"]),
        "fid_15": score_15(w["median_days_to_employer_contact"]),
        "fid_17": score_17(contacts, fte, _job_seekers(w)),
        "fid_24": score_24(w["pct_time_in_community"]),
    }


def compute_windows(windows: Iterable[dict], as_of: date | None = None) -> list[dict]:
    return [window_indicators(w) for w in sorted(windows, key=lambda w: (w["region_code"], w["period_start"]))]


# --- region × tertiary ---------------------------------------------------------------------------


def weighted_median_days(windows: Iterable[dict]) -> tuple[int | None, int]:
    """The clients_new-weighted mean of the window medians (empties left out), rounded half up.

    Returns (value, weight); value is empty when no window has a median or all their weights are 0.
    """
    num, den, any_value = Fraction(0), 0, False
    for w in windows:
        m = w["median_days_to_employer_contact"]
        if m is None:
            continue
        any_value = True
        num += Fraction(m) * w["clients_new"]
        den += w["clients_new"]
    if not any_value or den == 0:
        return None, den
    return round_half_up(num / den), den


def contacts_per_fte_week(windows: Iterable[dict]) -> tuple[Fraction | None, int, Fraction]:
    """Σ employer_contacts / Σ fte-weeks over the windows with coaches_fte > 0 only."""
    contacts, weeks = 0, Fraction(0)
    for w in windows:
        if exact(w["coaches_fte"]) > 0:
            contacts += w["employer_contacts"]
            weeks += fte_weeks(w)
    return (Fraction(contacts) / weeks if weeks else None), contacts, weeks


def days_covered(windows: Iterable[dict], t: tuple[int, int], as_of: date) -> int:
    start, end = tertiary_bounds(t)
    if not is_complete(t, as_of):
        end = min(end, as_of)
    days: set[date] = set()
    for w in windows:
        d, last = max(w["period_start"], start), min(w["period_end"], end)
        while d <= last:
            days.add(d)
            d += timedelta(days=1)
    return len(days)


def _by_region_tertiary(windows: Iterable[dict]) -> dict[tuple[str, tuple[int, int]], list[dict]]:
    groups: dict[tuple[str, tuple[int, int]], list[dict]] = defaultdict(list)
    for w in windows:
        groups[(w["region_code"], tertiary_of(w["period_end"]))].append(w)
    return groups


def region_tertiary(windows: Iterable[dict], as_of: date) -> list[dict]:
    windows = list(windows)
    groups = _by_region_tertiary(windows)
    out = []
    for (region, t), ws in sorted(groups.items()):
        ws = sorted(ws, key=lambda w: w["period_end"])
        latest = ws[-1]
        row: dict = {"region_code": region, "tertiary": label(t), "complete": is_complete(t, as_of),
                     "windows": len(ws), "days_covered": days_covered(ws, t, as_of)}
        for f in FLOWS:
            row[f] = sum(w[f] for w in ws)
        for s in STOCKS:
            row[s] = latest[s]
        row["employment_rate"] = as_float(ratio(row["clients_employed"], row["clients_served"]))
        row["referral_conversion"] = as_float(ratio(row["clients_new"], row["referrals_new"]))
        row["permanent_share"] = as_float(ratio(row["jobs_started_permanent"], row["jobs_started"]))
        caseload = ratio(row["clients_active_end"], row["coaches_fte"])
        row["caseload_per_fte"] = as_float(caseload)
        c, c_num, c_den = contacts_per_fte_week(ws)
        row["employer_contacts_per_fte_week"] = as_float(c)
        row["employer_contacts_with_fte"] = c_num
        row["fte_weeks"] = float(c_den)
        row["median_days_to_employer_contact"], row["median_days_weight"] = weighted_median_days(ws)
        upto = [w for w in windows if w["region_code"] == region and tertiary_of(w["period_end"]) <= t]
        for f in CUMULATIVE:
            row[f"cum_{f}"] = sum(w[f] for w in upto)
        row["fid_01"] = score_01(caseload)
        row["fid_02"] = score_02(row["pct_time_job_coaching"])
        row["fid_04"] = score_04(row["care_teams_attached"], row["pct_clients_from_main_teams"])
        row["fid_15"] = score_15(row["median_days_to_employer_contact"])
        row["fid_17"] = score_17(c, row["coaches_fte"], _job_seekers(row))
        row["fid_21"] = score_21(row["cum_jobs_started_permanent"], row["cum_jobs_started"])
        row["fid_24"] = score_24(row["pct_time_in_community"])
        out.append(row)
    return out


# --- national × tertiary -------------------------------------------------------------------------


def _weighted_mean(rows: list[dict], value: str, weight: str) -> float | None:
    num, den = Fraction(0), Fraction(0)
    for r in rows:
        v, wt = exact(r[value]), exact(r[weight])
        if v is None or wt is None:
            continue
        num += v * wt
        den += wt
    return None if den == 0 else float(num / den)


def national_tertiary(windows: Iterable[dict], as_of: date) -> list[dict]:
    windows = list(windows)
    regional = region_tertiary(windows, as_of)
    by_t: dict[str, list[dict]] = defaultdict(list)
    for r in regional:
        by_t[r["tertiary"]].append(r)
    pooled: dict[str, list[dict]] = defaultdict(list)
    for w in windows:
        pooled[label(tertiary_of(w["period_end"]))].append(w)
    out = []
    for t_label, rows in sorted(by_t.items()):
        row: dict = {"tertiary": t_label, "complete": rows[0]["complete"], "regions_reporting": len(rows),
                     "windows": sum(r["windows"] for r in rows)}
        for f in FLOWS:
            row[f] = sum(r[f] for r in rows)
        for s in COUNTING_STOCKS:
            values = [exact(r[s]) for r in rows if r[s] is not None]
            total = sum(values, Fraction(0))
            row[s] = float(total) if s in ("coaches_fte", "team_leader_fte") else int(total)
        for f in CUMULATIVE:
            row[f"cum_{f}"] = sum(r[f"cum_{f}"] for r in rows)
        row["pct_time_job_coaching"] = _weighted_mean(rows, "pct_time_job_coaching", "coaches_fte")
        row["pct_time_in_community"] = _weighted_mean(rows, "pct_time_in_community", "coaches_fte")
        row["pct_clients_from_main_teams"] = _weighted_mean(rows, "pct_clients_from_main_teams", "clients_active_end")
        row["employment_rate"] = as_float(ratio(row["clients_employed"], row["clients_served"]))
        row["referral_conversion"] = as_float(ratio(row["clients_new"], row["referrals_new"]))
        row["permanent_share"] = as_float(ratio(row["jobs_started_permanent"], row["jobs_started"]))
        fte = sum((exact(r["coaches_fte"]) for r in rows), Fraction(0))
        row["caseload_per_fte"] = as_float(ratio(Fraction(row["clients_active_end"]), fte))
        c, c_num, c_den = contacts_per_fte_week(pooled[t_label])
        row["employer_contacts_per_fte_week"] = as_float(c)
        row["employer_contacts_with_fte"] = c_num
        row["fte_weeks"] = float(c_den)
        row["median_days_to_employer_contact"], row["median_days_weight"] = weighted_median_days(pooled[t_label])
        out.append(row)
    return out


# --- submission status ---------------------------------------------------------------------------


def submission_status(windows: Iterable[dict], as_of: date) -> list[dict]:
    groups = _by_region_tertiary(windows)
    first: dict[str, tuple[int, int]] = {}
    for region, t in groups:
        first[region] = min(first.get(region, t), t)
    last_t = tertiary_of(as_of)
    out = []
    for region in sorted(first):
        t = first[region]
        while t <= last_t:
            ws = groups.get((region, t), [])
            out.append({
                "region_code": region,
                "tertiary": label(t),
                "windows": len(ws),
                "last_submitted_at": max((w["submitted_at"] for w in ws), default=None),
                "complete": is_complete(t, as_of),
                "missing": not ws and is_complete(t, as_of),
            })
            t = next_tertiary(t)
    return out


# --- fidelity assessments (form B) ---------------------------------------------------------------


def fidelity(assessment: dict) -> dict:
    items = [assessment.get(k) for k in ITEMS]
    out: dict = {"items_answered": sum(v is not None for v in items)}
    for name, numbers in SECTIONS.items():
        values = [items[i - 1] for i in numbers]
        out[name] = None if any(v is None for v in values) else sum(values)
    total = None if any(v is None for v in items) else sum(items)
    out["total"] = total
    if total is None:
        out["level"] = None
    else:
        out["level"] = next((name for lo, name in LEVELS if total >= lo), LEVEL_LOWEST)
    return out


# --- everything at once --------------------------------------------------------------------------


def compute_all(windows: Iterable[dict], as_of: date) -> dict[str, list[dict]]:
    windows = [{k: w[k] for k in WINDOW_INPUT if k in w} for w in windows]
    return {
        "monitoring_window": compute_windows(windows, as_of),
        "region_tertiary": region_tertiary(windows, as_of),
        "national_tertiary": national_tertiary(windows, as_of),
        "submission_status": submission_status(windows, as_of),
    }
