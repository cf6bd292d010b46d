"""Report charts as inline SVG written by hand: Finnish number formats, greyscale-safe styles, byte-for-byte
deterministic on one machine (the layout measures text with the installed DejaVu Sans).

Each function returns one ``<svg …>…</svg>`` string (no XML declaration, no DOCTYPE) to drop into the
report HTML, and into the PDF that Typst lays out. The root carries its printed size in millimetres (``width="170mm"``
with a viewBox in points, so one point in the chart is one point on paper), ``role="img"`` and
``aria-labelledby`` pointing at its ``<title>`` and ``<desc>``. Text stays text (one ``<text>`` a label) in
DejaVu Sans, the font the PDFs use.

The SVG is small on purpose (one path a series line, one text a label, a few groups): a renderer's cost
grows with the elements and the style strings it parses, and the charts are drawn in every report.
Presentation attributes are used where nothing reads a ``style``; the series and benchmark lines keep a
``style`` (tests and CSS look at it).

Layout: the label widths come from DejaVu Sans' own advance widths (fontTools, ``cmap`` and ``hmtx``
only, read once a process), which is what the renderers set, glyph by glyph; without the font a glyph
counts 0.6 em. The y ticks are matplotlib's ``MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10])`` (so the
axes look as they did when matplotlib drew them), the legend sits above the plot in as many columns as
fit, benchmark labels at the right end of their lines are pushed apart where they would overlap (a thin
leader joins a moved one to its line), and x labels turn 45° when they do not fit side by side (with so
many categories that even turned they would touch, every k-th is labelled, counted from the latest).
A line chart's context series can be named at their ends (``end_labels``): the names join the benchmark
labels in their one column right of the plot, all sorted by height, so no label covers another and no
leader crosses another (crowded runs are centred on their lines; the column may use the chart's whole
height, and where even that is too short its font shrinks).

Determinism: coordinates are written with two decimals, nothing depends on ``hash()``, the time or the
machine beyond the font's widths, and every id is prefixed with the chart's id (``chart_id``, or one
derived from a hash of all the inputs), so two charts in one HTML page never share an id. The series keep
theirs (``<chart_id>-series-0`` …) so tests and CSS can find them.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import re
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from ipsetl import fiformat

__all__ = ["bar_chart", "line_chart"]

FONT_FAMILY = "DejaVu Sans"
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
# Bars: black, mid grey, then white or light grey with hatches (matplotlib's hatch letters and densities).
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
_BENCHMARK_DASH = (3, 2.5)
_BENCHMARK_WIDTH = 0.8
_END_LEADER_COLOR = "#8a8a8a"  # a series' name to its line's end
_GRID_COLOR = "#e3e3e3"
_AXIS_WIDTH = 0.6
_HATCH_TILE = 24.0  # a multiple of every hatch's period

_ID_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")

# Geometry, in points (the viewBox unit).
_PAD = 2.0  # around the whole chart
_TICK_LEN = 3.0  # x tick marks (line charts), pointing down
_XTICK_PAD = 3.5  # tick end (or axis) to x label
_YTICK_PAD = 2.0  # axis to y tick label
_YLABEL_PAD = 4.0  # y tick labels to the axis label
_BENCHMARK_PAD = 4.0  # plot's right edge to a benchmark label
_END_LABEL_PAD = 12.0  # … and to the labels' column when it holds end labels too (room for their leaders)
_LEADER_STUB = 4.0  # there a leader ends in a short level stroke into its label
_LABEL_PITCH = 1.25  # label column: centre to centre, in font sizes, where there is room …
_LABEL_PITCH_MIN = 1.1  # … and at the least (below that the font shrinks, down to _LABEL_PT_MIN)
_LABEL_PT_MIN = 5.5
_LEGEND_HANDLE = 3.2 * _LEGEND_PT  # line sample / patch length
_LEGEND_TEXT_PAD = 0.6 * _LEGEND_PT
_LEGEND_COLUMN_GAP = 1.6 * _LEGEND_PT
_LEGEND_ROW = 1.65 * _LEGEND_PT  # row pitch
_LEGEND_PLOT_GAP = 8.0  # last legend row's centre + half a row … plot top
# DejaVu Sans, in em: digit / cap height, ascender of "l", descender of "y".
_DIGIT_HEIGHT = 0.729
_ASCENT = 0.76
_DESCENT = 0.236
_WIDTH_SLACK = 1.02  # measured widths are what the renderers set; a margin for another font build
_SIN45 = math.sqrt(0.5)

# Marker outlines for a marker size of 1 (matplotlib's shapes, y pointing down).
_MARKER_SHAPES: dict[str, list[tuple[float, float]]] = {
    "s": [(-0.5, -0.5), (0.5, -0.5), (0.5, 0.5), (-0.5, 0.5)],
    "D": [(0, -0.7071), (0.7071, 0), (0, 0.7071), (-0.7071, 0)],
    "^": [(0, -0.5), (0.5, 0.5), (-0.5, 0.5)],
    "v": [(0, 0.5), (-0.5, -0.5), (0.5, -0.5)],
    "P": [
        (-1 / 6, -0.5), (1 / 6, -0.5), (1 / 6, -1 / 6), (0.5, -1 / 6), (0.5, 1 / 6), (1 / 6, 1 / 6),
        (1 / 6, 0.5), (-1 / 6, 0.5), (-1 / 6, 1 / 6), (-0.5, 1 / 6), (-0.5, -1 / 6), (-1 / 6, -1 / 6),
    ],
    "X": [
        (-0.25, -0.5), (0, -0.25), (0.25, -0.5), (0.5, -0.25), (0.25, 0), (0.5, 0.25),
        (0.25, 0.5), (0, 0.25), (-0.25, 0.5), (-0.5, 0.25), (-0.25, 0), (-0.5, -0.25),
    ],
}  # fmt: skip


# --- Finnish numbers --------------------------------------------------------------------------------------


def format_number(value: float, *, percent: bool = False) -> str:
    """Finnish axis number: decimal comma, U+00A0 thousands, at most two decimals, "41 %" for fractions
    (fiformat.number's `#,##0.##`, rounded half up like every figure of the report)."""
    shown = round(value * 100 if percent else value, 6)  # 0.30000000000000004 → 30
    text = fiformat.number(shown, 2, trim=True)
    return f"{text}{fiformat.NBSP}%" if percent else text


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
                number = float(v)  # int, float, Decimal, numpy; NaN stays NaN (a gap)
                if math.isinf(number):
                    raise ValueError(f"series {label!r} has an infinite value")
                row.append(number)
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


def _check_size(width_mm: float, height_mm: float) -> None:
    if not (width_mm > 0 and height_mm > 0):
        raise ValueError("chart size must be positive")


# --- text widths --------------------------------------------------------------------------------------------


def _font_file() -> str | None:
    """DejaVu Sans as fontconfig finds it, else where distributions put it."""
    import os
    import shutil
    import subprocess

    if shutil.which("fc-match"):
        try:
            found = subprocess.run(
                ["fc-match", "-f", "%{file}", FONT_FAMILY], capture_output=True, text=True, timeout=10, check=False
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            found = ""
        # fontconfig answers with a substitute when DejaVu is missing: its widths would be another font's
        if os.path.basename(found).lower().startswith("dejavusans.") and os.path.isfile(found):
            return found
    for candidate in (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",  # Debian, Ubuntu
        "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",  # Fedora
        "/usr/share/fonts/TTF/DejaVuSans.ttf",  # Arch
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",  # Alpine
    ):
        if os.path.isfile(candidate):
            return candidate
    return None


@functools.lru_cache(maxsize=1)
def _advances() -> tuple[dict[int, float], float] | None:
    """Advance width in em of every character DejaVu Sans maps, and its .notdef's; None without the font."""
    path = _font_file()
    if path is None:
        return None
    try:
        from fontTools.ttLib import TTFont

        with TTFont(path, lazy=True) as font:  # lazy: only the tables asked for are read
            cmap = font["cmap"].getcmap(3, 1) or font["cmap"].getcmap(0, 3)
            metrics = font["hmtx"].metrics
            upem = float(font["head"].unitsPerEm)
            if cmap is None:
                return None
            widths = {code: metrics[name][0] / upem for code, name in cmap.cmap.items()}
            notdef = metrics[".notdef"][0] / upem if ".notdef" in metrics else 0.6
    except Exception:  # noqa: BLE001 - any unreadable font: estimate instead
        return None
    return widths, notdef


@functools.lru_cache(maxsize=1024)
def _text_width(text: str, size: float) -> float:
    """Width in points of a label set at ``size`` points (SVG text is set glyph by glyph, unkerned)."""
    font = _advances()
    if font is None:
        return 0.6 * size * len(text)
    widths, notdef = font
    return sum(widths.get(ord(ch), notdef) for ch in text) * size * _WIDTH_SLACK


# --- SVG writing --------------------------------------------------------------------------------------------


def _n(value: float, decimals: int = 2) -> str:
    """A coordinate: two decimals at most, no trailing zeros, no "-0"."""
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def _mm(value: float) -> str:
    return f"{value:g}"


def _text(x: float, y: float, label: str, attrs: str = "") -> str:
    return f'<text x="{_n(x)}" y="{_n(y)}"{attrs}>{escape(label)}</text>'


def _dasharray(linestyle, linewidth: float) -> str | None:
    """matplotlib's dash pattern (in multiples of the line width) as an SVG dasharray, None for solid."""
    if linestyle == "solid":
        return None
    _offset, pattern = linestyle
    return ",".join(_n(v * linewidth) for v in pattern)


def _polyline(points: list[tuple[float, float] | None]) -> str:
    """M/L path through the points; None breaks the line (the next point starts a new M)."""
    parts = []
    pen_down = False
    for point in points:
        if point is None:
            pen_down = False
            continue
        parts.append(f"{'L' if pen_down else 'M'} {_n(point[0])} {_n(point[1])}")
        pen_down = True
    return " ".join(parts)


def _marker_path(marker: str, size: float) -> str:
    if marker == "o":
        r = _n(size / 2)
        return f"M {r} 0 A {r} {r} 0 0 1 -{r} 0 A {r} {r} 0 0 1 {r} 0 Z"
    return "M " + " L ".join(f"{_n(x * size)} {_n(y * size)}" for x, y in _MARKER_SHAPES[marker]) + " Z"


def _marker_def(mid: str, marker: str, size: float, fill: str, stroke: str, stroke_width: float) -> str:
    return (
        f'<defs><path id="{mid}" d="{_marker_path(marker, size)}" fill="{fill}" stroke="{stroke}"'
        f' stroke-width="{_n(stroke_width)}" stroke-linejoin="miter"/></defs>'
    )


def _use(mid: str, x: float, y: float) -> str:
    return f'<use xlink:href="#{mid}" x="{_n(x)}" y="{_n(y)}"/>'


def _hatch_pattern(pid: str, face: str, hatch: str) -> str:
    """matplotlib's hatches (its density 6) as a pattern: n "/" (or "\\", "x") are lines 24/n pt apart
    across, n "-" lines 12/n pt apart, n "." staggered dots 12/n pt apart. The tile is 24 pt, several
    periods, so that a viewer's anti-aliased tile seams are few."""
    kind = hatch[0]
    count = len(hatch)
    tile = _HATCH_TILE
    if kind == ".":
        spacing = 12 / count
        r = 0.1 * spacing
        rows = round(tile / spacing)
        centres = [
            (col * spacing + (spacing / 2 if row % 2 == 0 else 0), row * spacing + spacing / 2)
            for row in range(rows)
            for col in range(rows + 1)
            if row % 2 == 1 or col < rows
        ]
        dots = " ".join(
            f"M {_n(x + r)} {_n(y)} A {_n(r)} {_n(r)} 0 0 1 {_n(x - r)} {_n(y)}"
            f" A {_n(r)} {_n(r)} 0 0 1 {_n(x + r)} {_n(y)} Z"
            for x, y in centres
        )
        ink = f'<path d="{dots}" fill="#000000" stroke="none"/>'
    else:
        if kind == "-":
            spacing = 12 / count
            lines = [f"M -1 {_n(y * spacing + spacing / 2)} H {_n(tile + 1)}" for y in range(round(tile / spacing))]
        else:
            spacing = 24 / count
            steps = round(tile / spacing)
            lines = []
            if kind in "/x":  # x + y = c
                for k in range(2 * steps + 1):
                    c = k * spacing
                    lines.append(f"M {_n(c - tile - 1)} {_n(tile + 1)} L {_n(c + 1)} -1")
            if kind in "\\x":  # x - y = c
                for k in range(-steps, steps + 1):
                    c = k * spacing
                    lines.append(f"M {_n(c - 1)} -1 L {_n(c + tile + 1)} {_n(tile + 1)}")
        ink = f'<path d="{" ".join(lines)}" fill="none" stroke="#000000" stroke-width="{_n(_AXIS_WIDTH)}"/>'
    t = _n(tile)
    return (
        f'<defs><pattern id="{pid}" patternUnits="userSpaceOnUse" x="0" y="0" width="{t}" height="{t}">'
        f'<rect x="0" y="0" width="{t}" height="{t}" fill="{face}" stroke="none"/>{ink}</pattern></defs>'
    )


# --- y axis: matplotlib's MaxNLocator ------------------------------------------------------------------------


def _edge_close(ms: float, edge: float, step: float, offset: float) -> bool:
    if offset > 0:
        tol = min(0.4999, max(1e-10, 10 ** (math.log10(offset / step) - 12)))
    else:
        tol = 1e-10
    return abs(ms - edge) < tol


def _nice_ticks(vmin: float, vmax: float, *, integer: bool, nbins: int = 5, min_n_ticks: int = 3) -> list[float]:
    """``MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10], integer=…, min_n_ticks=3).tick_values`` in pure Python."""
    if vmax < vmin:
        vmin, vmax = vmax, vmin
    if vmax - vmin <= max(abs(vmin), abs(vmax)) * 1e-14:  # matplotlib's nonsingular()
        vmin, vmax = (-1e-13, 1e-13) if vmax == 0 else (vmin - 1e-13 * abs(vmin), vmax + 1e-13 * abs(vmax))
    dv = vmax - vmin
    meanv = (vmax + vmin) / 2
    offset = 0.0 if abs(meanv) / dv < 100 else math.copysign(10 ** (math.log10(abs(meanv)) // 1), meanv)
    scale = 10 ** (math.log10(dv / nbins) // 1)
    lo, hi = vmin - offset, vmax - offset
    steps = [s * scale for s in (0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10, 20)]
    if integer:
        steps = [s for s in steps if s < 1 or abs(s - round(s)) < 0.001]
    raw_step = (hi - lo) / nbins
    istep = next(i for i, s in enumerate(steps) if s >= raw_step)
    ticks: list[float] = []
    for step in reversed(steps[: istep + 1]):
        if integer and math.floor(hi) - math.ceil(lo) >= min_n_ticks - 1:
            step = max(1, step)
        best_vmin = (lo // step) * step
        d, m = divmod(lo - best_vmin, step)
        low = d + 1 if _edge_close(m / step, 1, step, abs(offset)) else d
        d, m = divmod(hi - best_vmin, step)
        high = d if _edge_close(m / step, 0, step, abs(offset)) else d + 1
        ticks = [k * step + best_vmin for k in range(int(low), int(high) + 1)]
        if sum(lo <= t <= hi for t in ticks) >= min_n_ticks:
            break
    return [t + offset for t in ticks]


def _y_axis(lo: float, hi: float, *, percent: bool, integer: bool) -> tuple[float, float, list[tuple[float, str]]]:
    """Nice ticks from lo to just above hi, Finnish labels; the top of the axis is a tick."""
    if hi <= lo:
        hi = lo + (0.1 if percent else (10 if integer else 1))
    hi = hi + 0.03 * (hi - lo)  # headroom: a marker at the maximum is not cut in half
    ticks = _nice_ticks(lo, hi, integer=integer)
    below = [t for t in ticks if t <= lo + 1e-12]
    above = [t for t in ticks if t >= hi - 1e-12]
    bottom = max(below) if below else ticks[0]
    top = min(above) if above else ticks[-1]
    tol = 1e-10 * (top - bottom)
    shown = [t for t in _nice_ticks(bottom, top, integer=integer) if bottom - tol <= t <= top + tol]
    return bottom, top, [(t, format_number(t, percent=percent)) for t in shown]


# --- layout -------------------------------------------------------------------------------------------------


class _Legend:
    """Entries left to right, wrapping into rows, in as many equal-width-per-column columns as fit."""

    def __init__(self, labels: list[str], width: float):
        self.labels = labels
        widths = [_LEGEND_HANDLE + _LEGEND_TEXT_PAD + _text_width(s, _LEGEND_PT) for s in labels]
        room = width - 2 * _PAD - 2
        self.ncol = 1
        self.columns = [max(widths, default=0.0)]
        for ncol in range(len(labels), 0, -1):
            columns = [max(widths[c::ncol]) for c in range(ncol)]
            if sum(columns) + _LEGEND_COLUMN_GAP * (ncol - 1) <= room or ncol == 1:
                self.ncol, self.columns = ncol, columns
                break
        self.rows = math.ceil(len(labels) / self.ncol) if labels else 0
        self.top = _PAD + 1

    def height(self) -> float:
        return self.rows * _LEGEND_ROW

    def right(self) -> float:
        return _PAD + 2 + sum(self.columns) + _LEGEND_COLUMN_GAP * (self.ncol - 1) if self.rows else 0.0

    def position(self, index: int) -> tuple[float, float]:
        """Left end of the entry's handle and its row's centre line."""
        row, col = divmod(index, self.ncol)
        x = _PAD + 2 + sum(self.columns[:col]) + _LEGEND_COLUMN_GAP * col
        return x, self.top + _LEGEND_ROW * (row + 0.5)


class _Frame:
    """Where the plot goes inside the chart, from what has to fit around it."""

    def __init__(
        self,
        *,
        width_pt: float,
        height_pt: float,
        categories: list[str],
        x_range: tuple[float, float],
        y_range: tuple[float, float],
        tick_labels: list[str],
        y_label: str,
        legend: _Legend,
        right_labels: float,
        tick_marks: bool,
        right_gap: float = _BENCHMARK_PAD,
    ):
        self.width, self.height = width_pt, height_pt
        self.x_lo, self.x_hi = x_range
        self.y_lo, self.y_hi = y_range
        n = len(categories)
        label_widths = [_text_width(c, _TICK_PT) for c in categories]
        widest = max(label_widths)
        # left: axis label (its height, turned), gap, the widest tick label, gap
        base_left = (
            _PAD
            + ((_ASCENT + _DESCENT) * _LABEL_PT + _YLABEL_PAD if y_label else 0.0)
            + max((_text_width(t, _TICK_PT) for t in tick_labels), default=0.0)
            + _YTICK_PAD
        )
        base_right = _PAD + (right_labels + right_gap if right_labels else 0.0)
        self.right_gap = right_gap  # plot's right edge to the labels' column
        self.left, self.right = base_left, self.width - base_right
        self.rotate = False
        drop = (_TICK_LEN if tick_marks else 0.0) + _XTICK_PAD
        for _ in range(3):  # the labels' overhang moves the plot's edges, which moves the labels
            spacing = (self.right - self.left) / (self.x_hi - self.x_lo)
            self.rotate = self.rotate or (n > 1 and widest + 0.5 * _TICK_PT > spacing)
            first, last = self.x(0), self.x(n - 1)
            if self.rotate:
                # text-anchor end at the tick, turned 45° up: the label reaches down and to the left
                reach_left = max(
                    (w + (_ASCENT - _DIGIT_HEIGHT) * _TICK_PT) * _SIN45 - (self.x(i) - first)
                    for i, w in enumerate(label_widths)
                )
                reach_right = (_DIGIT_HEIGHT + _DESCENT) * _TICK_PT * _SIN45
            else:
                reach_left, reach_right = label_widths[0] / 2, label_widths[-1] / 2
            self.left = max(base_left, _PAD + reach_left - (first - self.left))
            self.right = min(self.width - base_right, self.width - _PAD - reach_right + (self.right - last))
        # Turned labels are parallel lines `spacing` × sin 45° apart: too many categories for even
        # that, and only every k-th is labelled (counted from the latest, which always is).
        self.label_every = 1
        if self.rotate:
            spacing = (self.right - self.left) / (self.x_hi - self.x_lo)
            self.label_every = max(1, math.ceil(((_ASCENT + _DESCENT) * _TICK_PT + 1) / (spacing * _SIN45)))
            below = drop + (_DIGIT_HEIGHT * _TICK_PT + widest + _DESCENT * _TICK_PT) * _SIN45
        else:
            below = drop + (_DIGIT_HEIGHT + _DESCENT) * _TICK_PT
        self.bottom = self.height - _PAD - below - 1
        self.top = legend.top + legend.height() + _LEGEND_PLOT_GAP if legend.rows else _PAD + 6

    def x(self, value: float) -> float:
        return self.left + (value - self.x_lo) / (self.x_hi - self.x_lo) * (self.right - self.left)

    def y(self, value: float) -> float:
        return self.bottom - (value - self.y_lo) / (self.y_hi - self.y_lo) * (self.bottom - self.top)


def _axes(frame: _Frame, categories: list[str], ticks: list[tuple[float, str]], tick_marks: bool) -> list[str]:
    """Grid (below everything), then the spines with the x tick marks: two paths."""
    grid = " ".join(
        f"M {_n(frame.left)} {_n(frame.y(t))} H {_n(frame.right)}"
        for t, _ in ticks
        if abs(frame.y(t) - frame.bottom) > 0.5  # the bottom spine covers it
    )
    out = []
    if grid:
        out.append(f'<path d="{grid}" fill="none" stroke="{_GRID_COLOR}" stroke-width="0.5"/>')
    spines = f"M {_n(frame.left)} {_n(frame.top)} V {_n(frame.bottom)} H {_n(frame.right)}"
    if tick_marks:
        spines += "".join(f" M {_n(frame.x(i))} {_n(frame.bottom)} v {_n(_TICK_LEN)}" for i in range(len(categories)))
    out.append(f'<path d="{spines}" fill="none" stroke="#000000" stroke-width="{_n(_AXIS_WIDTH)}"/>')
    return out


def _axis_texts(
    frame: _Frame, categories: list[str], ticks: list[tuple[float, str]], y_label: str, tick_marks: bool
) -> list[str]:
    out = ['<g text-anchor="end">']
    x = frame.left - _YTICK_PAD
    out += [_text(x, frame.y(t) + _DIGIT_HEIGHT * _TICK_PT / 2, label) for t, label in ticks]
    out.append("</g>")
    drop = (_TICK_LEN if tick_marks else 0.0) + _XTICK_PAD
    cap = _DIGIT_HEIGHT * _TICK_PT
    if frame.rotate:
        out.append('<g text-anchor="end">')
        for i, label in enumerate(categories):
            if (len(categories) - 1 - i) % frame.label_every:
                continue
            # the label's top right corner at the tick, turned about its baseline's end
            bx, by = frame.x(i) + cap * _SIN45, frame.bottom + drop + cap * _SIN45
            out.append(_text(bx, by, label, f' transform="rotate(-45 {_n(bx)} {_n(by)})"'))
    else:
        out.append('<g text-anchor="middle">')
        out += [_text(frame.x(i), frame.bottom + drop + cap, label) for i, label in enumerate(categories)]
    out.append("</g>")
    if y_label:
        lx, ly = _PAD + _ASCENT * _LABEL_PT, (frame.top + frame.bottom) / 2
        turn = f' font-size="{_n(_LABEL_PT)}" text-anchor="middle" transform="rotate(-90 {_n(lx)} {_n(ly)})"'
        out.append(_text(lx, ly, y_label, turn))
    return out


def _svg(
    *, cid: str, title: str, description: str, width_mm: float, height_mm: float, frame: _Frame,
    shapes: list[str], texts: list[str],
) -> str:  # fmt: skip
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" version="1.1"'
        f' id="{cid}" width="{_mm(width_mm)}mm" height="{_mm(height_mm)}mm"'
        f' viewBox="0 0 {_n(frame.width, 3)} {_n(frame.height, 3)}" role="img" aria-labelledby="{cid}-title {cid}-desc"'
        f' stroke-linejoin="round" stroke-linecap="butt" font-family={quoteattr(FONT_FAMILY)}'
        f' font-size="{_n(_TICK_PT)}">'
        f'\n <title id="{cid}-title">{escape(title)}</title>'
        f'\n <desc id="{cid}-desc">{escape(description)}</desc>'
    )
    body = "\n ".join(shapes)
    words = "\n  ".join(texts)
    return (
        f"{head}\n {body}"
        f'\n <g style="font-family: \'DejaVu Sans\', sans-serif" fill="#000000">\n  {words}\n </g>\n</svg>\n'
    )


def _size_pt(width_mm: float, height_mm: float) -> tuple[float, float]:
    return round(width_mm * PT_PER_MM, 3), round(height_mm * PT_PER_MM, 3)


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
    end_labels: bool = False,
) -> str:
    """Lines over the tertiaries; None is a gap (the line breaks, a lone point keeps its marker).

    ``highlight`` names the series drawn prominently (thick black, then thick dark grey dashed …), all
    others thin light grey without legend entries (one entry ``context_label`` for them all if given).
    Without highlight every series gets its own dash pattern, marker and grey, and a legend entry.
    ``benchmarks`` are thin dashed horizontal lines labelled at their right end.

    ``end_labels`` writes the name of every series not highlighted (without highlight: of every series)
    right of the plot at the height of its last value, a thin leader from that point to the name. The
    names share one column with the benchmark labels, sorted by height and pushed apart where they would
    overlap (the font shrinks when even tightly packed they would not fit the chart's height); the plot
    narrows to the widest label. A series with no value at all gets no name.
    """
    rows = _clean_series(categories, series)
    unknown = [h for h in highlight if h not in rows]
    if unknown:
        raise ValueError(f"highlight names unknown series: {unknown}")
    if len(set(highlight)) != len(highlight):
        raise ValueError("highlight names a series twice")
    benchmarks = [(float(y), str(label)) for y, label in benchmarks]
    if not all(math.isfinite(y) for y, _ in benchmarks):
        raise ValueError("a benchmark line needs a finite value")
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
            **({"end_labels": True} if end_labels else {}),  # absent when off: the charts before keep their ids
        },
    )
    _check_size(width_mm, height_mm)
    categories = [str(c) for c in categories]
    order = list(rows)
    # (series index, index of its last value, that value, its name) of the series named at their ends
    ends: list[tuple[int, int, float, str]] = []
    if end_labels:
        for i, label in enumerate(order):
            last = [x for x, v in enumerate(rows[label]) if not math.isnan(v)]
            if label not in highlight and last:
                ends.append((i, last[-1], rows[label][last[-1]], label))
    n = len(categories)

    # Each series' look by its index: line colour, width and dashes, marker shape, size and fill, markers
    # on every point or only on lone ones, and the z order (matplotlib's: context below the benchmarks).
    styles: dict[int, dict] = {}
    legend_entries: list[tuple[str, dict | None]] = []  # (label, style; None = the context entry)
    if highlight:
        for i, label in enumerate(order):
            if label not in highlight:
                styles[i] = {
                    "color": _CONTEXT_COLOR, "width": 0.9, "dash": None, "marker": "o", "size": 2.6,
                    "face": _CONTEXT_COLOR, "edge_width": 1.0, "every": False, "z": 0,
                }  # fmt: skip
        for rank, label in enumerate(highlight):
            look = _HIGHLIGHT_STYLES[rank % len(_HIGHLIGHT_STYLES)]
            i = order.index(label)
            styles[i] = {
                "color": look["color"], "width": look["linewidth"],
                "dash": _dasharray(look["linestyle"], look["linewidth"]), "marker": look["marker"],
                "size": look["markersize"], "face": look["color"], "edge_width": 1.0, "every": True,
                "z": 10 - min(rank, 6),
            }  # fmt: skip
            legend_entries.append((label, styles[i] | {"index": i}))
        if context_label and len(highlight) < len(order):
            legend_entries.append((context_label, None))
    else:
        for i, label in enumerate(order):
            color = _GREYS[i % len(_GREYS)]
            styles[i] = {
                "color": color, "width": 1.4, "dash": _dasharray(_DASHES[i % len(_DASHES)], 1.4),
                "marker": _MARKERS[i % len(_MARKERS)], "size": 4.2,
                "face": color if (i // len(_MARKERS)) % 2 == 0 else "#ffffff", "edge_width": 0.9,
                "every": True, "z": 5,
            }  # fmt: skip
            legend_entries.append((label, styles[i] | {"index": i}))

    values = _finite(rows) + [y for y, _ in benchmarks]
    lo = min([0.0, *values])
    hi = max([0.0, *values])
    if percent and hi <= 0:
        hi = 1.0
    bottom, top, ticks = _y_axis(
        lo, hi, percent=percent, integer=not percent and bool(values) and _all_integers(values)
    )

    width_pt, height_pt = _size_pt(width_mm, height_mm)
    legend = _Legend([label for label, _ in legend_entries], width_pt)
    column = [label for _, label in benchmarks] + [label for _, _, _, label in ends]
    right_labels = max((_text_width(label, _BENCHMARK_PT) for label in column), default=0.0)
    pad = 0.25 if n > 1 else 1.0
    frame = _Frame(
        width_pt=width_pt,
        height_pt=height_pt,
        categories=categories,
        x_range=(-pad, n - 1 + pad),
        y_range=(bottom, top),
        tick_labels=[label for _, label in ticks],
        y_label=y_label,
        legend=legend,
        right_labels=right_labels,
        tick_marks=True,
        right_gap=_END_LABEL_PAD if ends else _BENCHMARK_PAD,
    )

    shapes = _axes(frame, categories, ticks, tick_marks=True)
    drawn: list[tuple[int, str]] = []  # (z, svg) for the lines, drawn in matplotlib's z order
    for i, label in enumerate(order):
        look = styles[i]
        values_i = rows[label]
        points = [None if math.isnan(v) else (frame.x(x), frame.y(v)) for x, v in enumerate(values_i)]
        gid = f"{cid}-series-{i}"
        style = f"fill: none; stroke: {look['color']}; stroke-width: {_n(look['width'])}"
        if look["dash"]:
            style += f"; stroke-dasharray: {look['dash']}"
        parts = [f'<g id="{gid}">']
        if any(points):
            parts.append(f'<path d="{_polyline(points)}" style="{style}"/>')
        marked = [p for p in points if p] if look["every"] else [points[j] for j in _lone_points(values_i)]
        if look["every"] or marked:
            mid = f"{gid}-marker"
            parts.append(
                _marker_def(mid, look["marker"], look["size"], look["face"], look["color"], look["edge_width"])
            )
            parts += [_use(mid, x, y) for x, y in marked]
        parts.append("</g>")
        drawn.append((look["z"], "".join(parts)))
    drawn.sort(key=lambda item: item[0])  # stable: equal z keeps the series order

    benchmark_shapes, benchmark_texts = _right_column(frame, cid, benchmarks, ends, legend, n)
    shapes += [svg for z, svg in drawn if z < 3] + benchmark_shapes + [svg for z, svg in drawn if z >= 3]
    shapes += _legend_handles(legend, legend_entries, cid)

    texts = _axis_texts(frame, categories, ticks, y_label, tick_marks=True)
    texts += benchmark_texts
    texts += _legend_texts(legend)
    return _svg(
        cid=cid, title=title, description=description, width_mm=width_mm, height_mm=height_mm, frame=frame,
        shapes=shapes, texts=texts,
    )  # fmt: skip


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
    _check_size(width_mm, height_mm)
    categories = [str(c) for c in categories]
    n = len(categories)

    values = _finite(rows)
    lo = min([0.0, *values])
    hi = max([0.0, *values])
    bottom, top, ticks = _y_axis(
        lo, hi * (1.08 if value_labels else 1), percent=False, integer=bool(values) and _all_integers(values)
    )
    width_pt, height_pt = _size_pt(width_mm, height_mm)
    legend = _Legend(list(rows), width_pt)
    frame = _Frame(
        width_pt=width_pt,
        height_pt=height_pt,
        categories=categories,
        x_range=(-0.5, n - 0.5),
        y_range=(bottom, top),
        tick_labels=[label for _, label in ticks],
        y_label=y_label,
        legend=legend,
        right_labels=0.0,
        tick_marks=False,
    )

    shapes = _axes(frame, categories, ticks, tick_marks=False)
    value_texts: list[str] = []
    fills: list[str] = []
    k = max(len(rows), 1)
    group = 0.8
    width = group / k
    base = frame.y(min(max(0.0, bottom), top))
    for i, values_i in enumerate(rows.values()):
        face, hatch = _BAR_FILLS[i % len(_BAR_FILLS)]
        parts = []
        if hatch:
            pid = f"{cid}-hatch-{i}"
            shapes.append(_hatch_pattern(pid, face, hatch))  # outside the group: nothing to inherit
            fill = f"url(#{pid})"
        else:
            fill = face
        fills.append(fill)
        offset = -group / 2 + width * (i + 0.5)
        for x, v in enumerate(values_i):
            if math.isnan(v):
                continue
            x0, x1 = frame.x(x + offset - width * 0.46), frame.x(x + offset + width * 0.46)
            y = frame.y(v)
            parts.append(
                f'<g id="{cid}-bars-{i}-{x}"><path d="M {_n(x0)} {_n(base)} V {_n(y)} H {_n(x1)} V {_n(base)} Z"/></g>'
            )
            if value_labels:
                cx = (x0 + x1) / 2
                if v >= 0:
                    value_texts.append(_text(cx, y - 1.5 - _DESCENT * _VALUE_PT, format_number(v)))
                else:
                    value_texts.append(_text(cx, y + 1.5 + _DIGIT_HEIGHT * _VALUE_PT, format_number(v)))
        shapes.append(
            f'<g id="{cid}-series-{i}" fill="{fill}" stroke="#000000" stroke-width="{_n(_AXIS_WIDTH)}"'
            f' stroke-linejoin="miter">{"".join(parts)}</g>'
        )
    shapes += _legend_patches(legend, fills)

    texts = _axis_texts(frame, categories, ticks, y_label, tick_marks=False)
    if value_texts:
        texts += [f'<g font-size="{_n(_VALUE_PT)}" text-anchor="middle">', *value_texts, "</g>"]
    texts += _legend_texts(legend)
    return _svg(
        cid=cid, title=title, description=description, width_mm=width_mm, height_mm=height_mm, frame=frame,
        shapes=shapes, texts=texts,
    )  # fmt: skip


# --- legend -------------------------------------------------------------------------------------------------


def _legend_texts(legend: _Legend) -> list[str]:
    if not legend.rows:
        return []
    out = ['<g text-anchor="start">']
    for index, label in enumerate(legend.labels):
        x, y = legend.position(index)
        out.append(_text(x + _LEGEND_HANDLE + _LEGEND_TEXT_PAD, y + _DIGIT_HEIGHT * _LEGEND_PT / 2, label))
    out.append("</g>")
    return out


def _legend_handles(legend: _Legend, entries: list[tuple[str, dict | None]], cid: str) -> list[str]:
    """A line sample per entry with the series' marker in its middle (the context entry: a thin grey line)."""
    if not entries:
        return []
    out = ['<g fill="none">']
    for index, (_label, look) in enumerate(entries):
        x, y = legend.position(index)
        if look is None:
            out.append(
                f'<path d="M {_n(x)} {_n(y)} h {_n(_LEGEND_HANDLE)}" stroke="{_CONTEXT_COLOR}" stroke-width="0.9"/>'
            )
            continue
        dash = f' stroke-dasharray="{look["dash"]}"' if look["dash"] else ""
        out.append(
            f'<path d="M {_n(x)} {_n(y)} h {_n(_LEGEND_HANDLE)}" stroke="{look["color"]}"'
            f' stroke-width="{_n(look["width"])}"{dash}/>'
        )
        out.append(_use(f"{cid}-series-{look['index']}-marker", x + _LEGEND_HANDLE / 2, y))
    out.append("</g>")
    return out


def _legend_patches(legend: _Legend, fills: list[str]) -> list[str]:
    if not fills:
        return []
    out = [f'<g stroke="#000000" stroke-width="{_n(_AXIS_WIDTH)}" stroke-linejoin="miter">']
    h = 0.7 * _LEGEND_PT
    for index, fill in enumerate(fills):
        x, y = legend.position(index)
        out.append(
            f'<path d="M {_n(x)} {_n(y - h / 2)} h {_n(_LEGEND_HANDLE)} v {_n(h)} h {_n(-_LEGEND_HANDLE)} Z"'
            f' fill="{fill}"/>'
        )
    out.append("</g>")
    return out


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


def _spread(wanted: list[float], gap: float, low: float, high: float) -> list[float]:
    """Positions (ascending wishes, in points upwards) at least ``gap`` apart, in the wishes' order, each
    run of crowded labels centred on its wishes (least squares: the mean shift of a run is zero), all
    within [low, high] when they fit there (else spread evenly over it)."""
    if not wanted:
        return []
    if gap * (len(wanted) - 1) > high - low:
        step = (high - low) / max(len(wanted) - 1, 1)
        return [low + step * k for k in range(len(wanted))]
    runs: list[list] = []  # [first index, count, sum of (wish - gap × place in run), start]

    def start(count: int, total: float) -> float:
        return min(max(total / count, low), high - gap * (count - 1))

    for k, w in enumerate(wanted):
        run = [k, 1, w, start(1, w)]
        while runs and runs[-1][3] + gap * runs[-1][1] > run[3]:  # overlaps the run below: one run
            below = runs.pop()
            total = below[2] + run[2] - gap * below[1] * run[1]
            run = [below[0], below[1] + run[1], total, 0.0]
            run[3] = start(run[1], total)
        runs.append(run)
    return [first_start + gap * j for _, count, _, first_start in runs for j in range(count)]


def _right_column(
    frame: _Frame,
    cid: str,
    benchmarks: list[tuple[float, str]],
    ends: list[tuple[int, int, float, str]],
    legend: _Legend,
    n: int,
) -> tuple[list[str], list[str]]:
    """Benchmarks as dashed lines across the plot, and one column of labels right of it: the benchmarks'
    at their lines' heights, the series' names (``ends``) at their last values'. Sorted by height and
    pushed apart where they would overlap, so a thin leader joins a moved label to its line; the series'
    names always have one, from their last point (the column stands well off the plot for them)."""
    if not benchmarks and not ends:
        return [], []
    dash = ",".join(_n(v * _BENCHMARK_WIDTH) for v in _BENCHMARK_DASH)
    style = f"fill: none; stroke: {_BENCHMARK_COLOR}; stroke-width: {_n(_BENCHMARK_WIDTH)}; stroke-dasharray: {dash}"
    # (line's y, kind, index, label): kind 0 a benchmark, 1 a series' end
    items = [(frame.y(value), 0, j, label) for j, (value, label) in enumerate(benchmarks)]
    items += [(frame.y(value), 1, i, label) for i, _, value, label in ends]
    # Label centres measured upwards from the chart's bottom edge, so the spreading works in ascending order.
    order = sorted(range(len(items)), key=lambda k: (-items[k][0], items[k][1], items[k][2]))
    wanted = [frame.height - items[k][0] for k in order]
    x = frame.right + frame.right_gap
    size = _BENCHMARK_PT
    half = size * _LABEL_PITCH / 2
    # up to the chart's top, but not into the legend where it reaches the labels' column
    ceiling = legend.top + legend.height() + half if legend.rows and legend.right() > x else _PAD + half
    highest = frame.height - ceiling
    lowest = _PAD + half
    room = (highest - lowest) / max(len(items) - 1, 1)
    gap = min(size * _LABEL_PITCH, room)
    if gap < size * _LABEL_PITCH_MIN:  # too many to fit even packed: a smaller font
        size = max(gap / _LABEL_PITCH_MIN, _LABEL_PT_MIN)
    placed = dict(zip(order, _spread(wanted, gap, lowest, highest), strict=True))
    # Leaders start where the lines end (the benchmarks' at the plot's edge, or beside the series' ends
    # when those are named too: then all leaders leave from one x in the labels' order, none crossing).
    start = frame.x(n - 1) + 2 if ends else frame.right
    stub = f" H {_n(x - 1)}" if ends else ""  # with many leaders fanning out, each ends level at its label
    elbow = x - 1 - (_LEADER_STUB if ends else 0.0)
    shapes, texts = [], [f'<g font-size="{_n(size)}">']
    last_x = {i: frame.x(last) for i, last, _, _ in ends}
    end_leaders = []
    for k, (y_line, kind, index, label) in enumerate(items):
        y_label = frame.height - placed[k]
        texts.append(_text(x, y_label + _DIGIT_HEIGHT * size / 2, label))
        if kind == 1:
            end_leaders.append(f"M {_n(last_x[index] + 2)} {_n(y_line)} L {_n(elbow)} {_n(y_label)}{stub}")
            continue
        leader = ""
        if abs(y_label - y_line) > 1:
            leader = (
                f'<path d="M {_n(start)} {_n(y_line)} L {_n(elbow)} {_n(y_label)}{stub}" fill="none"'
                f' stroke="{_BENCHMARK_COLOR}" stroke-width="0.5"/>'
            )
        shapes.append(
            f'<g id="{cid}-benchmark-{index}"><path d="M {_n(frame.left)} {_n(y_line)} H {_n(frame.right)}"'
            f' style="{style}"/>{leader}</g>'
        )
    if end_leaders:
        shapes.append(
            f'<path id="{cid}-end-leaders" d="{" ".join(end_leaders)}" fill="none" stroke="{_END_LEADER_COLOR}"'
            f' stroke-width="0.5"/>'
        )
    texts.append("</g>")
    return shapes, texts
