"""`ipsetl forms check FILE` and `ipsetl forms draft FILE`: the coordinator adapts ipsetl to an edited
Webropol form herself (issue 17). The reading and matching are ipsetl.forminspect's and
ipsetl.formcheck's; this module only says them, in Finnish, one screen for a normal export.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # imported where used: every `ipsetl` command loads this module
    from ipsetl.formcheck import Header, HeaderCheck

HEADER_WIDTH = 46
MAX_NEW_SHOWN = 20  # unknown headers listed one by one; a hostile file's thousands are counted


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _what(check: HeaderCheck, h: Header) -> str:
    from ipsetl.formcheck import IGNORED, KNOWN, PERSONAL
    from ipsetl.similarity import REVIEW, percent

    if h.kind == KNOWN:
        return h.column.column
    if h.kind == PERSONAL:
        return "henkilötieto (ei tallenneta)"
    if h.kind == IGNORED:
        return "ohitetaan (Webropolin lisäsarake)"
    if (m := check.rewording_of(h)) is not None:
        review = " – tarkista" if m.score < REVIEW else ""
        return f"tuntematon → muutettu {m.column.column}? {percent(m.score)}{review}"
    similar = check.similar_columns(h, n=2)
    if not similar:
        return "tuntematon; ei samankaltaista kysymystä (uusi kysymys?)"
    return "tuntematon; lähimmät " + ", ".join(f"{c.column} {percent(s)}" for c, s in similar)


def check_lines(insp) -> list[str]:
    """What `ipsetl forms check` prints: each header, then the form's missing questions, then the verdict."""
    from ipsetl.formcheck import KNOWN, UNKNOWN
    from ipsetl.similarity import percent

    check, layout = insp.check, insp.layout
    form = check.form
    rows = (
        f"otsikkorivit {layout.header_start + 1}–{layout.header_start + 2}"
        if layout.header_rows == 2
        else (f"otsikkorivi {layout.header_start + 1}")
    )
    answers = f", {insp.parsed.rows_total} vastausta" if insp.parsed is not None else ""
    sheet = f", välilehti '{insp.sheet}'" if insp.sheet else ""
    out = [
        f"Tiedosto: {insp.path}",
        f"Lomakeversio: {form.name} ({form.path}); {rows}, {len(layout.headers)} saraketta{answers}{sheet}",
    ]
    if not insp.exact:
        out.append(
            f"Ajo ei tunnistaisi tiedostoa lomakkeeksi: vain {sum(1 for h in check.headers if h.kind == KNOWN)} "
            f"otsikkoa on lomakkeen {form.name} sellaisenaan; alla verrattu versioon, jota tiedosto eniten muistuttaa."
        )
    out += ["", f" Nro  {'Otsikko tiedostossa'.ljust(HEADER_WIDTH)}  Sarake ({form.name})"]
    shown_new = {h.position for h in check.new_questions[:MAX_NEW_SHOWN]}
    for h in check.headers:
        if h.kind == UNKNOWN and h.position not in shown_new and check.rewording_of(h) is None:
            continue
        out.append(f"{h.position:>4}  {_cut(h.text, HEADER_WIDTH).ljust(HEADER_WIDTH)}  {_what(check, h)}")
    if (hidden := len(check.new_questions) - len(shown_new)) > 0:
        out.append(f"      … ja {hidden} muuta tuntematonta otsikkoa")
    if check.missing:
        required = len(check.missing_required)
        out += ["", f"Lomakkeen kysymykset, joita tiedostossa ei ole ({len(check.missing)}, pakollisia {required}):"]
        for m in check.missing:
            flag = (
                "henkilötieto" if m.column.type == "personal" else "pakollinen" if m.column.required else "valinnainen"
            )
            if m.reworded:
                out.append(f"  {m.column.column} ({flag}) '{_cut(m.column.header, 70)}'")
                out.append(f"      → sarake {m.nearest.position} '{_cut(m.nearest.text, 70)}' ({percent(m.score)})")
                continue
            if m.nearest is not None:
                found = f"→ ei vastinetta (lähin sarake {m.nearest.position}, {percent(m.score)})"
            else:
                found = "→ ei vastinetta"
            out.append(f"  {m.column.column} ({flag}) '{_cut(m.column.header, 50)}' {found}")
    for name, idx in check.duplicates.items():
        out.append(f"Kysymys {name} on tiedostossa {len(idx)} kertaa (sarakkeet {', '.join(str(i + 1) for i in idx)}).")
    out.append("")
    out += _verdict(insp)
    return out


def _verdict(insp) -> list[str]:
    check = insp.check
    draft_hint = f"Uusi lomakeversio näistä muutoksista: ipsetl forms draft {insp.path}"
    if insp.loads:
        p = insp.parsed
        lines = [
            f"Tulos: latautuisi sellaisenaan versiona {check.form.name}: {p.rows_total} vastausta, "
            f"{p.rows_accepted} hyväksyttäisiin, {p.rows_rejected} hylättäisiin."
        ]
        if optional := [m for m in check.reworded if m.column.type != "personal"]:
            said = (
                "1 valinnainen kysymys näyttää muutetulta; sen vastaukset jäisivät"
                if len(optional) == 1
                else f"{len(optional)} valinnaista kysymystä näyttää muutetuilta; niiden vastaukset jäisivät"
            )
            lines.append(f"Huom: {said} tallentamatta. {draft_hint}")
        return lines
    reasons = []
    if not insp.exact:
        reasons.append("lomaketta ei tunnistettaisi")
    if n := len(check.missing_required):
        reasons.append("1 pakollinen kysymys puuttuu" if n == 1 else f"{n} pakollista kysymystä puuttuu")
    if n := len(check.duplicates):
        reasons.append("1 kysymys on kahdesti" if n == 1 else f"{n} kysymystä on kahdesti")
    if not reasons and insp.parsed is not None:
        reasons.append(insp.parsed.findings[0].message if insp.parsed.findings else "tiedostoa ei luettaisi")
    lines = [f"Tulos: ei latautuisi sellaisenaan ({'; '.join(reasons)})."]
    if check.reworded:
        lines.append(draft_hint)
    return lines


def _inspected(file: Path):
    """The file read as a run reads it; a file or form version that cannot be read is one sentence."""
    from ipsetl.cli import UserError
    from ipsetl.forminspect import NotInspectable, inspect
    from ipsetl.forms import FormFileError

    try:
        return inspect(file)
    except (NotInspectable, FormFileError) as exc:
        raise UserError(str(exc)) from None


@click.group()
def forms() -> None:
    """Lomakeversiot: tarkista vienti lomaketta vasten, luonnostele uusi versio muuttuneesta lomakkeesta."""


@forms.command()
@click.argument("file", metavar="TIEDOSTO", type=click.Path(path_type=Path, dir_okay=True))
def check(file: Path) -> None:
    """Näytä, miten ajo lukisi TIEDOSTOn: kunkin otsikon sarake tai lähimmät kysymykset."""
    insp = _inspected(file)
    for line in check_lines(insp):
        click.echo(line)
    sys.exit(0 if insp.loads else 1)


@forms.command()
@click.argument("file", metavar="TIEDOSTO", type=click.Path(path_type=Path, dir_okay=True))
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Minne luonnos kirjoitetaan: tiedosto tai kansio (oletus lomakekansio schemas/forms, IPSETL_FORMS_DIR).",
)
def draft(file: Path, out: Path | None) -> None:
    """Kirjoita lomakkeen seuraava versio TIEDOSTOn otsikoista (muutetut kysymykset merkitään tarkistettaviksi)."""
    from ipsetl import formdraft
    from ipsetl.cli import UserError
    from ipsetl.forms import FormFileError, forms_dir
    from ipsetl.similarity import percent

    insp = _inspected(file)
    if insp.exact and insp.check.loads and not insp.check.reworded:
        click.echo(f"Tiedosto {file} vastaa lomakeversiota {insp.check.form.name}; uutta versiota ei tarvita.")
        _say_new(insp.check.new_questions)
        return
    try:
        d = formdraft.draft(insp.layout.headers, insp.layout.form.form, file.name)
    except formdraft.DraftRefused as exc:
        raise UserError(str(exc)) from None
    target = out or forms_dir()
    try:
        written, copied = formdraft.write(d, target)
    except (FileExistsError, FormFileError) as exc:
        raise UserError(str(exc)) from None
    except OSError as exc:
        raise UserError(f"Luonnosta ei voitu kirjoittaa kohteeseen {target} ({type(exc).__name__}).") from None
    click.echo(f"Kirjoitettiin lomakeversio {d.name}: {written} (pohjana {d.base.name}).")
    if d.changed:
        click.echo(f"Muutetut kysymykset ({len(d.changed)}); tarkista luonnoksen rivit, joilla on # muutettu:")
        for m in d.changed:
            click.echo(
                f"  {m.column.column}: '{_cut(m.column.header, 50)}'\n"
                f"      → '{_cut(m.nearest.text, 60)}' ({percent(m.score)})"
            )
    _say_new(d.new_questions)
    if copied:
        click.echo(f"Kansioon {written.parent} kopioitiin myös nykyiset versiot: {', '.join(p.name for p in copied)}.")
    if written.parent.resolve() == forms_dir().resolve():
        click.echo(
            f"Versio on käytössä heti: ajo lukee kummankin kierroksen viennit ({d.base.name} ja {d.name}). "
            f"Tarkista luonnos ja kokeile: ipsetl forms check {file}"
        )
    else:
        click.echo(
            f"Kokeile: IPSETL_FORMS_DIR={written.parent} ipsetl forms check {file}  – ja ota käyttöön siirtämällä "
            f"tiedosto lomakekansioon {forms_dir()} tai asettamalla IPSETL_FORMS_DIR."
        )


def _say_new(new: tuple[Header, ...] | list[Header]) -> None:
    if not new:
        return
    click.echo(f"Uudet kysymykset ({len(new)}), joita ei tallenneta (uusi sarake tarvitsee ohjelmistomuutoksen):")
    for h in new[:MAX_NEW_SHOWN]:
        click.echo(f"  sarake {h.position}: '{_cut(h.text, 70)}'")
    if len(new) > MAX_NEW_SHOWN:
        click.echo(f"  … ja {len(new) - MAX_NEW_SHOWN} muuta")
