"""Shared fixtures: generated responses and a helper that compares parsed rows with their source."""

from __future__ import annotations

import math
import os
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from ipsetl.forms import get_form, regions
from ipsetl.sample_inbox import generate_assessments, generate_monitoring

PERSONAL = ("respondent_name", "respondent_email")
PROJECT_ROOT = Path(__file__).resolve().parent.parent


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


# --- the project's own folders are the user's, not the tests' ---------------------------------------
# `ipsetl run`/`demo`, the Dagster definitions and `ipsetl.config.settings()` default to reports/,
# warehouse/ipsetl.duckdb and data/inbox/ of the current folder (the project root under pytest) and
# to the project's dagster_home/. A test that forgets one of --inbox/--warehouse/--reports (or
# IPSETL_*) overwrites the reports and warehouse of the last `scripts/demo` in this clone. So every
# test is checked: nothing under these folders may appear, change or vanish while the tests run.
GUARDED_FOLDERS = ("reports", "warehouse", "data", "dagster_home")
UNGUARDED = {"warehouse/sql", "dagster_home/dagster.yaml"}  # committed sources, edited by hand


def project_state(root: Path = PROJECT_ROOT) -> dict[str, tuple[int, int]]:
    """(mtime_ns, size) of every file, and (0, 0) for every folder, under root's guarded folders."""
    state: dict[str, tuple[int, int]] = {}
    for top in GUARDED_FOLDERS:
        for dirpath, dirnames, filenames in os.walk(root / top):
            here = Path(dirpath).relative_to(root).as_posix()
            state[here + "/"] = (0, 0)
            dirnames[:] = [d for d in dirnames if f"{here}/{d}" not in UNGUARDED]
            for name in filenames:
                rel = f"{here}/{name}"
                if rel in UNGUARDED:
                    continue
                try:
                    st = os.lstat(os.path.join(dirpath, name))
                except FileNotFoundError:  # gone between listing and stat
                    continue
                state[rel] = (st.st_mtime_ns, st.st_size)
    return state


def state_changes(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> list[str]:
    added = [f"+ {k}" for k in sorted(after.keys() - before.keys())]
    removed = [f"- {k}" for k in sorted(before.keys() - after.keys())]
    changed = [f"~ {k}" for k in sorted(before.keys() & after.keys()) if before[k] != after[k]]
    return added + removed + changed


def _changes_message(who: str, changes: list[str]) -> str:
    shown = "\n  ".join(changes[:30]) + (f"\n  … and {len(changes) - 30} more" if len(changes) > 30 else "")
    return (
        f"{who} wrote into the project's own folders under {PROJECT_ROOT} (give the test tmp_path "
        f"folders: --inbox/--warehouse/--reports, IPSETL_INBOX/IPSETL_WAREHOUSE/IPSETL_REPORTS or "
        f"IpsetlPaths; if you ran ipsetl in this clone yourself meanwhile, that was it):\n  {shown}"
    )


@pytest.fixture(scope="session")
def _project_folders_at_start():
    baseline = {"state": project_state()}
    yield baseline
    late = state_changes(baseline["state"], project_state())
    if late:  # e.g. a process a test started and left running
        pytest.fail(_changes_message("Something during the test session", late), pytrace=False)


@pytest.fixture(autouse=True)
def _project_folders_untouched(request, _project_folders_at_start):
    """Fails (at teardown) the test after which the project's folders differ from the session's start."""
    yield
    now = project_state()
    changes = state_changes(_project_folders_at_start["state"], now)
    if changes:
        _project_folders_at_start["state"] = now  # blame each write once
        pytest.fail(_changes_message(request.node.nodeid, changes), pytrace=False)
