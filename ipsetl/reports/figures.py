"""The figures the reports show: which mart column, its Finnish label, whether it is counted during
the tertiary or taken at its end, how it is formatted, and whether disclosure control applies.

One table for the funder report, the regional report, the indicators CSV and the methods
appendix, so the same figure has the same name and the same label everywhere (reports.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from schemas.catalogue import CUMULATIVE, catalogue

CATALOGUE = catalogue()


@dataclass(frozen=True)
class Measure:
    column: str
    label: str
    when: str
    kind: str  # count (people or jobs: suppressible) | number | fte | dec1 | rate | days
    denominator: str | None = None  # rates: the count whose smallness hides the rate
    definition: str = ""


def measure(name: str) -> Measure:
    """A report figure as the catalogue declares it (schemas/catalogue.toml)."""
    c = CATALOGUE[name]
    return Measure(name, c.label, c.when, c.kind, c.denominator if c.kind == "rate" else None, c.definition)


# The figures the reports show, in the order they show them; what each is, is the catalogue's.
MEASURES: tuple[Measure, ...] = tuple(
    measure(name)
    for name in (
        "referrals_new",
        "clients_new",
        "referral_conversion",
        "clients_served",
        "clients_active_end",
        "clients_waiting",
        "clients_ended",
        "clients_employed",
        "employment_rate",
        "jobs_started",
        "jobs_started_permanent",
        "jobs_started_wage_subsidy",
        "permanent_share",
        "jobs_ended",
        "education_started",
        "employer_contacts",
        "employer_contacts_per_fte_week",
        "coaches_headcount",
        "coaches_fte",
        "team_leader_fte",
        "caseload_per_fte",
        "median_days_to_employer_contact",
        "cum_jobs_started",
        "cum_jobs_started_permanent",
        "cum_clients_new",
        "cum_education_started",
    )
)
# The funder report leaves the cumulative figures out: with consecutive tertiaries' reports side by
# side, this tertiary's cumulative minus the last one's would give back every suppressed count.
FUNDER_MEASURES = tuple(m for m in MEASURES if m.when != CUMULATIVE)
BY_COLUMN = {m.column: m for m in MEASURES}

# (column, Finnish label) of the consistency totals' parts, as the reports list them
PHASES = tuple((c, CATALOGUE[c].meaning) for c in CATALOGUE.total("phase_sum").parts)
END_REASONS = tuple((c, CATALOGUE[c].meaning) for c in CATALOGUE.total("end_reason_sum").parts)

# The comparison table of the funder report and the columns of the indicators CSV.
COMPARISON = (
    "clients_served",
    "clients_active_end",
    "clients_new",
    "jobs_started",
    "jobs_started_permanent",
    "education_started",
    "employment_rate",
    "employer_contacts_per_fte_week",
    "caseload_per_fte",
)
# Column heads of the narrow comparison table, with soft hyphens where a long word may break
# (Typst's Finnish hyphenation does not know compounds: "Työllisyy-saste").
SHORT_LABELS = {
    "clients_served": "Palvelussa olleet",
    "clients_active_end": "Aktiiviset",
    "clients_new": "Uudet asiakkaat",
    "jobs_started": "Uudet työ\u00adsuhteet",
    "jobs_started_permanent": "– joista toistai\u00adseksi voimassa",
    "education_started": "Opinnot aloitta\u00adneet",
    "employment_rate": "Työllisyys\u00adaste",
    "employer_contacts_per_fte_week": "Kontaktit / htv / viikko",
    "caseload_per_fte": "Asiak\u00adkaita / htv",
}

# Indicative item scores from monitoring data, beside the self-assessed item (indicators.md).
FIDELITY_ITEMS = (
    (1, "fid_01", "Asiakasmäärä"),
    (2, "fid_02", "Fokus työhönvalmennuksessa"),
    (4, "fid_04", "Työhönvalmennuksen ja psykiatrisen hoidon yhteen sovittaminen"),
    (15, "fid_15", "Nopea työnhaku avoimilla työmarkkinoilla"),
    (17, "fid_17", "Tiivis yhteys työnantajiin"),
    (21, "fid_21", "Avoimille työmarkkinoille sijoittuva työ"),
    (24, "fid_24", "Lähiyhteisössä tapahtuvat palvelut"),
)
LEVELS = tuple(level.name for level in CATALOGUE.levels)
BENCHMARKS = tuple((b.rate, f"{b.percent} % {b.name}") for b in CATALOGUE.benchmarks)
DISCREPANCY = CATALOGUE.discrepancy_points  # points between indicative and self-assessed score that flag an item
