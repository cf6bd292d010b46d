"""How alike two question texts are: what lets ipsetl tell a reworded question from a new one.

When THL edits the Webropol form between rounds, an export's header is the question's new text.
A reworded question keeps most of its characters in order ("Työhönvalmentajien määrä …" →
"Työhönvalmentajien lukumäärä …"); a new question shares words at most ("jakson aikana").
Character-level similarity (rapidfuzz's normalised Indel distance) tells them apart better than
word overlap: Finnish inflects, so a reworded question rarely keeps its words intact, while two
unrelated questions of the same form share many ("asiakkaat", "jakson lopussa").

The numbers of a question are its identity where the texts are alike by design: the quality
form's 25 items ("7. Työhönvalmennuksen tiimi" vs "8. Työhönvalmennuksen tiiminvetäjän rooli",
76 % alike as text) and the process phases ("Vaihe 1 – …" … "Vaihe 5 – …"). Texts whose numbers
differ count as less alike (NUMBER_PENALTY), so item 7's rewording is matched to item 7.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from rapidfuzz import fuzz

# A question at least this alike to a form's question is taken for its rewording (forms draft, the
# run's finding). Measured on tests/test_similarity.py: rewordings of the two forms' questions score
# 0,80–0,99, unrelated questions of the same forms at most 0,69.
PLAUSIBLE = 0.75
# Between PLAUSIBLE and this, rewordings and unrelated questions that share the form's phrases
# ("… jakson aikana") both occur: such a match is marked for the coordinator to look at.
REVIEW = 0.85
# Below this a text is not worth naming as a candidate at all (forms check's "lähimmät").
SHOWN = 0.45
# Two questions whose numbers differ ("7." vs "8.", "Vaihe 1" vs "Vaihe 2") are alike at most this
# share of their text similarity.
NUMBER_PENALTY = 0.8
# The field's share of a `question:field` header's similarity.
FIELD_WEIGHT = 0.7

# shortlist(): at most this many found texts per wanted one (both quick measures), and below this
# many pairs everything is compared in full anyway.
SHORTLIST = 8
SHORTLIST_ALL = 50_000

_WORD = re.compile(r"\w+")
_NUMBER = re.compile(r"\d+")


@lru_cache(maxsize=4096)
def _key(text: str) -> tuple[str, tuple[str, ...]]:
    """The text as compared: case, accents' composition, punctuation and spacing do not count."""
    folded = unicodedata.normalize("NFC", text).casefold()
    words = _WORD.findall(folded)
    return " ".join(words), tuple(_NUMBER.findall(folded))


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
    (ka, na), (kb, nb) = _key(a), _key(b)
    if not ka or not kb:
        return 0.0
    score = max(fuzz.ratio(ka, kb), fuzz.token_sort_ratio(ka, kb)) / 100
    if na != nb:
        score *= NUMBER_PENALTY
    return score


def ranked(text: str, candidates: Sequence[str], n: int = 3, floor: float = SHOWN) -> list[tuple[int, float]]:
    """The n candidates most like `text` (index, similarity), most alike first, none below floor."""
    scores = [(i, similarity(text, c)) for i, c in enumerate(candidates)]
    return sorted((s for s in scores if s[1] >= floor), key=lambda s: (-s[1], s[0]))[:n]


def assign(found: Sequence[str], wanted: Sequence[str], threshold: float = PLAUSIBLE) -> dict[int, tuple[int, float]]:
    """Pair each wanted question with at most one found text and vice versa: the most alike pairs
    first, none below threshold. {wanted index: (found index, similarity)}.

    One-to-one, so that two reworded phases ("Vaihe 2 …", "Vaihe 3 …") cannot both claim the text
    that is most like either of them."""
    pairs = sorted(
        ((similarity(f, w), fi, wi) for fi, f in enumerate(found) for wi, w in enumerate(wanted)),
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

    keys = [_key(f)[0] for f in found]
    chosen: set[int] = set()
    for scorer in (fuzz.ratio, fuzz.token_sort_ratio):
        matrix = process.cdist([_key(w)[0] for w in wanted], keys, scorer=scorer, dtype=np.uint8)
        k = min(per_wanted, len(found))
        top = np.argpartition(-matrix.astype(np.int16), k - 1, axis=1)[:, :k]
        chosen.update(int(i) for i in top.ravel())
    return sorted(chosen)


def percent(score: float) -> str:
    """A similarity as the coordinator reads it: `92 %`."""
    return f"{round(score * 100)}\u00a0%"
