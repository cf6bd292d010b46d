"""The pandera models of the two forms: ranges, required fields and cross-column rules.

They validate the *typed* table (ipsetl.mapping has already turned cells into numbers and dates
and reported type errors, because a column that fails coercion hides its range failures in
pandera). Errors reject the row; the warning models only annotate it (forms.md, "Which rules
reject and which only warn"). Rules are named checks: the name is the `rule` of the finding,
and RULES says which column it is reported under and how it reads in Finnish.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from ipsetl.forms import regions

Int = Series[pd.Int64Dtype]
Num = Series[pd.Float64Dtype]
Ts = Series[pa.DateTime]
Txt = Series[pd.StringDtype]

WINDOW_MIN_DAYS = 28
WINDOW_MAX_DAYS = 124

COUNT = {"ge": 0}
PERCENT = {"ge": 0, "le": 100}


def _known_region(region: pd.Series) -> pd.Series:
    """Read at validation time, so an edit of schemas/regions.csv counts without a restart."""
    return region.isna() | region.isin(list(regions()))


def _known(df: pd.DataFrame, *columns: str) -> pd.Series:
    """Rows where every column has a value. A missing value is reported as its own finding, and a
    missing date (NaT) compares as False rather than NA, so masks are needed, not fillna."""
    return df[list(columns)].notna().all(axis=1)


def _le(df: pd.DataFrame, small: str, large: str) -> pd.Series:
    """small ≤ large, passing where either is missing."""
    return ~_known(df, small, large) | (df[small] <= df[large]).fillna(True).astype(bool)


class SeurantaModel(pa.DataFrameModel):
    """Form A error rules: a failure rejects the row."""

    submitted_at: Ts = pa.Field(nullable=True)
    region: Txt
    period_start: Ts
    period_end: Ts
    coaches_headcount: Int = pa.Field(**COUNT)
    coaches_fte: Num = pa.Field(**COUNT)
    team_leader_fte: Num = pa.Field(ge=0, le=3, nullable=True)
    pct_time_job_coaching: Num = pa.Field(**PERCENT)
    pct_time_in_community: Num = pa.Field(**PERCENT)
    care_teams_attached: Int = pa.Field(**COUNT)
    pct_clients_from_main_teams: Num = pa.Field(**PERCENT)
    referrals_new: Int = pa.Field(**COUNT)
    clients_new: Int = pa.Field(**COUNT)
    clients_served: Int = pa.Field(**COUNT)
    clients_active_end: Int = pa.Field(**COUNT)
    clients_phase_1: Int = pa.Field(**COUNT)
    clients_phase_2: Int = pa.Field(**COUNT)
    clients_phase_3: Int = pa.Field(**COUNT)
    clients_phase_4: Int = pa.Field(**COUNT)
    clients_phase_5: Int = pa.Field(**COUNT)
    clients_phase_unknown: Int = pa.Field(**COUNT)
    clients_waiting: Int = pa.Field(**COUNT)
    clients_ended: Int = pa.Field(**COUNT)
    ended_employed: Int = pa.Field(**COUNT)
    ended_education: Int = pa.Field(**COUNT)
    ended_own_wish: Int = pa.Field(**COUNT)
    ended_unreachable: Int = pa.Field(**COUNT)
    ended_other: Int = pa.Field(**COUNT)
    clients_employed: Int = pa.Field(**COUNT)
    jobs_started: Int = pa.Field(**COUNT)
    jobs_started_permanent: Int = pa.Field(**COUNT)
    jobs_started_wage_subsidy: Int = pa.Field(**COUNT)
    jobs_ended: Int = pa.Field(**COUNT)
    education_started: Int = pa.Field(**COUNT)
    employer_contacts: Int = pa.Field(**COUNT)
    median_days_to_employer_contact: Int = pa.Field(ge=0, nullable=True)
    text_successes: Txt = pa.Field(nullable=True)
    text_challenges: Txt = pa.Field(nullable=True)
    text_support_needs: Txt = pa.Field(nullable=True)

    class Config:
        strict = False
        coerce = False

    @pa.check("region", name="known_region")
    def known_region(cls, region: pd.Series) -> pd.Series:
        return _known_region(region)

    @pa.dataframe_check
    def fte_le_headcount(cls, df: pd.DataFrame) -> pd.Series:
        return _le(df, "coaches_fte", "coaches_headcount")

    @pa.dataframe_check
    def active_le_served(cls, df: pd.DataFrame) -> pd.Series:
        return _le(df, "clients_active_end", "clients_served")

    @pa.dataframe_check
    def employed_le_served(cls, df: pd.DataFrame) -> pd.Series:
        return _le(df, "clients_employed", "clients_served")

    @pa.dataframe_check
    def permanent_le_jobs(cls, df: pd.DataFrame) -> pd.Series:
        return _le(df, "jobs_started_permanent", "jobs_started")

    @pa.dataframe_check
    def wage_subsidy_le_jobs(cls, df: pd.DataFrame) -> pd.Series:
        return _le(df, "jobs_started_wage_subsidy", "jobs_started")

    @pa.dataframe_check
    def period_end_ge_start(cls, df: pd.DataFrame) -> pd.Series:
        return _le(df, "period_start", "period_end")

    @pa.dataframe_check
    def window_length(cls, df: pd.DataFrame) -> pd.Series:
        days = (df["period_end"] - df["period_start"]).dt.days + 1
        ok = (days >= WINDOW_MIN_DAYS) & (days <= WINDOW_MAX_DAYS)
        # A reversed window is reported by period_end_ge_start alone.
        return ~_known(df, "period_start", "period_end") | (ok | (days < 1)).fillna(True).astype(bool)


PHASES = [f"clients_phase_{p}" for p in ("1", "2", "3", "4", "5", "unknown")]
END_REASONS = ["ended_employed", "ended_education", "ended_own_wish", "ended_unreachable", "ended_other"]


class SeurantaWarnings(pa.DataFrameModel):
    """Form A consistency rules: a failure keeps the row and adds a warning."""

    class Config:
        strict = False

    @pa.dataframe_check
    def phase_sum(cls, df: pd.DataFrame) -> pd.Series:
        total = df[PHASES].sum(axis=1, min_count=len(PHASES))
        return ~_known(df, *PHASES, "clients_active_end") | (total == df["clients_active_end"]).fillna(True)

    @pa.dataframe_check
    def end_reason_sum(cls, df: pd.DataFrame) -> pd.Series:
        total = df[END_REASONS].sum(axis=1, min_count=len(END_REASONS))
        return ~_known(df, *END_REASONS, "clients_ended") | (total == df["clients_ended"]).fillna(True)

    @pa.dataframe_check
    def period_end_after_submission(cls, df: pd.DataFrame) -> pd.Series:
        later = df["period_end"] > df["submitted_at"].dt.normalize()
        return ~(_known(df, "period_end", "submitted_at") & later.fillna(False))


ITEM = {"ge": 1, "le": 5, "nullable": True}


class LaatuModel(pa.DataFrameModel):
    """Form B error rules."""

    submitted_at: Ts = pa.Field(nullable=True)
    region: Txt
    assessed_on: Ts
    assessment_type: Txt = pa.Field(isin=["Itsearviointi", "Ulkoinen arviointi"])
    item_01: Int = pa.Field(**ITEM)
    item_02: Int = pa.Field(**ITEM)
    item_03: Int = pa.Field(**ITEM)
    item_04: Int = pa.Field(**ITEM)
    item_05: Int = pa.Field(**ITEM)
    item_06: Int = pa.Field(**ITEM)
    item_07: Int = pa.Field(**ITEM)
    item_08: Int = pa.Field(**ITEM)
    item_09: Int = pa.Field(**ITEM)
    item_10: Int = pa.Field(**ITEM)
    item_11: Int = pa.Field(**ITEM)
    item_12: Int = pa.Field(**ITEM)
    item_13: Int = pa.Field(**ITEM)
    item_14: Int = pa.Field(**ITEM)
    item_15: Int = pa.Field(**ITEM)
    item_16: Int = pa.Field(**ITEM)
    item_17: Int = pa.Field(**ITEM)
    item_18: Int = pa.Field(**ITEM)
    item_19: Int = pa.Field(**ITEM)
    item_20: Int = pa.Field(**ITEM)
    item_21: Int = pa.Field(**ITEM)
    item_22: Int = pa.Field(**ITEM)
    item_23: Int = pa.Field(**ITEM)
    item_24: Int = pa.Field(**ITEM)
    item_25: Int = pa.Field(**ITEM)
    text_development_targets: Txt = pa.Field(nullable=True)

    class Config:
        strict = False
        coerce = False

    @pa.check("region", name="known_region")
    def known_region(cls, region: pd.Series) -> pd.Series:
        return _known_region(region)


class LaatuWarnings(pa.DataFrameModel):
    class Config:
        strict = False


# rule → (column the finding is reported under, Finnish message with {column} placeholders)
RULES: dict[str, tuple[str, str]] = {
    "fte_le_headcount": (
        "coaches_fte",
        "Työhönvalmentajien henkilötyövuodet ({coaches_fte}) ovat suuremmat kuin henkilömäärä ({coaches_headcount}).",
    ),
    "active_le_served": (
        "clients_active_end",
        "Aktiivisia asiakkaita jakson lopussa ({clients_active_end}) on enemmän kuin palvelussa olleita "
        "({clients_served}).",
    ),
    "employed_le_served": (
        "clients_employed",
        "Palkkatyössä olleita ({clients_employed}) on enemmän kuin palvelussa olleita ({clients_served}).",
    ),
    "permanent_le_jobs": (
        "jobs_started_permanent",
        "Toistaiseksi voimassa olevia työsuhteita ({jobs_started_permanent}) on enemmän kuin uusia "
        "työsuhteita ({jobs_started}).",
    ),
    "wage_subsidy_le_jobs": (
        "jobs_started_wage_subsidy",
        "Palkkatuettuja työsuhteita ({jobs_started_wage_subsidy}) on enemmän kuin uusia työsuhteita ({jobs_started}).",
    ),
    "period_end_ge_start": (
        "period_end",
        "Raportointijakso päättyy ({period_end}) ennen kuin se alkaa ({period_start}).",
    ),
    "window_length": (
        "period_end",
        f"Raportointijakso {{period_start}}–{{period_end}} on {{window_days}} päivää; sallittu pituus on "
        f"{WINDOW_MIN_DAYS}–{WINDOW_MAX_DAYS} päivää.",
    ),
    "phase_sum": (
        "clients_active_end",
        "Vaiheittaiset asiakasmäärät ({phase_total}) eivät täsmää aktiivisten asiakkaiden määrään "
        "({clients_active_end}).",
    ),
    "end_reason_sum": (
        "clients_ended",
        "Päättymisen syyt ({end_reason_total}) eivät täsmää päättyneiden asiakkuuksien määrään ({clients_ended}).",
    ),
    "period_end_after_submission": (
        "period_end",
        "Raportointijakso päättyy ({period_end}) vasta vastausajan ({submitted_at}) jälkeen.",
    ),
}

MODELS = {"seuranta": (SeurantaModel, SeurantaWarnings), "laatu": (LaatuModel, LaatuWarnings)}
