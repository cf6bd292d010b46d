"""Readers never block runs, runs never tear readers (issue 16): a run builds the next state in a
copy and renames it over the warehouse; writers queue on a lock file of their own; a run killed
while copying, writing or just before the rename leaves the published file as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest

from ipsetl import warehouse
from ipsetl.ingest import run_ingest
from ipsetl.sample_inbox import generate_monitoring, write_export

ROOT = Path(__file__).resolve().parents[1]
AS_OF = date(2026, 11, 26)


def windows(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("SELECT count(*) FROM raw.monitoring_response").fetchone()[0]


@pytest.fixture()
def loaded(tmp_path) -> tuple[Path, Path, list[dict]]:
    inbox, wh = tmp_path / "inbox", tmp_path / "w.duckdb"
    rows = generate_monitoring(11)
    write_export(inbox / "a.csv", rows[:6])
    run_ingest(inbox, wh, 2**26, as_of=AS_OF)
    return inbox, wh, rows


READER = textwrap.dedent(
    """
    import sys, duckdb
    con = duckdb.connect(sys.argv[1], read_only=True)
    q = "SELECT count(*) FROM raw.monitoring_response"
    print(con.execute(q).fetchone()[0], flush=True)
    sys.stdin.readline()  # the run happens now, with this connection open
    print(con.execute(q).fetchone()[0], flush=True)
    print(con.execute("SELECT count(*) FROM mart.monitoring_window").fetchone()[0], flush=True)
    """
)


def test_a_reader_connected_through_a_whole_run_blocks_nothing_and_sees_no_torn_state(loaded, tmp_path):
    """A notebook's read-only connection open through an `ipsetl run` with a new file: the run
    ends 0 without waiting (the lock wait is 5 s: it would fail if it waited on the reader), the
    reader's connection answers as before, a new connection sees the new windows."""
    inbox, wh, rows = loaded
    before = windows(wh)
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(wh)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert int(reader.stdout.readline()) == before
        write_export(inbox / "b.csv", rows[6:10])
        env = dict(os.environ, IPSETL_LOCK_WAIT_S="5", DAGSTER_HOME=str(tmp_path / "dh"))
        warehouse_args = ["--inbox", str(inbox), "--warehouse", str(wh), "--reports", str(tmp_path / "r")]
        from ipsetl.runner import new_dagster_home

        new_dagster_home(tmp_path / "dh")
        run = subprocess.run(
            [sys.executable, "-m", "ipsetl.cli", "run", *warehouse_args, "--as-of", AS_OF.isoformat(),
             "--tertiaries", "none"],
            capture_output=True, text=True, timeout=300, env=env, cwd=ROOT,
        )  # fmt: skip
        assert run.returncode == 0, run.stdout + run.stderr
        assert "käytössä" not in run.stderr + run.stdout
        reader.stdin.write("\n")
        reader.stdin.flush()
        assert int(reader.stdout.readline()) == before  # its snapshot of the state, whole
        assert int(reader.stdout.readline()) > 0
    finally:
        reader.kill()
        reader.wait()
    assert windows(wh) == before + 4  # a new connection: the run's state


def test_writers_queue_on_the_lock_file_and_the_busy_message_names_the_holder(loaded):
    _inbox, wh, _rows = loaded
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; from ipsetl import warehouse\n"
         "with warehouse.write_lock(Path(sys.argv[1]), what='ajo'):\n    print('held', flush=True); time.sleep(60)",
         str(wh)],
        stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        said: list[str] = []
        started = time.monotonic()
        with pytest.raises(warehouse.WarehouseBusy) as busy:
            with warehouse.publishing(wh, wait_s=1, on_wait=said.append):
                pass
        assert time.monotonic() - started >= 1
        assert f"prosessi {holder.pid}" in str(busy.value) and "alkoi" in str(busy.value)
        assert said and f"prosessi {holder.pid}" in said[0]
        with duckdb.connect(str(wh), read_only=True) as con:  # readers are never held up
            assert con.execute("SELECT count(*) FROM raw.source_file").fetchone()[0] == 1
    finally:
        holder.kill()
        holder.wait()
    with warehouse.publishing(wh, wait_s=5) as building:  # the kernel let go of the dead holder's lock
        building.discard()


KILLER = textwrap.dedent(
    """
    import os, shutil, signal, sys
    from pathlib import Path
    from ipsetl import warehouse
    where = sys.argv[2]
    die = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)
    if where == "copy":  # half the file copied, then killed
        def half(src, dst):
            with open(src, "rb") as a, open(dst, "wb") as b:
                b.write(a.read(os.path.getsize(src) // 2))
            die()
        shutil.copyfile = half
    if where == "rename":
        warehouse.os.replace = die
    with warehouse.publishing(Path(sys.argv[1])) as building:
        building.con.execute("DELETE FROM raw.monitoring_response")
        if where == "write":
            die()
    """
)


@pytest.mark.parametrize("where", ["copy", "write", "rename"])
def test_a_run_killed_while_copying_writing_or_before_the_rename_leaves_the_old_state(loaded, where):
    inbox, wh, rows = loaded
    before = windows(wh)
    killed = subprocess.run([sys.executable, "-c", KILLER, str(wh), where], cwd=ROOT, timeout=120)
    assert killed.returncode == -signal.SIGKILL
    assert windows(wh) == before  # the published file is the old state
    assert list(wh.parent.glob(f".{wh.name}.building-*"))  # its half-built copy is left behind …
    write_export(inbox / "b.csv", rows[6:9])
    run_ingest(inbox, wh, 2**26, as_of=AS_OF)
    assert windows(wh) == before + 3
    assert not list(wh.parent.glob(f".{wh.name}.building-*"))  # … and the next run cleans it up


def test_a_program_writing_the_file_is_waited_for_and_named(loaded):
    """A DuckDB session opened for writing (a CLI without -readonly) holds DuckDB's exclusive lock:
    a run waits for it and says so, instead of publishing past it (its later commits would land in
    a WAL beside the new file). A read-only session is never waited for."""
    _inbox, wh, _rows = loaded
    before = windows(wh)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time, duckdb\nc = duckdb.connect(sys.argv[1])\n"
         "print('open', flush=True); time.sleep(60)", str(wh)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "open"
        said: list[str] = []
        with pytest.raises(warehouse.WarehouseBusy, match="kirjoituskäytössä"):
            with warehouse.publishing(wh, wait_s=1, on_wait=said.append) as building:
                building.con.execute("DELETE FROM raw.monitoring_response")
        assert said and "kirjoituskäytössä" in said[0]
    finally:
        holder.kill()
        holder.wait()
    assert windows(wh) == before
    assert not list(wh.parent.glob(f".{wh.name}.building-*"))


def test_a_wal_left_beside_the_warehouse_is_folded_in_once(loaded):
    """A writer killed with its commit still in the WAL (before this release, or a program outside
    ipsetl): the next run checkpoints it into the file first, so its rows are there once, and no
    WAL is left to be replayed onto the new file."""
    inbox, wh, rows = loaded
    before = windows(wh)
    code = (
        "import os, signal, sys, duckdb\nc = duckdb.connect(sys.argv[1])\n"
        "c.execute('PRAGMA disable_checkpoint_on_shutdown')\n"
        "c.execute(\"INSERT INTO raw.settings VALUES ('wal_probe', 'x')\")\nos.kill(os.getpid(), signal.SIGKILL)"
    )
    subprocess.run([sys.executable, "-c", code, str(wh)], timeout=60)
    assert Path(str(wh) + ".wal").exists()
    write_export(inbox / "b.csv", rows[6:9])
    run_ingest(inbox, wh, 2**26, as_of=AS_OF)
    assert not Path(str(wh) + ".wal").exists()
    with duckdb.connect(str(wh), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM raw.settings WHERE key = 'wal_probe'").fetchone()[0] == 1
    assert windows(wh) == before + 3


def test_a_run_keeps_the_files_permissions(loaded):
    inbox, wh, rows = loaded
    wh.chmod(0o640)
    write_export(inbox / "b.csv", rows[6:9])
    run_ingest(inbox, wh, 2**26, as_of=AS_OF)
    assert wh.stat().st_mode & 0o777 == 0o640
