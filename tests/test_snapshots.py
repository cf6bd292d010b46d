"""Snapshots before each run that writes, the last N kept, and `ipsetl restore` bringing one back."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ipsetl import snapshots
from ipsetl.ingest import run_ingest
from ipsetl.sample_inbox import generate_monitoring, write_export


def count(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("SELECT count(*) FROM raw.monitoring_response").fetchone()[0]


def test_snapshot_before_each_writing_run_and_restore(tmp_path, monkeypatch):
    monkeypatch.setenv("IPSETL_SNAPSHOTS", "2")
    inbox, wh = tmp_path / "inbox", tmp_path / "w.duckdb"
    rows = generate_monitoring(9)
    write_export(inbox / "a.csv", rows[:5])
    run_ingest(inbox, wh, 2**26)
    assert snapshots.list_snapshots(wh) == []  # nothing to copy before the first run
    run_ingest(inbox, wh, 2**26)
    assert snapshots.list_snapshots(wh) == []  # a run that writes nothing new takes none
    for n, name in enumerate(["b.csv", "c.csv", "d.csv"], 1):
        write_export(inbox / name, rows[5 * n : 5 * n + 5])
        run_ingest(inbox, wh, 2**26)
    snaps = snapshots.list_snapshots(wh)
    assert len(snaps) == 2  # the last N only
    assert count(wh) == 20
    assert count(snaps[0].path) == 15 and count(snaps[1].path) == 10  # newest first

    restored, before = snapshots.restore(wh, snaps[0].name)
    assert restored.name == snaps[0].name
    assert count(wh) == 15
    assert before is not None and count(before.path) == 20  # the replaced state is kept too
    run_ingest(inbox, wh, 2**26)  # the inbox still holds d.csv: the next run brings it back
    assert count(wh) == 20


def test_restore_command_lists_and_refuses_unknown_names(tmp_path, monkeypatch):
    import subprocess
    import sys

    inbox, wh = tmp_path / "inbox", tmp_path / "w.duckdb"
    write_export(inbox / "a.csv", generate_monitoring(9)[:3])
    run_ingest(inbox, wh, 2**26)
    write_export(inbox / "b.csv", generate_monitoring(9)[3:6])
    run_ingest(inbox, wh, 2**26)
    cmd = [sys.executable, "-m", "ipsetl.cli", "restore", "--warehouse", str(wh)]
    listing = subprocess.run(cmd, capture_output=True, text=True)
    assert listing.returncode == 0 and "w-" in listing.stdout and "ipsetl restore NIMI" in listing.stdout
    bad = subprocess.run([*cmd[:3], "restore", "ei-ole.duckdb", "--warehouse", str(wh)], capture_output=True, text=True)
    assert bad.returncode != 0 and "ei ole" in bad.stderr and "Traceback" not in bad.stderr
    ok = subprocess.run([*cmd[:3], "restore", "latest", "--warehouse", str(wh)], capture_output=True, text=True)
    assert ok.returncode == 0 and "Palautettiin" in ok.stdout
    assert count(wh) == 3
