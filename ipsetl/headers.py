"""Header text normalisation, shared by form recognition and the export generator.

Webropol writes the question text as the header, so matching must survive the noise that
Excel and copy-paste add (forms.md: NFC, NBSP → space, runs of white space → one, trimmed,
trailing ':' removed, case kept).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_WS = re.compile(r"\s+")


def normalise_header(text: object) -> str:
    """Return the header as forms are matched on it; non-strings (Excel numbers) become text."""
    if text is None:
        return ""
    return _normalise(str(text))


def forget() -> None:
    """Empty the cache: recognition also normalises the cells of a file's first rows, respondents'
    names among them, and a long-lived process (Dagster's code server) must not keep them."""
    _normalise.cache_clear()


@lru_cache(maxsize=1 << 16)
def _normalise(text: str) -> str:
    # cached: form recognition tries every leading row of every file against every form version,
    # the same few hundred header texts a hundred thousand times in a national load (forget()
    # empties it after each batch of files)
    s = unicodedata.normalize("NFC", text)
    s = s.replace("\ufeff", "").replace("\u00a0", " ").replace("\u202f", " ")
    s = _WS.sub(" ", s).strip()
    while s.endswith(":"):
        s = s[:-1].rstrip()
    return s


def merge_header_rows(top: list[str], sub: list[str], known: frozenset[str] | None = None) -> list[str]:
    """Merge a raw export's two header rows into `question:field` headers.

    The question text stands over the first column of its block; it is carried right across
    the empty cells of the top row, and joined with the sub-label where there is one. A `-`
    placeholder or a sub-label repeating the question adds nothing. Where `known` headers are
    given, a column keeps whichever reading (merged, or its own top cell) is a known header, so
    a label under a single-column question does not hide the question.
    """
    merged: list[str] = []
    current = ""
    for i in range(max(len(top), len(sub))):
        t = normalise_header(top[i] if i < len(top) else "")
        s = normalise_header(sub[i] if i < len(sub) else "")
        if t:
            current = t
        if s in ("-", "–", current):
            s = ""
        candidate = (f"{current}:{s}" if current else f":{s}") if s else t
        if known is not None and candidate not in known and t in known:
            candidate = t
        merged.append(candidate)
    return merged
