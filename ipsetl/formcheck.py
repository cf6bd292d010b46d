"""What a file's headers are to a form version: known, ignored, personal or unknown, and which of
the form's questions the file lacks, each with the unknown header most like it.

One reading for the run's findings (ipsetl.mapping), `ipsetl forms check` and `ipsetl forms draft`,
so that what the check prints is exactly what a run would do with the file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from ipsetl.forms import FormColumn, FormVersion, form_versions
from ipsetl.recognise import Layout, header_candidates, match_counts, plausible
from ipsetl.similarity import assign, ranked, shortlist, similarity

PERSONAL_PREFIXES = ("Vastaajan tiedot",)
# The field of a `question:field` header that is a person's contact detail, whatever the question.
PERSONAL_FIELDS = frozenset(
    {"nimi", "etunimi", "sukunimi", "sähköposti", "sähköpostiosoite", "puhelin", "puhelinnumero", "osoite"}
)

KNOWN, IGNORED, PERSONAL, UNKNOWN = "known", "ignored", "personal", "unknown"


@dataclass(frozen=True)
class Header:
    position: int  # the file's column, from 1
    text: str  # normalised
    kind: str  # KNOWN, IGNORED, PERSONAL or UNKNOWN
    column: FormColumn | None = None  # for KNOWN (and a personal header the form names)


@dataclass(frozen=True)
class Missing:
    """A column of the form the file has no header for, and the unknown header most like it."""

    column: FormColumn
    nearest: Header | None
    score: float = 0.0
    reworded: bool = False  # nearest is taken for this question's new wording (one-to-one, ≥ PLAUSIBLE)


@dataclass(frozen=True)
class HeaderCheck:
    form: FormVersion
    headers: tuple[Header, ...]
    missing: tuple[Missing, ...]

    @cached_property
    def positions(self) -> dict[str, list[int]]:
        """canonical column → the grid indices (from 0) of its headers."""
        out: dict[str, list[int]] = {}
        for h in self.headers:
            if h.column is not None:
                out.setdefault(h.column.column, []).append(h.position - 1)
        return out

    @property
    def unknown(self) -> list[Header]:
        return [h for h in self.headers if h.kind == UNKNOWN]

    @property
    def duplicates(self) -> dict[str, list[int]]:
        return {
            name: idx
            for name, idx in self.positions.items()
            if len(idx) > 1 and self.form.column(name).type != "personal"
        }

    @property
    def missing_required(self) -> list[Missing]:
        return [m for m in self.missing if m.column.required]

    @property
    def reworded(self) -> list[Missing]:
        return [m for m in self.missing if m.reworded]

    @property
    def new_questions(self) -> list[Header]:
        """Unknown headers that are no missing question's rewording."""
        taken = {m.nearest.position for m in self.reworded}
        return [h for h in self.unknown if h.position not in taken]

    @property
    def loads(self) -> bool:
        """Whether a run would load the file under this version (rows may still be rejected)."""
        return not self.missing_required and not self.duplicates

    def rewording_of(self, header: Header) -> Missing | None:
        return next((m for m in self.reworded if m.nearest.position == header.position), None)

    def similar_columns(self, header: Header, n: int = 3) -> list[tuple[FormColumn, float]]:
        """The form's questions most like an unknown header, most alike first."""
        columns = [c for c in self.form.columns if c.type != "personal"]
        return [(columns[i], score) for i, score in ranked(header.text, [c.header for c in columns], n)]


def classify(form: FormVersion, headers: Sequence[str]) -> list[Header]:
    known = form.by_header
    out: list[Header] = []
    for i, text in enumerate(headers, 1):
        if not text:
            continue
        col = known.get(text)
        if col is not None:
            out.append(Header(i, text, PERSONAL if col.type == "personal" else KNOWN, col))
        elif text.startswith(PERSONAL_PREFIXES) or _personal_field(text):
            out.append(Header(i, text, PERSONAL))
        elif text in form.ignore:
            out.append(Header(i, text, IGNORED))
        else:
            out.append(Header(i, text, UNKNOWN))
    return out


def _personal_field(text: str) -> bool:
    """A contact block's name or email under whatever question ("Yhteyshenkilön tiedot:Nimi"): its
    cells are personal data however the block is reworded, never parsed nor quoted."""
    _, sep, part = text.rpartition(":")
    return bool(sep) and part.strip().casefold() in PERSONAL_FIELDS


def check_headers(form: FormVersion, headers: Sequence[str]) -> HeaderCheck:
    """The file's headers read against one form version."""
    classified = classify(form, headers)
    present = {h.column.column for h in classified if h.column is not None}
    lacking = [c for c in form.columns if c.column not in present]
    unknown = [h for h in classified if h.kind == UNKNOWN]
    # A question split in two ("…:Naiset", "…:Miehet") is no rewording of the single question it was:
    # either part alone would load half the answer as the whole.
    parts = Counter(h.text.partition(":")[0] for h in unknown if ":" in h.text)
    split = {q for q, n in parts.items() if n >= 2}

    def score(found: str, wanted: str) -> float:
        if ":" in found and ":" not in wanted and found.partition(":")[0] in split:
            return 0.0
        return similarity(found, wanted)

    missing = _paired([c for c in lacking if c.type != "personal"], unknown, score)
    # a reworded contact block: its headers are personal either way, but the next version should know them
    renamed_personal = [h for h in classified if h.kind == PERSONAL and h.column is None]
    missing += _paired([c for c in lacking if c.type == "personal"], renamed_personal, similarity)
    order = {c.column: i for i, c in enumerate(form.columns)}
    return HeaderCheck(form, tuple(classified), tuple(sorted(missing, key=lambda m: order[m.column.column])))


def _paired(lacking: list[FormColumn], candidates: list[Header], score) -> list[Missing]:
    """Each lacking column with the candidate header taken for its rewording, or the nearest one."""
    if candidates and lacking:
        candidates = [candidates[i] for i in shortlist([h.text for h in candidates], [c.header for c in lacking])]
    pairs = assign([h.text for h in candidates], [c.header for c in lacking], score=score) if candidates else {}
    taken = {fi for fi, _ in pairs.values()}
    missing: list[Missing] = []
    for wi, c in enumerate(lacking):
        if wi in pairs:
            fi, similarity_ = pairs[wi]
            missing.append(Missing(c, candidates[fi], similarity_, reworded=True))
            continue
        pool = [h for k, h in enumerate(candidates) if k not in taken] or candidates
        if not pool:
            missing.append(Missing(c, None))
            continue
        best = max(pool, key=lambda h: (similarity(h.text, c.header), -h.position))
        missing.append(Missing(c, best, similarity(best.text, c.header)))
    return missing


def check_layout(layout: Layout) -> HeaderCheck:
    return check_headers(layout.form, layout.headers)


def guess_layout(rows: list[list[object]]) -> Layout | None:
    """The layout and form version the file most resembles when no version knows enough of its
    headers as they are (find_layout failed): rewordings count as matches here. None when even so
    the file is no form's export."""
    best: tuple[tuple, Layout] | None = None
    for start, n_rows, headers in header_candidates(rows):
        filled = [h for h in headers if h]
        if len(filled) < 3:
            continue
        for form in form_versions():
            exact, exact_required = match_counts(form, headers)
            check = check_headers(form, headers)
            matched = exact + len(check.reworded)
            required = exact_required + sum(1 for m in check.reworded if m.column.required)
            layout = Layout(form, start, n_rows, tuple(headers), matched, required)
            key = (matched, -n_rows, -start)
            if best is None or key > best[0]:
                best = (key, layout)
    if best is not None and plausible(best[1]):
        return best[1]
    return None
