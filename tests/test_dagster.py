"""The Dagster code location: it loads cheaply, and a real materialisation writes a real warehouse."""

from __future__ import annotations

import dagster as dg
import duckdb

from ipsetl.sample_inbox import write_sample_inbox
from pipelines.definitions import ASSETS, CHECKS, defs
from pipelines.resources import IpsetlPaths


def test_definitions_load_and_the_graph_resolves():
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {"raw/source_file", "raw/monitoring_response", "raw/fidelity_response", "raw/finding"} <= keys
    assert {"mart/source_file", "mart/monitoring_window", "mart/fidelity_assessment", "mart/data_quality"} <= keys
    check_names = {k.name for k in graph.asset_check_keys}
    assert {
        "no_rejected_files",
        "no_rejected_rows",
        "no_warnings",
        "no_overlapping_active_windows",
        "row_counts_add_up",
    } <= check_names
    assert defs.resolve_job_def("ipsetl_main") is not None


def test_materialising_the_graph_loads_the_sample_and_reports_findings(tmp_path):
    inbox, wh = tmp_path / "inbox", tmp_path / "w.duckdb"
    write_sample_inbox(inbox)
    paths = IpsetlPaths(inbox=str(inbox), warehouse=str(wh), reports=str(tmp_path / "reports"), as_of="2026-11-26")
    with dg.instance_for_test() as instance:
        result = dg.materialize([*ASSETS, *CHECKS], resources={"ipsetl": paths}, instance=instance)
        assert result.success
        checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
        # the sample has faulty rows and files on purpose: those checks warn, the invariants pass
        assert not checks["no_rejected_rows"].passed
        assert checks["no_rejected_rows"].metadata["count"].value == 4
        sample = checks["no_rejected_rows"].metadata["sample"].value
        assert "IPS seuranta 2-2026_Perusraportti.csv" in sample and "fte_le_headcount" in sample
        assert not checks["no_rejected_files"].passed
        assert checks["no_rejected_files"].metadata["count"].value == 2
        assert checks["no_overlapping_active_windows"].passed
        assert checks["row_counts_add_up"].passed
        assert checks["national_equals_sum_of_regions"].passed
        assert checks["national_equals_sum_of_regions"].metadata["tertiaries"].value == 6
        # the sample's one kept row with a phase-sum warning, and ESA's silent 2025-T3
        assert not checks["consistency_warnings"].passed
        assert checks["consistency_warnings"].metadata["windows"].value == 1
        assert checks["all_regions_reported"].metadata["list"].value == ["2025-T3 ESA"]
        mats = {m.asset_key.to_user_string(): m for m in result.get_asset_materialization_events()}
        src = mats["raw/source_file"].step_materialization_data.materialization.metadata
        assert src["loaded"].value == 16 and src["duplicate"].value == 1 and src["rejected"].value == 2
        window = mats["mart/monitoring_window"].step_materialization_data.materialization.metadata
        assert window["dagster/row_count"].value == 87

        # a second materialisation registers nothing new and leaves the counts alone
        again = dg.materialize([*ASSETS, *CHECKS], resources={"ipsetl": paths}, instance=instance)
        assert again.success
        mats = {m.asset_key.to_user_string(): m for m in again.get_asset_materialization_events()}
        assert mats["raw/source_file"].step_materialization_data.materialization.metadata["new_files"].value == 0
    with duckdb.connect(str(wh), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM mart.monitoring_window").fetchone() == (87,)


def test_importing_the_definitions_touches_no_files(tmp_path, monkeypatch):
    """dagster dev's code server times out on slow imports: no connections or scans at import time."""
    import importlib
    import sys

    monkeypatch.setenv("IPSETL_WAREHOUSE", str(tmp_path / "never.duckdb"))
    monkeypatch.setenv("IPSETL_INBOX", str(tmp_path / "never-inbox"))
    for name in [m for m in sys.modules if m.startswith("pipelines")]:
        monkeypatch.delitem(sys.modules, name)
    module = importlib.import_module("pipelines.definitions")
    assert module.defs is not None
    assert not (tmp_path / "never.duckdb").exists()
    assert not (tmp_path / "never-inbox").exists()
