"""Report charts as inline SVG: Finnish number formats, greyscale-safe styles, byte-for-byte deterministic.

Each function returns one ``<svg …>…</svg>`` string (no XML declaration, no DOCTYPE) to drop into the
report HTML that WeasyPrint renders. The root carries its printed size in millimetres (``width="170mm"``
with a viewBox in points, so one point in the chart is one point on paper), ``role="img"`` and
``aria-labelledby`` pointing at its ``<title>`` and ``<desc>``. Text stays text (``svg.fonttype = none``)
in DejaVu Sans, the font the PDFs use.

Determinism: matplotlib's hashed ids are salted with a constant, the date and creator metadata are left
out, and every id in the SVG is prefixed with the chart's id (``chart_id``, or one derived from a hash of
all the inputs), so two charts in one HTML page never share an id. Ids matplotlib writes that nothing
refers to are dropped; the series keep theirs (``<chart_id>-series-0`` …) so tests and CSS can find them.

matplotlib is imported inside the functions, so importing this module is cheap. Figures are built with
``matplotlib.figure.Figure`` and never registered with pyplot: no backend is switched, nothing global is
left open, and the figure is freed with its last reference (matplotlib's advice for servers).
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import re
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

__all__ = ["bar_chart", "line_chart"]

FONT_FAMILY = "DejaVu Sans"
NBSP = "\u00a0"
MM_PER_INCH = 25.4
PT_PER_MM = 72 / MM_PER_INCH

_TICK_PT = 8.0
_LABEL_PT = 8.5
_LEGEND_PT = 8.0
_BENCHMARK_PT = 7.5
_VALUE_PT = 6.5

# Highlighted series: thick, black / dark grey, each with its own dash pattern and marker.
_HIGHLIGHT_STYLES = [
    {"color": "#000000", "linestyle": "solid", "linewidth": 2.4, "marker": "o", "markersize": 5.0},
    {"color": "#4d4d4d", "linestyle": (0, (4, 1.5)), "linewidth": 2.0, "marker": "s", "markersize": 4.6},
    {"color": "#000000", "linestyle": (0, (1, 1.2)), "linewidth": 2.0, "marker": "^", "markersize": 5.4},
    {"color": "#4d4d4d", "linestyle": (0, (5, 1.5, 1, 1.5)), "linewidth": 2.0, "marker": "D", "markersize": 4.4},
]
_CONTEXT_COLOR = "#c2c2c2"
# No highlight: every series gets a dash pattern, a marker and a grey, cycling with coprime lengths
# (5 × 7 × 3), so the first 105 series are all different without looking at colour at all.
_DASHES = ["solid", (0, (5, 2)), (0, (1, 1.5)), (0, (6, 2, 1.5, 2)), (0, (2.5, 1.5))]
_MARKERS = ["o", "s", "^", "D", "v", "P", "X"]
_GREYS = ["#000000", "#555555", "#8a8a8a"]
# Bars: black, mid grey, then white or light grey with hatches.
_BAR_FILLS = [
    ("#000000", ""),
    ("#8c8c8c", ""),
    ("#ffffff", "////"),
    ("#ffffff", "xxx"),
    ("#d9d9d9", "...."),
    ("#ffffff", "\\\\\\\\"),
    ("#ffffff", "---"),
]
_BENCHMARK_COLOR = "#595959"
_GRID_COLOR = "#e3e3e3"

_ID_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


# --- Finnish numbers --------------------------------------------------------------------------------------


def format_number(value: float, *, percent: bool = False) -> str:
    """Finnish axis number: decimal comma, U+00A0 thousands, at most two decimals, "41 %" for fractions.

    Tick values are already round, so Babel's rounding is never reached for them; figures in tables use
    the report's own half-up rounding instead.
    """
    from babel.numbers import format_decimal

    shown = value * 100 if percent else value
    shown = round(shown, 6)
    if abs(shown) < 1e-9:
        shown = 0.0
    text = format_decimal(shown, format="#,##0.##", locale="fi")
    # Whatever the CLDR version groups with, the report uses U+00A0; a minus is U+2212 (as fiformat).
    text = text.replace("\u202f", NBSP).replace(" ", NBSP).replace("-", "\u2212")
    return f"{text}{NBSP}%" if percent else text


# --- inputs -------------------------------------------------------------------------------------------------


def _clean_series(categories: list[str], series: dict[str, list[float | None]]) -> dict[str, list[float]]:
    """Series as floats with NaN for gaps (None or NaN); lengths must match the categories."""
    if not categories:
        raise ValueError("a chart needs at least one category")
    cleaned: dict[str, list[float]] = {}
    for label, values in series.items():
        values = list(values)
        if len(values) != len(categories):
            raise ValueError(f"series {label!r} has {len(values)} values for {len(categories)} categories")
        row = []
        for v in values:
            if v is None or type(v).__name__ in {"NAType", "NaTType"}:  # pandas' missing values too
                row.append(math.nan)
            else:
                row.append(float(v))  # int, float, Decimal, numpy; NaN stays NaN (a gap)
        cleaned[str(label)] = row
    return cleaned


def _chart_id(chart_id: str | None, kind: str, payload: dict) -> str:
    if chart_id is not None:
        if not _ID_RE.match(chart_id):
            raise ValueError(f"chart_id {chart_id!r} is not a valid XML id")
        return chart_id
    digest = hashlib.sha256(json.dumps([kind, payload], sort_keys=True, ensure_ascii=True).encode()).hexdigest()
    return f"chart-{digest[:12]}"


def _finite(rows: dict[str, list[float]]) -> list[float]:
    return [v for row in rows.values() for v in row if not math.isnan(v)]


def _all_integers(values: list[float]) -> bool:
    return all(float(v).is_integer() for v in values)


# --- matplotlib set-up ------------------------------------------------------------------------------------


def _rc() -> dict:
    return {
        "svg.fonttype": "none",
        "svg.hashsalt": "ipsetl-charts",
        "svg.image_inline": True,
        "font.family": "sans-serif",
        "font.sans-serif": [FONT_FAMILY],
        "font.size": _TICK_PT,
        "text.parse_math": False,
        "axes.unicode_minus": True,
        "axes.linewidth": 0.6,
        "axes.edgecolor": "#000000",
        "xtick.major.width": 0.6,
        "ytick.major.width": 0.6,
        "xtick.major.size": 3,
        "ytick.major.size": 0,
        "xtick.color": "#000000",
        "ytick.color": "#000000",
        "hatch.linewidth": 0.6,
        "hatch.color": "#000000",
        "legend.frameon": False,
        "path.simplify": False,
        "lines.solid_capstyle": "butt",
        "lines.dash_capstyle": "butt",
    }


def _new_figure(width_mm: float, height_mm: float):
    from matplotlib.figure import Figure

    if width_mm <= 0 or height_mm <= 0:
        raise ValueError("chart size must be positive")
    fig = Figure(figsize=(width_mm / MM_PER_INCH, height_mm / MM_PER_INCH), layout="constrained")
    fig.get_layout_engine().set(w_pad=2 / 72, h_pad=2 / 72, hspace=0, wspace=0)
    ax = fig.add_subplot()
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color=_GRID_COLOR, linewidth=0.5)
    ax.set_axisbelow(True)
    return fig, ax


def _y_axis(ax, lo: float, hi: float, *, percent: bool, integer: bool) -> None:
    """Nice ticks from lo to just above hi, Finnish labels; the top of the axis is a tick."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    if hi <= lo:
        hi = lo + (0.1 if percent else (10 if integer else 1))
    hi = hi + 0.03 * (hi - lo)  # headroom: a marker at the maximum is not cut in half
    locator = MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10], integer=integer, min_n_ticks=3)
    ticks = [t for t in locator.tick_values(lo, hi)]
    bottom = max(t for t in ticks if t <= lo + 1e-12) if any(t <= lo + 1e-12 for t in ticks) else ticks[0]
    top = min(t for t in ticks if t >= hi - 1e-12) if any(t >= hi - 1e-12 for t in ticks) else ticks[-1]
    ax.set_ylim(bottom, top)
    ax.yaxis.set_major_locator(locator)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: format_number(v, percent=percent)))
    ax.tick_params(axis="y", labelsize=_TICK_PT, pad=2)


def _x_axis(ax, categories: list[str], width_mm: float, *, pad: float) -> None:
    n = len(categories)
    ax.set_xticks(range(n), [str(c) for c in categories])
    ax.set_xlim(-pad, n - 1 + pad)
    # Rotate the labels when they would not fit side by side (DejaVu Sans averages ~0.6 em per glyph).
    longest_mm = max(len(str(c)) for c in categories) * _TICK_PT * 0.62 / PT_PER_MM
    room_mm = (width_mm - 30) / max(n, 1)
    if longest_mm + 2 > room_mm:
        ax.tick_params(axis="x", labelrotation=45, labelsize=_TICK_PT)
        for label in ax.get_xticklabels():
            label.set_horizontalalignment("right")
            label.set_rotation_mode("anchor")
    else:
        ax.tick_params(axis="x", labelsize=_TICK_PT)


def _legend(fig, handles: list, labels: list[str], width_mm: float) -> None:
    if not handles:
        return
    # Columns that fit across the figure: handle + gap + text, estimated from the longest label.
    entry_mm = (3.2 * _LEGEND_PT + max(len(s) for s in labels) * _LEGEND_PT * 0.62) / PT_PER_MM
    ncol = max(1, min(len(labels), int((width_mm - 6) // max(entry_mm, 1))))
    fig.legend(
        handles,
        labels,
        loc="outside upper left",
        ncol=ncol,
        fontsize=_LEGEND_PT,
        handlelength=3.2,
        handletextpad=0.6,
        columnspacing=1.6,
        borderaxespad=0.2,
        alignment="left",
    )


def _svg(fig, *, cid: str, title: str, description: str, width_mm: float, height_mm: float) -> str:
    """Save the figure and turn matplotlib's standalone SVG into an inline, accessible, id-safe element."""
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()

    text = text[text.index("<svg") :]  # drop the XML declaration and DOCTYPE
    text = re.sub(r"\s*<metadata>.*?</metadata>", "", text, count=1, flags=re.S)
    # matplotlib's "*{stroke-linejoin: round; stroke-linecap: butt}" would, inline in HTML, be a page-wide
    # rule; both properties inherit, so the same effect comes from attributes on the root.
    text = re.sub(r"\s*<defs>\s*<style[^>]*>[^<]*</style>\s*</defs>", "", text, count=1)

    referenced = set(re.findall(r"url\(#([^)\s]+)\)", text)) | set(re.findall(r'href="#([^"]+)"', text))

    def rename_id(match: re.Match) -> str:
        old = match.group(1)
        if old in referenced or old.startswith(("series-", "bars-", "benchmark-")):
            return f' id="{cid}-{old}"'
        return ""

    text = re.sub(r' id="([^"]+)"', rename_id, text)
    text = re.sub(r"url\(#([^)\s]+)\)", lambda m: f"url(#{cid}-{m.group(1)})", text)
    text = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{cid}-{m.group(1)}"', text)

    open_tag = re.match(r"<svg\b[^>]*>", text)
    assert open_tag is not None
    viewbox = re.search(r'viewBox="([^"]+)"', open_tag.group(0))
    assert viewbox is not None
    root = (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1"'
        f' id="{cid}" width="{_mm(width_mm)}mm" height="{_mm(height_mm)}mm" viewBox="{viewbox.group(1)}"'
        f' role="img" aria-labelledby="{cid}-title {cid}-desc"'
        f' stroke-linejoin="round" stroke-linecap="butt" font-family={quoteattr(FONT_FAMILY)}>'
        f'\n <title id="{cid}-title">{escape(title)}</title>'
        f'\n <desc id="{cid}-desc">{escape(description)}</desc>'
    )
    return root + text[open_tag.end() :].rstrip() + "\n"


def _mm(value: float) -> str:
    return f"{value:g}"


# --- public API ---------------------------------------------------------------------------------------------


def line_chart(
    categories: list[str],
    series: dict[str, list[float | None]],
    *,
    title: str,
    description: str,
    y_label: str,
    percent: bool = False,
    benchmarks: Sequence[tuple[float, str]] = (),
    highlight: Sequence[str] = (),
    width_mm: float = 170,
    height_mm: float = 80,
    chart_id: str | None = None,
    context_label: str | None = None,
) -> str:
    """Lines over the tertiaries; None is a gap (the line breaks, a lone point keeps its marker).

    ``highlight`` names the series drawn prominently (thick black, then thick dark grey dashed …), all
    others thin light grey without legend entries (one entry ``context_label`` for them all if given).
    Without highlight every series gets its own dash pattern, marker and grey, and a legend entry.
    ``benchmarks`` are thin dashed horizontal lines labelled at their right end.
    """
    import matplotlib
    from matplotlib.lines import Line2D

    rows = _clean_series(categories, series)
    unknown = [h for h in highlight if h not in rows]
    if unknown:
        raise ValueError(f"highlight names unknown series: {unknown}")
    if len(set(highlight)) != len(highlight):
        raise ValueError("highlight names a series twice")
    benchmarks = [(float(y), str(label)) for y, label in benchmarks]
    cid = _chart_id(
        chart_id,
        "line",
        {
            "categories": [str(c) for c in categories],
            "series": {k: [None if math.isnan(v) else v for v in vs] for k, vs in rows.items()},
            "title": title,
            "description": description,
            "y_label": y_label,
            "percent": percent,
            "benchmarks": benchmarks,
            "highlight": list(highlight),
            "size": [width_mm, height_mm],
            "context_label": context_label,
        },
    )

    with matplotlib.rc_context(_rc()):
        fig, ax = _new_figure(width_mm, height_mm)
        n = len(categories)
        xs = list(range(n))
        handles: list = []
        labels: list[str] = []
        order = list(rows)

        if highlight:
            for i, label in enumerate(order):
                if label in highlight:
                    continue
                values = rows[label]
                lone = _lone_points(values)
                ax.plot(
                    xs,
                    values,
                    color=_CONTEXT_COLOR,
                    linewidth=0.9,
                    marker="o" if lone else "none",
                    markersize=2.6,
                    markevery=lone or None,
                    zorder=2,
                    gid=f"series-{i}",
                    label="_nolegend_",
                )
            if context_label and len(highlight) < len(order):
                handles.append(Line2D([], [], color=_CONTEXT_COLOR, linewidth=0.9))
                labels.append(context_label)
            highlighted = []
            for rank, label in enumerate(highlight):
                style = _HIGHLIGHT_STYLES[rank % len(_HIGHLIGHT_STYLES)]
                (line,) = ax.plot(
                    xs,
                    rows[label],
                    **style,
                    markeredgecolor=style["color"],
                    markerfacecolor=style["color"],
                    zorder=10 - min(rank, 6),
                    gid=f"series-{order.index(label)}",
                )
                highlighted.append((line, label))
            handles = [h for h, _ in highlighted] + handles
            labels = [lab for _, lab in highlighted] + labels
        else:
            for i, label in enumerate(order):
                color = _GREYS[i % len(_GREYS)]
                face = color if (i // len(_MARKERS)) % 2 == 0 else "#ffffff"
                (line,) = ax.plot(
                    xs,
                    rows[label],
                    color=color,
                    linestyle=_DASHES[i % len(_DASHES)],
                    linewidth=1.4,
                    marker=_MARKERS[i % len(_MARKERS)],
                    markersize=4.2,
                    markerfacecolor=face,
                    markeredgecolor=color,
                    markeredgewidth=0.9,
                    zorder=5,
                    gid=f"series-{i}",
                )
                handles.append(line)
                labels.append(label)

        values = _finite(rows) + [y for y, _ in benchmarks]
        lo = min([0.0, *values])
        hi = max([0.0, *values])
        if percent and hi <= 0:
            hi = 1.0
        _y_axis(ax, lo, hi, percent=percent, integer=not percent and bool(values) and _all_integers(values))
        _x_axis(ax, categories, width_mm, pad=0.25 if n > 1 else 1.0)
        ax.set_ylabel(y_label, fontsize=_LABEL_PT)

        for j, (y, _label) in enumerate(benchmarks):
            ax.axhline(
                y, color=_BENCHMARK_COLOR, linewidth=0.8, linestyle=(0, (3, 2.5)), zorder=3, gid=f"benchmark-{j}"
            )
        _legend(fig, handles, labels, width_mm)
        _benchmark_labels(fig, ax, benchmarks, percent=percent)
        svg = _svg(fig, cid=cid, title=title, description=description, width_mm=width_mm, height_mm=height_mm)
    return svg


def bar_chart(
    categories: list[str],
    series: dict[str, list[float | None]],
    *,
    title: str,
    description: str,
    y_label: str,
    width_mm: float = 170,
    height_mm: float = 70,
    chart_id: str | None = None,
    value_labels: bool = False,
) -> str:
    """Grouped bars per category, one fill per series (black, mid grey, hatched …), legend above.

    None draws no bar (a gap, not zero); ``value_labels`` writes each value above its bar.
    """
    import matplotlib
    from matplotlib.patches import Patch

    rows = _clean_series(categories, series)
    cid = _chart_id(
        chart_id,
        "bar",
        {
            "categories": [str(c) for c in categories],
            "series": {k: [None if math.isnan(v) else v for v in vs] for k, vs in rows.items()},
            "title": title,
            "description": description,
            "y_label": y_label,
            "size": [width_mm, height_mm],
            "value_labels": value_labels,
        },
    )

    with matplotlib.rc_context(_rc()):
        fig, ax = _new_figure(width_mm, height_mm)
        ax.tick_params(axis="x", length=0)
        k = max(len(rows), 1)
        group = 0.8
        width = group / k
        handles: list = []
        labels: list[str] = []
        for i, (label, values) in enumerate(rows.items()):
            face, hatch = _BAR_FILLS[i % len(_BAR_FILLS)]
            offset = -group / 2 + width * (i + 0.5)
            present = [(x, v) for x, v in enumerate(values) if not math.isnan(v)]
            style = {"facecolor": face, "edgecolor": "#000000", "linewidth": 0.6, "hatch": hatch or None}
            if present:
                bars = ax.bar(
                    [x + offset for x, _ in present],
                    [v for _, v in present],
                    width=width * 0.92,
                    zorder=3,
                    **style,
                )
                for (x, _), bar in zip(present, bars, strict=True):
                    bar.set_gid(f"bars-{i}-{x}")  # series i, category x
                if value_labels:
                    ax.bar_label(
                        bars,
                        labels=[format_number(v) for _, v in present],
                        fontsize=_VALUE_PT,
                        padding=1.5,
                    )
            handles.append(Patch(**style))
            labels.append(label)

        values = _finite(rows)
        lo = min([0.0, *values])
        hi = max([0.0, *values])
        _y_axis(
            ax, lo, hi * (1.08 if value_labels else 1), percent=False, integer=bool(values) and _all_integers(values)
        )
        _x_axis(ax, categories, width_mm, pad=0.5)
        ax.set_ylabel(y_label, fontsize=_LABEL_PT)
        _legend(fig, handles, labels, width_mm)
        svg = _svg(fig, cid=cid, title=title, description=description, width_mm=width_mm, height_mm=height_mm)
    return svg


# --- helpers for line_chart ---------------------------------------------------------------------------------


def _lone_points(values: list[float]) -> list[int]:
    """Indexes of values with no neighbour on either side: a line cannot show them, a marker must."""
    lone = []
    for i, v in enumerate(values):
        if math.isnan(v):
            continue
        left = i > 0 and not math.isnan(values[i - 1])
        right = i < len(values) - 1 and not math.isnan(values[i + 1])
        if not left and not right:
            lone.append(i)
    return lone


def _benchmark_labels(fig, ax, benchmarks: list[tuple[float, str]], *, percent: bool) -> None:
    """Labels just right of the axes at their line's height, pushed apart where they would overlap."""
    if not benchmarks:
        return
    ordered = sorted(benchmarks)
    notes = [
        ax.annotate(
            label,
            xy=(1.0, y),
            xycoords=ax.get_yaxis_transform(),
            xytext=(4, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=_BENCHMARK_PT,
            color="#000000",
            annotation_clip=False,
        )
        for y, label in ordered
    ]
    # Constrained layout makes room for the labels (their width: spreading moves them only up or
    # down, within the axes' height); the spreading needs the axes' height in points, so lay out
    # once, spread, and freeze the layout (a layout pass is a fifth of a chart's cost).
    fig.draw_without_rendering()
    bottom, top = ax.get_ylim()
    height_pt = ax.get_window_extent().height * 72 / fig.dpi
    per_unit = height_pt / (top - bottom)
    gap_pt = _BENCHMARK_PT * 1.25
    placed: list[float] = []  # label centres in points above the axes' bottom
    for y, _ in ordered:
        want = (y - bottom) * per_unit
        if placed and want - placed[-1] < gap_pt:
            want = placed[-1] + gap_pt
        placed.append(want)
    overflow = placed[-1] - (height_pt + gap_pt / 2)  # pushed above the top: shift all down
    if overflow > 0:
        placed = [p - overflow for p in placed]
    for note, (y, _), centre in zip(notes, ordered, placed, strict=True):
        note.set_position((4, centre - (y - bottom) * per_unit))
    fig.set_layout_engine("none")
    # WeasyPrint sets SVG text a few per cent wider than matplotlib measures it (hinted advances), and
    # the root svg clips: narrow the axes so the longest label keeps a margin of 8 % of its width.
    longest = max(note.get_window_extent().width for note in notes)
    box = ax.get_position()
    ax.set_position([box.x0, box.y0, box.width - 0.08 * longest / fig.bbox.width, box.height])
