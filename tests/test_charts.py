"""The report charts: deterministic bytes, valid accessible SVG, Finnish numbers, gaps, rendering in the PDF."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest

from ipsetl.reports.charts import bar_chart, format_number, line_chart

NBSP = "\u00a0"
SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
ROOT = Path(__file__).resolve().parents[1]

CATEGORIES = ["2024-T3", "2025-T1", "2025-T2", "2025-T3", "2026-T1"]
BENCHMARKS = [(0.31, "31 % vähimmäistaso"), (0.41, "41 % keskitaso"), (0.50, "50 % erinomainen")]
RATES = {
    "Koko maa": [0.36, 0.39, 0.41, 0.43, 0.44],
    "PIR": [0.29, None, 0.38, 0.47, 0.52],
    "HUS": [0.40, 0.42, None, 0.39, 0.45],
    "VSS": [None, 0.33, None, 0.36, None],
}
COUNTS = {"Uudet asiakkaat": [820, 950, None, 1200, 1405], "Uudet työsuhteet": [210, 260, None, 0, 420]}

# Written out literally so the subprocess test builds exactly the same chart.
EMPLOYMENT_CALL = (
    "line_chart(['2024-T3', '2025-T1', '2025-T2', '2025-T3', '2026-T1'],"
    " {'Koko maa': [0.36, 0.39, 0.41, 0.43, 0.44], 'PIR': [0.29, None, 0.38, 0.47, 0.52],"
    " 'HUS': [0.40, 0.42, None, 0.39, 0.45], 'VSS': [None, 0.33, None, 0.36, None]},"
    " title='Työllisyysaste kausittain', description='Koko maassa 36 %–44 %.', y_label='Työllisyysaste',"
    " percent=True, benchmarks=[(0.31, '31 % vähimmäistaso'), (0.41, '41 % keskitaso'), (0.50, '50 % erinomainen')],"
    " highlight=['Koko maa', 'PIR'])"
)


def employment_chart(**overrides) -> str:
    args = {
        "title": "Työllisyysaste kausittain",
        "description": "Koko maassa 36 %–44 %.",
        "y_label": "Työllisyysaste",
        "percent": True,
        "benchmarks": BENCHMARKS,
        "highlight": ["Koko maa", "PIR"],
    }
    args.update(overrides)
    return line_chart(CATEGORIES, RATES, **args)


def counts_chart(**overrides) -> str:
    args = {"title": "Uudet asiakkaat ja työsuhteet", "description": "Uusia asiakkaita 820–1 405.", "y_label": "Lkm"}
    args.update(overrides)
    return bar_chart(CATEGORIES, COUNTS, **args)


def low_rates_chart(**overrides) -> str:
    """One series well below the benchmarks: their lines and labels have the upper axis to themselves."""
    args = {"title": "t", "description": "d", "y_label": "y", "percent": True, "benchmarks": BENCHMARKS}
    args.update(overrides)
    return line_chart(CATEGORIES, {"A": [0.1, 0.12, 0.15, 0.14, 0.2]}, **args)


def texts(svg: str) -> list[str]:
    return ["".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG}text")]


def group(svg: str, gid: str) -> ET.Element:
    root = ET.fromstring(svg)
    found = [g for g in root.iter(f"{SVG}g") if g.get("id") == f"{root.get('id')}-{gid}"]
    assert len(found) == 1, gid
    return found[0]


def path_commands(element: ET.Element) -> str:
    """The move/line letters of the first path directly in a series group: "MML" is two pieces."""
    d = element.find(f"{SVG}path").get("d")
    return "".join(re.findall(r"[ML]", d))


def markers(element: ET.Element) -> int:
    return len(list(element.iter(f"{SVG}use")))


# --- determinism --------------------------------------------------------------------------------------------


def test_same_call_gives_same_bytes():
    assert employment_chart() == employment_chart()
    assert counts_chart() == counts_chart()


def test_same_bytes_in_another_process():
    here = hashlib.sha256(employment_chart().encode()).hexdigest()
    code = (
        "import hashlib\nfrom ipsetl.reports.charts import line_chart\n"
        f"print(hashlib.sha256({EMPLOYMENT_CALL}.encode()).hexdigest())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "12345"},  # another seed: nothing may hang on hash()
    )
    assert result.stdout.strip() == here


def test_import_is_cheap():
    code = "import sys, ipsetl.reports.charts\nprint('matplotlib' in sys.modules, 'babel.numbers' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"]


# --- SVG structure ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [employment_chart, counts_chart])
def test_inline_svg_with_title_desc_and_size(make):
    svg = make()
    assert svg.startswith("<svg ") and svg.rstrip().endswith("</svg>")
    assert "<?xml" not in svg and "DOCTYPE" not in svg and "<metadata" not in svg and "<style" not in svg
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("width").endswith("mm") and root.get("height").endswith("mm")
    assert len(root.get("viewBox").split()) == 4
    title_id, desc_id = root.get("aria-labelledby").split()
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert (title.get("id"), desc.get("id")) == (title_id, desc_id)
    assert title.text in {"Työllisyysaste kausittain", "Uudet asiakkaat ja työsuhteet"}
    assert desc.text.startswith(("Koko maassa", "Uusia asiakkaita"))
    # Real text in DejaVu Sans, not glyph outlines.
    assert "font-family: 'DejaVu Sans'" in svg
    assert texts(svg)


def test_size_in_millimetres():
    root = ET.fromstring(employment_chart())
    assert (root.get("width"), root.get("height")) == ("170mm", "80mm")
    root = ET.fromstring(counts_chart(width_mm=120, height_mm=55.5))
    assert (root.get("width"), root.get("height")) == ("120mm", "55.5mm")
    _, _, w, h = (float(v) for v in root.get("viewBox").split())
    assert w == pytest.approx(120 * 72 / 25.4, abs=0.01) and h == pytest.approx(55.5 * 72 / 25.4, abs=0.01)


def test_ids_are_unique_prefixed_and_resolve():
    one, two = employment_chart(), counts_chart()
    ids = []
    for svg in (one, two):
        root = ET.fromstring(svg)
        own = [e.get("id") for e in root.iter() if e.get("id")]
        assert len(own) == len(set(own))
        assert all(i.startswith(root.get("id")) for i in own)
        refs = set(re.findall(r"url\(#([^)]+)\)", svg)) | {
            e.get(XLINK_HREF)[1:] for e in root.iter() if e.get(XLINK_HREF)
        }
        assert refs <= set(own)
        ids += own
    assert len(ids) == len(set(ids)), "two charts on one page share an id"
    # Same data, another title: another id; an explicit id is used as given.
    assert ET.fromstring(employment_chart(title="Toinen")).get("id") != ET.fromstring(one).get("id")
    assert ET.fromstring(employment_chart(chart_id="kuva-2")).get("id") == "kuva-2"
    with pytest.raises(ValueError):
        employment_chart(chart_id="2 bad")


def test_text_is_escaped():
    svg = line_chart(
        ["2025-T1", "2025-T2"],
        {"A & B <c>": [1, 2], "$x$": [2, 1]},
        title="Asiakkaat & <työ>",
        description='"lainaus" & <tagi>',
        y_label="Lkm & muut",
    )
    root = ET.fromstring(svg)
    assert root.find(f"{SVG}title").text == "Asiakkaat & <työ>"
    assert root.find(f"{SVG}desc").text == '"lainaus" & <tagi>'
    assert {"A & B <c>", "$x$", "Lkm & muut"} <= set(texts(svg))


# --- Finnish numbers ----------------------------------------------------------------------------------------


def test_format_number():
    assert format_number(0.41, percent=True) == f"41{NBSP}%"
    assert format_number(0.025, percent=True) == f"2,5{NBSP}%"
    assert format_number(0.30000000000000004, percent=True) == f"30{NBSP}%"
    assert format_number(1200) == f"1{NBSP}200"
    assert format_number(1234567.5) == f"1{NBSP}234{NBSP}567,5"
    assert format_number(0.25) == "0,25"
    assert format_number(-0.0) == "0"
    assert format_number(-1500) == f"\u22121{NBSP}500"


def test_decimal_and_nan_inputs():
    from decimal import Decimal

    svg = line_chart(
        ["2025-T1", "2025-T2", "2025-T3"],
        {"A": [Decimal("0.41"), float("nan"), 0.5]},
        title="t",
        description="d",
        y_label="y",
        percent=True,
        highlight=["A"],
    )
    assert path_commands(group(svg, "series-0")) == "MM"


def test_percent_ticks_are_finnish():
    labels = texts(employment_chart())
    assert f"40{NBSP}%" in labels and f"0{NBSP}%" in labels
    assert not [t for t in labels if re.fullmatch(r"0\.\d+", t)]


def test_count_ticks_and_labels_are_finnish():
    labels = texts(counts_chart(value_labels=True))
    assert f"1{NBSP}000" in labels  # tick
    assert f"1{NBSP}200" in labels and f"1{NBSP}405" in labels  # value labels
    assert not [t for t in labels if re.fullmatch(r"\d{4,}", t)]
    decimals = texts(line_chart(["2025-T1", "2025-T2"], {"A": [0.2, 0.9]}, title="t", description="d", y_label="y"))
    assert "0,2" in decimals and "0.2" not in decimals


# --- gaps, edge cases ---------------------------------------------------------------------------------------


def test_gaps_break_lines_and_do_not_plot_as_zero():
    svg = employment_chart()
    # PIR (series 1, highlighted): 0.29, gap, three values → a lone point and a three-point line.
    pir = group(svg, "series-1")
    assert path_commands(pir) == "MMLL"
    assert markers(pir) == 4
    # VSS (context): two lone points, each shown as a marker; no line at all.
    vss = group(svg, "series-3")
    assert path_commands(vss) == "MM"
    assert markers(vss) == 2
    # HUS (context): a gap in the middle, and no markers where the line shows the points.
    hus = group(svg, "series-2")
    assert path_commands(hus) == "MLML"
    assert markers(hus) == 0


def test_bar_gaps_are_not_bars():
    svg = counts_chart()
    root = ET.fromstring(svg)
    bars = sorted(
        g.get("id").removeprefix(root.get("id") + "-") for g in root.iter(f"{SVG}g") if "-bars-" in g.get("id", "")
    )
    # Category 2 is None in both series: no bar. The zero (series 1, category 3) is a flat bar.
    assert bars == ["bars-0-0", "bars-0-1", "bars-0-3", "bars-0-4", "bars-1-0", "bars-1-1", "bars-1-3", "bars-1-4"]


def test_series_all_none():
    svg = line_chart(
        CATEGORIES,
        {"Koko maa": [0.4] * 5, "KES": [None] * 5},
        title="t",
        description="d",
        y_label="y",
        percent=True,
        highlight=["Koko maa", "KES"],
    )
    assert markers(group(svg, "series-1")) == 0
    only_none = line_chart(CATEGORIES, {"KES": [None] * 5}, title="t", description="d", y_label="y", percent=True)
    assert f"0{NBSP}%" in texts(only_none)
    ET.fromstring(bar_chart(CATEGORIES, {"A": [None] * 5}, title="t", description="d", y_label="y"))


def test_single_category():
    svg = line_chart(
        ["2025-T1"],
        {"Koko maa": [0.41], "PIR": [None]},
        title="t",
        description="d",
        y_label="y",
        percent=True,
        benchmarks=BENCHMARKS,
        highlight=["Koko maa"],
    )
    assert markers(group(svg, "series-0")) == 1
    assert "2025-T1" in texts(svg)
    assert "2025-T1" in texts(bar_chart(["2025-T1"], {"A": [3], "B": [5]}, title="t", description="d", y_label="y"))


def test_benchmarks_labelled_and_in_range():
    svg = low_rates_chart()
    labels = texts(svg)
    assert {label for _, label in BENCHMARKS} <= set(labels)
    ticks = [float(t.split(NBSP)[0].replace(",", ".")) for t in labels if t.endswith(f"{NBSP}%") and " " not in t]
    assert max(ticks) >= 50
    for j in range(3):
        assert "stroke-dasharray" in group(svg, f"benchmark-{j}").find(f"{SVG}path").get("style")


def test_thirteen_series_without_highlight_differ_without_colour():
    regions = ["Koko maa", "PIR", "HUS", "VSS", "KES", "POP", "LAP", "SAT", "KAN", "EKS", "PSH", "KYM", "POH"]
    data = {r: [i * 10 + c for c in range(len(CATEGORIES))] for i, r in enumerate(regions)}
    svg = line_chart(CATEGORIES, data, title="t", description="d", y_label="Lähetteet")
    looks = set()
    for i in range(13):
        g = group(svg, f"series-{i}")
        style = g.find(f"{SVG}path").get("style")
        dash = re.search(r"stroke-dasharray: ([^;]+)", style)
        marker = g.find(f".//{SVG}defs/{SVG}path").get("d")
        looks.add((dash.group(1) if dash else "solid", marker))
    assert len(looks) == 13, "series must differ by dash pattern and marker, not only by grey"
    assert set(regions) <= set(texts(svg))  # legend


def test_highlight_keeps_context_out_of_legend():
    regions = ["Koko maa", "PIR", "HUS", "VSS", "KES", "POP", "LAP", "SAT", "KAN", "EKS", "PSH", "KYM", "POH"]
    data = {r: [0.3 + 0.01 * i] * len(CATEGORIES) for i, r in enumerate(regions)}
    svg = line_chart(
        CATEGORIES, data, title="t", description="d", y_label="y", percent=True, highlight=["Koko maa", "PIR"]
    )
    labels = set(texts(svg))
    assert {"Koko maa", "PIR"} <= labels and not labels & set(regions[2:])
    assert "stroke-width: 2.4" in group(svg, "series-0").find(f"{SVG}path").get("style")
    assert "stroke-dasharray" in group(svg, "series-1").find(f"{SVG}path").get("style")
    assert "#c2c2c2" in group(svg, "series-5").find(f"{SVG}path").get("style")
    with_context = line_chart(
        CATEGORIES, data, title="t", description="d", y_label="y", highlight=["PIR"], context_label="Muut alueet"
    )
    assert "Muut alueet" in texts(with_context)


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="values for"):
        line_chart(CATEGORIES, {"A": [1, 2]}, title="t", description="d", y_label="y")
    with pytest.raises(ValueError, match="unknown"):
        line_chart(CATEGORIES, RATES, title="t", description="d", y_label="y", highlight=["XYZ"])
    with pytest.raises(ValueError):
        bar_chart([], {}, title="t", description="d", y_label="y")


# --- in the PDF (Typst) ---------------------------------------------------------------------------------


def test_renders_in_the_pdf_as_text_and_lines():
    """The charts go into the PDF as the SVG the HTML shows: drawn (dark lines on white), their
    labels kept as text a reader can copy, their description the figure's alternative text."""
    import pypdfium2

    from ipsetl.reports import model, typst_pdf

    doc = model.Document(
        report="funder",
        title="Kehitys kausittain",
        meta_title="Kaaviot",
        running_title="Kaaviot",
        as_of_text="26.11.2026",
        draft=False,
        front=[],
        front_page=False,
        sections=[
            model.Section(
                "Kehitys kausittain",
                2,
                "s2",
                [
                    model.Figure(employment_chart(), "Kuvio 1", "Työllisyysaste kausittain, koko maa ja alueet."),
                    model.Figure(counts_chart(value_labels=True), "Kuvio 2", "Uudet asiakkaat kausittain."),
                ],
            )
        ],
        author="THL",
    )
    pdf = typst_pdf.pdf_bytes(doc, date(2026, 11, 26))
    document = pypdfium2.PdfDocument(pdf)
    pixels = document[0].render(scale=1, grayscale=True).to_numpy()
    assert pixels.min() < 40 and pixels.max() > 240  # black lines and text on white paper
    page_text = document[0].get_textpage().get_text_range()
    assert "2025-T1" in page_text and "50 % erinomainen" in page_text


# --- layout the charts decide themselves --------------------------------------------------------------------

SIN45 = 0.5**0.5
REGIONS = ["Koko maa", "PIR", "HUS", "VSS", "KES", "POP", "LAP", "SAT", "KAN", "EKS", "PSH", "KYM", "POH"]
SIXTEEN = [f"{y}-T{t}" for y in range(2021, 2027) for t in (1, 2, 3)][:16]


def placed_texts(svg: str) -> list[tuple[str, float, float, float, str, str | None]]:
    """(label, x, y, font size, text-anchor, transform) of every text, size and anchor inherited from groups."""
    out = []

    def walk(element: ET.Element, size: float, anchor: str) -> None:
        size = float(element.get("font-size", size))
        anchor = element.get("text-anchor", anchor)
        if element.tag == f"{SVG}text":
            x, y = float(element.get("x")), float(element.get("y"))
            out.append(("".join(element.itertext()), x, y, size, anchor, element.get("transform")))
        for child in element:
            walk(child, size, anchor)

    walk(ET.fromstring(svg), 16.0, "start")
    return out


def view_size(svg: str) -> tuple[float, float]:
    _, _, w, h = (float(v) for v in ET.fromstring(svg).get("viewBox").split())
    return w, h


def width(text: str, size: float) -> float:
    from ipsetl.reports.charts import _text_width

    return _text_width(text, size)


def numbers(d: str) -> list[float]:
    return [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", d)]


def root_path(svg: str, stroke: str) -> str:
    """The d of the chart-level path drawn in ``stroke`` (the grid, or the spines with the tick marks)."""
    found = [p.get("d") for p in ET.fromstring(svg).findall(f"{SVG}path") if p.get("stroke") == stroke]
    assert len(found) == 1, stroke
    return found[0]


def test_text_widths_come_from_dejavu_sans(monkeypatch):
    from ipsetl.reports import charts

    if charts._advances() is None:
        pytest.skip("DejaVu Sans not installed: widths are estimated")
    from fontTools.ttLib import TTFont

    with TTFont(charts._font_file()) as font:
        cmap, hmtx, upem = font.getBestCmap(), font["hmtx"], font["head"].unitsPerEm
        for text in ["2021-T3", f"31{NBSP}% vähimmäistaso", "Työllisyysaste", "WWW iii"]:
            advance = sum(hmtx[cmap[ord(ch)]][0] for ch in text) / upem * 8
            assert width(text, 8) == pytest.approx(advance, rel=0.03)
    # Without the font a glyph counts 0.6 em, and the charts still lay out.
    monkeypatch.setattr(charts, "_advances", lambda: None)
    charts._text_width.cache_clear()
    try:
        assert charts._text_width("abcd", 10) == pytest.approx(24)
        assert "50 % erinomainen" in texts(employment_chart())
    finally:
        charts._text_width.cache_clear()


@pytest.mark.parametrize(
    "marks",
    [
        BENCHMARKS,
        [(0.40, "40 % a"), (0.41, "41 % keskitaso"), (0.42, "42 % c"), (0.50, "50 % erinomainen"), (0.52, "52 %")],
        [(0.0, "nolla"), (0.004, "puoli"), (0.008, "yksi")],  # crowded at the bottom of the axis
        [(0.99, "a"), (0.995, "b"), (1.0, "ylin")],  # crowded at the top
    ],
)
def test_benchmark_labels_never_overlap_and_stay_inside(marks):
    svg = low_rates_chart(benchmarks=marks, highlight=["A"])
    w, h = view_size(svg)
    by_label = {t[0]: t for t in placed_texts(svg)}
    placed = [by_label[label] for _, label in sorted(marks, reverse=True)]  # highest benchmark first
    for label, x, y, size, anchor, _ in placed:
        assert anchor == "start" and 0 < x and x + width(label, size) <= w, label
        assert y - 0.8 * size >= 0 and y + 0.25 * size <= h, label
    ys = [y for _, _, y, _, _, _ in placed]
    assert all(b - a >= placed[0][3] for a, b in zip(ys, ys[1:], strict=False)), "labels overlap or swap order"


def test_benchmark_labels_sit_on_their_lines_when_there_is_room():
    svg = employment_chart()  # 31, 41 and 50 % on a 0–60 % axis: far enough apart
    by_label = {t[0]: t for t in placed_texts(svg)}
    for j, (_, label) in enumerate(BENCHMARKS):
        line = numbers(group(svg, f"benchmark-{j}").find(f"{SVG}path").get("d"))
        _, x, y, size, _, _ = by_label[label]
        assert abs((y - 0.3645 * size) - line[1]) < 0.5  # the label's digit height centred on the line
        assert x > line[2]  # right of the line's end


# --- end labels: each context series named at its line's end ------------------------------------------------

NATIONAL = ["HEL", "PIR", "VSS", "KES", "POP", "LAP", "SAT", "KAN", "EKS", "PSH", "KYM"]
NATIONAL += ["POH", "KAI", "ESA", "ETP", "ITU", "KHA", "LUU", "PKA", "PPM", "VAR", "VAK"]  # 22 regions


def funder_chart(regions: dict[str, list], categories: list[str] = SIXTEEN, **overrides) -> str:
    """The funder report's trend chart: the national rate highlighted, the regions named at their ends."""
    national = [0.33 + 0.006 * c for c in range(len(categories))]
    args = {
        "title": "Työllisyysaste kausittain",
        "description": "d",
        "y_label": "Työllisyysaste",
        "percent": True,
        "benchmarks": BENCHMARKS,
        "highlight": ["Koko maa"],
        "end_labels": True,
    }
    args.update(overrides)
    return line_chart(categories, {"Koko maa": national, **regions}, **args)


def crowded(count: int) -> dict[str, list]:
    """``count`` regions all ending at 40–42 %, around the 41 % benchmark."""
    names = NATIONAL if count <= len(NATIONAL) else [f"R{k:02d}" for k in range(count)]
    return {
        name: [0.3 + 0.005 * c + 0.01 * (k % 3) for c in range(15)] + [0.40 + 0.02 * k / (count - 1)]
        for k, name in enumerate(names[:count])
    }


def boxes_overlap(a: tuple, b: tuple) -> bool:
    """Two unturned, start-anchored texts' boxes (advance width, ascender 0,8 em, descender 0,25 em)."""
    (la, xa, ya, sa, _, _), (lb, xb, yb, sb, _, _) = a, b
    across = xa < xb + width(lb, sb) and xb < xa + width(la, sa)
    down = ya - 0.8 * sa < yb + 0.25 * sb and yb - 0.8 * sb < ya + 0.25 * sa
    return across and down


def end_leaders(svg: str) -> list[list[float]]:
    root = ET.fromstring(svg)
    found = [p for p in root.iter(f"{SVG}path") if p.get("id") == f"{root.get('id')}-end-leaders"]
    assert len(found) == 1
    return [numbers(piece) for piece in found[0].get("d").split("M ")[1:]]


def test_crowded_labels_are_centred_on_their_wishes():
    from ipsetl.reports.charts import _spread

    assert _spread([50.0, 50.0, 50.0], 10.0, 0.0, 100.0) == [40.0, 50.0, 60.0]  # not all pushed above
    assert _spread([10.0, 50.0, 52.0, 90.0], 10.0, 0.0, 100.0) == [10.0, 46.0, 56.0, 90.0]  # only the run moves
    assert _spread([1.0, 2.0, 99.0, 99.0], 10.0, 0.0, 100.0) == [0.0, 10.0, 90.0, 100.0]  # within the bounds
    assert _spread([5.0] * 3, 60.0, 0.0, 100.0) == [0.0, 50.0, 100.0]  # too many: evenly over the room


def test_end_labels_name_each_context_series_and_keep_the_legend():
    regions = {
        code: [0.25 + 0.02 * k + 0.004 * c for c in range(len(CATEGORIES))] for k, code in enumerate(NATIONAL[:12])
    }
    svg = funder_chart(regions, categories=CATEGORIES)
    labels = texts(svg)
    for code in regions:
        assert labels.count(code) == 1, code
    # "Koko maa" is highlighted: in the legend above the plot (once), not at the line's end.
    assert labels.count("Koko maa") == 1
    left, top, *_ = numbers(root_path(svg, "#000000"))
    _, x, y, *_ = next(t for t in placed_texts(svg) if t[0] == "Koko maa")
    assert y < top and x < left
    assert len(end_leaders(svg)) == len(regions)
    # Off by default: the context series stay unnamed.
    assert not set(texts(funder_chart(regions, categories=CATEGORIES, end_labels=False))) & set(regions)


@pytest.mark.parametrize("count", [12, 22])
def test_end_labels_never_overlap_and_stay_inside(count):
    regions = crowded(count)
    svg = funder_chart(regions)
    w, h = view_size(svg)
    spine = numbers(root_path(svg, "#000000"))
    plot_right = spine[3]
    placed = placed_texts(svg)
    column = [t for t in placed if t[0] in regions or t[0] in {label for _, label in BENCHMARKS}]
    assert len(column) == count + len(BENCHMARKS)
    for label, x, y, size, anchor, transform in column:
        assert anchor == "start" and transform is None, label
        assert x > plot_right and x + width(label, size) <= w, label  # right of the plot, inside the chart
        assert y - 0.8 * size >= 0 and y + 0.25 * size <= h, label
    # no label covers another, nor the legend or a tick label (the turned x labels lie under the plot)
    flat = [t for t in placed if t[5] is None]
    for a in column:
        for b in flat:
            assert b is a or not boxes_overlap(a, b), (a[0], b[0])
    # top to bottom in the order of the values they name (so no two leaders cross)
    by_height = [t[0] for t in sorted(column, key=lambda t: t[2])]
    values = {code: v[-1] for code, v in regions.items()} | {label: v for v, label in BENCHMARKS}
    assert by_height == sorted(values, key=lambda label: -values[label])
    # each leader runs from right of its series' last point to the left of its label, ending level there
    by_label = {t[0]: t for t in column}
    for k, code in enumerate(regions):
        last = numbers(group(svg, f"series-{k + 1}").find(f"{SVG}path").get("d"))[-2:]
        leader = next(
            piece for piece in end_leaders(svg) if piece[:2] == pytest.approx([last[0] + 2, last[1]], abs=0.01)
        )
        _, x, y, size, _, _ = by_label[code]
        assert leader[-1] == pytest.approx(x - 1, abs=0.01)  # "H x": its end
        assert leader[-2] == pytest.approx(y - 0.3645 * size, abs=0.02)  # at the label's digit-height middle


def test_end_labels_shrink_only_when_even_packed_they_would_not_fit():
    assert {t[3] for t in placed_texts(funder_chart(crowded(22))) if t[0] in NATIONAL} == {7.5}
    regions = crowded(30)
    svg = funder_chart(regions)
    column = [t for t in placed_texts(svg) if t[0] in regions]
    assert len(column) == 30 and column[0][3] < 7.5
    for k, a in enumerate(column):
        assert not any(boxes_overlap(a, b) for b in column[k + 1 :]), a[0]


def test_end_label_of_a_series_ending_early_sits_at_its_last_point():
    regions = {"HEL": [0.45, 0.46, 0.47, 0.48, 0.5], "VSS": [0.2, 0.25, 0.27, None, None], "KES": [None] * 5}
    svg = funder_chart(regions, categories=CATEGORIES)
    labels = texts(svg)
    assert "VSS" in labels and "KES" not in labels  # a series without any value: nothing to name
    last_x, last_y = numbers(group(svg, "series-2").find(f"{SVG}path").get("d"))[-2:]  # 0.27 in 2025-T2
    _, x, y, size, _, _ = next(t for t in placed_texts(svg) if t[0] == "VSS")
    assert abs((y - 0.3645 * size) - last_y) < 0.5  # room enough: at its own height
    assert x > numbers(root_path(svg, "#000000"))[3]  # in the column right of the plot, like the others
    leader = next(piece for piece in end_leaders(svg) if piece[0] == pytest.approx(last_x + 2, abs=0.01))
    assert leader[1] == pytest.approx(last_y, abs=0.01)


def test_end_labels_narrow_the_plot_only_as_much_as_their_widest():
    regions = {"HEL": [0.45] * 5, "Pohjois-Pohjanmaan hyvinvointialue": [0.2] * 5}
    wide = funder_chart(regions, categories=CATEGORIES, benchmarks=[])
    w, _ = view_size(wide)
    label = "Pohjois-Pohjanmaan hyvinvointialue"
    _, x, _, size, _, _ = next(t for t in placed_texts(wide) if t[0] == label)
    assert x + width(label, size) <= w
    narrow_right = numbers(root_path(wide, "#000000"))[3]
    short_right = numbers(
        root_path(funder_chart({"HEL": [0.45] * 5}, categories=CATEGORIES, benchmarks=[]), "#000000")
    )[3]
    assert narrow_right < short_right - 100


def test_end_labels_are_deterministic_and_small():
    one = funder_chart(crowded(22))
    assert one == funder_chart(crowded(22))
    plain = funder_chart(crowded(22), end_labels=False)
    assert ET.fromstring(one).get("id") != ET.fromstring(plain).get("id")
    # one text a name and one path for all their leaders (and the benchmark labels, now moved, their leaders)
    assert len([t for t in texts(one) if t in NATIONAL]) == 22
    added = len(list(ET.fromstring(one).iter())) - len(list(ET.fromstring(plain).iter()))
    assert added <= 22 + 1 + len(BENCHMARKS)


def test_x_labels_turn_when_they_do_not_fit_side_by_side():
    svg = line_chart(
        SIXTEEN,
        {"PIR": [0.3 + 0.01 * i for i in range(16)]},
        title="t",
        description="d",
        y_label="y",
        percent=True,
        benchmarks=BENCHMARKS,
        highlight=["PIR"],
    )
    w, h = view_size(svg)
    labels = [t for t in placed_texts(svg) if t[0] in SIXTEEN]
    assert [t[0] for t in labels] == SIXTEEN
    for label, x, y, size, anchor, transform in labels:
        assert anchor == "end" and transform.startswith("rotate(-45 "), label
        reach = width(label, size) * SIN45
        assert x - reach - 0.8 * size * SIN45 >= 0 and y + reach + 0.25 * size * SIN45 <= h, label
    # Five fit side by side: centred under their ticks, not turned, not touching.
    flat = [t for t in placed_texts(employment_chart()) if t[0] in CATEGORIES]
    assert all(t[4] == "middle" and t[5] is None for t in flat)
    for a, b in zip(flat, flat[1:], strict=False):
        assert a[1] + width(a[0], a[3]) / 2 < b[1] - width(b[0], b[3]) / 2


def test_too_many_categories_label_every_kth_from_the_latest():
    cats = [f"{2000 + i // 3}-T{i % 3 + 1}" for i in range(60)]
    svg = bar_chart(cats, {"A": list(range(60))}, title="t", description="d", y_label="y", width_mm=120)
    shown = [t for t in placed_texts(svg) if t[0] in cats]
    assert shown[-1][0] == cats[-1] and 1 < len(shown) < len(cats)
    # parallel turned labels: their distance across is the ticks' distance × sin 45°
    assert all((b[1] - a[1]) * SIN45 >= 0.99 * a[3] for a, b in zip(shown, shown[1:], strict=False))


def test_legend_wraps_into_rows_in_series_order():
    data = {r: [i * 10 + c for c in range(len(CATEGORIES))] for i, r in enumerate(REGIONS)}

    def legend(svg: str) -> list:
        return [t for t in placed_texts(svg) if t[0] in REGIONS]

    svg = line_chart(CATEGORIES, data, title="t", description="d", y_label="y")
    w, _ = view_size(svg)
    entries = legend(svg)
    rows = sorted({round(t[2], 2) for t in entries})
    assert len(rows) >= 2
    assert [t[0] for t in sorted(entries, key=lambda t: (round(t[2], 2), t[1]))] == REGIONS  # row by row
    for row in rows:
        in_row = sorted((t for t in entries if round(t[2], 2) == row), key=lambda t: t[1])
        for a, b in zip(in_row, in_row[1:], strict=False):
            assert a[1] + width(a[0], a[3]) < b[1], "legend entries overlap"
        assert in_row[-1][1] + width(in_row[-1][0], in_row[-1][3]) <= w
    # A narrower chart takes more rows; the legend stays above the plot (above the top y tick label).
    narrow = line_chart(CATEGORIES, data, title="t", description="d", y_label="y", width_mm=90)
    assert len({round(t[2], 2) for t in legend(narrow)}) > len(rows)
    top_tick = min(t[2] for t in placed_texts(svg) if t[4] == "end" and t[5] is None)  # y tick labels
    assert max(rows) < top_tick - 8
    # Two entries: one row.
    assert len({t[2] for t in placed_texts(employment_chart()) if t[0] in {"Koko maa", "PIR"}}) == 1


def test_y_ticks_are_nice_with_the_axis_ending_at_a_tick():
    def ticks(svg: str) -> list[str]:
        return [t[0] for t in placed_texts(svg) if t[4] == "end" and t[5] is None]

    assert ticks(employment_chart()) == [f"{v}{NBSP}%" for v in (0, 20, 40, 60)]
    assert ticks(counts_chart()) == ["0", "500", f"1{NBSP}000", f"1{NBSP}500"]
    # Headroom: a maximum on a tick gets the next tick above it.
    at_tick = line_chart(["a", "b"], {"A": [0.2, 0.6]}, title="t", description="d", y_label="y", percent=True)
    assert ticks(at_tick)[-1] == f"80{NBSP}%"
    assert ticks(line_chart(["a", "b"], {"A": [3, 7]}, title="t", description="d", y_label="y")) == [
        "0", "2", "4", "6", "8"
    ]  # fmt: skip
    # The y axis (spine) starts at the top tick's grid line.
    svg = employment_chart()
    grid_top = min(numbers(root_path(svg, "#e3e3e3"))[1::3])
    spine_top = numbers(root_path(svg, "#000000"))[1]
    assert grid_top == pytest.approx(spine_top, abs=0.01)


def test_bars_zero_is_flat_and_value_labels_sit_above():
    svg = counts_chart(value_labels=True)
    base_and_tops = {}
    for gid in ["bars-0-0", "bars-0-4", "bars-1-3", "bars-1-4"]:
        x0, base, top, x1, _ = numbers(group(svg, gid).find(f"{SVG}path").get("d"))
        base_and_tops[gid] = (x0, x1, base, top)
    assert base_and_tops["bars-1-3"][2] == base_and_tops["bars-1-3"][3]  # zero: a flat bar
    by_label = {t[0]: t for t in placed_texts(svg)}
    for gid, value in [("bars-0-0", 820), ("bars-0-4", 1405), ("bars-1-4", 420)]:
        x0, x1, _, top = base_and_tops[gid]
        _, x, y, _, anchor, _ = by_label[format_number(value)]
        assert anchor == "middle" and x == pytest.approx((x0 + x1) / 2, abs=0.02) and y < top


def test_svg_stays_small():
    svg = employment_chart()
    root = ET.fromstring(svg)
    assert len(list(root.iter())) < 80
    for i in range(len(RATES)):
        assert len(group(svg, f"series-{i}").findall(f"{SVG}path")) <= 1  # one path a series line
    styled = [e for e in root.iter() if e.get("style")]
    # the lines' styles (tests and CSS read them) and the one text group's font
    assert len(styled) == len(RATES) + len(BENCHMARKS) + 1


def test_infinite_values_are_refused():
    with pytest.raises(ValueError, match="infinite"):
        line_chart(["2025-T1", "2025-T2"], {"A": [1, float("inf")]}, title="t", description="d", y_label="y")
    with pytest.raises(ValueError, match="finite"):
        line_chart(["2025-T1"], {"A": [0.4]}, title="t", description="d", y_label="y", benchmarks=[(float("nan"), "x")])
