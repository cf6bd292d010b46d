"""The figures the reports show: which mart column, its Finnish label, whether it is counted during
the tertiary or taken at its end, how it is formatted, and whether disclosure control applies.

One table for the funder report, the regional report, the indicators CSV and the methods
appendix, so the same figure has the same name and the same label everywhere (reports.md).
"""

from __future__ import annotations

from dataclasses import dataclass

DURING = "jakson aikana"
AT_END = "jakson lopussa"
CUMULATIVE = "kauden lopussa"


@dataclass(frozen=True)
class Measure:
    column: str
    label: str
    when: str
    kind: str  # count (people or jobs: suppressible) | number | fte | dec1 | rate | days
    denominator: str | None = None  # rates: the count whose smallness hides the rate
    definition: str = ""


MEASURES: tuple[Measure, ...] = (
    Measure("referrals_new", "Uudet lähetteet", DURING, "count", definition="Lähetteet IPS-työhönvalmennukseen."),
    Measure(
        "clients_new",
        "Uudet asiakkaat (yhteistyösopimukset)",
        DURING,
        "count",
        definition="Asiakkaat, joiden kanssa allekirjoitettiin yhteistyösopimus.",
    ),
    Measure(
        "referral_conversion",
        "Lähetteistä asiakkaiksi",
        DURING,
        "rate",
        "referrals_new",
        "Uudet asiakkaat / uudet lähetteet.",
    ),
    Measure(
        "clients_served",
        "Palvelussa olleet asiakkaat",
        DURING,
        "count",
        definition="Kaikki jakson aikana palvelussa olleet; kolmanneksella jaksojen summa (asiakasjaksoja).",
    ),
    Measure(
        "clients_active_end",
        "Aktiiviset asiakkaat",
        AT_END,
        "count",
        definition="Palvelussa kauden viimeisen jakson lopussa.",
    ),
    Measure("clients_waiting", "Jonossa", AT_END, "count", definition="Palvelua odottavat kauden lopussa."),
    Measure("clients_ended", "Päättyneet asiakkuudet", DURING, "count"),
    Measure(
        "clients_employed",
        "Palkkatyössä avoimilla työmarkkinoilla olleet",
        DURING,
        "count",
        definition="Asiakkaat, jotka olivat jakson aikana palkkatyössä avoimilla työmarkkinoilla.",
    ),
    Measure(
        "employment_rate",
        "Työllisyysaste",
        DURING,
        "rate",
        "clients_served",
        "Palkkatyössä olleet / palvelussa olleet, summattuna kauden jaksoista.",
    ),
    Measure(
        "jobs_started", "Uudet työsuhteet", DURING, "count", definition="Uudet työsuhteet avoimilla työmarkkinoilla."
    ),
    Measure("jobs_started_permanent", "– joista toistaiseksi voimassa olevia", DURING, "count"),
    Measure("jobs_started_wage_subsidy", "– joista palkkatuettuja", DURING, "count"),
    Measure(
        "permanent_share",
        "Toistaiseksi voimassa olevien osuus uusista työsuhteista",
        DURING,
        "rate",
        "jobs_started",
        "Toistaiseksi voimassa olevat / uudet työsuhteet.",
    ),
    Measure("jobs_ended", "Päättyneet työsuhteet", DURING, "count"),
    Measure("education_started", "Opinnot aloittaneet", DURING, "count"),
    Measure(
        "employer_contacts",
        "Työnantajakontaktit",
        DURING,
        "number",
        definition="Kasvokkaiset tapaamiset työnantajien kanssa.",
    ),
    Measure(
        "employer_contacts_per_fte_week",
        "Työnantajakontaktit / htv / viikko",
        DURING,
        "dec1",
        definition="Kontaktit / (työhönvalmentajien htv × jakson päivät / 7), jaksoilta, joilla oli valmentajia.",
    ),
    Measure("coaches_headcount", "Työhönvalmentajat (hlö)", AT_END, "number"),
    Measure("coaches_fte", "Työhönvalmentajat (htv)", AT_END, "fte"),
    Measure("team_leader_fte", "Tiiminvetäjä (htv)", AT_END, "fte"),
    Measure(
        "caseload_per_fte",
        "Asiakkaita työhönvalmentajaa (htv) kohden",
        AT_END,
        "dec1",
        definition="Aktiiviset asiakkaat / työhönvalmentajien htv.",
    ),
    Measure(
        "median_days_to_employer_contact",
        "Mediaaniaika ensimmäiseen työnantajatapaamiseen (pv, likimääräinen)",
        DURING,
        "days",
        definition="Jaksojen mediaanien keskiarvo uusien asiakkaiden määrällä painotettuna, pyöristettynä.",
    ),
    Measure(
        "cum_jobs_started",
        "Uudet työsuhteet, kertymä hankkeen alusta",
        CUMULATIVE,
        "count",
        definition="Alueen uudet työsuhteet sen ensimmäisestä jaksosta kauden loppuun.",
    ),
    Measure(
        "cum_jobs_started_permanent",
        "– joista toistaiseksi voimassa olevia, kertymä",
        CUMULATIVE,
        "count",
        definition="Toistaiseksi voimassa olevat uudet työsuhteet alueen ensimmäisestä jaksosta kauden loppuun.",
    ),
    Measure(
        "cum_clients_new",
        "Uudet asiakkaat, kertymä hankkeen alusta",
        CUMULATIVE,
        "count",
        definition="Alueen uudet asiakkaat sen ensimmäisestä jaksosta kauden loppuun.",
    ),
    Measure(
        "cum_education_started",
        "Opinnot aloittaneet, kertymä hankkeen alusta",
        CUMULATIVE,
        "count",
        definition="Opinnot aloittaneet alueen ensimmäisestä jaksosta kauden loppuun.",
    ),
)
# The funder report leaves the cumulative figures out: with consecutive tertiaries' reports side by
# side, this tertiary's cumulative minus the last one's would give back every suppressed count.
FUNDER_MEASURES = tuple(m for m in MEASURES if m.when != CUMULATIVE)
BY_COLUMN = {m.column: m for m in MEASURES}

PHASES = (
    ("clients_phase_1", "Vaihe 1 – palveluun hakeutuminen ja sopiminen"),
    ("clients_phase_2", "Vaihe 2 – osaamisen kartoittaminen ja ammatillinen profilointi"),
    ("clients_phase_3", "Vaihe 3 – työn etsintä"),
    ("clients_phase_4", "Vaihe 4 – työskentely työnantajan kanssa"),
    ("clients_phase_5", "Vaihe 5 – työsuhteen aikainen tuki"),
    ("clients_phase_unknown", "Vaihe ei tiedossa"),
)
END_REASONS = (
    ("ended_employed", "Päättymisen syy: työllistyi"),
    ("ended_education", "Päättymisen syy: aloitti opinnot"),
    ("ended_own_wish", "Päättymisen syy: oma toive"),
    ("ended_unreachable", "Päättymisen syy: ei tavoitettu"),
    ("ended_other", "Päättymisen syy: muu"),
)

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
LEVELS = ("esimerkillinen taso", "hyvä taso", "kohtalainen taso", "ei tuettua työllistymistä")
BENCHMARKS = ((0.31, "31 % vähimmäistaso"), (0.41, "41 % keskitaso"), (0.50, "50 % erinomainen"))
DISCREPANCY = 2  # points between indicative and self-assessed score that flag an item for discussion
