"""Shared fixtures: generated responses and a helper that compares parsed rows with their source."""

from __future__ import annotations

import math
from datetime import date, datetime

import pandas as pd
import pytest

from ipsetl.forms import get_form, regions
from ipsetl.sample_inbox import generate_assessments, generate_monitoring

PERSONAL = ("respondent_name", "respondent_email")


@pytest.fixture(scope="session")
def monitoring_rows() -> list[dict]:
    return generate_monitoring(seed=7)


@pytest.fixture(scope="session")
def assessment_rows() -> list[dict]:
    return generate_assessments(seed=7)


def _norm(value):
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value
    if hasattr(value, "item"):
        value = value.item()
    return value


def expected_value(form: str, column: str, value):
    """What the warehouse should hold for a generated value (dates as timestamps, items' "En osaa sanoa")."""
    kind = get_form(form).column(column).type
    if value is None:
        return None
    if kind == "date":
        return datetime(value.year, value.month, value.day)
    if kind == "item" and isinstance(value, str):
        return None
    if kind == "decimal":
        return float(value)
    return value


def assert_rows_equal(form: str, parsed: pd.DataFrame, source: list[dict]) -> None:
    """Every canonical, non-personal value of every source row arrives exactly."""
    assert len(parsed) == len(source)
    columns = [c.column for c in get_form(form).data_columns]
    for i, (src, (_, got)) in enumerate(zip(source, parsed.iterrows(), strict=True), 1):
        assert got["source_row"] == i
        assert got["region_code"] == regions()[src["region"]]
        for col in columns:
            want = expected_value(form, col, src.get(col))
            have = _norm(got[col])
            if isinstance(want, float) and have is not None:
                assert have == pytest.approx(want, abs=1e-9), (i, col)
            else:
                assert have == want, (i, col, have, want)
        for col in PERSONAL:
            assert col not in got.index


@pytest.fixture(scope="session", autouse=True)
def dagster_home(tmp_path_factory):
    """Every test (and every `ipsetl` process a test starts) keeps its Dagster runs in a temporary
    instance, never in the project's dagster_home/."""
    import os

    home = tmp_path_factory.mktemp("dagster_home")
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    previous = os.environ.get("DAGSTER_HOME")
    os.environ["DAGSTER_HOME"] = str(home)
    yield home
    if previous is None:
        os.environ.pop("DAGSTER_HOME", None)
    else:
        os.environ["DAGSTER_HOME"] = previous


@pytest.fixture
def as_of() -> date:
    return date(2026, 11, 26)
