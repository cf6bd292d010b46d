"""Issue 14: one bad inbox entry never stops the run.

Every entry is accounted for by its `lstat` (folders, FIFOs, sockets, dangling and outward links
are refused without being opened); every file is parsed in a worker under a memory and time
budget, and a worker that dies or overruns costs only its own file; reports bound what one open
answer can cost them, and each render has a time limit. The last test runs `ipsetl run` on an
inbox with a bomb, a FIFO, a folder and good files, as a coordinator would.
"""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import duckdb
import pytest

from ipsetl import ingest
from ipsetl.inbox import NotARegularFile, display_name, open_regular, read_limited, scan
from ipsetl.reports.data import MAX_OPEN_TEXT, shown_text
from ipsetl.sample_inbox import generate_monitoring, write_export
from ipsetl.workers import JobFailed, Pool

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def rows() -> list[dict]:
    return generate_monitoring(seed=21)


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.update(extra)
    return env


# --- the inbox, entry by entry ----------------------------------------------------------------------


def test_every_entry_is_accounted_for_and_nothing_but_regular_files_is_read(tmp_path, rows):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_export(inbox / "hyva.csv", rows[:2])
    (inbox / "vuosi2025").mkdir()
    write_export(inbox / "vuosi2025" / "sisalla.csv", rows[2:4])
    (inbox / "kansio.csv").mkdir()  # a folder named like an export
    (inbox / "tyhja").mkdir()
    os.symlink(tmp_path / "ei-ole.csv", inbox / "katkennut.csv")
    os.symlink("/etc/passwd", inbox / "ulos.csv")
    os.symlink("hyva.csv", inbox / "linkki.csv")
    os.symlink("vuosi2025", inbox / "linkki-kansioon")
    os.mkfifo(inbox / "putki.csv")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(inbox / "pistoke.csv"))
    (inbox / ".piilotettu.csv").write_text("x")
    (inbox / "~$lukko.xlsx").write_text("x")
    (inbox / ".DS_Store").write_text("x")  # not named like an export: passed over
    deep = inbox / "syva"
    for _ in range(200):  # nested folders: a thousand levels made rglob raise RecursionError in every run
        deep = deep / "a"
    deep.mkdir(parents=True)
    try:
        entries = {e.name: e for e in scan(inbox)}
    finally:
        server.close()
    assert {n: e.kind for n, e in entries.items()} == {
        "hyva.csv": "file",
        "vuosi2025/sisalla.csv": "file",
        "kansio.csv": "directory",
        "tyhja": "directory",
        "katkennut.csv": "dangling",
        "ulos.csv": "outside",
        "linkki.csv": "symlink",
        "linkki-kansioon": "symlink_dir",
        "putki.csv": "fifo",
        "pistoke.csv": "socket",
        "syva/" + "/".join(["a"] * 16): "deep",  # MAX_DEPTH levels read through, the next one refused
        ".piilotettu.csv": "hidden",  # not read, but said once; Excel's ~$ lock file is passed over
    }
    assert entries["linkki.csv"].target == (inbox / "hyva.csv").resolve()
    assert [n for n, e in entries.items() if e.readable] == ["hyva.csv", "linkki.csv", "vuosi2025/sisalla.csv"]
    for e in entries.values():
        if not e.readable:
            assert e.name in e.refusal() and "ei " in e.refusal() and "luettu" in e.refusal()
            assert len(e.key(1 << 20)) == 64  # known by what it is: registered once, never opened


def _hang(signum, frame):
    raise AssertionError("open() blocked on a FIFO")


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "putki.csv"
    os.mkfifo(fifo)
    started = time.monotonic()
    signal.signal(signal.SIGALRM, _hang)
    signal.alarm(10)  # a blocking open() would wait for a writer for ever: fail instead of hanging
    with pytest.raises(NotARegularFile):
        open_regular(fifo)  # a blocking open() would wait here for a writer for ever
    with pytest.raises(NotARegularFile):
        read_limited(fifo, 1 << 20)
    signal.alarm(0)
    assert time.monotonic() - started < 5


def test_a_file_over_the_limit_is_known_by_its_head_only(tmp_path):
    big = tmp_path / "iso.csv"
    big.write_bytes(b"a;b\n" * (1 << 19))  # 2 MiB
    head, size = read_limited(big, 1 << 20)
    assert size == 2 << 20 and len(head) == 1 << 20


def test_names_are_escaped_wherever_they_are_shown():
    assert display_name("nimi\x1b[31m.csv") == "nimi\\x1B[31m.csv"
    assert display_name("rivi\nvaihto.csv") == "rivi\\x0Avaihto.csv"
    assert display_name("tavu\udcff.csv") == "tavu\\xFF.csv"  # a byte of a name that is not UTF-8
    assert display_name("gnp\u202e.exe.csv") == "gnp\\u202E.exe.csv"  # a direction override
    assert display_name("Perusraportti ä.csv") == "Perusraportti ä.csv"


# --- the reading worker's budget --------------------------------------------------------------------


def test_the_budget_turns_memory_and_time_overruns_into_exceptions_and_is_lifted_after():
    code = """
import time
from ipsetl.budget import Budget, OverTime, enforced
try:
    with enforced(Budget(50 * 1024 * 1024, 30)):
        block = bytearray(300 * 1024 * 1024)
    print("no limit")
except MemoryError:
    print("memory")
block = bytearray(300 * 1024 * 1024)  # lifted again
try:
    with enforced(Budget(400 * 1024 * 1024, 0.3)):
        while True:
            pass
except OverTime:
    print("time")
with enforced(Budget(400 * 1024 * 1024, 0.3)):
    pass
time.sleep(0.5)  # the timer is off again: no OverTime here
print("done")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=_env())
    assert out.stdout.split() == ["memory", "time", "done"], out.stderr


def test_a_tolerant_map_survives_a_job_that_hangs_dies_or_raises():
    jobs = [("ok", 1), ("sleep", 60), ("die", 0), ("raise", "rikki"), ("ok", 5)]
    started = time.monotonic()
    with Pool("tests.workers.misbehaving", 2, env=_env()) as pool:
        results = list(pool.map(jobs, timeout=lambda job: 3.0, tolerant=True))
        again = list(pool.map([("ok", 7)], timeout=lambda job: 3.0, tolerant=True))  # the workers replaced
        alive = [p.poll() is None for p in pool._procs]
    assert time.monotonic() - started < 30
    assert results[0] == 1 and results[4] == 5 and again == [7]
    assert [(r.kind, r.job) for r in results[1:4]] == [("timeout", jobs[1]), ("died", jobs[2]), ("error", jobs[3])]
    assert all(isinstance(r, JobFailed) for r in results[1:4]) and "rikki" in results[3].reason
    assert alive == [True, True]


def test_a_file_that_kills_its_worker_is_refused_alone_and_its_batch_read_again(tmp_path, rows, monkeypatch):
    inbox = tmp_path / "inbox"
    for i in range(11):
        write_export(inbox / f"IPS seuranta {i:02d}.csv", rows[i * 2 : i * 2 + 2])
    write_export(inbox / "kaataa.csv", rows[30:32])  # the worker dies on every batch that holds it
    monkeypatch.setattr(ingest, "PARSE_WORKER", "tests.workers.dying_parse")
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    pending = ingest.plan_run(inbox, ingest.Registry(), 1 << 24, lambda _m: None)
    by_name = {p.name: p.parsed for p in pending}
    assert len(by_name) == 12
    killed = by_name.pop("kaataa.csv")
    assert killed.status == "rejected" and [f.rule for f in killed.findings] == ["file_too_large"]
    assert "IPSETL_MAX_FILE_MEMORY_MB" in killed.findings[0].message
    assert all(p.status == "loaded" and p.rows_accepted == 2 for p in by_name.values())


# --- reports ---------------------------------------------------------------------------------------


def test_a_long_open_answer_is_cut_in_reports_with_a_note():
    answer = "Yhteistyö työnantajien kanssa sujui. " * 20_000
    shown = shown_text(answer, "mart.monitoring_window")
    assert len(shown) < MAX_OPEN_TEXT + 300 and shown.startswith(answer[:1000])
    assert "Vastaus on lyhennetty" in shown and "mart.monitoring_window" in shown and "740\u00a0000" in shown
    assert shown_text("lyhyt", "x") == "lyhyt" and shown_text(None, "x") is None
    assert shown_text("a" * MAX_OPEN_TEXT, "x") == "a" * MAX_OPEN_TEXT


# --- the whole run ------------------------------------------------------------------------------------


def _zip_bomb(template: Path, inflated_mb: int) -> bytes:
    """An export workbook whose sheet inflates to `inflated_mb` MB (honest zip headers)."""
    out = io.BytesIO()
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                cell = b'<c r="A999" t="inlineStr"><is><t>' + b"0" * (inflated_mb << 20) + b"</t></is></c>"
                filler = b'<row r="999">' + cell + b"</row>"
                data = data.replace(b"</sheetData>", filler + b"</sheetData>")
            dst.writestr(info.filename, data)
    return out.getvalue()


def test_a_run_over_a_hostile_inbox_loads_the_good_files_and_flags_every_other_entry(tmp_path, rows):
    inbox, warehouse, reports = tmp_path / "inbox", tmp_path / "w.duckdb", tmp_path / "reports"
    inbox.mkdir()
    essay = "Pitkä vastaus, jossa on kaikki jakson kuulumiset; " * 20_000  # 1 MB of open text
    good = [dict(r, text_successes=essay) if i == 0 else r for i, r in enumerate(rows[:6])]
    write_export(inbox / "IPS seuranta 1-2025_Perusraportti.csv", good)
    write_export(inbox / "IPS seuranta 2-2025_Perusraportti.xlsx", rows[6:10], fmt="xlsx")
    template = write_export(tmp_path / "pohja.xlsx", rows[10:12], fmt="xlsx")
    (inbox / "pommi.xlsx").write_bytes(_zip_bomb(template, 100))  # 100 MB inflated under the 50 MB bound
    # within every bound the reader counts, but not within a 40 MB memory budget: 3 000 long rows
    long_rows = [dict(rows[i % 40], text_challenges="x" * 10_000) for i in range(3_000)]
    write_export(inbox / "muistipommi.csv", long_rows)
    os.mkfifo(inbox / "putki.csv")
    (inbox / "kansio.csv").mkdir()
    os.symlink("/etc/passwd", inbox / "salasanat.csv")
    env = _env(IPSETL_MAX_FILE_MEMORY_MB="40", DAGSTER_HOME=str(tmp_path / "dagster"))
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "ipsetl.cli", "run", "--inbox", str(inbox), "--warehouse", str(warehouse),
         "--reports", str(reports), "--as-of", "2025-06-15"],
        capture_output=True, text=True, timeout=600, env=env, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:] + done.stdout[-3000:]
    seconds = time.monotonic() - started

    with duckdb.connect(str(warehouse), read_only=True) as con:
        status = dict(con.execute("SELECT file_name, status FROM mart.source_file").fetchall())
        rules = dict(con.execute("SELECT source_file, rule FROM mart.data_quality WHERE source_row IS NULL").fetchall())
        loaded = con.execute("SELECT count(*), max(length(text_successes)) FROM raw.monitoring_response").fetchone()
        memory_message = con.execute(
            "SELECT message FROM mart.data_quality WHERE source_file = 'muistipommi.csv'"
        ).fetchone()
        messages = " ".join(m for (m,) in con.execute("SELECT message FROM mart.data_quality").fetchall())
    assert status == {
        "IPS seuranta 1-2025_Perusraportti.csv": "loaded",
        "IPS seuranta 2-2025_Perusraportti.xlsx": "loaded",
        "kansio.csv": "rejected",
        "muistipommi.csv": "rejected",
        "pommi.xlsx": "rejected",
        "putki.csv": "rejected",
        "salasanat.csv": "rejected",
    }
    assert rules == {
        "kansio.csv": "not_a_file",
        "muistipommi.csv": "file_too_large",
        "pommi.xlsx": "file_too_large",
        "putki.csv": "not_a_file",
        "salasanat.csv": "not_a_file",
    }
    assert "IPSETL_MAX_FILE_MEMORY_MB" in memory_message[0]  # refused by the worker's budget, not a bound
    assert loaded == (10, len(essay))  # every good row, the essay whole in the warehouse
    assert "root:x:0" not in messages and "root:x:0" not in done.stdout
    assert seconds < 300

    pages = sorted(reports.rglob("alueraportti_*.html"))
    assert pages and max(p.stat().st_size for p in pages) < 200_000  # the essay is not 1 MB of every report
    assert any("Vastaus on lyhennetty" in p.read_text(encoding="utf-8") for p in pages)

    # A render over its time limit fails its report by name; the run says so and ends.
    (tmp_path / "dagster2").mkdir()
    env.update(IPSETL_MAX_REPORT_SECONDS="0.05", DAGSTER_HOME=str(tmp_path / "dagster2"))
    slow = subprocess.run(
        [sys.executable, "-m", "ipsetl.cli", "run", "--inbox", str(inbox), "--warehouse", str(warehouse),
         "--reports", str(tmp_path / "muut"), "--as-of", "2025-06-15"],
        capture_output=True, text=True, timeout=600, env=env, cwd=ROOT,
    )  # fmt: skip
    assert slow.returncode == 1
    assert "ei valmistunut aikarajassa" in slow.stderr + slow.stdout
    assert ".pdf" in slow.stderr + slow.stdout
