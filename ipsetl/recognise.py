"""Find the header row(s) of a grid and the form version they belong to.

The header layout is not announced: a basic report has one header row, a raw export two, and a
misplaced file may have metadata rows first. Every plausible layout is tried and scored by how
many headers a known form version recognises; the best wins, a tie goes to the simpler layout.
"""

from __future__ import annotations

from dataclasses import dataclass

from ipsetl.forms import FormVersion, form_versions, known_header_prefixes
from ipsetl.headers import merge_header_rows, normalise_header

MAX_LEADING_ROWS = 10
# The last sentence of every finding about a form the file does not quite match (issue 17).
CHECK_HINT = "Jos lomakkeen kysymystä on muutettu, aja `ipsetl forms check <tiedosto>`."
EVENTS_MARKERS = {"ilm.aika", "tila", "tapahtuman nimi", "ilmoittautunut", "peruutettu", "osallistujat"}


@dataclass(frozen=True)
class Layout:
    form: FormVersion
    header_start: int  # index of the first header row in the grid
    header_rows: int  # 1 or 2
    headers: tuple[str, ...]  # normalised, one per grid column
    matched: int
    required_matched: int


class NotAForm(ValueError):
    def __init__(self, rule: str, message: str):
        super().__init__(message)
        self.rule = rule
        self.message = message


def _cells(row: list[object]) -> list[str]:
    return ["" if c is None else str(c) for c in row]


def match_counts(form: FormVersion, headers: list[str]) -> tuple[int, int]:
    """(headers the version knows, of them required)."""
    known = form.by_header
    seen = {h for h in headers if h in known}
    required = sum(1 for h in seen if known[h].required)
    return len(seen), required


def header_candidates(rows: list[list[object]]):
    """(start, header_rows, headers) of every plausible header layout, simplest first."""
    for start in range(min(MAX_LEADING_ROWS, len(rows))):
        top = _cells(rows[start])
        yield start, 1, [normalise_header(c) for c in top]
        if start + 1 < len(rows):
            yield start, 2, merge_header_rows(top, _cells(rows[start + 1]), known_header_prefixes())


def plausible(layout: Layout) -> bool:
    """Enough of a form's questions to call the file an export of it: at least three, and half of
    the required ones."""
    n_required = sum(1 for c in layout.form.columns if c.required)
    return layout.required_matched * 2 >= n_required and layout.matched >= 3


def find_layout(rows: list[list[object]]) -> Layout:
    best: Layout | None = None
    for start, n_rows, headers in header_candidates(rows):
        for form in form_versions():
            matched, required = match_counts(form, headers)
            if best is None or (matched, -n_rows, -start) > (best.matched, -best.header_rows, -best.header_start):
                best = Layout(form, start, n_rows, tuple(headers), matched, required)
    if best is not None and plausible(best):
        return best
    raise _describe_unknown(rows)


def _describe_unknown(rows: list[list[object]]) -> NotAForm:
    """Say what the file looks like, so the coordinator knows what she dropped by mistake."""
    first = [normalise_header(c) for r in rows[:MAX_LEADING_ROWS] for c in r if normalise_header(c)]
    lowered = {c.casefold() for c in first}
    if len(lowered & EVENTS_MARKERS) >= 2:
        return NotAForm(
            "events_export",
            "Tiedosto näyttää Webropol Events -ilmoittautumislistalta (sarakkeita kuten 'Ilm.aika' ja "
            "'Tila'), ei seuranta- tai laatulomakkeen vastauksilta; sitä ei ladattu.",
        )
    if not first:
        return NotAForm("empty_file", "Tiedostossa ei ole otsikkoriviä eikä vastauksia.")
    # The cells are not quoted: in a file without a header row they would be answers, names among them.
    width = max((len(r) for r in rows[:MAX_LEADING_ROWS]), default=0)
    return NotAForm(
        "unknown_form",
        f"Tiedoston otsikot eivät vastaa seurantalomaketta eikä laatulomaketta (ensimmäisillä riveillä {width} "
        "saraketta, mutta lomakkeen kysymyksiä ei tunnistettu); onko tiedosto oikea Webropol-vienti? " + CHECK_HINT,
    )
