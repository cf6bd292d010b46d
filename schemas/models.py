"""The pandera models of the two forms: ranges, required fields and cross-column rules.

They validate the *typed* table (ipsetl.mapping has already turned cells into numbers and dates
and reported type errors, because a column that fails coercion hides its range failures in
pandera). Errors reject the row; the warning models only annotate it (forms.md, "Which rules
reject and which only warn"). Rules are named checks: the name is the `rule` of the finding,
and RULES says which column it is reported under and how it reads in Finnish.

The models' fields (type, nullability, range, choices) are built from schemas/catalogue.toml; only
the cross-column rules are written here.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas.catalogue import catalogue

Int = Series[pd.Int64Dtype]
Num = Series[pd.Float64Dtype]
Ts = Series[pa.DateTime]
Txt = Series[pd.StringDtype]

CATALOGUE = catalogue()
WINDOW_MIN_DAYS = CATALOGUE.window_min_days
WINDOW_MAX_DAYS = CATALOGUE.window_max_days
# the pandera annotation of each catalogue type
ANNOTATIONS = {"timestamp": Ts, "date": Ts, "integer": Int, "item": Int, "decimal": Num}


def _fields(form: str) -> dict:
    """The namespace of a form's error model: each question's annotation and Field, from the
    catalogue (required → not nullable; ge, le; choices)."""
    annotations, fields = {}, {}
    for c in CATALOGUE.form_columns(form):
        if not c.stored:
            continue
        annotations[c.key] = ANNOTATIONS.get(c.type, Txt)
        bounds = {k: v for k, v in (("ge", c.ge), ("le", c.le)) if v is not None}
        if c.choices:
            bounds["isin"] = list(c.choices)
        fields[c.key] = pa.Field(nullable=not c.required, **bounds)
    return {"__annotations__": annotations, **fields}


def _known_region(df: pd.DataFrame) -> pd.Series:
    """ipsetl.mapping has looked the name up in schemas/regions.csv (read at reading time, so an
    edit counts without a restart): a name without a code is not on the list."""
    return df["region"].isna() | df["region_code"].notna()


def _known(df: pd.DataFrame, *columns: str) -> pd.Series:
    """Rows where every column has a value. A missing value is reported as its own finding, and a
    missing date (NaT) compares as False rather than NA, so masks are needed, not fillna."""
    return df[list(columns)].notna().all(axis=1)


def _le(df: pd.DataFrame, small: str, large: str) -> pd.Series:
    """small ≤ large, passing where either is missing."""
    return ~_known(df, small, large) | (df[small] <= df[large]).fillna(True).astype(bool)


class _SeurantaRules(pa.DataFrameModel):
    """Form A error rules: a failure rejects the row."""

    class Config:
        strict = False
        coerce = False

    @pa.dataframe_check(name="known_region")
    def known_region(cls, df: pd.DataFrame) -> pd.Series:
        return _known_region(df)

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


SeurantaModel = type("SeurantaModel", (_SeurantaRules,), {"__module__": __name__, **_fields("seuranta")})
PHASES = list(CATALOGUE.total("phase_sum").parts)
END_REASONS = list(CATALOGUE.total("end_reason_sum").parts)


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


class _LaatuRules(pa.DataFrameModel):
    """Form B error rules."""

    class Config:
        strict = False
        coerce = False

    @pa.dataframe_check(name="known_region")
    def known_region(cls, df: pd.DataFrame) -> pd.Series:
        return _known_region(df)


LaatuModel = type("LaatuModel", (_LaatuRules,), {"__module__": __name__, **_fields("laatu")})


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
