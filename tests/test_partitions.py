"""Tertiaries come from the data: the dynamic partitions hold every due tertiary, however far back,
in chronological order (Dagster orders dynamic keys by insertion, and a run over several tertiaries
is a range), and the inbox sensor's report run and `ipsetl run` reach data from 2021 with no
setting. A small load (one region) keeps the renders at a few PDFs; the checks are on files and
the command's output only, whatever renders them."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import dagster as dg
import pytest

from ipsetl.ingest import run_ingest
from ipsetl.runner import new_dagster_home
from ipsetl.sample_inbox import generate_monitoring, write_export
from pipelines.definitions import INGEST_ASSETS, TERTIARY_ASSETS
from pipelines.partitions import ensure_partitions, partition_requests
from pipelines.resources import IpsetlPaths
from pipelines.sensors import reports_after_inbox

AS_OF = "2026-11-26"  # current tertiary 2026-T3: the draft


def _labels(requests) -> list[tuple[str, list[str]]]:
    return [(type(r).__name__[:3], list(r.partition_keys)) for r in requests]


def test_partition_requests_add_in_order_and_reinsert_what_an_earlier_key_must_precede():
    assert partition_requests([], ["2026-T3", "2021-T1"]) == [
        dg.AddDynamicPartitionsRequest("tertiary", ["2021-T1", "2026-T3"])
    ]
    assert partition_requests(["2025-T1", "2025-T2"], ["2025-T2", "2025-T1"]) == []  # all there, in order
    assert _labels(partition_requests(["2025-T1"], ["2025-T3", "2025-T2"])) == [("Add", ["2025-T2", "2025-T3"])]
    # Older data arriving late: the later keys go out and come back after it.
    assert _labels(partition_requests(["2021-T1", "2026-T2", "2026-T3"], ["2021-T3", "2026-T3"])) == [
        ("Del", ["2026-T2", "2026-T3"]),
        ("Add", ["2021-T3", "2026-T2", "2026-T3"]),
    ]
    # Keys out of order already (added by hand in the UI) are put in order too.
    assert _labels(partition_requests(["2026-T1", "2025-T3"], [])) == [
        ("Del", ["2026-T1", "2025-T3"]),
        ("Add", ["2025-T3", "2026-T1"]),
    ]


@pytest.fixture()
def load(tmp_path) -> IpsetlPaths:
    """A warehouse holding PIR's monthly windows of 2021-T1 only."""
    inbox = tmp_path / "inbox"
    rows = generate_monitoring(2026, date(2021, 1, 1), date(2021, 4, 30), ["PIR"], monthly=True)
    write_export(inbox / "IPS seuranta 2021.csv", rows, "seuranta")
    run_ingest(inbox, tmp_path / "w.duckdb", 2**26, as_of=date.fromisoformat(AS_OF))
    return IpsetlPaths(
        inbox=str(inbox), warehouse=str(tmp_path / "w.duckdb"), reports=str(tmp_path / "reports"), as_of=AS_OF
    )


def test_a_range_over_keys_added_earlier_than_existing_ones_resolves_in_order(load):
    """On an instance that already holds later tertiaries, adding 2021-T1 keeps the range
    2021-T1…2026-T3 chronological; appended at the end instead, the range would be empty."""
    paths = load.model_copy(update={"report_scope": "none"})  # the summary only: nothing to render
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("tertiary", ["2026-T2", "2026-T3"])
        assert ensure_partitions(instance, ["2021-T1", "2026-T3"]) == ["2021-T1", "2026-T2", "2026-T3"]
        result = dg.materialize(
            TERTIARY_ASSETS,
            resources={"ipsetl": paths},
            instance=instance,
            tags={"dagster/asset_partition_range_start": "2021-T1", "dagster/asset_partition_range_end": "2026-T3"},
        )
        assert result.success
        summary = next(
            m.step_materialization_data.materialization.metadata
            for m in result.get_asset_materialization_events()
            if m.asset_key.to_user_string() == "mart/tertiary_summary"
        )
        assert list(summary["tertiaries"].value) == ["2021-T1", "2026-T2", "2026-T3"]
        assert summary["tertiaries"].value["2021-T1"]["regions_reporting"] == 1


def test_the_report_run_after_an_inbox_ingestion_covers_the_data_from_2021(load):
    """inbox_sensor's ingestion run succeeded: reports_after_inbox adds the due tertiaries (2021-T1
    and the draft 2026-T3) before the later key already there, asks for one run over them, and once
    that run has rendered them, asks for nothing."""
    paths = load
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("tertiary", ["2026-T3"])
        ingest = dg.materialize(
            INGEST_ASSETS, resources={"ipsetl": paths}, instance=instance, tags={"ipsetl/trigger": "inbox"}
        )
        assert ingest.success

        def evaluate(run: dg.DagsterRun):
            [success] = instance.get_records_for_run(run.run_id, of_type=dg.DagsterEventType.RUN_SUCCESS).records
            context = dg.build_run_status_sensor_context(
                sensor_name="reports_after_inbox",
                dagster_event=success.event_log_entry.dagster_event,
                dagster_instance=instance,
                dagster_run=run,
                resources={"ipsetl": paths},
            )
            return reports_after_inbox(context)

        request = evaluate(ingest.dagster_run)
        assert isinstance(request, dg.RunRequest)
        assert instance.get_dynamic_partitions("tertiary") == ["2021-T1", "2026-T3"]
        assert request.partition_key_range == dg.PartitionKeyRange("2021-T1", "2026-T3")
        assert set(request.asset_selection) == {a.key for a in TERTIARY_ASSETS}
        assert request.run_config["resources"]["ipsetl"]["config"] == paths.model_dump()

        reports = dg.materialize(
            TERTIARY_ASSETS,
            resources={"ipsetl": IpsetlPaths(inbox="-", warehouse="-", reports="-")},  # the run config's win
            instance=instance,
            run_config=request.run_config,
            tags=request.tags,
        )
        assert reports.success
        for label in ("2021-T1", "2026-T3"):
            for name in (f"rahoittajaraportti_{label}", f"alueraportti_PIR_{label}"):
                assert (Path(paths.reports) / label / f"{name}.pdf").exists()

        again = dg.materialize(
            INGEST_ASSETS, resources={"ipsetl": paths}, instance=instance, tags={"ipsetl/trigger": "inbox"}
        )
        assert isinstance(evaluate(again.dagster_run), dg.SkipReason)  # the reports are up to date
        by_hand = dg.materialize(INGEST_ASSETS, resources={"ipsetl": paths}, instance=instance)
        assert isinstance(evaluate(by_hand.dagster_run), dg.SkipReason)  # not the sensor's ingestion


def ipsetl(*args: str, home: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPSETL_")} | {"DAGSTER_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "ipsetl.cli", *args], capture_output=True, text=True, env=env, timeout=300
    )


def test_ipsetl_run_reports_2021_and_a_second_run_ends_before_dagster(tmp_path):
    """An inbox of 2021 data, an instance already holding later tertiaries: `ipsetl run` renders
    2021-T1, 2021-T2 and the 2026-T3 draft with no setting, and the next run says Ei muutoksia."""
    home = new_dagster_home(tmp_path / "dagster_home")
    with dg.DagsterInstance.from_config(str(home)) as instance:
        instance.add_dynamic_partitions("tertiary", ["2026-T2", "2026-T3"])
    inbox, reports = tmp_path / "inbox", tmp_path / "reports"
    rows = generate_monitoring(2026, date(2021, 1, 1), date(2021, 8, 31), ["PIR"], monthly=True)
    write_export(inbox / "IPS seuranta 2021.csv", rows, "seuranta")
    args = ["run", "--inbox", str(inbox), "--warehouse", str(tmp_path / "w.duckdb"), "--reports", str(reports)]
    args += ["--as-of", AS_OF]

    first = ipsetl(*args, home=home)
    assert first.returncode == 0, first.stderr
    assert "Valmis" in first.stderr and "Huom" not in first.stderr and "IPSETL_" not in first.stderr
    for label in ("2021-T1", "2021-T2", "2026-T3"):
        for name in (f"rahoittajaraportti_{label}", f"alueraportti_PIR_{label}"):
            assert (reports / label / f"{name}.pdf").exists() and (reports / label / f"{name}.html").exists()
        assert (reports / label / f"indikaattorit_{label}.csv").exists()
    assert sorted(p.name for p in reports.iterdir() if p.is_dir()) == ["2021-T1", "2021-T2", "2026-T3"]
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert instance.get_dynamic_partitions("tertiary") == ["2021-T1", "2021-T2", "2026-T2", "2026-T3"]

    again = ipsetl(*args, home=home)
    assert again.returncode == 0, again.stderr
    assert "Ei muutoksia" in again.stderr and "Valmis" not in again.stderr
