"""Parser fuzzing: whatever bytes land in the inbox, `parse_export` returns findings, never raises.

Two families of inputs, both drawn by hypothesis with a fixed seed (`derandomize=True`) so that
CI sees the same examples every time:

- arbitrary bytes, alone or behind the magic numbers the reader branches on (zip/xlsx, OLE,
  byte-order marks, a real header line), and real exports with random bytes flipped, inserted
  or cut off;
- CSV files built from the real form headers (random subsets and orders, header noise, one or
  two header rows), random delimiters, quoting, line ends, cells (Finnish and English numbers,
  dates, junk, newlines, quotes, long strings, NBSP and other unicode), row lengths, byte-order
  marks and encodings.

Every result must be self-consistent: counts add up, a rejected file says why with an error,
every finding has a message, a known severity and a row within the file, and no message quotes
a respondent's name or e-mail address.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from functools import cache

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ipsetl.findings import ERROR, WARNING
from ipsetl.forms import get_form, regions
from ipsetl.reader import ParsedExport, parse_export
from ipsetl.sample_inbox import generate_assessments, generate_monitoring, write_export

FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
MAX_MESSAGE = 500  # as tests/test_bad_inputs.py: a message is a sentence, not a dump of the cell
SEVERITIES = {ERROR, WARNING}
FORMS = ("seuranta", "laatu")
NAMES = st.sampled_from(["vienti.csv", "vienti.xlsx", "vienti.txt", "Perusraportti (2).CSV", "vienti"])

# Planted in the personal columns of the CSVs below; no message may ever contain them.
PERSONAL_NAME = "Zelmiina Qvarnström-Ylönen"
PERSONAL_EMAIL = "zelmiina.qvarnstrom@example.fi"


# --- consistency of one result ------------------------------------------------------------------


def check_result(result: ParsedExport, personal: tuple[str, ...] = ()) -> None:
    where = f"{result.file_name}: {[(f.rule, f.source_row, f.message[:120]) for f in result.findings][:8]}"
    assert result.rows_total >= 0 and 0 <= result.rows_rejected <= result.rows_total, where
    assert result.rows_total == result.rows_accepted + result.rows_rejected, where
    if result.form is None:
        # rejected: nothing read, and at least one error says why
        assert result.status == "rejected"
        assert (result.rows_total, result.rows_rejected) == (0, 0), where
        assert any(f.severity == ERROR for f in result.findings), where
    else:
        assert result.status == "loaded"
        accepted = result.accepted
        assert accepted is not None, where
        assert len(accepted) == result.rows_accepted, where
        if result.rows_accepted == 0:
            assert result.findings, f"no rows accepted and no finding says why: {where}"
        assert "respondent_name" not in accepted.columns and "respondent_email" not in accepted.columns
        kept = set(accepted["source_row"]) if "source_row" in accepted.columns else set(accepted.index)
        assert all(1 <= int(r) <= result.rows_total for r in kept), where
        rejected_rows = {f.source_row for f in result.findings if f.severity == ERROR and f.source_row is not None}
        assert not (rejected_rows & {int(r) for r in kept}), f"a row with an error was accepted: {where}"
        assert len(rejected_rows) == result.rows_rejected, f"rows_rejected does not match the row errors: {where}"
    for f in result.findings:
        assert isinstance(f.message, str) and f.message.strip(), f"empty message: {f}"
        assert len(f.message) <= MAX_MESSAGE, f"{f.rule}: a {len(f.message)}-character message"
        assert f.severity in SEVERITIES, f
        assert f.rule and isinstance(f.rule, str), f
        assert f.source_file == result.file_name, f
        if f.source_row is not None:
            assert isinstance(f.source_row, int) and not isinstance(f.source_row, bool), f
            assert 1 <= f.source_row <= result.rows_total, f"source_row {f.source_row} of {result.rows_total}: {f}"
        for p in personal:
            assert p not in f.message, f"personal data {p!r} quoted in a message: {f}"
            assert p not in (f.column_name or ""), f


def parse(name: str, data: bytes, personal: tuple[str, ...] = ()) -> ParsedExport:
    result = parse_export(name, data)  # an exception here is the failure this file looks for
    assert isinstance(result, ParsedExport)
    check_result(result, personal)
    return result


# --- (a) arbitrary bytes --------------------------------------------------------------------------


@cache
def real_exports() -> tuple[bytes, ...]:
    """A few genuine exports (CSV with both delimiters, UTF-16, xlsx) to mutate."""
    import tempfile
    from pathlib import Path

    mon = generate_monitoring(5, start=date(2026, 1, 1), end=date(2026, 8, 31), regions=["HUS", "PIR", "LAP"])[:3]
    ass = generate_assessments(5, start=date(2026, 1, 1), end=date(2026, 8, 31), regions=["HUS", "PIR", "LAP"])[:2]
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, (rows, form, options) in enumerate(
            [
                (mon, "seuranta", {}),
                (mon, "seuranta", {"delimiter": ",", "decimal": ".", "encoding": "utf-8", "header_rows": 2}),
                (mon, "seuranta", {"encoding": "utf-16"}),
                (mon, "seuranta", {"fmt": "xlsx"}),
                (ass, "laatu", {"encoding": "cp1252"}),
            ]
        ):
            path = Path(tmp) / f"e{i}"
            write_export(path, rows, form, **options)
            out.append(path.read_bytes())
    return tuple(out)


MAGIC = st.sampled_from(
    [
        b"",
        b"PK\x03\x04",
        b"PK\x03\x04\x14\x00\x06\x00",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",  # OLE: old Excel or a password-protected workbook
        b"\xef\xbb\xbf",
        b"\xff\xfe",
        b"\xfe\xff",
        b"%PDF-1.4\n",
        "\ufeffVastausaika;Hyvinvointialue tai hanke;Raportointijakso alkaa\r\n".encode(),
        "Vastausaika,Hyvinvointialue tai hanke,Arvioinnin päivämäärä\n".encode("cp1252"),
    ]
)


@st.composite
def mutated_export(draw) -> bytes:
    data = bytearray(draw(st.sampled_from(real_exports())))
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
        pos = draw(st.integers(0, max(0, len(data) - 1)))
        if kind == "flip" and data:
            data[pos] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=16))
        elif kind == "delete":
            del data[pos : pos + draw(st.integers(1, 64))]
        else:
            del data[pos:]
    return bytes(data)


RANDOM_BYTES = st.one_of(
    st.binary(max_size=2048),
    st.builds(lambda m, b: m + b, MAGIC, st.binary(max_size=1024)),
    mutated_export(),
)


@FUZZ
@given(name=NAMES, data=RANDOM_BYTES)
def test_random_bytes_never_raise(name: str, data: bytes) -> None:
    result = parse(name, data)
    event(f"form={result.form.name if result.form else None}, rules={sorted({f.rule for f in result.findings})[:3]}")


# --- (b) CSV structures from the real headers --------------------------------------------------

NUMBERS = st.one_of(
    st.integers(-5, 5000).map(str),
    st.integers(1000, 99999).map(lambda n: f"{n:,}".replace(",", st_choice(n, [" ", "\u00a0", ",", "."]))),
    st.floats(-10, 1000, allow_nan=False).map(lambda x: f"{x:.2f}".replace(".", ",")),
    st.floats(-10, 1000, allow_nan=False).map(lambda x: f"{x:.1f}"),
    st.integers(0, 50).map(lambda n: f"{n}.0"),
    st.sampled_from(["1e3", "inf", "NaN", "-0", "0,0", "1,5,5", "12 %", "½", "٣", "１２", "--1", "+3", "3-"]),
)
DATES = st.one_of(
    st.dates(date(1900, 1, 1), date(2100, 12, 31)).map(lambda d: f"{d.day}.{d.month}.{d.year}"),
    st.dates(date(2020, 1, 1), date(2030, 12, 31)).map(lambda d: d.isoformat()),
    st.tuples(st.dates(date(2024, 1, 1), date(2027, 12, 31)), st.integers(0, 23), st.integers(0, 59)).map(
        lambda t: f"{t[0].day}.{t[0].month}.{t[0].year} {t[1]}:{t[2]:02d}"
    ),
    st.sampled_from(["31.2.2026", "0.0.0", "1.13.2026", "29.2.2025", "2026-02-30", "45678", "45678,5", "eilen"]),
)
JUNK = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=20),
    st.sampled_from(
        [
            "",
            " ",
            "\u00a0",
            "\n",
            "a\r\nb",
            '"',
            '""',
            'x"y',
            ";",
            ",",
            "\t",
            "En osaa sanoa",
            "=SUM(A1:A3)",
            "<script>alert(1)</script>",
            "'); DROP TABLE raw.finding; --",
            "\x00",
            "\u200b",
            "\ufeff",
            "\ud7ff",
            "Itsearviointi",
            "Ulkoinen arviointi",
            "3",
            "5",
        ]
    ),
    st.integers(1, 3000).map(lambda n: "x" * n),
    st.integers(1, 1200).map(lambda n: 'Pitkä vastaus; "lainaus"\nrivinvaihto. ' * (n // 30 + 1)),
)


def st_choice(n: int, options: list[str]) -> str:
    return options[n % len(options)]


@cache
def region_cells() -> tuple[str, ...]:
    names = sorted(regions())
    return (*names, names[0].upper(), " " + names[1] + " ", "Ahvenanmaa", names[2].replace(" ", "\u00a0"))


@cache
def real_rows(form: str) -> tuple[dict, ...]:
    gen = generate_monitoring if form == "seuranta" else generate_assessments
    return tuple(gen(9, start=date(2025, 9, 1), end=date(2026, 10, 31), regions=["HUS", "PIR", "LAP", "KSH"]))


def fmt(value: object, english: bool) -> str:
    """A generated value as an export's cell: Finnish (decimal comma) or English (point) style."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value.day}.{value.month}.{value.year} {value.hour}:{value.minute:02d}"
    if isinstance(value, date):
        return f"{value.day}.{value.month}.{value.year}"
    if isinstance(value, float):
        return str(value) if english else str(value).replace(".", ",")
    return str(value)


def cell_for(kind: str) -> st.SearchStrategy[str]:
    typed = {
        "integer": NUMBERS,
        "decimal": NUMBERS,
        "item": st.one_of(st.integers(0, 6).map(str), st.just("En osaa sanoa"), NUMBERS),
        "date": DATES,
        "timestamp": DATES,
        "region": st.sampled_from(region_cells()),
    }.get(kind)
    if typed is None:
        return JUNK
    return st.one_of(typed, typed, typed, JUNK, st.just(""))


def noisy(header: str, how: int) -> str:
    return [header, header + " ", header + "\u00a0", header + ":", " " + header, header.replace(" ", "\u00a0", 1)][how]


@st.composite
def csv_export(draw) -> tuple[str, bytes, tuple[str, ...]]:
    form = get_form(draw(st.sampled_from(FORMS)))
    columns = list(form.columns)
    shape = draw(st.sampled_from(["all", "all", "shuffled", "dropped", "subset", "extra"]))
    if shape == "shuffled":
        columns = draw(st.permutations(columns))
    elif shape == "dropped":
        gone = draw(st.sets(st.integers(0, len(columns) - 1), min_size=1, max_size=3))
        columns = [c for i, c in enumerate(columns) if i not in gone]
    elif shape == "subset":
        columns = draw(st.lists(st.sampled_from(columns), min_size=0, max_size=len(columns)))
    headers = [noisy(c.header, draw(st.integers(0, 5))) if draw(st.booleans()) else c.header for c in columns]
    kinds = [c.type for c in columns]
    names = [c.column for c in columns]
    if shape == "extra":
        at = draw(st.integers(0, len(headers)))
        headers.insert(at, draw(st.sampled_from(["Language", "Kommentti", "", "Vastausaika", "Sähköposti"])))
        kinds.insert(at, "text")
        names.insert(at, "extra")
    header_rows = [headers]
    if draw(st.integers(0, 4)) == 0:  # a raw export: `question:field` split over two rows
        top = [h.split(":", 1)[0] for h in headers]
        sub = [h.split(":", 1)[1] if ":" in h else "" for h in headers]
        header_rows = [top, sub]

    personal = []
    records = []
    english = draw(st.booleans())
    for _ in range(draw(st.integers(0, 5))):
        # a genuine response with some of its cells replaced: from none (the row loads) to all
        base = draw(st.sampled_from(real_rows(form.form)))
        chaos = draw(st.sampled_from([0.0, 0.0, 0.05, 0.3, 1.0]))
        row = []
        for col, kind in zip(names, kinds, strict=True):
            if kind == "personal":
                row.append(PERSONAL_EMAIL if col == "respondent_email" else PERSONAL_NAME)
            elif chaos and draw(st.floats(0, 1)) < chaos:
                row.append(draw(cell_for(kind)))
            else:
                row.append(fmt(base.get(col), english))
        delta = draw(st.sampled_from([0, 0, 0, 0, -1, -3, 1, 2]))
        if delta < 0:
            row = row[: max(0, len(row) + delta)]
        elif delta > 0:
            row += [draw(JUNK) for _ in range(delta)]
        if draw(st.integers(0, 9)) == 0:
            row = [""] * len(row)  # a blank line as Excel leaves it
        records.append(row)
    if any(k == "personal" for k in kinds):
        personal = [PERSONAL_NAME, PERSONAL_EMAIL]

    delimiter = draw(st.sampled_from([";", ",", "\t"]))
    line_end = draw(st.sampled_from(["\r\n", "\n", "\r\n", "\r"]))
    quoting = draw(st.sampled_from(["minimal", "all", "none", "broken"]))
    if quoting in ("minimal", "all"):
        buf = io.StringIO()
        mode = csv.QUOTE_ALL if quoting == "all" else csv.QUOTE_MINIMAL
        csv.writer(buf, delimiter=delimiter, lineterminator=line_end, quoting=mode).writerows(header_rows + records)
        text = buf.getvalue()
    else:
        # no quoting at all (cells with the delimiter or a line break shift), or a stray quote
        lines = [delimiter.join(r) for r in header_rows + records]
        if quoting == "broken" and lines:
            i = draw(st.integers(0, len(lines) - 1))
            pos = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:pos] + '"' + lines[i][pos:]
        text = line_end.join(lines) + (line_end if draw(st.booleans()) else "")
        personal = []  # cells slip under other questions: the row's own personal cells are not known
    if draw(st.booleans()):
        text = "\ufeff" + text
    data = encode(text, draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "utf-16-le", "utf-16-be"])))
    name = draw(st.sampled_from(["vienti.csv", "IPS seuranta 3-2026_Perusraportti.csv", "vienti.xlsx", "vienti"]))
    return name, data, tuple(personal)


def encode(text: str, encoding: str) -> bytes:
    if encoding == "utf-16":
        return b"\xff\xfe" + text.lstrip("\ufeff").encode("utf-16-le")
    if encoding == "cp1252":
        try:
            return text.encode("cp1252")
        except UnicodeEncodeError:
            return text.encode("utf-8")  # not encodable: as the coordinator's Excel would save it
    return text.encode(encoding)


@FUZZ
@given(export=csv_export())
def test_random_csv_structures_never_raise(export: tuple[str, bytes, tuple[str, ...]]) -> None:
    name, data, personal = export
    result = parse(name, data, personal)
    event(f"form={result.form.name if result.form else None}, some rows accepted={result.rows_accepted > 0}")


# --- sanity: the generator above does reach the validator -------------------------------------------


def test_generated_csv_can_load() -> None:
    """A well-formed export built the way csv_export builds them is read, so the fuzzing above
    explores validation and not only the rejection of unrecognised files."""
    form = get_form("seuranta")
    row = generate_monitoring(5, start=date(2026, 1, 1), end=date(2026, 8, 31), regions=["PIR"])[0]
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow([c.header for c in form.columns])
    cells = []
    for c in form.columns:
        v = row.get(c.column)
        if isinstance(v, date):
            v = f"{v.day}.{v.month}.{v.year}" + (f" {v.hour}:{v.minute:02d}" if hasattr(v, "hour") else "")
        cells.append("" if v is None else str(v).replace(".", ",") if isinstance(v, float) else str(v))
    w.writerow(cells)
    result = parse("vienti.csv", buf.getvalue().encode("utf-8-sig"), (row["respondent_name"], row["respondent_email"]))
    assert result.form is not None and result.form.form == "seuranta"
    assert result.rows_total == 1


@pytest.mark.parametrize(
    "data",
    [b"", b"\xef\xbb\xbf", b"\xff\xfe", b"PK\x03\x04", b"\n\n\n", b";;;\r\n;;;", b"\x00" * 64],
)
def test_degenerate_inputs(data: bytes) -> None:
    parse("vienti.csv", data)
