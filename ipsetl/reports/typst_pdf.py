"""The PDF of a report: the report model as JSON, laid out by templates/report.typ with Typst.

Typst (the `typst` PyPI package bundles the compiler; nothing is downloaded) makes a tagged PDF:
PDF/UA-1 for screen readers and PDF/A-2a for the archive, both checked by the compiler, which
refuses to write a file that breaks either. The data never enters the markup: the template reads
data.json and inserts each text as a value.

What the model holds is made safe for the compile here, not in the template:

* a character DejaVu Sans has no glyph for (emoji, CJK in an open answer) would fail the whole
  PDF/UA compile, so it is written as its code point, `[U+1F600]`;
* a word longer than a table column (a file name without spaces) would run over the page, since
  Typst does not break inside words: a zero-width space every WORD_BREAK characters lets it wrap;
* control characters other than the line break are written as code points too.

Byte-identical output for the same model and date: the timestamp is the as-of date, the fonts are
only the DejaVu files (no system fonts that differ between machines).
"""

from __future__ import annotations

import functools
import json
import re
import tempfile
from datetime import UTC, date, datetime, time
from pathlib import Path

from ipsetl.config import PROJECT_ROOT
from ipsetl.reports.freshness import FONT_DIRS, FONT_FILES
from ipsetl.reports.model import Document, to_json

TEMPLATE = PROJECT_ROOT / "templates" / "report.typ"
STANDARDS = ["a-2a", "ua-1"]
WORD_BREAK = 24  # characters of an unbroken word before a zero-width space lets it wrap
ZWSP = "\u200b"
# Only where Typst surely breaks a line: a space or a line break (not every character Python calls
# whitespace: U+202F, a narrow no-break space, is one and does not break).
_LONG_WORD = re.compile(rf"[^ \n\u200b]{{{WORD_BREAK + 1},}}")


class FontMissing(RuntimeError):
    pass


@functools.cache
def font_dir() -> Path:
    """The folder of DejaVu Sans (regular and bold), the reports' only font."""
    for folder in FONT_DIRS:
        if all((Path(folder) / name).is_file() for name in FONT_FILES):
            return Path(folder)
    raise FontMissing(
        "PDF-raporttien fontti DejaVu Sans puuttuu (etsitty: " + ", ".join(FONT_DIRS) + "). "
        "Asenna Debianin paketti fonts-dejavu-core (scripts/setup tekee sen, kun voi)."
    )


@functools.cache
def covered() -> frozenset[int]:
    """The characters both DejaVu Sans and its bold have a glyph for (a text may be set in either)."""
    from fontTools.ttLib import TTFont

    sets = []
    for name in FONT_FILES:
        with TTFont(font_dir() / name, lazy=True) as font:
            sets.append(set(font.getBestCmap()))
    return frozenset(sets[0] & sets[1])


@functools.lru_cache(maxsize=65536)  # labels and words repeat across a worker's reports
def printable(text: str) -> str:
    """`text` with every character the font lacks written as its code point, and long words breakable."""
    glyphs = covered()
    if not all(ord(ch) in glyphs or ch == "\n" for ch in text):
        text = "".join(ch if ord(ch) in glyphs or ch == "\n" else f"[U+{ord(ch):04X}]" for ch in text)
    if _LONG_WORD.search(text):
        text = _LONG_WORD.sub(_breakable, text)
    return text


def _breakable(match: re.Match) -> str:
    word = match.group(0)
    return ZWSP.join(word[i : i + WORD_BREAK] for i in range(0, len(word), WORD_BREAK))


def _safe(value, key: str = ""):
    if isinstance(value, str):
        return value if key in ("svg", "kind", "style") else printable(value)
    if isinstance(value, list):
        return [_safe(v) for v in value]
    if isinstance(value, dict):
        return {k: _safe(v, k) for k, v in value.items()}
    return value


def document_json(doc: Document) -> bytes:
    data = _safe(to_json(doc))
    return json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")


@functools.cache
def _root() -> str:
    """An empty folder as the compile's root: the template and its data come from memory, and no
    path in them can reach a file of this machine."""
    import atexit
    import shutil

    root = tempfile.mkdtemp(prefix="ipsetl-typst-")
    atexit.register(shutil.rmtree, root, True)
    return root


def pdf_bytes(doc: Document, as_of: date) -> bytes:
    """The report's PDF; a Typst warning (an unknown font, a missing glyph) is an error, because
    it means the PDF does not look as the model says."""
    import typst

    files = {"main.typ": TEMPLATE.read_bytes(), "data.json": document_json(doc)}
    try:
        pdf, warnings = typst.compile_with_warnings(
            files,
            root=_root(),
            font_paths=[str(font_dir())],
            ignore_system_fonts=True,
            pdf_standards=STANDARDS,
            timestamp=datetime.combine(as_of, time(12), tzinfo=UTC),
        )
    except typst.TypstError as exc:
        raise RuntimeError(f"PDF:n muodostus (Typst) epäonnistui: {_describe(exc)}") from None
    if warnings:
        raise RuntimeError("PDF:n muodostus (Typst) varoitti: " + "; ".join(_describe(w) for w in warnings))
    return pdf


def _describe(problem) -> str:
    message = getattr(problem, "message", None) or str(problem)
    hints = getattr(problem, "hints", None) or []
    return message + ("".join(f" ({h})" for h in hints) if hints else "")
