"""The Dagster UI, started for real on loopback: the asset graph, the schedules and the sensor are
there, the schedules and sensor running by default."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

QUERY = """
{
  assetNodes { assetKey { path } }
  repositoriesOrError {
    ... on RepositoryConnection {
      nodes {
        schedules { name scheduleState { status } }
        sensors { name sensorState { status } }
        jobs { name }
      }
    }
  }
}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(url: str, query: str) -> dict:
    req = urllib.request.Request(
        url, data=json.dumps({"query": query}).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


@pytest.fixture
def webserver(tmp_path, dagster_home):
    port = free_port()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(dagster_home),
        "IPSETL_INBOX": str(tmp_path / "inbox"),
        "IPSETL_WAREHOUSE": str(tmp_path / "w.duckdb"),
        "IPSETL_REPORTS": str(tmp_path / "reports"),
    }
    exe = Path(sys.executable).with_name("dagster-webserver")
    proc = subprocess.Popen(
        [str(exe), "-m", "pipelines.definitions", "-h", "127.0.0.1", "-p", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(base + "/server_info", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("dagster-webserver did not answer in 90 s")
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def test_ui_shows_graph_schedules_and_sensor(webserver):
    data = post(webserver + "/graphql", QUERY)["data"]
    assets = {"/".join(n["assetKey"]["path"]) for n in data["assetNodes"]}
    assert {"raw/source_file", "mart/monitoring_window", "mart/region_tertiary", "reports/tertiary_report"} <= assets
    (repo,) = data["repositoriesOrError"]["nodes"]
    schedules = {s["name"]: s["scheduleState"]["status"] for s in repo["schedules"]}
    assert schedules == {"funder_report_draft": "RUNNING", "funder_report_final": "RUNNING", "weekly_ingest": "RUNNING"}
    assert {s["name"]: s["sensorState"]["status"] for s in repo["sensors"]} == {
        "inbox_sensor": "RUNNING",
        "reports_after_inbox": "RUNNING",
    }
    assert {"ipsetl_ingest", "ipsetl_tertiary"} <= {j["name"] for j in repo["jobs"]}
