"""The report charts: deterministic bytes, valid accessible SVG, Finnish numbers, gaps, WeasyPrint rendering."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
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
    svg = line_chart(
        CATEGORIES,
        {"A": [0.1, 0.12, 0.15, 0.14, 0.2]},
        title="t",
        description="d",
        y_label="y",
        percent=True,
        benchmarks=BENCHMARKS,
    )
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


# --- WeasyPrint ---------------------------------------------------------------------------------------------


def test_renders_in_weasyprint(tmp_path):
    from weasyprint import HTML

    html = (
        "<html><head><style>@page { size: A4; margin: 20mm } body { margin: 0; font-family: 'DejaVu Sans' }"
        "</style></head><body><h2>Kehitys kausittain</h2>"
        f"<figure style='margin: 0'>{employment_chart()}</figure>"
        f"<figure style='margin: 0'>{counts_chart(value_labels=True)}</figure></body></html>"
    )
    pdf = HTML(string=html).write_pdf()
    assert pdf.startswith(b"%PDF")
    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm not installed: PDF made, page not rasterised")
    (tmp_path / "charts.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "60", "-gray", "-png", "-singlefile", "charts.pdf", "page"], cwd=tmp_path, check=True
    )
    from PIL import Image

    with Image.open(tmp_path / "page.png") as page:
        low, high = page.convert("L").getextrema()
    assert low < 40 and high > 240  # black lines and text on white paper
