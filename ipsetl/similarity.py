"""How alike two question texts are: what lets ipsetl tell a reworded question from a new one.

When THL edits the Webropol form between rounds, an export's header is the question's new text.
A reworded question keeps most of its characters in order ("Työhönvalmentajien määrä …" →
"Työhönvalmentajien lukumäärä …"); a new question shares words at most ("jakson aikana").
Character-level similarity (rapidfuzz's normalised Indel distance) tells them apart better than
word overlap: Finnish inflects, so a reworded question rarely keeps its words intact, while two
unrelated questions of the same form share many ("asiakkaat", "jakson lopussa").

The quality form's items are compared without their leading number ("7. "), which only breaks
ties (RENUMBERED): a criterion inserted before item 7 renumbers 7–25, and each keeps its text.
Other numbers are a question's identity where the texts are alike by design, as the process
phases ("Vaihe 1 – …" … "Vaihe 5 – …"): texts whose other numbers differ count as less alike
(NUMBER_PENALTY). And two texts that differ by a contrast ("jakson alussa" / "jakson lopussa",
"aloittivat" / "keskeyttivät", "uudet" / "päättyneet") are alike as text but opposite questions
(CONTRAST_PENALTY): a start-of-period count must never load as an end-of-period one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from ipsetl import fiformat

# A question at least this alike to a form's question is taken for its rewording (forms draft, the
# run's finding). Measured on tests/test_forms_change.py: rewordings of the two forms' questions
# score 0,77–1, unrelated new questions at most 0,74.
PLAUSIBLE = 0.75
# Between PLAUSIBLE and this, rewordings and unrelated questions that share the form's phrases
# ("… jakson aikana") both occur: such a match is marked for the coordinator to look at.
REVIEW = 0.85
# Below this a text is not worth naming as a candidate at all (forms check's "lähimmät").
SHOWN = 0.45
# Two questions whose numbers (other than an item's leading one) differ ("Vaihe 1" vs "Vaihe 2") are
# alike at most this share of their text similarity; an item's leading number differing, this share.
NUMBER_PENALTY = 0.8
RENUMBERED = 0.97
# Two questions on opposite sides of a contrast: alike at most this share (below PLAUSIBLE even for
# the same words otherwise).
CONTRAST_PENALTY = 0.6
# The contrasts, as word stems (Finnish inflects: "alussa", "alkaa", "alkupäivä"; "lopussa",
# "päättyy", "loppupäivä"). A text with a word of one side and none of the other, against a text
# the other way round, is a contrast.
CONTRASTS = (
    (("alussa", "alkaa", "alku", "alkan", "aloit", "aloitt"), ("lopussa", "loppu", "päätty", "keskeyt")),
    (("uud", "uus"), ("päätty", "lopet")),
    (("nais",), ("mies", "miehe")),
    (("sisä",), ("ulko",)),
    (("vähintään", "alin"), ("enintään", "korkein", "ylin")),
)
# The field's share of a `question:field` header's similarity.
FIELD_WEIGHT = 0.7

# shortlist(): at most this many found texts per wanted one (both quick measures), and below this
# many pairs everything is compared in full anyway.
SHORTLIST = 8
SHORTLIST_ALL = 50_000

_WORD = re.compile(r"\w+")
_NUMBER = re.compile(r"\d+")
_ITEM = re.compile(r"^\s*(\d+)\s*[.)]\s*")


@dataclass(frozen=True)
class _Key:
    text: str  # the words, case-folded, an item's leading number left out
    item: str | None  # "7" of "7. Työhönvalmennuksen tiimi"
    numbers: tuple[str, ...]  # the other numbers
    sides: tuple[int, ...]  # per CONTRASTS: 0 neither or both, 1 the first side, 2 the second


@lru_cache(maxsize=8192)
def _key(text: str) -> _Key:
    """The text as compared: case, accents' composition, punctuation and spacing do not count."""
    folded = unicodedata.normalize("NFC", text).casefold()
    item = _ITEM.match(folded)
    if item:
        folded = folded[item.end() :]
    words = _WORD.findall(folded)
    sides = []
    for first, second in CONTRASTS:
        a = any(w.startswith(first) for w in words)
        b = any(w.startswith(second) for w in words)
        sides.append(1 if a and not b else 2 if b and not a else 0)
    return _Key(" ".join(words), item.group(1) if item else None, tuple(_NUMBER.findall(folded)), tuple(sides))


def similarity(a: str, b: str) -> float:
    """0–1: 1 for the same question however punctuated, ≥ PLAUSIBLE for a rewording.

    Two `question:field` headers (a multi-part question's columns) are compared part by part, the
    field weighing most: "Päättyneiden asiakkuuksien syyt:Muu syy" and "…:Työllistyi" are 84 % alike
    as whole texts but different columns, while a reworded question over the same field is the same
    column."""
    qa, _, fa = a.partition(":")
    qb, _, fb = b.partition(":")
    if fa and fb:
        return FIELD_WEIGHT * _text_similarity(fa, fb) + (1 - FIELD_WEIGHT) * _text_similarity(qa, qb)
    return _text_similarity(a, b)


def _text_similarity(a: str, b: str) -> float:
    ka, kb = _key(a), _key(b)
    if not ka.text or not kb.text:
        return 0.0
    score = max(fuzz.ratio(ka.text, kb.text), fuzz.token_sort_ratio(ka.text, kb.text)) / 100
    if ka.numbers != kb.numbers:
        score *= NUMBER_PENALTY
    if ka.item != kb.item:
        score *= RENUMBERED
    if any(x and y and x != y for x, y in zip(ka.sides, kb.sides, strict=True)):
        score *= CONTRAST_PENALTY
    return score


def ranked(text: str, candidates: Sequence[str], n: int = 3, floor: float = SHOWN) -> list[tuple[int, float]]:
    """The n candidates most like `text` (index, similarity), most alike first, none below floor."""
    scores = [(i, similarity(text, c)) for i, c in enumerate(candidates)]
    return sorted((s for s in scores if s[1] >= floor), key=lambda s: (-s[1], s[0]))[:n]


def assign(
    found: Sequence[str],
    wanted: Sequence[str],
    threshold: float = PLAUSIBLE,
    score: Callable[[str, str], float] | None = None,
) -> dict[int, tuple[int, float]]:
    """Pair each wanted question with at most one found text and vice versa: the most alike pairs
    first, none below threshold. {wanted index: (found index, similarity)}.

    One-to-one, so that two reworded phases ("Vaihe 2 …", "Vaihe 3 …") cannot both claim the text
    that is most like either of them."""
    score = score or similarity
    pairs = sorted(
        ((score(f, w), fi, wi) for fi, f in enumerate(found) for wi, w in enumerate(wanted)),
        key=lambda p: (-p[0], p[2], p[1]),
    )
    taken_found: set[int] = set()
    out: dict[int, tuple[int, float]] = {}
    for score, fi, wi in pairs:
        if score < threshold:
            break
        if fi in taken_found or wi in out:
            continue
        out[wi] = (fi, score)
        taken_found.add(fi)
    return out


def shortlist(found: Sequence[str], wanted: Sequence[str], per_wanted: int = SHORTLIST) -> list[int]:
    """Indices of the found texts worth comparing with the wanted ones in full: for each wanted
    text, the few found ones most like it by a quick whole-text measure (rapidfuzz's cdist, in C++).
    A hostile file's 20 000 unknown headers cost a tenth of a second this way, not a minute, and a
    rewording placed after them is still found."""
    if len(found) * len(wanted) <= SHORTLIST_ALL:
        return list(range(len(found)))
    import numpy as np
    from rapidfuzz import process

    keys = [_key(f).text for f in found]
    chosen: set[int] = set()
    for scorer in (fuzz.ratio, fuzz.token_sort_ratio):
        matrix = process.cdist([_key(w).text for w in wanted], keys, scorer=scorer, dtype=np.uint8)
        k = min(per_wanted, len(found))
        top = np.argpartition(-matrix.astype(np.int16), k - 1, axis=1)[:, :k]
        chosen.update(int(i) for i in top.ravel())
    return sorted(chosen)


def percent(score: float) -> str:
    """A similarity as the coordinator reads it: `92 %` (the reports' own formatting, whole percents)."""
    return fiformat.percent(score, 0)
