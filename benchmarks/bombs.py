"""What a hostile file costs before it is refused (issue 14), at the sizes the issue names.

`python -m benchmarks.bombs [--out DIR]` (or `bash scripts/bench-bombs`) writes a hostile inbox —
three good exports and each class of bomb at full size (a 1.2 GB sheet, a zip whose headers lie,
50 million line breaks, an entity bomb, an external entity, 1.5 million shared strings, a CSV
that fits every bound, a FIFO, a folder, links) — then reads each file alone in a fresh reading
worker (seconds, growth of its peak RSS, outcome), and times `ipsetl run` (the defaults a
coordinator uses) on one good file and on the whole folder, with the peak memory (PSS) of the
process tree sampled as benchmarks.run does.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from benchmarks.run import run_cli
from ipsetl.runner import new_dagster_home
from ipsetl.sample_inbox import generate_monitoring, write_export

GOOD = "IPS seuranta 1-2025_Perusraportti.csv"


def _workbook_parts(tmp: Path) -> dict[str, bytes]:
    template = write_export(tmp / "pohja.xlsx", generate_monitoring(seed=5)[:3], fmt="xlsx")
    with zipfile.ZipFile(template) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def _write_zip(path: Path, parts: dict[str, bytes], sheet_filler: int = 0) -> None:
    """The workbook with `sheet_filler` bytes of one inline string added to its sheet, streamed."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data in parts.items():
            if name != "xl/worksheets/sheet1.xml" or not sheet_filler:
                z.writestr(name, data)
                continue
            head, tail = data.split(b"</sheetData>")
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            with z.open(info, "w", force_zip64=True) as fh:
                fh.write(head + b'<row r="999"><c r="A999" t="inlineStr"><is><t>')
                block = b"0" * (1 << 20)
                for _ in range(sheet_filler >> 20):
                    fh.write(block)
                fh.write(b"</t></is></c></row></sheetData>" + tail)


def lie_about_sizes(data: bytes, member: str, claimed: int) -> bytes:
    """The zip with `member`'s uncompressed size claimed as `claimed` in its local header and its
    central-directory entry (zip64 extra fields are left as they are)."""
    out = bytearray(data)
    name = member.encode()
    # (signature, offset of the name length, of the name, of the uncompressed size)
    for signature, length_at, name_at, size_at in ((b"PK\x03\x04", 26, 30, 22), (b"PK\x01\x02", 28, 46, 24)):
        pos = 0
        while (header := out.find(signature, pos)) >= 0:
            n = struct.unpack_from("<H", out, header + length_at)[0]
            if out[header + name_at : header + name_at + n] == name:
                struct.pack_into("<I", out, header + size_at, claimed)
            pos = header + 4
    return bytes(out)


def _xml_bomb(parts: dict[str, bytes], external: bool) -> dict[str, bytes]:
    if external:
        dtd = b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        body = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&x;</t></si></sst>'
    else:
        levels = [b'<!ENTITY e0 "' + b"x" * 100 + b'">'] + [
            b'<!ENTITY e%d "%s">' % (i, b"".join(b"&e%d;" % (i - 1) for _ in range(10))) for i in range(1, 10)
        ]
        dtd = b'<?xml version="1.0"?><!DOCTYPE sst [' + b"".join(levels) + b"]>"
        body = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&e9;</t></si></sst>'
    return dict(parts, **{"xl/sharedStrings.xml": dtd + body})


def _shared_strings(parts: dict[str, bytes], count: int) -> dict[str, bytes]:
    strings = b"".join(b"<si><t>%d</t></si>" % i for i in range(count))
    sst = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + strings + b"</sst>"
    return dict(parts, **{"xl/sharedStrings.xml": sst})


def build(inbox: Path, tmp: Path) -> dict[str, str]:
    """Write the hostile inbox; returns name → what it is."""
    inbox.mkdir(parents=True, exist_ok=True)
    rows = generate_monitoring(seed=5)
    write_export(inbox / GOOD, rows[:20])
    write_export(inbox / "IPS seuranta 2-2025_Perusraportti.xlsx", rows[20:30], fmt="xlsx")
    write_export(inbox / "IPS seuranta 3-2025_Perusraportti_raaka.csv", rows[30:40], header_rows=2, delimiter=",")
    parts = _workbook_parts(tmp)
    what = {}
    _write_zip(inbox / "pommi_1_2GB.xlsx", parts, sheet_filler=1200 << 20)
    what["pommi_1_2GB.xlsx"] = "sheet inflating to 1.2 GB, honest zip headers"
    honest = (inbox / "pommi_1_2GB.xlsx").read_bytes()
    (inbox / "valehtelija.xlsx").write_bytes(lie_about_sizes(honest, "xl/worksheets/sheet1.xml", 4096))
    what["valehtelija.xlsx"] = "the same, its headers claiming 4 096 bytes"
    _write_zip(inbox / "entiteetit.xlsx", _xml_bomb(parts, external=False))
    what["entiteetit.xlsx"] = "billion laughs (10^9 × 100 bytes) in sharedStrings.xml"
    _write_zip(inbox / "ulkoinen_entiteetti.xlsx", _xml_bomb(parts, external=True))
    what["ulkoinen_entiteetti.xlsx"] = "external entity file:///etc/passwd"
    _write_zip(inbox / "jaetut_merkkijonot.xlsx", _shared_strings(parts, 1_500_000))
    what["jaetut_merkkijonot.xlsx"] = "1.5 million shared strings"
    (inbox / "rivinvaihdot.csv").write_bytes(write_export(tmp / "h.csv", rows[:1]).read_bytes() + b"\r\n" * 24_000_000)
    what["rivinvaihdot.csv"] = "a header and 24 million line breaks (48 MB)"
    long_rows = [dict(rows[i % 40], text_challenges="x" * 10_000) for i in range(4_000)]
    write_export(inbox / "muistipommi.csv", long_rows)
    what["muistipommi.csv"] = "4 000 rows of 10 kB answers, every bound kept (refused with a 40 MB budget)"
    os.mkfifo(inbox / "putki.csv")
    what["putki.csv"] = "FIFO"
    (inbox / "kansio.csv").mkdir()
    what["kansio.csv"] = "folder named like an export"
    os.symlink("/etc/passwd", inbox / "salasanat.csv")
    what["salasanat.csv"] = "link out of the inbox"
    os.symlink(tmp / "ei-ole.csv", inbox / "katkennut.csv")
    what["katkennut.csv"] = "dangling link"
    return what


# Reads one file as `ipsetl run` does, in a fresh reading worker: its seconds, the growth of the
# worker's peak RSS over what it held after its imports, and the finding.
_IN_WORKER = """
import json, resource, sys, time
from pathlib import Path
from ipsetl import parse_worker
parse_worker._prepare()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
(parsed,) = parse_worker.read((int(sys.argv[3]), [(Path(sys.argv[1]), sys.argv[2])]))
seconds = time.perf_counter() - started
grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
rule = parsed.findings[0].rule if parsed.form is None else f"loaded {parsed.rows_accepted} rows"
print(json.dumps([seconds, grown, rule]))
"""


def in_worker(path: Path, name: str, max_bytes: int) -> tuple[float, float, str]:
    out = subprocess.run(
        [sys.executable, "-c", _IN_WORKER, str(path), name, str(max_bytes)],
        capture_output=True, text=True, timeout=600, check=True,
    )  # fmt: skip
    seconds, grown, rule = json.loads(out.stdout.strip().splitlines()[-1])
    return seconds, grown, rule


def _run(inbox: Path, work: Path, label: str) -> tuple[float, float, str]:
    home = new_dagster_home(work / f"dagster-{label}")
    env = dict(os.environ, DAGSTER_HOME=str(home))
    args = ["run", "--inbox", str(inbox), "--warehouse", str(work / f"{label}.duckdb"), "--reports",
            str(work / f"reports-{label}"), "--as-of", "2025-06-15"]  # fmt: skip
    result = run_cli(args, env)
    return result.seconds, result.peak_mb, result.output


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="keep the hostile inbox here (default: a temporary folder)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="ipsetl-bombs-"))
    try:
        inbox = args.out or work / "inbox"
        what = build(inbox, work)
        print("Each file read alone in a reading worker (default limits: 50 MB, 400 MB, 60 s):")
        print(f"{'file':26} {'on disk':>9} {'seconds':>8} {'+MB peak':>9}  outcome — what it is")
        for name, description in what.items():
            path = inbox / name
            if not (path.is_file() and not path.is_symlink()):
                continue  # not a regular file: refused by its lstat in the run's own process, never opened
            seconds, grown, rule = in_worker(path, name, 50 << 20)
            size = f"{path.stat().st_size / (1 << 20):.1f} MB"
            print(f"{name:26} {size:>9} {seconds:8.2f} {grown:9.0f}  {rule} — {description}")
        alone = work / "alone"
        alone.mkdir()
        shutil.copyfile(inbox / GOOD, alone / GOOD)
        base_s, base_mb, _ = _run(alone, work, "base")
        seconds, peak, output = _run(inbox, work, "all")
        print()
        print("`ipsetl run --as-of 2025-06-15` (wall seconds, peak PSS of the process tree):")
        print(f"  one good file alone:          {base_s:6.1f} s {base_mb:6.0f} MB")
        print(f"  the whole folder ({len(what) + 3} entries): {seconds:6.1f} s {peak:6.0f} MB, exit 0")
        for line in output.splitlines():
            if "HYLÄTTY" in line or "hyväksytty" in line:
                print("  " + line.strip()[:150])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
