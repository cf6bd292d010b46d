"""Realistic Webropol exports of the two IPS forms, for `ipsetl demo` and for tests.

Real exports cannot leave THL (they carry team leaders' names and e-mail addresses), so the demo
and the tests need look-alikes that carry every quirk of webropol-exports.md: encodings, both
delimiters, one or two header rows, header noise, Finnish number and date formats, Excel
artefacts, resubmissions, duplicates and faulty files. Everything is drawn from seeded
`random.Random` instances and never from the clock, so a seed always gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import random
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

from ipsetl.forms import FormVersion, get_form, region_names

DONT_KNOW = "En osaa sanoa"
UNKNOWN_REGION = "Ahvenanmaa"
# Fixed so that an .xlsx is byte-identical between runs (openpyxl stamps "now" otherwise).
XLSX_TIMESTAMP = datetime(2026, 1, 2, 8, 0, 0)
_SPLIT_QUESTIONS_MIN = 2  # a `Q:F` header is split in a raw export only if Q heads several columns

_FIRST = (
    "Maija",
    "Matti",
    "Anna-Liisa",
    "Jukka",
    "Päivi",
    "Tiina",
    "Sanna",
    "Ville",
    "Heikki",
    "Riikka",
    "Elina",
    "Timo",
    "Kaisa",
    "Mikko",
    "Sari",
    "Jari",
    "Outi",
    "Pekka",
    "Sirpa",
    "Jyrki",
)
_LAST = (
    "Meikäläinen",
    "Virtanen",
    "Korhonen",
    "Hämäläinen",
    "Mäkinen",
    "Nieminen",
    "Väänänen",
    "Lehtonen",
    "Kärkkäinen",
    "Heikkinen",
    "Järvinen",
    "Söderholm",
    "Pääkkönen",
    "Laaksonen",
    "Räsänen",
    "Koskinen",
)
_SUCCESSES = (
    "Työnantajayhteistyö on vahvistunut; uusia työpaikkoja löytyi kaupan ja logistiikan aloilta.",
    "Tiimi on vakiintunut ja yhteistyö psykiatrian poliklinikan kanssa sujuu.",
    "Kolme asiakasta aloitti työt avoimilla työmarkkinoilla.",
    'Asiakkaat kuvaavat tukea "parhaaksi tähän mennessä".',
    "Lähetteitä on tullut tasaisesti, ja jono on lyhentynyt.",
    "Valmentajat viettävät yhä enemmän aikaa lähiyhteisössä.",
    "Hoitotiimien kanssa pidetään viikoittaiset yhteispalaverit.",
)
_CHALLENGES = (
    "Henkilöstövaje syksyllä; yksi valmentaja sairauslomalla.",
    "Tilanne korjaantunut lokakuussa.",
    "Lähetteitä tulee vähän aikuispsykiatrian ulkopuolelta.",
    "Palkkatuen käsittely on hidasta; asiakkaat odottavat päätöksiä viikkoja.",
    "Etäisyydet ovat pitkiä, ja työnantajakäynteihin kuluu paljon aikaa.",
    'Osa hoitotiimeistä pitää IPS:ää "liian raskaana" asiakkailleen.',
    "Kirjaamiskäytännöt vaihtelevat, ja tilastointi vie aikaa.",
)
_SUPPORT = (
    "Koulutusta etuusneuvontaan.",
    "Vertaistapaamisia muiden alueiden tiiminvetäjien kanssa.",
    "Apua fidelity-arvioinnin valmisteluun; milloin seuraava ulkoinen arviointi?",
    "Selkeämmät ohjeet lomakkeen täyttämiseen: lasketaanko tauolla olevat asiakkaat aktiivisiksi?",
    "Työnohjausta tiiminvetäjälle.",
)
_TARGETS = (
    "Työnantajakontaktien määrän lisääminen; tavoite kuusi kontaktia viikossa valmentajaa kohden.",
    "Etuusneuvonnan osaaminen koko tiimille.",
    "Yhteistyö hoitotiimien kanssa: yhteiset asiakaspalaverit joka viikko.",
    "Nopeampi työnhaku: ensimmäinen työnantajatapaaminen kuukauden sisällä.",
    "Johdon tuki ja ohjausryhmän kokoontumiset säännöllisiksi.",
    'Asiakkaiden "työ ensin" -ajattelun vahvistaminen.',
)


@dataclass(frozen=True)
class _Region:
    code: str
    name: str
    joins: date
    late: bool
    months: tuple[int, ...]
    coaches: int
    contact_rate: tuple[float, float]
    respondent: tuple[str, str]
    substitute: tuple[str, str]
    fidelity: float


# The sample ends before the day this demo was written (26.11.2026), so no response in it is
# dated in the future; the tertiary 2026-T3 is then partly reported, as it would be in real life.
DEMO_END = date(2026, 10, 31)
# One region sends nothing for a whole tertiary (2025-T3), so "who has not reported" has an answer.
SILENT_REGION, SILENT_FROM, SILENT_UNTIL = "ESA", date(2025, 9, 1), date(2025, 12, 31)


def _add_months(d: date, n: int) -> date:
    y, m = divmod(d.month - 1 + n, 12)
    year, month = d.year + y, m + 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(d.day, last))


def _email(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return ascii_name.lower().replace(" ", ".") + "@example.fi"


def _person(first: str, last: str) -> tuple[str, str]:
    return f"{first} {last}", _email(f"{first} {last}")


def _profiles(seed: int, start: date, regions: list[str] | None, monthly: bool = False) -> list[_Region]:
    """Both generators draw the regions from the same stream so that forms A and B agree.

    `monthly` (the benchmarks' national load): every region reports every month from the start."""
    rng = random.Random(f"{seed}:regions")
    names = region_names()
    by_name = {v: k for k, v in names.items()}
    codes = [c if c in names else by_name[c] for c in (regions or list(names))]
    others = [c for c in codes if c != "HUS"]
    # Three regions start later in the first year, one only in the second (forms.md: regions join).
    late = rng.sample(others, k=min(4, len(others)))
    offsets = dict(zip(late, (2, 4, 8, rng.choice((13, 14))), strict=False)) if not monthly else {}
    pool = [(f, la) for f in _FIRST for la in _LAST]
    people = rng.sample(pool, k=min(len(pool), 2 * len(codes)))  # cycled below for 200+ regions
    levels = [4.9, 4.8, 4.45, 4.35, 4.2, 3.9, 3.6, 3.5, 3.3, 3.0, 2.7, 2.55]
    rng.shuffle(levels)
    out = []
    for i, code in enumerate(codes):
        big = code == "HUS"  # a hospital-district team of 8 reporting per tertiary: contacts reach 1 000+
        out.append(
            _Region(
                code=code,
                name=names[code],
                joins=_add_months(start, offsets.get(code, 0)),
                late=code in offsets,
                months=(1,) if monthly else (4,) if big else rng.choice(((2, 3), (3,), (2,), (2, 3, 3))),
                coaches=8 if big else rng.randint(2, 8),
                contact_rate=(8.0, 9.5) if big else (3.5, 7.0),
                respondent=_person(*people[(2 * i) % len(people)]),
                substitute=_person(*people[(2 * i + 1) % len(people)]),
                fidelity=levels[i % len(levels)],
            )
        )
    return out


def _pct(rng: random.Random, lo: int, hi: int) -> int | float:
    v = rng.randint(lo, hi)
    return v - 0.5 if v > lo and rng.random() < 0.2 else v


def _split(rng: random.Random, total: int, weights: tuple[float, ...]) -> list[int]:
    counts = [0] * len(weights)
    for i in rng.choices(range(len(weights)), weights=weights, k=total):
        counts[i] += 1
    return counts


def _text(rng: random.Random, pool: tuple[str, ...], p_empty: float = 0.25) -> str | None:
    if rng.random() < p_empty:
        return None
    if rng.random() < 0.3:
        return "\n".join(rng.sample(pool, 2))
    return rng.choice(pool)


def _stamp(rng: random.Random, day: date) -> datetime:
    second = 0 if rng.random() < 0.6 else rng.randint(1, 59)
    return datetime.combine(day, time(rng.randint(8, 16), rng.randint(0, 59), second))


def generate_monitoring(
    seed: int = 2026,
    start: date = date(2025, 1, 1),
    end: date = DEMO_END,
    regions: list[str] | None = None,
    monthly: bool = False,
) -> list[dict]:
    """Form A responses that pass every error and warning rule, ordered by submission time.

    Each region reports consecutive windows from the month it joined; its caseload is carried
    from one window to the next so that flows and stocks stay plausible over time. `monthly`:
    every region reports every month from `start`, none skips a tertiary (the national load).
    """
    rng = random.Random(f"{seed}:monitoring")
    rows = []
    for reg in _profiles(seed, start, regions, monthly):
        ws, index, coaches = reg.joins, 0, reg.coaches
        active = round(coaches * rng.uniform(6, 14)) if not reg.late else rng.randint(0, 4)
        leader = rng.choice((0.5, 1.0, 1.0, 0.8, 0.3))
        while True:
            n = 1 if (index == 0 and reg.late and rng.random() < 0.5) else rng.choice(reg.months)
            we = _add_months(ws, n) - timedelta(days=1)
            if we > end:
                break
            days = (we - ws).days + 1
            if reg.code != "HUS" and rng.random() < 0.15:
                coaches = min(8, max(2, coaches + rng.choice((-1, 1))))
            if reg.code == "HUS":
                fte = round(rng.uniform(7.6, 8.0), 2)
            else:
                fte = round(sum(rng.choice((1.0, 1.0, 1.0, 0.8, 0.75, 0.6, 0.5)) for _ in range(coaches)), 2)
            ramp = min(1.0, 0.45 + 0.3 * index) if reg.late else 1.0
            target = round(fte * rng.uniform(15, 25) * ramp)
            ended = min(active, round(active * rng.uniform(0.05, 0.12) * days / 30.4))
            new = max(rng.randint(0, 3), target - active + ended)
            served = active + new
            active_end = served - ended
            employed = round(served * rng.uniform(0.20, 0.55))
            jobs = round(employed * rng.uniform(0.25, 0.6))
            phases = _split(rng, active_end, (0.12, 0.18, 0.3, 0.1, 0.27, 0.03))
            reasons = _split(rng, ended, (0.35, 0.1, 0.25, 0.15, 0.15))
            name, email = reg.substitute if rng.random() < 0.15 else reg.respondent
            row = {
                "submitted_at": _stamp(rng, we + timedelta(days=rng.randint(3, 21))),
                "region": reg.name,
                "period_start": ws,
                "period_end": we,
                "respondent_name": name,
                "respondent_email": email,
                "coaches_headcount": coaches,
                "coaches_fte": fte,
                "team_leader_fte": leader if rng.random() > 0.08 else None,
                "pct_time_job_coaching": _pct(rng, 70, 100),
                "pct_time_in_community": _pct(rng, 40, 80),
                "care_teams_attached": rng.randint(1, max(1, coaches)),
                "pct_clients_from_main_teams": _pct(rng, 50, 100),
                "referrals_new": new + rng.randint(0, max(2, new // 2)),
                "clients_new": new,
                "clients_served": served,
                "clients_active_end": active_end,
                **{f"clients_phase_{k}": v for k, v in zip((1, 2, 3, 4, 5, "unknown"), phases, strict=True)},
                "clients_waiting": rng.choice((0, 0, 1, 2, 3, 5, rng.randint(4, 15))),
                "clients_ended": ended,
                **dict(
                    zip(
                        ("ended_employed", "ended_education", "ended_own_wish", "ended_unreachable", "ended_other"),
                        reasons,
                        strict=True,
                    )
                ),
                "clients_employed": employed,
                "jobs_started": jobs,
                "jobs_started_permanent": round(jobs * rng.uniform(0.2, 0.7)),
                "jobs_started_wage_subsidy": round(jobs * rng.uniform(0.0, 0.4)),
                "jobs_ended": rng.randint(0, jobs // 2 + 1),
                "education_started": rng.randint(0, 3),
                "employer_contacts": round(fte * days / 7 * rng.uniform(*reg.contact_rate)),
                "median_days_to_employer_contact": None if rng.random() < 0.25 else rng.randint(5, 45),
                "text_successes": _text(rng, _SUCCESSES),
                "text_challenges": _text(rng, _CHALLENGES),
                "text_support_needs": _text(rng, _SUPPORT, 0.5),
            }
            if monthly or not (reg.code == SILENT_REGION and SILENT_FROM <= we <= SILENT_UNTIL):
                rows.append(row)
            active, ws, index = active_end, we + timedelta(days=1), index + 1
    return sorted(rows, key=lambda r: (r["submitted_at"], r["region"]))


def generate_assessments(
    seed: int = 2026,
    start: date = date(2025, 1, 1),
    end: date = DEMO_END,
    regions: list[str] | None = None,
    monthly: bool = False,
) -> list[dict]:
    """Form B responses: a self-assessment per region every half year, a few external ones.

    Regions start at different fidelity levels and improve a little each half year, so every
    level band (esimerkillinen … heikko) occurs somewhere in the data.
    """
    rng = random.Random(f"{seed}:assessments")
    rows = []

    def response(reg: _Region, on: date, kind: str, mean: float) -> dict:
        items: list[int | str | None] = [min(5, max(1, round(rng.gauss(mean, 0.55)))) for _ in range(25)]
        if rng.random() < 0.12:
            items[rng.randrange(25)] = rng.choice((DONT_KNOW, DONT_KNOW, None))
        name, email = reg.respondent if kind == "Itsearviointi" else reg.substitute
        return {
            "submitted_at": _stamp(rng, on + timedelta(days=rng.randint(0, 10))),
            "region": reg.name,
            "respondent_name": name,
            "respondent_email": email,
            "assessed_on": on,
            "assessment_type": kind,
            **{f"item_{i:02d}": v for i, v in enumerate(items, 1)},
            "text_development_targets": _text(rng, _TARGETS, 0.15),
        }

    profiles = _profiles(seed, start, regions, monthly)
    external = set(rng.sample([r.code for r in profiles], k=min(3, len(profiles))))
    for reg in profiles:
        done = 0
        for year in range(start.year, end.year + 1):
            for spring in (True, False):
                lo = date(year, 4, 15) if spring else date(year, 10, 15)
                on = lo + timedelta(days=rng.randint(0, 55))
                if on < max(start, reg.joins + timedelta(days=30)) or on > end:
                    continue
                mean = min(4.97, reg.fidelity + 0.12 * done)
                rows.append(response(reg, on, "Itsearviointi", mean))
                later = on + timedelta(days=rng.randint(14, 40))
                if reg.code in external and done == 1 and later <= end:
                    rows.append(response(reg, later, "Ulkoinen arviointi", mean - 0.3))
                done += 1
    return sorted(rows, key=lambda r: (r["submitted_at"], r["region"]))


# --- writing exports -------------------------------------------------------------------------


def _fmt_date(d: date) -> str:
    return f"{d.day}.{d.month}.{d.year}"


def _fmt_timestamp(t: datetime) -> str:
    """Seconds only when there are any, so the text is lossless and both Webropol styles occur."""
    seconds = f":{t.second:02d}" if t.second else ""
    return f"{_fmt_date(t.date())} {t.hour}:{t.minute:02d}{seconds}"


class _CellFormatter:
    """Turns Python values into the text a Webropol CSV (possibly re-saved by Excel) holds."""

    def __init__(self, decimal: str, thousands: bool | str, excel_floats: bool):
        self.decimal, self.thousands, self.excel_floats = decimal, thousands, excel_floats
        self._grouped = 0

    def __call__(self, value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        if isinstance(value, datetime):
            return _fmt_timestamp(value)
        if isinstance(value, date):
            return _fmt_date(value)
        if isinstance(value, int) and not isinstance(value, bool):
            if self.excel_floats:
                return f"{value}.0"
            if self.thousands and abs(value) >= 1000:
                sep = self.thousands if isinstance(self.thousands, str) else " \u00a0"[self._grouped % 2]
                self._grouped += 1
                return f"{value:,}".replace(",", sep)
            return str(value)
        if isinstance(value, float):
            text = f"{value:.6f}".rstrip("0").rstrip(".")
            if self.excel_floats and "." not in text:
                text += ".0"
            return text.replace(".", self.decimal)
        return str(value)


def _noisy(header: str, i: int) -> str:
    """Trailing spaces, NBSPs and colons as copy-paste and Excel leave them, on some headers."""
    if not header:
        return header
    if i % 4 == 1:
        return header + "  "
    if i % 4 == 2:
        return header + "\u00a0"
    if i % 7 == 3:
        return header + ":"
    if i % 9 == 5:
        return header.replace(" ", "\u00a0", 1) + " "
    return header


def _header_rows(
    form: FormVersion, names: list[str], header_rows: int, noise: bool, renamed: dict[str, str] | None = None
) -> list[list[str]]:
    renamed = renamed or {}
    headers = [renamed.get(n) or (form.column(n).header if n in form.by_column else n) for n in names]
    if header_rows == 1:
        rows = [headers]
    elif header_rows == 2:
        shared: dict[str, int] = {}
        for c in form.columns:
            if ":" in c.header:
                q = c.header.split(":", 1)[0]
                shared[q] = shared.get(q, 0) + 1
        top, sub, previous = [], [], None
        for h in headers:
            q, _, f = h.partition(":")
            if f and shared.get(q, 0) >= _SPLIT_QUESTIONS_MIN:
                top.append(q if q != previous else "")
                sub.append(f)
                previous = q
            else:
                top.append(h)
                sub.append("")
                previous = None
        rows = [top, sub]
    else:
        raise ValueError(f"header_rows must be 1 or 2, not {header_rows}")
    if noise:
        rows = [[_noisy(h, i + 7 * r) for i, h in enumerate(row)] for r, row in enumerate(rows)]
    return rows


def _encode(text: str, encoding: str) -> bytes:
    if encoding.lower().replace("_", "-") in ("utf-16", "utf16"):
        return b"\xff\xfe" + text.encode("utf-16-le")  # BOM + little-endian, whatever the platform
    return text.encode(encoding)


def _save_xlsx(wb: Workbook, path: Path) -> None:
    """Save with fixed document and zip timestamps so that the bytes depend on the content only."""
    wb.properties.created = wb.properties.modified = XLSX_TIMESTAMP
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=XLSX_TIMESTAMP.timetuple()[:6])
            fixed.compress_type, fixed.external_attr = zipfile.ZIP_DEFLATED, 0o600 << 16
            dst.writestr(fixed, src.read(info.filename))
    path.write_bytes(out.getvalue())


def write_export(
    path: Path,
    rows: list[dict],
    form: str = "seuranta",
    *,
    fmt: str = "csv",
    encoding: str = "utf-8-sig",
    delimiter: str = ";",
    header_rows: int = 1,
    decimal: str = ",",
    line_end: str = "\r\n",
    thousands: bool | str = False,
    excel_floats: bool = False,
    header_noise: bool = False,
    language_column: bool = False,
    xlsx_dates: str = "cells",
    columns: list[str] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, object] | None = None,
) -> Path:
    """Write rows (canonical column → value) as Webropol would, with the requested quirks.

    Strings are written verbatim so that tests can plant garbage in any column; None is an
    empty cell. `thousands` may also be a separator (" " or NBSP) to use it throughout instead
    of alternating. With `excel_floats`, integers become `3.0` (point, as pandas writes them).
    `columns` (canonical names) restricts and orders the columns; without it every column of the
    form is written in the order of its toml, `Vastausaika` first. `headers` (canonical name → text)
    rewords questions as a new form round would; `extra` (header → the value of every row) adds
    questions the form does not know, after the form's own (a name in `columns` places one).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    spec = get_form(form)
    extra = dict(extra or {})
    names = list(columns) if columns is not None else [c.column for c in spec.columns]
    names += [h for h in extra if h not in names]
    for n in names:
        if n not in extra:
            spec.column(n)  # KeyError early for a misspelt canonical name
    if language_column:
        names.insert(names.index("submitted_at") + 1 if "submitted_at" in names else 0, "Language")
        extra["Language"] = "fi"
    header_cells = _header_rows(spec, names, header_rows, header_noise, headers)
    records = [[(extra[n] if n in extra else row.get(n)) for n in names] for row in rows]
    if fmt == "xlsx":
        wb = Workbook()
        ws = wb.active
        ws.title = "Perusraportti"
        for h in header_cells:
            ws.append([t or None for t in h])
        for rec in records:
            ws.append([_xlsx_value(v, xlsx_dates, excel_floats) for v in rec])
        for row in ws.iter_rows(min_row=len(header_cells) + 1):
            for cell in row:
                if isinstance(cell.value, datetime):
                    cell.number_format = "d.m.yyyy h:mm:ss" if cell.value.second else "d.m.yyyy h:mm"
                elif isinstance(cell.value, date):
                    cell.number_format = "d.m.yyyy"
        _save_xlsx(wb, path)
        return path
    if fmt != "csv":
        raise ValueError(f"fmt must be 'csv' or 'xlsx', not {fmt!r}")
    cell = _CellFormatter(decimal, thousands, excel_floats)
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, quotechar='"', lineterminator=line_end)
    writer.writerows(header_cells)
    writer.writerows([cell(v) for v in rec] for rec in records)
    path.write_bytes(_encode(buf.getvalue(), encoding))
    return path


def _xlsx_value(value: object, dates: str, excel_floats: bool) -> object:
    if isinstance(value, datetime):
        return value if dates == "cells" else _fmt_timestamp(value)
    if isinstance(value, date):
        return value if dates == "cells" else _fmt_date(value)
    if excel_floats and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def write_events_list(path: Path) -> Path:
    """A Webropol Events registration list: lands in the inbox by mistake and must be rejected."""
    attendees = [
        ("3.2.2026 10:14", "Ilmoittautunut", "Maija", "Meikäläinen", "Pirkanmaan hyvinvointialue", "Kasvis"),
        ("4.2.2026 8:02", "Ilmoittautunut", "Jukka", "Hämäläinen", "HUS Psykiatria", "-"),
        ("9.2.2026 15:47", "Peruutettu", "Päivi", "Kärkkäinen", "Lapin hyvinvointialue", "Laktoositon"),
        ("11.2.2026 12:30", "Ilmoittautunut", "Sari", "Söderholm", "Pohjanmaan hyvinvointialue", "-"),
        ("16.2.2026 9:05", "Ilmoittautunut", "Timo", "Räsänen", "Keski-Suomen hyvinvointialue", "-"),
    ]
    rows = [
        ["", "Tapahtuman nimi", "IPS-verkostopäivä 2026", "", "", "", "", ""],
        ["", "Paikka", "THL, Mannerheimintie 166, Helsinki", "", "", "", "", ""],
        ["", "Ajankohta", "12.3.2026 9:00-15:30", "", "", "", "", ""],
        [""] * 8,
        ["#", "Ilm.aika", "Tila", "Osallistujan tiedot", "-", "-", "Organisaatio", "Erityisruokavalio"],
        ["-", "-", "-", "Etunimi", "Sukunimi", "Sähköposti", "-", "-"],
    ]
    for i, (at, status, first, last, org, diet) in enumerate(attendees, 1):
        rows.append([str(i), at, status, first, last, _email(f"{first} {last}"), org, diet])
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", lineterminator="\r\n").writerows(rows)
    path = Path(path)
    path.write_bytes(_encode(buf.getvalue(), "utf-8-sig"))
    return path


# --- the demo inbox --------------------------------------------------------------------------

_ROUND_QUIRKS: dict[tuple[int, int], tuple[str, dict]] = {
    (2025, 1): ("_Perusraportti.csv", {}),
    (2025, 2): ("_Perusraportti.csv", {"encoding": "utf-8", "line_end": "\n"}),
    (2025, 3): ("_Perusraportti_raaka.csv", {"header_rows": 2}),
    (2025, 4): ("_Perusraportti.csv", {"encoding": "cp1252", "thousands": "\u00a0"}),
    (2025, 5): ("_Perusraportti.xlsx", {"fmt": "xlsx", "xlsx_dates": "cells"}),
    (2025, 6): ("_Perusraportti.xlsx", {"fmt": "xlsx", "xlsx_dates": "text"}),
    (2026, 1): ("_Perusraportti.csv", {"encoding": "utf-8", "delimiter": ",", "decimal": ".", "line_end": "\n"}),
    (2026, 2): ("_Perusraportti.csv", {"header_noise": True, "language_column": True, "thousands": True}),
    (2026, 3): (" (2).csv", {"encoding": "utf-16"}),
    (2026, 4): ("_Perusraportti_raaka.csv", {"header_rows": 2, "delimiter": ",", "decimal": ".", "encoding": "utf-8"}),
    (2026, 5): ("_Perusraportti.csv", {"excel_floats": True, "decimal": "."}),
}
_LAATU_QUIRKS: dict[tuple[int, bool], tuple[str, dict]] = {
    (2025, True): ("IPS laatukriteerit kevät 2025_Perusraportti.csv", {}),
    (2025, False): ("IPS laatukriteerit syksy 2025_Perusraportti.xlsx", {"fmt": "xlsx"}),
    (2026, True): ("IPS laatukriteerit kevät 2026_Perusraportti.csv", {"excel_floats": True, "decimal": "."}),
    (2026, False): ("IPS laatukriteerit syksy 2026_Perusraportti.xlsx", {"fmt": "xlsx", "header_rows": 2}),
}
RESUBMITTED_ROUND = (2025, 4)
FAULTY_ROUND = (2026, 2)
DUPLICATED_ROUND = (2026, 3)


@dataclass
class _Planned:
    name: str
    form: str | None
    rows: list[dict]
    options: dict


def _plan(seed: int) -> tuple[list[_Planned], dict]:
    """What the inbox holds and what the pipeline should find in it, computed without writing."""
    rng = random.Random(f"{seed}:inbox")
    rounds: dict[tuple[int, int], list[dict]] = {}
    for row in generate_monitoring(seed):
        rounds.setdefault((row["period_end"].year, (row["period_end"].month + 1) // 2), []).append(row)
    halves: dict[tuple[int, bool], list[dict]] = {}
    for row in generate_assessments(seed):
        halves.setdefault((row["assessed_on"].year, row["assessed_on"].month <= 6), []).append(row)
    plan: list[_Planned] = []
    errors: dict[str, list[tuple[int, str, str]]] = {}
    warnings: dict[str, list[tuple[int, str, str]]] = {}

    # A few faulty first attempts among the good responses of one round, and one kept row whose
    # phases do not add up (a warning only).
    faulty = list(rounds[FAULTY_ROUND])
    good = [r for r in faulty if r["region"] != region_names()["HUS"]]
    warned = dict(good[0], clients_phase_unknown=good[0]["clients_phase_unknown"] + 2)
    faulty[faulty.index(good[0])] = warned

    def earlier(base: dict, **changes: object) -> dict:
        return dict(base, submitted_at=base["submitted_at"] - timedelta(hours=rng.randint(2, 30)), **changes)

    g = [good[(i + 1) % len(good)] for i in range(4)]
    stranger = _person("Tove", "Söderholm")
    bad = [
        (earlier(g[0], employer_contacts=DONT_KNOW), [("employer_contacts", "type")]),
        (earlier(g[1], coaches_fte=float(g[1]["coaches_headcount"] + 2)), [("coaches_fte", "fte_le_headcount")]),
        (
            earlier(g[2], region=UNKNOWN_REGION, respondent_name=stranger[0], respondent_email=stranger[1]),
            [("region", "unknown_region")],
        ),
        (
            earlier(g[3], period_start=g[3]["period_end"], period_end=g[3]["period_start"]),
            [("period_end", "period_end_ge_start")],
        ),  # a reversed window is reported by this rule alone
    ]
    faulty = sorted(faulty + [b for b, _ in bad], key=lambda r: r["submitted_at"])
    rounds[FAULTY_ROUND] = faulty

    for key in sorted(rounds):
        suffix, options = _ROUND_QUIRKS.get(key, ("_Perusraportti.csv", {}))
        plan.append(_Planned(f"IPS seuranta {key[1]}-{key[0]}{suffix}", "seuranta", rounds[key], options))
    faulty_name = next(p.name for p in plan if p.rows is faulty)
    position = {id(r): i for i, r in enumerate(faulty, 1)}
    errors[faulty_name] = sorted((position[id(b)], col, rule) for b, found in bad for col, rule in found)
    warnings[faulty_name] = [(position[id(warned)], "clients_active_end", "phase_sum")]

    # A corrected answer sent later for a window already answered.
    original = next(p for p in plan if p.rows is rounds[RESUBMITTED_ROUND])
    base = rng.choice([r for r in original.rows if r["region"] != region_names()["HUS"]])
    value = base["clients_employed"] + 2
    if value > base["clients_served"]:
        value = base["clients_employed"] - 1
    later = base["submitted_at"] + timedelta(days=rng.randint(10, 25), minutes=rng.randint(1, 300))
    fixed = dict(base, clients_employed=value, submitted_at=later)
    resub_name = f"IPS seuranta {RESUBMITTED_ROUND[1]}-{RESUBMITTED_ROUND[0]} korjaus_Perusraportti.csv"
    plan.append(_Planned(resub_name, "seuranta", [fixed], {}))

    for key in sorted(halves):
        name, options = _LAATU_QUIRKS.get(key, (f"IPS laatukriteerit {key[0]}_Perusraportti.csv", {}))
        plan.append(_Planned(name, "laatu", halves[key], options))
        dk = [
            (i, k, "dont_know")
            for i, r in enumerate(halves[key], 1)
            for k, v in r.items()
            if k.startswith("item_") and v == DONT_KNOW
        ]
        if dk:
            warnings[name] = dk

    dup_of = next(p.name for p in plan if p.rows is rounds[DUPLICATED_ROUND])
    dup_name = f"IPS seuranta {DUPLICATED_ROUND[1]}-{DUPLICATED_ROUND[0]} (3).csv"
    plan.append(_Planned(dup_name, None, [], {"copy_of": dup_of}))
    events = "IPS-verkostopäivä 2026_Ilmoittautuneet.csv"
    empty = "IPS seuranta 5-2026_Perusraportti (1).csv"
    plan.append(_Planned(events, None, [], {"events": True}))
    plan.append(_Planned(empty, None, [], {"empty": True}))

    # Within one run files register in NFC code-point order of their names (indicators.md), so
    # the copy that sorts later is the one the pipeline reports as the duplicate.
    first, second = sorted((unicodedata.normalize("NFC", dup_of), unicodedata.normalize("NFC", dup_name)))
    manifest = {
        "files": {
            p.name: {
                "status": "duplicate" if p.name == second else "rejected" if p.form is None else "loaded",
                "form": p.form,
                "rows": len(p.rows),
                "rows_rejected": len({r for r, _, _ in errors.get(p.name, [])}),
                "quirks": [f"{k}={v!r}" for k, v in sorted(p.options.items())] or ["default"],
            }
            for p in plan
        },
        "rejected_files": {events: "events_export", empty: "empty_file"},
        "duplicates": {second: first},
        "errors": errors,
        "warnings": warnings,
        "resubmission": {
            "file": resub_name,
            "original_file": original.name,
            "region": base["region"],
            "period_start": base["period_start"],
            "period_end": base["period_end"],
            "column": "clients_employed",
            "value": value,
            "previous_value": base["clients_employed"],
            "submitted_at": fixed["submitted_at"],
        },
    }
    return plan, manifest


def sample_manifest(seed: int = 2026) -> dict:
    """What `write_sample_inbox(seed)` plants, so tests assert on it instead of re-deriving it.

    Keys: `files` (name → status as mart.source_file has it, form, rows, rows_rejected, quirks),
    `rejected_files` (name → reason), `duplicates` (the copy the pipeline should flag → the file
    registered first), `errors` and `warnings` (name → sorted (source_row, column, rule) tuples;
    rules named as the checks of schemas/models.py), `resubmission` (region, period,
    corrected column and value)."""
    return _plan(seed)[1]


def write_sample_inbox(inbox: Path, seed: int = 2026) -> list[Path]:
    """Write the demo inbox: two years of rounds of both forms plus the planted faults."""
    inbox = Path(inbox)
    inbox.mkdir(parents=True, exist_ok=True)
    plan, _ = _plan(seed)
    written = []
    for p in plan:
        path = inbox / p.name
        if "copy_of" in p.options:
            path.write_bytes((inbox / p.options["copy_of"]).read_bytes())
        elif "events" in p.options:
            write_events_list(path)
        elif "empty" in p.options:
            path.write_bytes(b"")
        else:
            write_export(path, p.rows, p.form or "seuranta", **p.options)
        written.append(path)
    return sorted(written)
