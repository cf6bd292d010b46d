"""The data dictionary documents every column of every mart view, and lists each view's columns
exactly as the warehouse has them."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from ipsetl.warehouse import apply_schema

DOC = (Path(__file__).resolve().parent.parent / "docs" / "data-dictionary.md").read_text(encoding="utf-8")
VIEWS = ["source_file", "data_quality", "monitoring_window", "fidelity_assessment", "region_tertiary",
         "national_tertiary", "submission_status"]


@pytest.fixture(scope="module")
def con():
    c = duckdb.connect()
    apply_schema(c)
    yield c
    c.close()


def documented_views() -> dict[str, list[str]]:
    rows = re.findall(r"^\| `mart\.(\w+)` \| [^|]+ \| ([^|]+) \|$", DOC, flags=re.M)
    return {view: [c.strip() for c in cols.split(",")] for view, cols in rows}


def documented_columns() -> dict[str, str]:
    section = DOC.split("## Columns", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\|\s*(\w+)\s*\|([^|]+)\|([^|]*)\|([^|]*)\|$", section, flags=re.M)
    return {name: meaning.strip() for name, meaning, _, _ in rows if name != "column"}


@pytest.mark.parametrize("view", VIEWS)
def test_each_view_is_listed_with_its_exact_columns(con, view):
    actual = [r[0] for r in con.execute(f"DESCRIBE mart.{view}").fetchall()]
    assert documented_views()[view] == actual


def test_every_column_has_a_definition(con):
    defined = documented_columns()
    for view in VIEWS:
        for (name, *_rest) in con.execute(f"DESCRIBE mart.{view}").fetchall():
            assert defined.get(name), f"mart.{view}.{name} has no definition in docs/data-dictionary.md"
