"""The report as plain data: document → sections → paragraphs, tables, figures, text answers.

Both outputs are laid out from this one model, the HTML by Jinja2 (templates/report.html.j2) and
the PDF by Typst (templates/report.typ, which reads the model as JSON). So every decision about
what a report says lives here: which sections and tables, their rows, columns and labels, the
Finnish formatting of every figure and its disclosure mark, footnotes, chart descriptions. The
templates only place what they are given; adding a figure is one change here, seen in both.

Every text is final (formatted, in Finnish); a renderer never formats a number or picks a word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ipsetl import fiformat
from ipsetl.reports import charts
from ipsetl.reports.data import WINDOW_FIGURES, Cell, RegionSection, Tertiary
from ipsetl.reports.figures import BENCHMARKS, BY_COLUMN, CATALOGUE, COMPARISON, LEVELS, Measure
from schemas.catalogue import tertiary_calendar_text

# --- the building blocks ------------------------------------------------------------------------------


@dataclass
class Span:
    """A run of text in a paragraph; `strong` is bold."""

    text: str
    strong: bool = False


@dataclass
class Paragraph:
    kind: ClassVar[str] = "paragraph"
    parts: list[Span]
    style: str = ""  # "" | note | muted | subtitle | meta


@dataclass
class DraftMark:
    """The boxed LUONNOS of a draft's first page (every page also carries it in its header)."""

    kind: ClassVar[str] = "draft_mark"
    text: str = "LUONNOS"


@dataclass
class Column:
    label: str
    sub: str = ""  # a second, smaller line of the head: the figure's "jakson aikana" / "jakson lopussa"
    numeric: bool = False  # right-aligned, tabular figures
    width: float | None = None  # millimetres; None shares what is left
    title: str = ""  # the whole label of a shortened head (the HTML shows it on hover)


@dataclass
class TableCell:
    text: str
    colspan: int = 1
    muted: bool = False
    strong: bool = False


@dataclass
class Row:
    """A row whose first cell is its header (what the row is about), the rest its values."""

    cells: list[TableCell]
    total: bool = False


@dataclass
class Table:
    kind: ClassVar[str] = "table"
    caption: str
    columns: list[Column]
    rows: list[Row]
    row_headers: bool = True  # the first cell of each row heads it
    compact: bool = False  # small type: the wide comparison tables


@dataclass
class Figure:
    """A chart: its SVG (drawn once, shown by both outputs), the caption, and the alternative text
    a screen reader gives instead of the picture."""

    kind: ClassVar[str] = "figure"
    svg: str
    caption: str
    alt: str


@dataclass
class TextAnswer:
    """An open answer as the region wrote it (line breaks kept), never read as markup."""

    kind: ClassVar[str] = "text_answer"
    text: str

    def __post_init__(self) -> None:
        self.text = answer_text(self.text)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u2066-\u2069\u202a-\u202e]")


def answer_text(value: str) -> str:
    """An answer as both outputs show it: Windows and old Mac line ends as line breaks, a tab as a
    space (a web form's answers come with CRLF), and any other control character, a lone surrogate
    or a direction override written as its code point (`[U+0007]`): HTML may not hold them raw, and
    the PDF font has no glyph for them."""
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return _CONTROL.sub(lambda m: f"[U+{ord(m.group(0)):04X}]", value)


@dataclass
class BulletList:
    kind: ClassVar[str] = "bullet_list"
    items: list[str]


@dataclass
class Definition:
    term: str
    when: str
    text: str


@dataclass
class Definitions:
    kind: ClassVar[str] = "definitions"
    items: list[Definition]


@dataclass
class Section:
    """A heading (level 2–4) and what follows it, subsections included."""

    kind: ClassVar[str] = "section"
    title: str
    level: int
    anchor: str
    blocks: list = field(default_factory=list)
    new_page: bool = False


@dataclass
class Document:
    kind: ClassVar[str] = "document"
    report: str  # funder | regional
    title: str  # the first heading
    meta_title: str  # the PDF's and the HTML page's title
    running_title: str  # every page's header
    as_of_text: str
    draft: bool
    front: list  # under the title: dates, the draft mark and why, who made it
    front_page: bool  # the front matter takes a page of its own (the funder report's cover)
    sections: list[Section]
    author: str = ""  # the organisation, in the PDF's metadata
    fingerprint: str = ""
    lang: str = "fi"


def to_json(value: Any) -> Any:
    """The model as JSON-ready data: each block with its `kind`, for the Typst template."""
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        out = {"kind": value.kind} if hasattr(value, "kind") else {}
        out.update({name: to_json(v) for name, v in vars(value).items()})
        return out
    return value


def text(*parts: str | Span, style: str = "") -> Paragraph:
    return Paragraph([p if isinstance(p, Span) else Span(p) for p in parts if p], style)


def bold(value: str) -> Span:
    return Span(value, strong=True)


def cell(value: str, **kw) -> TableCell:
    return TableCell(value, **kw)


# --- formatting --------------------------------------------------------------------------------------


def show(c: Cell | None) -> str:
    """A published figure: its disclosure mark if hidden, else the value in Finnish."""
    if c is None:
        return fiformat.EMPTY
    if c.marker:
        return c.marker
    return format_value(c.value, c.kind)


def format_value(value, kind: str) -> str:
    if value is None:
        return fiformat.EMPTY
    if kind == "rate":
        return fiformat.percent(value, fiformat.digits(kind))
    return fiformat.number(value, fiformat.digits(kind))


def change(pair: tuple) -> str:
    """Change from the previous tertiary: percentage points for a rate."""
    delta, kind = pair
    if delta is None:
        return ""
    if kind == "rate":
        return fiformat.signed(delta * 100, fiformat.digits(kind), "%-yks.")
    return fiformat.signed(delta, fiformat.digits(kind))


# The benchmarks (schemas/catalogue.toml) as the texts name them: "31 % vähimmäistaso, 41 % keskitaso,
# 50 % erinomainen" and "31, 41 ja 50 %".
# The fidelity levels with their score ranges: "esimerkillinen taso 115–125, …, ei tuettua työllistymistä
# 73 tai alle" (a total is 25–125).
LEVEL_RANGES = ", ".join(
    f"{lv.name} {lv.min}–{hi}" if i < len(CATALOGUE.levels) - 1 else f"{lv.name} {hi} tai alle"
    for i, (lv, hi) in enumerate(
        zip(CATALOGUE.levels, [125, *(lv.min - 1 for lv in CATALOGUE.levels[:-1])], strict=True)
    )
)
BENCHMARK_LIST = ", ".join(label for _, label in BENCHMARKS)
BENCHMARK_VALUES = (
    ", ".join(str(round(r * 100)) for r, _ in BENCHMARKS[:-1]) + f" ja {round(BENCHMARKS[-1][0] * 100)} %"
)


def benchmark_text(rate: float) -> str:
    """Where a rate stands among the three benchmarks (lowest, middle, highest), in Finnish."""
    low, mid, high = (round(r * 100) for r, _ in BENCHMARKS)
    if rate >= BENCHMARKS[2][0]:
        return f"erinomaisella tasolla (vertailuarvo {high} %)"
    if rate >= BENCHMARKS[1][0]:
        return f"keskitason ({mid} %) yläpuolella"
    if rate >= BENCHMARKS[0][0]:
        return f"vähimmäistason ({low} %) ja keskitason ({mid} %) välillä"
    return f"alle vähimmäistason ({low} %)"


def _or_dash(value) -> str:
    return fiformat.number(value)  # – for None


def _missing_data(s: RegionSection, t: Tertiary) -> Paragraph:
    last = s.submission.get("last_submitted_at") if s.submission else None
    return text(
        bold(f"Alue ei lähettänyt seurantatietoja tältä kolmannesvuodelta{'' if t.complete else ' (vielä)'}."),
        f" Viimeisin vastaus: {fiformat.fi_date(last)}." if last else "",
    )


# --- blocks both reports share ------------------------------------------------------------------------


def key_figures(s: RegionSection, measures, national: dict[str, Cell] | None = None, caption="Avainluvut") -> Table:
    columns = [Column("Tunnusluku"), Column("Ajankohta", width=25), Column(s.code, numeric=True, width=22)]
    if national:
        columns.append(Column("Koko maa", numeric=True, width=22))
    rows = [
        Row(
            [cell(m.label), cell(m.when, muted=True), cell(show(s.cells[m.column]))]
            + ([cell(show(national[m.column]))] if national else [])
        )
        for m in measures
    ]
    return Table(caption, columns, rows)


def distribution(s: RegionSection, rows, total_column: str, total_label: str, caption: str) -> Table:
    body = [Row([cell(label), cell(show(s.cells[column]))]) for column, label in rows]
    body.append(Row([cell(total_label), cell(show(s.cells[total_column]))], total=True))
    return Table(caption, [Column(caption), Column("Asiakkaita", numeric=True, width=24)], body)


def distributions(s: RegionSection, ctx: dict) -> list[Table]:
    """The phases of the active clients and the reasons of the ended ones, each with its total."""
    return [
        distribution(
            s,
            ctx["phases"],
            "clients_active_end",
            "Aktiiviset asiakkaat yhteensä",
            "Asiakkaat prosessin vaiheittain (jakson lopussa)",
        ),
        distribution(
            s,
            ctx["end_reasons"],
            "clients_ended",
            "Päättyneet asiakkuudet yhteensä",
            "Päättyneiden asiakkuuksien syyt (jakson aikana)",
        ),
    ]


def fidelity_blocks(f: dict | None) -> list:
    if not f:
        return [text("Alueelta ei ole laatukriteerien arviointia tähän mennessä.", style="muted")]
    a = f["latest"]
    when = fiformat.fi_date(a["assessed_on"])
    total = f"{a['total']} / 125" if a["total"] is not None else f"– ({a['items_answered']}/25 kriteeriin vastattu)"
    if f["change"] is not None:
        moved = (
            f"{fiformat.signed(f['change'])} pistettä ({fiformat.fi_date(f['before']['assessed_on'])}: "
            f"{f['before']['total']})"
        )
    else:
        moved = fiformat.EMPTY
    rows = [
        ("Arvioinnin tyyppi ja päivä", f"{a['assessment_type']}, {when}"),
        ("Laatukriteerien yhteispisteet", total),
        ("Taso", a["level"] or fiformat.EMPTY),
        ("Muutos edellisestä arvioinnista", moved),
        ("Palvelun henkilöstö (kriteerit 1–3)", f"{_or_dash(a['staffing_score'])} / 15"),
        ("Palvelun järjestäminen (4–11)", f"{_or_dash(a['organisation_score'])} / 40"),
        ("Palvelun sisältö (12–25)", f"{_or_dash(a['services_score'])} / 70"),
    ]
    latest = Table(
        f"Laatukriteerien viimeisin arviointi ({a['assessment_type'].lower()} {when})",
        [Column("Tieto"), Column("Arvo", numeric=True, width=62)],
        [Row([cell(k), cell(v)]) for k, v in rows],
    )
    compared = f["compared"]
    items = Table(
        "Suuntaa-antavat pisteet seurantatiedoista itsearvioinnin rinnalla"
        + (f" (itsearviointi {fiformat.fi_date(compared['assessed_on'])})" if compared else ""),
        [
            Column("Kriteeri"),
            Column("Seurantatiedoista", numeric=True, width=33),
            Column("Itsearvio", numeric=True, width=20),
            Column("Huomio", width=46),
        ],
        [
            Row(
                [
                    cell(f"{it['number']}. {it['name']}"),
                    cell(_or_dash(it["indicative"])),
                    cell(_or_dash(it["assessed"])),
                    cell("⚑ ero ≥ 2 – keskusteltava" if it["flag"] else "", strong=True),
                ]
            )
            for it in f["items"]
        ],
    )
    note = text(
        "Suuntaa-antava pistemäärä lasketaan seurantalomakkeen luvuista; täysi kriteeri sisältää myös "
        "laadullisia ehtoja, jotka näkyvät vain laatuarvioinnissa.",
        style="note",
    )
    return [latest, items, note]


def symbols(threshold: int) -> Table:
    return Table(
        "Merkinnät",
        [Column("Merkki", width=14), Column("Tarkoittaa")],
        [
            Row(
                [
                    cell(f"<{threshold}", strong=True),
                    cell(
                        f"Lukumäärä on 1–{threshold - 1}; tarkkaa lukua ei näytetä, jotta yksittäistä asiakasta "
                        "ei voi tunnistaa (ensisijainen suojaus)."
                    ),
                ]
            ),
            Row(
                [
                    cell("..", strong=True),
                    cell(
                        "Luku on salattu, koska suojattu luku voitaisiin muuten laskea summasta ja muista "
                        "luvuista (toissijainen suojaus, Tilastokeskuksen merkintätapa)."
                    ),
                ]
            ),
            Row(
                [
                    cell("–", strong=True),
                    cell(
                        "Lukua ei ole määritelty (esim. nimittäjä on nolla) tai osuutta ei näytetä, koska sen "
                        f"nimittäjä on alle {threshold}."
                    ),
                ]
            ),
        ],
        row_headers=False,
    )


def methods(measures: tuple[Measure, ...], threshold: int) -> list:
    """Määritelmät: the rules in words, every figure's definition, the symbols."""
    return [
        text(
            bold("Kolmannesvuosi"),
            f" ({tertiary_calendar_text()}). Alueet raportoivat 2–3 kuukauden jaksoista; "
            "jakso kuuluu sille kolmannesvuodelle, jolle sen päättymispäivä osuu. Rahoittajan määräpäivät ovat "
            "kolmannesvuosien viimeiset päivät.",
        ),
        text(
            bold("Korjatut vastaukset."),
            " Jos alue lähettää samasta jaksosta uuden vastauksen, uusin (Webropolin vastausaika; saman ajan "
            "sattuessa myöhemmin saapunut tiedosto ja rivi) on voimassa, ja sen kanssa päällekkäiset vanhemmat "
            "vastaukset jäävät historiaan mutta eivät tilastoihin.",
        ),
        text(
            bold("Jakson aikana / jakson lopussa."),
            " Jakson aikana kertyvät luvut (virrat) lasketaan kolmannesvuoden jaksoista yhteen. Jakson lopun "
            "tilanteet (varannot) otetaan kolmanneksen viimeisimmästä jaksosta. Osuudet lasketaan summatuista "
            "osoittajista ja nimittäjistä, koko maan osuudet koko maan summista (ei alueiden osuuksien "
            "keskiarvona). Kertymä hankkeen alusta lasketaan alueen ensimmäisestä jaksosta kauden loppuun.",
        ),
        Definitions(
            [Definition(m.label, m.when, m.definition or "Seurantalomakkeen luku sellaisenaan.") for m in measures]
            + [
                Definition(
                    "Laatukriteerien yhteispisteet ja taso",
                    "",
                    "25 kriteerin pisteiden summa (25–125), kun kaikkiin kriteereihin on vastattu: "
                    f"{LEVEL_RANGES}. Alueen taso kolmannesvuodella on sen viimeisin kolmanneksen loppuun "
                    "mennessä tehty arviointi (ulkoinen arviointi ennen saman päivän itsearviointia).",
                ),
                Definition(
                    "Suuntaa-antavat pisteet seurantatiedoista",
                    "",
                    "Kriteerit 1, 2, 4, 15, 17, 21 ja 24 pisteytetään seurantaluvuista laatukriteerien "
                    "pisteytysrajoilla. Jos pisteet poikkeavat itsearvioinnista vähintään 2 pistettä, kriteeri "
                    "merkitään keskusteltavaksi.",
                ),
                Definition(
                    "Työllisyysasteen vertailuarvot",
                    "",
                    "IPS Learning Community (13 Yhdysvaltain osavaltiota, 8 vuotta, neljännesvuosittainen aste): "
                    f"{BENCHMARK_LIST}. Vertailuksi: THL:n arvioinnissa 49 % "
                    "osallistujista työllistyi avoimille työmarkkinoille jossain vaiheessa valmennusta.",
                ),
            ]
        ),
        symbols(threshold),
    ]


# --- the funder report ----------------------------------------------------------------------------------

SUMMARY_COLUMNS = COMPARISON[:-1]  # the national key figures: the comparison's less caseload


def funder_document(ctx: dict) -> Document:
    t: Tertiary = ctx["tertiary"]
    opts = ctx["options"]
    label = t.label
    front = [
        text(f"Kolmannesvuosi {fiformat.date_range(t.start, t.end)} ({label})", style="subtitle"),
        text(f"Tiedot tilanteessa {fiformat.fi_date(ctx['as_of'])}", style="subtitle"),
    ]
    if t.blocked:
        front += [
            DraftMark(),
            text(
                "Raporttia ei merkitty lopulliseksi, koska tietojen tarkistus ei mennyt läpi: "
                + "; ".join(t.blocked)
                + "."
            ),
        ]
    elif t.draft:
        front += [
            DraftMark(),
            text(
                "Kolmannesvuosi on vielä kesken: luvut voivat muuttua, kun alueiden seurantatiedot saapuvat. "
                f"Lopullinen raportti laaditaan määräpäivänä {fiformat.fi_date(t.end)}."
            ),
        ]
    front += [text(opts.organisation, style="meta"), text("Rahoittajaraportti (STM, Hankesalkku)", style="meta")]
    return Document(
        report="funder",
        title="IPS – Sijoita ja valmenna! -kehittämishankkeen seurantaraportti",
        meta_title=f"IPS-seurantaraportti {label}{' (LUONNOS)' if t.draft else ''}",
        running_title=f"IPS – Sijoita ja valmenna! -seurantaraportti {label}",
        as_of_text=fiformat.fi_date(ctx["as_of"]),
        draft=t.draft,
        front=front,
        front_page=True,
        sections=[
            Section("1 Tiivistelmä", 2, "s1", _summary(ctx)),
            Section("2 Kehitys kausittain", 2, "s2", _trends(ctx), new_page=True),
            Section("3 Alueet", 2, "s3", _regions(ctx), new_page=True),
            Section("Liite 1: Tietojen laatu", 2, "a1", _quality(ctx), new_page=True),
            Section("Liite 2: Määritelmät", 2, "a2", methods(ctx["measures"], opts.threshold), new_page=True),
        ],
        author=opts.organisation,
        fingerprint=ctx.get("fingerprint", ""),
    )


def _summary(ctx: dict) -> list:
    t = ctx["tertiary"]
    if not ctx["has_data"]:
        return [
            text(
                bold("Tältä kolmannesvuodelta ei ole vielä yhtään seurantajaksoa."),
                " Raportti täydentyy, kun alueiden tiedot saapuvat.",
            )
        ]
    n = ctx["national"]
    words = (
        f"Kolmannesvuodelta {t.label} raportoi {ctx['regions_reporting']} aluetta {ctx['regions_total']}:stä. "
        f"Palvelussa oli jakson aikana {show(n['clients_served'])} asiakasta, ja kauden lopussa aktiivisia "
        f"asiakkaita oli {show(n['clients_active_end'])}. Uusia asiakkaita tuli {show(n['clients_new'])}, ja uusia "
        f"työsuhteita avoimilla työmarkkinoilla alkoi {show(n['jobs_started'])}, joista toistaiseksi voimassa "
        f"olevia {show(n['jobs_started_permanent'])}. Opinnot aloitti {show(n['education_started'])} asiakasta."
    )
    rate = n["employment_rate"]
    second = f"Työllisyysaste oli {show(rate)}"
    if rate.value is not None and not rate.marker:
        second += f" – {benchmark_text(rate.value)}"
    second += (
        f". Työnantajakontakteja oli {show(n['employer_contacts_per_fte_week'])} työhönvalmentajan "
        "henkilötyövuotta kohden viikossa."
    )
    if ctx["assessed_regions"]:
        counted = [(level, count) for level, count in ctx["level_counts"].items() if count]
        second += " Laatukriteerien viimeisimmän arvioinnin mukaan " + "; ".join(
            f"{level}: {count} {'alue' if count == 1 else 'aluetta'}" for level, count in counted
        )
        second += "."
    prev = ctx["previous_label"]
    keyfigs = Table(
        f"Koko maan avainluvut {t.label}" + (f" ja muutos kaudesta {prev}" if prev else ""),
        [
            Column("Tunnusluku"),
            Column("Ajankohta", width=25),
            Column(t.label, numeric=True, width=22),
            Column("Muutos", numeric=True, width=22),
        ],
        [Row([cell("Raportoineet alueet"), cell("jakson aikana", muted=True), cell(_reporting(ctx)), cell("")])]
        + [
            Row(
                [
                    cell(BY_COLUMN[col].label),
                    cell(BY_COLUMN[col].when, muted=True),
                    cell(show(n[col])),
                    cell(change(ctx["changes"][col])),
                ]
            )
            for col in SUMMARY_COLUMNS
        ],
    )
    levels = Table(
        f"Alueiden laatukriteeritaso (viimeisin arviointi {fiformat.fi_date(t.end)} mennessä)",
        [Column("Taso"), Column("Alueita", numeric=True, width=24)],
        [Row([cell(level), cell(fiformat.number(ctx["level_counts"][level]))]) for level in LEVELS]
        + [
            Row(
                [cell("Arvioituja alueita"), cell(f"{ctx['assessed_regions']}/{ctx['regions_total']}")],
                total=True,
            )
        ],
    )
    benchmarks = text(
        "Työllisyysasteen vertailuarvot (IPS Learning Community, neljännesvuosittainen aste): "
        f"{BENCHMARK_LIST}. Kolmannesvuoden aste kattaa neljännesvuotta pidemmän ajan, joten se "
        "on yleensä hieman korkeampi kuin saman toiminnan neljännesvuosiaste; THL:n oman arvioinnin mukaan 49 % "
        "osallistujista työllistyi avoimille työmarkkinoille jossain vaiheessa valmennusta (kertymä, ei "
        "jaksokohtainen).",
        style="note",
    )
    return [text(words), text(second), keyfigs, benchmarks, levels]


def _reporting(ctx: dict) -> str:
    return f"{ctx['regions_reporting']}/{ctx['regions_total']}"


def _trends(ctx: dict) -> list:
    trend = ctx["trend"]
    if not trend["categories"]:
        return [text("Kehityskuvaaja näytetään, kun tietoja on ainakin yhdeltä kolmannesvuodelta.")]
    opts = ctx["options"]
    cats = trend["categories"]
    national_words = ", ".join(f"{c}: {fiformat.percent(v)}" for c, v in zip(cats, trend["national_rate"], strict=True))
    ends = {code: _last_value(cats, values) for code, values in trend["regional_rate"].items()}
    shown = sorted(((code, e) for code, e in ends.items() if e), key=lambda item: -item[1][1])
    region_words = ", ".join(
        f"{code} {fiformat.percent(v)}" + ("" if c == cats[-1] else f" ({c})") for code, (c, v) in shown
    )
    missing = [code for code, e in ends.items() if not e]
    rate_alt = (
        f"Koko maan työllisyysaste kolmannesvuosittain: {national_words}. "
        + (f"Alueiden viimeisin työllisyysaste ({cats[-1]}), suurimmasta pienimpään: {region_words}. " if shown else "")
        + (f"Ei näytettävää astetta: {', '.join(missing)}. " if missing else "")
        + f"Vertailuarvot {BENCHMARK_VALUES}."
    )
    employment = charts.line_chart(
        cats,
        {"Koko maa": trend["national_rate"], **trend["regional_rate"]},
        title="Työllisyysaste kausittain",
        description=rate_alt,
        y_label="Työllisyysaste",
        percent=True,
        benchmarks=BENCHMARKS,
        highlight=["Koko maa"],
        end_labels=True,
    )
    flow_alt = (
        "; ".join(
            f"{c}: {fiformat.number(a)} uutta asiakasta, {fiformat.number(b)} uutta työsuhdetta, "
            f"{fiformat.number(e)} opinnot aloittanutta"
            for c, a, b, e in zip(
                cats, trend["clients_new"], trend["jobs_started"], trend["education_started"], strict=True
            )
        )
        + "."
    )
    flows = charts.bar_chart(
        cats,
        {
            "Uudet asiakkaat": trend["clients_new"],
            "Uudet työsuhteet": trend["jobs_started"],
            "Opinnot aloittaneet": trend["education_started"],
        },
        title="Uudet asiakkaat, uudet työsuhteet ja opinnot aloittaneet kausittain (koko maa)",
        description=flow_alt,
        y_label="Lukumäärä",
    )
    hidden = f" (kausi ei näy, jos palvelussa olleita on alle {opts.threshold})" if opts.suppress else ""
    return [
        Figure(employment, "Kuvio 1. Työllisyysaste kolmannesvuosittain: koko maa ja alueet", rate_alt),
        text(
            f"Musta viiva: koko maa. Harmaat viivat: alueet, tunnus viivan lopussa{hidden}. "
            f"Katkoviivat: vertailuarvot {BENCHMARK_VALUES}.",
            style="note",
        ),
        Figure(
            flows,
            "Kuvio 2. Uudet asiakkaat, uudet työsuhteet ja opinnot aloittaneet kolmannesvuosittain, koko maa",
            flow_alt,
        ),
    ]


def _last_value(categories: list[str], values: list) -> tuple[str, float] | None:
    """The latest tertiary with a shown rate, and the rate."""
    return next(((c, v) for c, v in zip(reversed(categories), reversed(values), strict=True) if v is not None), None)


def _regions(ctx: dict) -> list:
    t = ctx["tertiary"]
    columns = [Column("Alue", width=14)] + [
        Column(short, sub=f"({m.when})", numeric=True, title=m.label) for m, short in ctx["comparison_columns"]
    ]
    columns.append(Column("Laatu\u00adpisteet /125", numeric=True))
    width = len(ctx["comparison_columns"])
    rows = []
    for s in ctx["sections"]:
        total = _or_dash(s.fidelity["latest"]["total"]) if s.fidelity else fiformat.EMPTY
        if s.has_data:
            values = [cell(show(s.cells[m.column])) for m, _ in ctx["comparison_columns"]]
        else:
            values = [cell("ei seurantatietoja tältä kaudelta", colspan=width, muted=True)]
        rows.append(Row([cell(s.code), *values, cell(total)]))
    if ctx["has_data"]:
        rows.append(
            Row(
                [cell("Koko maa")]
                + [cell(show(ctx["national"][m.column])) for m, _ in ctx["comparison_columns"]]
                + [cell("")],
                total=True,
            )
        )
    blocks: list = [Table(f"Alueiden vertailu {t.label}", columns, rows, compact=True)]
    for i, s in enumerate(ctx["sections"]):
        inner: list = []
        if not s.has_data:
            inner.append(_missing_data(s, t))
        else:
            inner += [key_figures(s, ctx["measures"]), *distributions(s, ctx)]
        inner.append(Section("Laatukriteerit", 4, f"r-{s.code}-f", fidelity_blocks(s.fidelity)))
        blocks.append(Section(f"{s.name} ({s.code})", 3, f"r-{s.code}", inner, new_page=i > 0))
    return blocks


def _quality(ctx: dict) -> list:
    t, q = ctx["tertiary"], ctx["quality"]
    blocks: list = []
    if q["not_reported"]:
        still = "" if t.complete else " – ei vielä tietoja"
        listed: list = [BulletList([f"{r['name']} ({r['code']}){still}" for r in q["not_reported"]])]
    else:
        listed = [text("Kaikki aiemmin raportoineet alueet ovat lähettäneet tiedot tältä kolmannesvuodelta.")]
    blocks.append(Section("Raportoimatta jääneet", 3, "a1-missing", listed))
    files: list = [
        text(
            "Tiedostot, joiden vastaukset koskevat tätä kolmannesvuotta, sekä kauden aikana luetut tiedostot, joista "
            f"ei saatu vastauksia. Tiedostoja {q['files_total']}: luettu {q['files']['loaded']}, kaksoiskappaleita "
            f"{q['files']['duplicate']}, hylätty {q['files']['rejected']}. Hylättyjä vastausrivejä "
            f"{q['rows_rejected']}."
        )
    ]
    if q["rejected_files"]:
        files.append(
            Table(
                "Hylätyt tiedostot",
                [Column("Tiedosto", width=70), Column("Syy")],
                [Row([cell(f["file_name"]), cell(f["reason"])]) for f in q["rejected_files"]],
                row_headers=False,
            )
        )
    if q["per_region"]:
        files.append(
            Table(
                f"Hylätyt rivit ja varoitukset alueittain ja syittäin ({t.label})",
                [
                    Column("Alue", width=14),
                    Column("Syy"),
                    Column("Hylättyjä", numeric=True, width=24),
                    Column("Varoituksia", numeric=True, width=24),
                ],
                [
                    Row(
                        [
                            cell(r["region_code"]),
                            cell(r["label"]),
                            cell(fiformat.number(r["errors"])),
                            cell(fiformat.number(r["warnings"])),
                        ]
                    )
                    for r in q["per_region"]
                ],
                row_headers=False,
            )
        )
    blocks.append(Section("Kauden tiedostot", 3, "a1-files", files))
    return blocks


# --- the regional report ------------------------------------------------------------------------------


def regional_document(ctx: dict) -> Document:
    t: Tertiary = ctx["tertiary"]
    s: RegionSection = ctx["section"]
    opts = ctx["options"]
    as_of = fiformat.fi_date(ctx["as_of"])
    front: list = [
        text(
            f"Kolmannesvuosi {fiformat.date_range(t.start, t.end)} ({t.label}) · Tiedot tilanteessa {as_of} · "
            "Ohjausryhmälle"
        )
    ]
    if t.draft:
        front.append(DraftMark())
    if opts.suppress:
        front.append(text("Pienet luvut on suojattu (merkinnät liitteessä).", style="note"))
    return Document(
        report="regional",
        title=f"{s.name}: IPS-työhönvalmennuksen seuranta",
        meta_title=f"{s.name}: IPS-seurantaraportti {t.label}{' (LUONNOS)' if t.draft else ''}",
        running_title=f"{s.name} – IPS-seuranta {t.label}",
        as_of_text=as_of,
        draft=t.draft,
        front=front,
        front_page=False,
        sections=[
            Section("Avainluvut alueella ja koko maassa", 2, "k", _regional_figures(ctx)),
            Section("Jaksot", 2, "w", _windows(ctx)),
            Section("Laatukriteerit", 2, "f", _regional_fidelity(s)),
            Section(f"Alueen avoimet vastaukset {t.label}", 2, "o", _texts(s)),
            Section("Määritelmät", 2, "m", methods(ctx["measures"], opts.threshold), new_page=True),
        ],
        author=opts.organisation,
        fingerprint=ctx.get("fingerprint", ""),
    )


def _regional_figures(ctx: dict) -> list:
    t, s = ctx["tertiary"], ctx["section"]
    blocks: list = []
    if not s.has_data:
        blocks.append(_missing_data(s, t))
    else:
        blocks += [key_figures(s, ctx["measures"], s.national, f"Avainluvut {t.label}"), *distributions(s, ctx)]
    trend = ctx["trend"]
    if trend:
        alt = (
            "; ".join(
                f"{r['tertiary']}: {fiformat.percent(r['employment_rate'])} (koko maa "
                f"{fiformat.percent(r['national_rate'])})"
                for r in trend
            )
            + "."
        )
        svg = charts.line_chart(
            [r["tertiary"] for r in trend],
            {s.code: [r["employment_rate"] for r in trend], "Koko maa": [r["national_rate"] for r in trend]},
            title=f"Työllisyysaste kausittain: {s.code} ja koko maa",
            description=alt,
            y_label="Työllisyysaste",
            percent=True,
            benchmarks=BENCHMARKS,
            highlight=[s.code, "Koko maa"],
        )
        blocks.append(
            Figure(
                svg,
                f"Työllisyysaste kolmannesvuosittain: {s.code} ja koko maa, vertailuarvot {BENCHMARK_VALUES}",
                f"Alueen {s.code} ja koko maan työllisyysaste kolmannesvuosittain: {alt}",
            )
        )
    return blocks


def _windows(ctx: dict) -> list:
    t, s = ctx["tertiary"], ctx["section"]
    if not s.windows:
        return [text("Ei jaksoja.")]
    columns = [
        Column("Jakso", width=24),
        Column("Kausi"),
        Column("Palvelussa", numeric=True),
        Column("Aktiivisia lopussa", numeric=True),
        Column("Uusia asiakkaita", numeric=True),
        Column("Uusia työsuhteita", numeric=True),
        Column("Työllisyys\u00adaste", numeric=True),
        Column("Kontaktit / htv / vko", numeric=True),
        Column("Vastattu"),
    ]
    rows = [
        Row(
            [
                cell(fiformat.date_range(w["period_start"], w["period_end"])),
                cell(w["tertiary"]),
                *(cell(show(figures[col])) for col in WINDOW_FIGURES),
                cell(fiformat.fi_date(w["submitted_at"])),
            ]
        )
        for w, figures in zip(s.windows, s.window_cells, strict=True)
    ]
    caption = (
        f"Alueen voimassa olevat seurantajaksot kausilta {ctx['windows_since']}–{t.label} "
        "(kaikki jaksot: mart.monitoring_window)"
    )
    return [Table(caption, columns, rows, compact=True)]


def _regional_fidelity(s: RegionSection) -> list:
    blocks = fidelity_blocks(s.fidelity)
    if not s.fidelity:
        return blocks
    blocks.append(
        Table(
            "Kaikki arvioinnit",
            [
                Column("Päivä", width=17),
                Column("Tyyppi", width=25),
                Column("Henkilöstö /15", numeric=True, width=22),
                Column("Järjestäminen /40", numeric=True, width=28),
                Column("Sisältö /70", numeric=True, width=16),
                Column("Yhteensä /125", numeric=True, width=22),
                Column("Taso"),
            ],
            [
                Row(
                    [
                        cell(fiformat.fi_date(a["assessed_on"])),
                        cell(a["assessment_type"]),
                        cell(fiformat.number(a["staffing_score"])),
                        cell(fiformat.number(a["organisation_score"])),
                        cell(fiformat.number(a["services_score"])),
                        cell(fiformat.number(a["total"])),
                        cell(a["level"] or fiformat.EMPTY),
                    ]
                )
                for a in s.fidelity["history"]
            ],
        )
    )
    latest = s.fidelity["latest"]
    if latest.get("text_development_targets"):
        blocks.append(
            Section(
                f"Keskeiset kehittämiskohteet (arviointi {fiformat.fi_date(latest['assessed_on'])})",
                3,
                "f-targets",
                [TextAnswer(latest["text_development_targets"])],
            )
        )
    return blocks


QUESTIONS = (
    ("successes", "Mikä on jakson aikana sujunut hyvin?"),
    ("challenges", "Mitkä ovat olleet jakson keskeiset haasteet?"),
    ("support", "Millaista tukea toivotte THL:ltä?"),
)


def _texts(s: RegionSection) -> list:
    if not s.texts:
        return [text("Ei avoimia vastauksia tältä kolmannesvuodelta.")]
    return [
        Section(
            f"Jakso {fiformat.date_range(x['period_start'], x['period_end'])}",
            3,
            f"o-{i}",
            [
                Section(question, 4, f"o-{i}-{key}", [TextAnswer(x[key] or fiformat.EMPTY)])
                for key, question in QUESTIONS
            ],
        )
        for i, x in enumerate(s.texts, 1)
    ]


def document(ctx: dict) -> Document:
    return funder_document(ctx) if ctx["kind"] == "funder" else regional_document(ctx)
