"""The Dagster code location: it loads cheaply, a real materialisation writes a real warehouse,
tertiaries are partitions, and the schedules and the inbox sensor ask for the right runs."""

from __future__ import annotations

import importlib
import shutil
import sys
from datetime import datetime

import dagster as dg
import duckdb
import pytest

from ipsetl.sample_inbox import generate_monitoring, write_export, write_sample_inbox
from pipelines.definitions import INGEST_ASSETS, TERTIARY_ASSETS, defs
from pipelines.resources import IpsetlPaths
from pipelines.schedules import funder_report_draft, funder_report_final, weekly_ingest
from pipelines.sensors import inbox_sensor
from schemas import FORMS_DIR


def test_definitions_load_and_the_graph_resolves():
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {"raw/source_file", "raw/monitoring_response", "raw/fidelity_response", "raw/finding"} <= keys
    assert {
        "mart/source_file",
        "mart/monitoring_window",
        "mart/fidelity_assessment",
        "mart/data_quality",
        "mart/region_tertiary",
        "mart/national_tertiary",
        "mart/submission_status",
    } <= keys
    assert {"mart/tertiary_summary", "reports/tertiary_report"} <= keys
    check_names = {k.name for k in graph.asset_check_keys}
    assert {
        "no_rejected_files",
        "no_rejected_rows",
        "no_warnings",
        "no_overlapping_active_windows",
        "row_counts_add_up",
        "national_equals_sum_of_regions",
        "consistency_warnings",
        "all_regions_reported",
        "submissions_complete",
        "national_consistency",
    } <= check_names
    job = defs.resolve_job_def("ipsetl_tertiary")
    assert isinstance(job.partitions_def, dg.DynamicPartitionsDefinition) and job.partitions_def.name == "tertiary"
    assert defs.resolve_job_def("ipsetl_ingest").partitions_def is None
    assert {s.name for s in defs.schedules} == {"funder_report_draft", "funder_report_final", "weekly_ingest"}
    assert all(s.default_status == dg.DefaultScheduleStatus.RUNNING for s in defs.schedules)
    assert [s.name for s in defs.sensors] == ["inbox_sensor", "reports_after_inbox"]
    assert all(s.default_status == dg.DefaultSensorStatus.RUNNING for s in defs.sensors)
    pools = {spec.pool for a in INGEST_ASSETS for spec in [a.op] if hasattr(spec, "pool")}
    assert "duckdb" in pools


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    root = tmp_path_factory.mktemp("dg")
    write_sample_inbox(root / "inbox")
    paths = IpsetlPaths(
        inbox=str(root / "inbox"), warehouse=str(root / "w.duckdb"), reports=str(root / "reports"), as_of="2026-11-26"
    )
    return root, paths


def test_materialising_ingestion_loads_the_sample_and_reports_findings(loaded):
    root, paths = loaded
    with dg.instance_for_test() as instance:
        result = dg.materialize(INGEST_ASSETS, resources={"ipsetl": paths}, instance=instance)
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

        again = dg.materialize(INGEST_ASSETS, resources={"ipsetl": paths}, instance=instance)
        mats = {m.asset_key.to_user_string(): m for m in again.get_asset_materialization_events()}
        assert mats["raw/source_file"].step_materialization_data.materialization.metadata["new_files"].value == 0
    with duckdb.connect(paths.warehouse, read_only=True) as con:
        assert con.execute("SELECT count(*) FROM mart.monitoring_window").fetchone() == (87,)


def test_one_tertiary_partition_renders_that_tertiarys_reports_only(loaded):
    root, paths = loaded
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("tertiary", ["2025-T3", "2027-T2"])
        result = dg.materialize(
            TERTIARY_ASSETS, partition_key="2025-T3", resources={"ipsetl": paths}, instance=instance
        )
        assert result.success
        checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
        assert not checks["submissions_complete"].passed  # ESA sent nothing for 2025-T3
        assert checks["submissions_complete"].metadata["missing"].value == {"2025-T3": ["ESA"]}
        assert checks["national_consistency"].passed
        report = next(
            m
            for m in result.get_asset_materialization_events()
            if m.asset_key.to_user_string() == "reports/tertiary_report"
        )
        meta = report.step_materialization_data.materialization.metadata
        assert meta["final"].value == ["2025-T3"] and meta["reports_rendered"].value == 13
        # a tertiary that is neither over nor current is not rendered
        future = dg.materialize(
            TERTIARY_ASSETS, partition_key="2027-T2", resources={"ipsetl": paths}, instance=instance
        )
        meta = next(
            m
            for m in future.get_asset_materialization_events()
            if m.asset_key.to_user_string() == "reports/tertiary_report"
        ).step_materialization_data.materialization.metadata
        assert meta["not_due"].value == ["2027-T2"] and meta["reports_rendered"].value == 0
    assert sorted(p.name for p in (root / "reports").iterdir()) == ["2025-T3"]
    assert (root / "reports" / "2025-T3" / "rahoittajaraportti_2025-T3.pdf").exists()


@pytest.mark.parametrize(
    "schedule, when, partition, as_of",
    [
        (funder_report_draft, datetime(2026, 4, 23, 18), "2026-T1", "2026-04-23"),
        (funder_report_draft, datetime(2026, 12, 24, 18), "2026-T3", "2026-12-24"),
        (funder_report_final, datetime(2026, 4, 30, 18), "2026-T1", "2026-04-30"),
        (funder_report_final, datetime(2026, 8, 31, 18), "2026-T2", "2026-08-31"),
        (funder_report_final, datetime(2026, 12, 31, 18), "2026-T3", "2026-12-31"),
    ],
)
def test_deadline_schedules_request_the_tertiary_with_its_as_of_date(schedule, when, partition, as_of):
    """The schedule adds its tertiary to the partitions, before a later one already there."""
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("tertiary", ["2025-T1", "2027-T1"])
        paths = IpsetlPaths(inbox="i", warehouse="w.duckdb", reports="r")
        context = dg.build_schedule_context(
            instance=instance,
            scheduled_execution_time=when,
            repository_def=defs.get_repository_def(),
            resources={"ipsetl": paths},
        )
        [request] = schedule.evaluate_tick(context).run_requests
        assert request.partition_key == partition
        assert request.run_config["resources"]["ipsetl"]["config"] == paths.model_dump() | {"as_of": as_of}
        dg.validate_run_config(defs.resolve_job_def("ipsetl_tertiary"), request.run_config)  # launchable as it is
        assert instance.get_dynamic_partitions("tertiary") == ["2025-T1", partition, "2027-T1"]


def test_schedule_crons_fall_on_the_deadlines_and_a_week_before():
    assert funder_report_final.cron_schedule == ["0 18 30 4 *", "0 18 31 8 *", "0 18 31 12 *"]
    assert funder_report_draft.cron_schedule == ["0 18 23 4 *", "0 18 24 8 *", "0 18 24 12 *"]
    assert weekly_ingest.cron_schedule == "0 6 * * 1"
    assert weekly_ingest.job_name == "ipsetl_ingest"


def test_draft_offset_is_configurable(monkeypatch):
    monkeypatch.setenv("IPSETL_DRAFT_DAYS_BEFORE", "10")
    monkeypatch.setenv("IPSETL_REPORT_HOUR", "7")
    for name in [m for m in sys.modules if m.startswith("pipelines")]:
        monkeypatch.delitem(sys.modules, name)
    schedules = importlib.import_module("pipelines.schedules")
    assert schedules.funder_report_draft.cron_schedule == ["0 7 20 4 *", "0 7 21 8 *", "0 7 21 12 *"]


def test_inbox_sensor_runs_on_new_or_changed_files_only(tmp_path):
    _walk_inbox_sensor(tmp_path)


def _walk_inbox_sensor(tmp_path):
    """New, unchanged, changed and added files through the sensor; (evaluate, cursor) at the end."""
    inbox = tmp_path / "inbox"
    paths = IpsetlPaths(inbox=str(inbox), warehouse=str(tmp_path / "w.duckdb"), reports=str(tmp_path / "r"))
    rows = generate_monitoring(4)[:3]
    write_export(inbox / "a.csv", rows)

    def evaluate(cursor):
        ctx = dg.build_sensor_context(cursor=cursor, resources={"ipsetl": paths}, definitions=defs)
        result = inbox_sensor.evaluate_tick(ctx)
        return result.run_requests, result.cursor

    requests, cursor = evaluate(None)
    assert len(requests) == 1 and requests[0].tags["ipsetl/files"] == "a.csv"
    # Ingestion only: which tertiaries get reports is known after it (reports_after_inbox).
    assert requests[0].job_name in (None, "ipsetl_ingest") and requests[0].partition_key_range is None
    assert requests[0].tags["ipsetl/trigger"] == "inbox"
    requests, cursor = evaluate(cursor)
    assert requests == []  # nothing new
    shutil.copy(inbox / "a.csv", tmp_path / "a.csv")
    (inbox / "a.csv").unlink()
    shutil.copy(tmp_path / "a.csv", inbox / "a.csv")  # dropped again, unchanged (new mtime)
    requests, cursor = evaluate(cursor)
    assert requests == []
    write_export(inbox / "a.csv", rows[:2])  # changed content
    requests, cursor = evaluate(cursor)
    assert len(requests) == 1
    write_export(inbox / "b.csv", rows)  # a new file
    requests, cursor = evaluate(cursor)
    assert len(requests) == 1 and requests[0].tags["ipsetl/files"] == "b.csv"
    return evaluate, cursor


def test_inbox_sensor_runs_when_a_form_version_is_added(tmp_path, monkeypatch):
    """A version drafted into the forms folder (`ipsetl forms draft`) re-reads the inbox's refused
    file: the sensor starts ingestion as for a changed file; a broken version starts nothing and
    says why."""
    forms = tmp_path / "forms"
    shutil.copytree(FORMS_DIR, forms)
    monkeypatch.setenv("IPSETL_FORMS_DIR", str(forms))
    evaluate, cursor = _walk_inbox_sensor(tmp_path)
    text = (forms / "seuranta-1.toml").read_text(encoding="utf-8")
    (forms / "seuranta-2.toml").write_text(
        text.replace("version = 1", "version = 2").replace("Jonossa olevat", "Jonossa odottavat"), encoding="utf-8"
    )
    requests, cursor = evaluate(cursor)
    assert len(requests) == 1 and requests[0].tags["ipsetl/files"] == "lomakemääritykset"
    requests, cursor = evaluate(cursor)
    assert requests == []
    (forms / "seuranta-3.toml").write_text(
        text.replace("version = 1", "version = 3").replace('column = "region"', 'column = "alue"')
    )
    ctx = dg.build_sensor_context(
        cursor=cursor,
        resources={
            "ipsetl": IpsetlPaths(
                inbox=str(tmp_path / "inbox"), warehouse=str(tmp_path / "w.duckdb"), reports=str(tmp_path / "r")
            )
        },
        definitions=defs,
    )
    result = inbox_sensor.evaluate_tick(ctx)
    assert result.run_requests == [] and "seuranta-3.toml" in result.skip_message and "'alue'" in result.skip_message


def test_importing_the_definitions_touches_no_files(tmp_path, monkeypatch):
    """dagster dev's code server times out on slow imports: no connections or scans at import time."""
    monkeypatch.setenv("IPSETL_WAREHOUSE", str(tmp_path / "never.duckdb"))
    monkeypatch.setenv("IPSETL_INBOX", str(tmp_path / "never-inbox"))
    for name in [m for m in sys.modules if m.startswith("pipelines")]:
        monkeypatch.delitem(sys.modules, name)
    module = importlib.import_module("pipelines.definitions")
    assert module.defs is not None
    assert not (tmp_path / "never.duckdb").exists()
    assert not (tmp_path / "never-inbox").exists()
