"""Hostile workbooks and CSV files that need limits of their own (issue 14).

Each bound of ipsetl.limits.Limits is proved alone with a tiny limit and a file just past it, and
the same file (or the same builder with fewer rows) under a roomier limit loads: so it is the bound
that refuses the file, not something else wrong with it. The corpus files of tests/corpus that are
built by hand (bombs, DTDs, macros) are checked here to be what they say they are, so that their
expectations in expected.toml test the reader and not a broken builder.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import io
import pickle
import re
import struct
import sys
import time
import tracemalloc
import xml.etree.ElementTree as ET  # the stdlib parser, not defusedxml: to show what a DTD would do
import zipfile
import zlib
from pathlib import Path

import openpyxl  # noqa: F401 - imported before any memory is measured
import pytest

import ipsetl.validate  # noqa: F401 - pandera, imported before any memory is measured
from ipsetl.limits import Limits
from ipsetl.reader import ParsedExport, parse_export, read_export

CORPUS = Path(__file__).resolve().parent / "corpus"
MIB = 1 << 20
_FINNISH = re.compile(r"[äöÄÖ]|\b(ei|on|tai|ja|tiedosto|tiedostossa|rivillä|sarake)\b", re.I)
_ENGLISH = re.compile(r"\b(the|is not|cannot|could not|invalid value|traceback|exception)\b", re.I)


def _builder():
    """tests/corpus/build_corpus.py, the module test_bad_inputs loads if it is loaded already."""
    if "build_corpus" in sys.modules:
        return sys.modules["build_corpus"]
    spec = importlib.util.spec_from_file_location("build_corpus", CORPUS / "build_corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


bc = _builder()
ENTRIES = {e.name: e for e in bc.ENTRIES}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("corpus")
    bc.build(d)
    return d


# --- helpers ----------------------------------------------------------------------------------------


def _assert_too_large(parsed: ParsedExport, rules: tuple[str, ...] = ("file_too_large",)) -> None:
    assert parsed.status == "rejected", [(f.rule, f.message) for f in parsed.findings]
    assert parsed.form is None and parsed.accepted is None and parsed.rows_total == 0
    errors = [f for f in parsed.findings if f.severity == "error" and f.source_row is None]
    assert errors and errors[0].rule in rules, [(f.rule, f.message) for f in parsed.findings]
    msg = errors[0].message
    assert _FINNISH.search(msg) and not _ENGLISH.search(msg), msg
    assert re.search(r"\d", msg), f"the message names no bound: {msg}"
    assert len(msg) <= 500


def _assert_loaded(parsed: ParsedExport, rows: int) -> None:
    assert parsed.status == "loaded", [(f.rule, f.message) for f in parsed.findings]
    assert parsed.rows_total == rows and parsed.rows_rejected == 0, [(f.rule, f.message) for f in parsed.findings]


def _rows(n: int, **changes: object) -> list[dict]:
    return [dict(bc.a(i), **changes) for i in range(n)]


def _csv(n_rows: int, extra_columns: int = 0, **changes: object) -> bytes:
    """A form A CSV of `n_rows` responses (the first generated one, repeated), with `extra_columns`
    unknown questions after the form's own."""
    header, row = bc._generated_cells(_rows(1, **changes))
    header = header + [f"Lisäkysymys {i}" for i in range(1, extra_columns + 1)]
    row = row + [str(i % 10) for i in range(extra_columns)]
    return bc._csv_bytes([header] + [row] * n_rows)


def _column(n: int) -> str:
    """Excel's name of the n-th column (1 → A)."""
    name = ""
    while n:
        n, r = divmod(n - 1, 26)
        name = chr(65 + r) + name
    return name


_ROW2 = re.compile(rb'<row r="2"[^>]*>.*?</row>', re.S)


def _xlsx(n_rows: int, extra_columns: int = 0) -> bytes:
    """A form A workbook of `n_rows` responses (the sheet's row 2 repeated, cell references
    renumbered) with `extra_columns` unknown questions; built from the generator's export."""
    members = bc.export_members(_rows(1))
    sheet = members["xl/worksheets/sheet1.xml"]
    width = len(bc.get_form("seuranta").columns)

    def widen(row: bytes, r: int, header: bool) -> bytes:
        cells = b"".join(
            f'<c r="{_column(width + i)}{r}" t="inlineStr"><is><t>{"Lisäkysymys " + str(i) if header else i % 10}'
            f"</t></is></c>".encode()
            for i in range(1, extra_columns + 1)
        )
        return row.replace(b"</row>", cells + b"</row>")

    found = _ROW2.search(sheet)
    head, first, tail = sheet[: found.start()], found[0], sheet[found.end() :]
    head = re.sub(rb'<row r="1"[^>]*>.*?</row>', lambda m: widen(m[0], 1, True), head, count=1, flags=re.S)
    rows = []
    for r in range(2, n_rows + 2):
        again = re.sub(rb'(r="[A-Z]+)2"', rb"\g<1>" + str(r).encode() + b'"', first)
        rows.append(widen(again.replace(b'<row r="2"', f'<row r="{r}"'.encode(), 1), r, False))
    members["xl/worksheets/sheet1.xml"] = head + b"".join(rows) + tail
    return bc.workbook_bytes(members)


# --- the limits themselves ------------------------------------------------------------------------


def test_limits_are_a_frozen_dataclass_with_the_documented_defaults():
    limits = Limits()
    assert dataclasses.asdict(limits) == {
        "max_file_bytes": 50 * MIB,
        "max_rows": 1_048_576,
        "max_columns": 50_000,
        "max_cells": 2_000_000,
        "max_shared_strings": 1_000_000,
        "max_cell_chars": 16 * MIB,
    }
    with pytest.raises(dataclasses.FrozenInstanceError):
        limits.max_rows = 1  # type: ignore[misc]


# --- one bound at a time ----------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_max_rows(fmt):
    build = _csv if fmt == "csv" else _xlsx
    _assert_too_large(parse_export(f"rivit.{fmt}", build(5000), limits=Limits(max_rows=1000)))
    _assert_loaded(parse_export(f"rivit.{fmt}", build(20), limits=Limits(max_rows=1000)), 20)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_max_columns(fmt):
    build = _csv if fmt == "csv" else _xlsx
    data = build(2, extra_columns=200)  # 41 + 200 columns
    _assert_too_large(parse_export(f"sarakkeet.{fmt}", data, limits=Limits(max_columns=100)))
    parsed = parse_export(f"sarakkeet.{fmt}", data, limits=Limits(max_columns=1000))
    _assert_loaded(parsed, 2)
    assert [f.rule for f in parsed.findings if f.severity == "warning"] == ["unknown_column"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_max_cells(fmt):
    build = _csv if fmt == "csv" else _xlsx
    data = build(30)  # 31 rows × 41 columns: 1 271 cells, each bound of its own far away
    _assert_too_large(parse_export(f"solut.{fmt}", data, limits=Limits(max_cells=1000)))
    _assert_loaded(parse_export(f"solut.{fmt}", data, limits=Limits(max_cells=5000)), 30)


def test_max_shared_strings():
    rows = [
        dict(bc.a(i), text_successes=f"Onnistuminen numero {i}", text_challenges=f"Haaste numero {i}")
        for i in range(250)
    ]
    members = bc.with_shared_strings(bc.export_members(rows))
    sst = members["xl/sharedStrings.xml"]
    assert sst.count(b"<si>") >= 500 and len(set(re.findall(rb"<si>.*?</si>", sst, re.S))) >= 500
    data = bc.workbook_bytes(members)
    _assert_too_large(parse_export("jaetut.xlsx", data, limits=Limits(max_shared_strings=100)))
    parsed = parse_export("jaetut.xlsx", data, limits=Limits(max_shared_strings=10_000))
    _assert_loaded(parsed, 250)
    assert parsed.accepted.loc[250, "text_successes"] == "Onnistuminen numero 249"


def test_max_cell_chars():
    text = "".join(bc._rnd("cell-chars").choices("abcdefghijklmnopqrstuvwxyzåäö ,.", k=5000))
    data = _csv(2, text_challenges=text)
    _assert_too_large(parse_export("solu.csv", data, limits=Limits(max_cell_chars=1000)))
    parsed = parse_export("solu.csv", data, limits=Limits(max_cell_chars=10_000))
    _assert_loaded(parsed, 2)
    assert list(parsed.accepted["text_challenges"]) == [text, text]


def test_max_file_bytes_bounds_a_csv_by_its_size():
    data = _csv(3)
    _assert_too_large(parse_export("koko.csv", data, limits=Limits(max_file_bytes=len(data) - 1)))
    _assert_loaded(parse_export("koko.csv", data, limits=Limits(max_file_bytes=len(data))), 3)


def _two_padded_members() -> bytes:
    """A good export whose sheet and docProps/app.xml each inflate to 700 KiB (white space after
    their root element): each member under 1 MiB, the two together over it."""
    members = bc.export_members(_rows(2))
    members["xl/worksheets/sheet1.xml"] += b" " * (700 << 10)
    members["docProps/app.xml"] += b"\n" * (700 << 10)
    return bc.workbook_bytes(members)


def test_max_file_bytes_bounds_the_total_inflated_from_an_xlsx():
    data = _two_padded_members()
    assert len(data) < 50_000
    _assert_too_large(parse_export("paisuva.xlsx", data, limits=Limits(max_file_bytes=MIB)))
    _assert_loaded(parse_export("paisuva.xlsx", data, limits=Limits(max_file_bytes=2 * MIB)), 2)


def test_read_export_max_bytes_bounds_the_inflated_bytes_too(tmp_path):
    path = tmp_path / "paisuva.xlsx"
    path.write_bytes(_two_padded_members())
    _assert_too_large(read_export(path, MIB))
    _assert_loaded(read_export(path, 2 * MIB), 2)
    _assert_too_large(read_export(path, 2 * MIB, limits=Limits(max_rows=2)))  # header + 2 rows > 2
    _assert_loaded(read_export(path, 2 * MIB, name="toinen nimi.xlsx", limits=Limits(max_rows=10)), 2)


def test_a_one_megabyte_open_answer_loads_exactly_under_the_default_limits(tmp_path):
    text = "".join(bc._rnd("megabyte").choices('abcdefghijklmnopqrstuvwxyzåäöÅÄÖ ,.;"\n€', k=1_000_000))
    data = _csv(1, text_successes=text)
    assert len(data) > MIB  # the answer alone is over a MiB of UTF-8
    for parsed in (parse_export("essee.csv", data), _read(tmp_path, "essee.csv", data)):
        _assert_loaded(parsed, 1)
        assert parsed.accepted.loc[1, "text_successes"] == text


def _read(tmp_path: Path, name: str, data: bytes) -> ParsedExport:
    path = tmp_path / name
    path.write_bytes(data)
    return read_export(path)


# --- the bombs of the corpus ------------------------------------------------------------------------


def _local_header_size(data: bytes, info: zipfile.ZipInfo) -> tuple[int, int, int]:
    """(crc, compressed size, uncompressed size) as the member's local file header says."""
    crc, csize, usize = struct.unpack("<III", data[info.header_offset + 14 : info.header_offset + 26])
    return crc, csize, usize


def _inflate_counting(data: bytes, info: zipfile.ZipInfo) -> tuple[int, int]:
    """(real inflated size, its CRC) of a deflated member, read in 64 KiB pieces."""
    name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26 : info.header_offset + 30])
    start = info.header_offset + 30 + name_len + extra_len
    stream = data[start : start + info.compress_size]
    inflate, size, crc = zlib.decompressobj(-15), 0, 0
    for i in range(0, len(stream), 1 << 16):
        out = inflate.decompress(stream[i : i + (1 << 16)])
        size, crc = size + len(out), zlib.crc32(out, crc)
    out = inflate.flush()
    assert inflate.eof
    return size + len(out), zlib.crc32(out, crc)


def test_the_honest_bomb_is_small_on_disk_and_says_what_it_inflates_to(corpus):
    data = (corpus / "pommi_rehellinen.xlsx").read_bytes()
    assert len(data) < 200_000
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        info = z.getinfo(bc.LYING_MEMBER)
        assert info.file_size > 20 * MIB and _local_header_size(data, info)[2] == info.file_size
        assert _inflate_counting(data, info) == (info.file_size, info.CRC)
        without = bc.export_members(_rows(1))  # the rest is a plain export
        assert set(z.namelist()) == set(without)


def test_the_lying_bomb_lies_in_both_headers_and_only_about_the_size(corpus):
    data = (corpus / "pommi_valehteleva.xlsx").read_bytes()
    assert len(data) < 200_000
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        info = z.getinfo(bc.LYING_MEMBER)  # the central directory
        assert info.file_size == bc.LYING_DECLARED
        crc, csize, usize = _local_header_size(data, info)
        assert (crc, csize, usize) == (info.CRC, info.compress_size, bc.LYING_DECLARED)
        real, real_crc = _inflate_counting(data, info)
        assert real > 30 * MIB and real_crc == info.CRC  # the CRC is that of the real content


def _measured(parse) -> tuple[ParsedExport, int, float]:
    tracemalloc.start()
    started = time.perf_counter()
    try:
        parsed = parse()
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return parsed, peak, elapsed


@pytest.mark.parametrize("declared", [None, 4096], ids=["honest", "lying"])
def test_a_bomb_over_the_default_bound_is_refused_without_being_inflated_into_memory(tmp_path, declared):
    """64 MiB inflated: over the default 50 MiB whatever the headers say, and never held whole."""
    path = tmp_path / "pommi.xlsx"
    bc._bomb(_rows(2), 64, declared)(path)
    data = path.read_bytes()
    assert len(data) < 200_000
    parsed, peak, elapsed = _measured(lambda: parse_export("pommi.xlsx", data))
    _assert_too_large(parsed, ("file_too_large",) if declared is None else ("file_too_large", "xlsx_unreadable"))
    assert peak < 24 * MIB, f"{peak / MIB:.0f} MiB held while refusing a bomb"
    assert elapsed < 10
    parsed, peak, _ = _measured(lambda: read_export(path, MIB))
    _assert_too_large(parsed, ("file_too_large",) if declared is None else ("file_too_large", "xlsx_unreadable"))
    assert peak < 24 * MIB, f"{peak / MIB:.0f} MiB held while refusing a bomb"


def test_the_bombs_without_their_padding_load():
    """The bombs are good exports but for the white space: the bound is what refuses them."""
    for n in (0, 1):  # one MiB of padding, rebuilt by the bombs' own code, still loads
        members = bc.export_members(_rows(2))
        sheet = members[bc.LYING_MEMBER]
        cut = sheet.index(b"<sheetData>") + len(b"<sheetData>")
        special = {bc.LYING_MEMBER: bc.padded(bc.LYING_MEMBER, sheet[:cut], n, sheet[cut:])}
        _assert_loaded(parse_export("ei_pommi.xlsx", bc.workbook_bytes(members, special)), 2)


# --- DTDs ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(bc.DTD_CASES))
def test_the_dtd_workbook_without_its_dtd_loads(name):
    case = bc.DTD_CASES[name]
    rows = [bc.a(0), dict(bc.a(1), text_successes=bc.ENTITY_MARK)]
    parsed = parse_export(name, bc.dtd_workbook(rows, case.member, "", None, case.encoding))
    _assert_loaded(parsed, 2)
    assert parsed.accepted.loc[2, "text_successes"] == bc.ENTITY_MARK
    assert not [f for f in parsed.findings if f.severity == "error"]


@pytest.mark.parametrize("name", sorted(bc.DTD_CASES))
def test_the_dtd_workbook_really_holds_its_dtd(corpus, name):
    """The DTD and the reference are in the member, and an entity-expanding parser (the stdlib's)
    expands the internal ones: what the reader must refuse before any parser sees it."""
    case = bc.DTD_CASES[name]
    with zipfile.ZipFile(corpus / name) as z:
        raw = z.read(case.member)
    text = raw.decode(case.encoding)
    assert "<!DOCTYPE" in text and (case.reference is None or case.reference in text)
    assert (b"<!DOCTYPE" in raw) == (case.encoding == "utf-8")  # a UTF-16 member hides it from a byte search
    if case.reference is None or "SYSTEM" in case.doctype or "lol9" in case.reference:
        return  # external (the stdlib does not fetch), or 3 GB: not expanded here
    expanded = ET.tostring(ET.fromstring(raw), encoding="unicode")
    assert any(f in expanded for f in ENTRIES[name].forbidden), name


def test_no_dtd_case_leaks_through_the_reader(corpus):
    """Belt and braces beside test_bad_inputs: every DTD file refused, and nothing it could expand
    to or read (a line of /etc/passwd) anywhere in the result."""
    for name in bc.DTD_CASES:
        parsed = parse_export(name, (corpus / name).read_bytes())
        assert parsed.status == "rejected" and parsed.accepted is None, name
        assert [f.rule for f in parsed.findings if f.severity == "error"] == ["xlsx_unreadable"], name
        everything = pickle.dumps(parsed)
        for text in ENTRIES[name].forbidden | {bc.PASSWD_LINE}:
            assert text.encode() not in everything, (name, text)


# --- macros ---------------------------------------------------------------------------------------------


def test_the_macro_workbook_has_what_an_xlsm_has_and_only_it_gets_the_warning():
    rows = _rows(3)
    data = bc.macro_workbook(rows)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.read("xl/vbaProject.bin").startswith(bc.OLE_MAGIC)
        assert b"application/vnd.ms-excel.sheet.macroEnabled.main+xml" in z.read("[Content_Types].xml")
        assert b"vbaProject.bin" in z.read("xl/_rels/workbook.xml.rels")
    parsed = parse_export("makrot.xlsx", data)
    _assert_loaded(parsed, 3)
    macros = [f for f in parsed.findings if f.rule == "macros"]
    assert len(macros) == 1 and macros[0].severity == "warning" and macros[0].source_row is None
    plain = parse_export("tavallinen.xlsx", bc.workbook_bytes(bc.export_members(rows)))
    _assert_loaded(plain, 3)
    assert not [f for f in plain.findings if f.rule == "macros"]
