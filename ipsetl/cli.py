"""The `ipsetl` command: demo, run, sql, export, status, restore (interface.md), forms (issue 17).

Errors a user sees are one sentence that says what to do; `--debug` shows the traceback.
click is used because Dagster already brings it and it gives help texts and option parsing
that argparse would need twice the code for.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import time
import traceback
from datetime import date, datetime

import click

from ipsetl import fiformat
from ipsetl.config import settings


class UserError(click.ClickException):
    """A mistake the user can fix, said in one Finnish sentence (click would print "Error:")."""

    def show(self, file=None) -> None:
        click.echo(f"Virhe: {self.format_message()}", err=True)


def _say(message: str) -> None:
    click.echo(message, err=True)


def _parse_date(value: str | None) -> date:
    if not value:
        return date.today()
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            pass
    raise click.BadParameter(f"päivämäärä {value!r} ei ole muotoa 2026-04-30 tai 30.4.2026")


class FriendlyGroup(click.Group):
    """Turns any unexpected exception into one sentence unless --debug is on."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort, SystemExit):
            raise
        except BrokenPipeError:  # `ipsetl status | head`: the reader has had enough, not an error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(0)
        except Exception as exc:  # noqa: BLE001 - the whole point is to catch everything
            if ctx.obj and ctx.obj.get("debug"):
                traceback.print_exc()
            else:
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                _say(f"Virhe: {first}  (näytä tekniset tiedot: ipsetl --debug …)")
            sys.exit(1)


@click.group(cls=FriendlyGroup)
@click.option("--debug", is_flag=True, help="Näytä virheiden tekniset tiedot (traceback).")
@click.version_option(package_name="ipsetl")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """ipsetl – IPS-hankkeen Webropol-seurannan tiedot tietovarastoon ja raporteiksi."""
    ctx.ensure_object(dict)["debug"] = debug


PATH_OPTIONS = [
    click.option("--inbox", help="Saapuneet Webropol-viennit (oletus data/inbox/, IPSETL_INBOX)."),
    click.option("--warehouse", help="DuckDB-tietovarasto (oletus warehouse/ipsetl.duckdb, IPSETL_WAREHOUSE)."),
    click.option("--reports", help="Raporttien hakemisto (oletus reports/, IPSETL_REPORTS)."),
    click.option("--as-of", "as_of", help="Tilannepäivä, oletus tänään (2026-04-30 tai 30.4.2026)."),
]


def path_options(fn):
    for opt in reversed(PATH_OPTIONS):
        fn = opt(fn)
    return fn


def _run(inbox, warehouse_, reports, as_of, scope: str = "all", force: bool = False) -> None:
    from ipsetl import progress
    from ipsetl.runner import RunFailed, run_pipeline
    from ipsetl.status import status_lines

    s = settings(inbox, warehouse_, reports)
    day = _parse_date(as_of)
    if not s.inbox.is_dir():
        raise UserError(f"Saapuneiden kansiota {s.inbox} ei ole; luo se tai anna --inbox.")
    _check_scope(scope)
    _check_forms()
    _say(f"Ajo alkaa: {s.inbox} → {s.warehouse} (tilannepäivä {fiformat.fi_date(day)})")
    started = time.monotonic()
    if not force:
        from ipsetl.reports.freshness import up_to_date

        if up_to_date(s, day, scope):
            _say(
                f"Ei muutoksia: saapuneiden tiedostot on jo luettu ja raportit ovat ajan tasalla "
                f"({fiformat.number(time.monotonic() - started, 1)} s; aja kuitenkin: --force)."
            )
            _say("")
            for line in status_lines(s.warehouse, day, runs=False):
                _say(line)
            return
    try:
        with progress.sink(lambda m: _say("  " + m)):
            result = run_pipeline(s, day, scope)
    except RunFailed as exc:
        _say(f"Ajo epäonnistui: {exc}")
        _say("Tietovarasto jäi ennalleen (kaikki kirjoitetaan yhdessä transaktiossa).")
        sys.exit(1)
    _say(f"Valmis {fiformat.number(time.monotonic() - started, 1)} s (ajo {result.run_id[:8]}).")
    named = [w.strip() for w in scope.split(",") if w.strip() not in ("", "all", "latest", "current", "none")]
    if missing := [w for w in named if w not in result.tertiaries]:
        _say(f"Huom: kaudelta {', '.join(missing)} ei ole raportoitavaa (ei tietoja tai ei vielä alkanut).")
    _say("")
    for line in status_lines(s.warehouse, day):
        _say(line)


def _check_forms() -> None:
    """The form versions, read before anything runs: a typo in a hand-edited version is one
    sentence naming the file, and nothing is written."""
    from ipsetl.forms import FormFileError, form_versions

    try:
        form_versions()
    except FormFileError as exc:
        raise UserError(str(exc)) from None


def _check_scope(scope: str) -> None:
    """Words and label shapes are checked before anything runs; whether a label is due is known
    only from the warehouse, and the run says so in the same words."""
    import re

    from ipsetl.reports.data import SCOPE_WORDS

    for word in (w.strip() for w in scope.split(",")):
        if word and word not in SCOPE_WORDS and not re.fullmatch(r"\d{4}-T[123]", word):
            raise UserError(
                f"--tertiaries {word!r}: anna {', '.join(SCOPE_WORDS)} tai kausi muodossa 2026-T2 "
                "(useita pilkulla erotettuina)."
            )


TERTIARIES_OPTION = click.option(
    "--tertiaries",
    "scope",
    default="all",
    show_default=True,
    help="Minkä kausien raportit tehdään: all (kaikki erääntyneet ja kuluvan luonnos), latest (viimeisin "
    "päättynyt), current (kuluva), none, tai kausi kuten 2026-T2; pilkulla yhdistäen.",
)


FORCE_OPTION = click.option(
    "--force",
    is_flag=True,
    help="Aja Dagster-ajo silloinkin, kun mikään ei ole muuttunut (muuten ajo päättyy heti).",
)


@main.command()
@path_options
@TERTIARIES_OPTION
@FORCE_OPTION
def run(inbox, warehouse, reports, as_of, scope, force):
    """Aja koko putki: lue saapuneet, tarkista, lataa tietovarastoon, laske ja raportoi."""
    _run(inbox, warehouse, reports, as_of, scope, force)


@main.command()
@path_options
@TERTIARIES_OPTION
@FORCE_OPTION
@click.option("--seed", default=2026, show_default=True, help="Esimerkkiaineiston satunnaissiemen.")
def demo(inbox, warehouse, reports, as_of, scope, force, seed):
    """Kirjoita esimerkkiaineisto (jos saapuneet on tyhjä) ja aja putki sille."""
    from ipsetl.sample_inbox import write_sample_inbox

    s = settings(inbox, warehouse, reports)
    if s.inbox.exists() and any(s.inbox.iterdir()):
        _say(f"Saapuneissa {s.inbox} on jo tiedostoja; esimerkkiaineistoa ei kirjoiteta.")
    else:
        written = write_sample_inbox(s.inbox, seed=seed)
        _say(f"Kirjoitettiin {len(written)} esimerkkitiedostoa kansioon {s.inbox}.")
    _run(str(s.inbox), str(s.warehouse), str(s.reports), as_of, scope, force)


@main.command()
@click.argument("query", required=False)
@click.option(
    "--file",
    "-f",
    "sql_file",
    type=click.File("r", encoding="utf-8"),
    help="Lue kysely tiedostosta (- = vakiosyöte), esim. docs/sql-examples/04_not_reported.sql.",
)
@click.option("--warehouse", help="DuckDB-tietovarasto (oletus warehouse/ipsetl.duckdb, IPSETL_WAREHOUSE).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
def sql(query, sql_file, warehouse, fmt):
    """Aja kysely tietovarastoon (vain luku), esim. ipsetl sql "SELECT * FROM mart.source_file"."""
    import duckdb

    from ipsetl import sqlguard
    from ipsetl.warehouse import connect

    if sql_file is not None:
        query = sql_file.read()
    if not query or not query.strip():
        raise click.UsageError('Anna kysely, esim. ipsetl sql "SELECT * FROM mart.source_file", tai --file KYSELY.sql.')
    s = settings(warehouse=warehouse)
    if not s.warehouse.exists():
        raise UserError(f"Tietovarastoa {s.warehouse} ei ole; aja ensin `ipsetl run` tai `ipsetl demo`.")
    try:  # every statement is checked before any runs, and before the warehouse is opened
        sqlguard.check(query)
    except sqlguard.Refused as exc:
        raise UserError(str(exc)) from exc
    except duckdb.Error as exc:
        if click.get_current_context().find_root().obj.get("debug"):
            raise
        raise UserError(f"Kysely epäonnistui: {str(exc).splitlines()[0]}") from exc
    with connect(s.warehouse, read_only=True, wait_s=s.lock_wait_s, on_wait=_say) as con:
        sqlguard.lock_down(con)
        try:
            rel = con.execute(query)
            columns = [d[0] for d in rel.description] if rel.description else []
            rows = rel.fetchall() if rel.description else []
        except duckdb.Error as exc:
            if click.get_current_context().find_root().obj.get("debug"):
                raise  # --debug: the traceback, as for any other error
            text = str(exc)
            if isinstance(exc, duckdb.PermissionException) or "disabled by configuration" in text:
                raise UserError(
                    "Kysely yrittää käyttää tiedostoa tietovaraston ulkopuolella (read_csv, read_text, glob …); "
                    "`ipsetl sql` lukee vain tietovarastoa, joten avaa muut tiedostot omassa DuckDB-istunnossasi."
                ) from exc
            if "read-only" in text or "read only" in text:
                raise UserError(
                    "Kysely yrittää muuttaa tietovarastoa; `ipsetl sql` on vain lukemista varten "
                    "(muutokset tehdään ajamalla `ipsetl run`)."
                ) from exc
            raise UserError(f"Kysely epäonnistui: {text.splitlines()[0]}") from exc
    if fmt == "csv":
        w = csv.writer(sys.stdout, delimiter=";", lineterminator="\n")
        w.writerow(columns)
        w.writerows(rows)
    elif fmt == "json":
        click.echo(
            json.dumps([dict(zip(columns, r, strict=True)) for r in rows], ensure_ascii=False, default=str, indent=2)
        )
    else:
        click.echo(_table(columns, rows))


def _table(columns: list[str], rows: list[tuple], max_width: int = 40) -> str:
    def cell(v) -> str:
        s = "" if v is None else str(v).replace("\n", " ")
        return s if len(s) <= max_width else s[: max_width - 1] + "…"

    body = [[cell(v) for v in r] for r in rows]
    widths = [max([len(c)] + [len(r[i]) for r in body]) for i, c in enumerate(columns)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()  # noqa: E731
    out = [line(columns), line(["-" * w for w in widths])] + [line(r) for r in body]
    out.append(f"({len(rows)} riviä)")
    return "\n".join(out)


@main.command()
@click.argument("directory", metavar="KANSIO")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["parquet", "csv"]),
    default="parquet",
    show_default=True,
    help="parquet (Power BI, tyypit ja sarakkeiden kuvaukset mukana) tai csv (Excel: ;-erotin, desimaalipilkku).",
)
@click.option("--warehouse", help="DuckDB-tietovarasto (oletus warehouse/ipsetl.duckdb, IPSETL_WAREHOUSE).")
def export(directory, fmt, warehouse):
    """Vie jokainen mart-taulu omaksi tiedostokseen KANSIO/NIMI.parquet (tai .csv) Power BI:lle ja Excelille."""
    from pathlib import Path

    from ipsetl import export as exporter
    from ipsetl.warehouse import connect

    s = settings(warehouse=warehouse)
    if not s.warehouse.exists():
        raise UserError(f"Tietovarastoa {s.warehouse} ei ole; aja ensin `ipsetl run` tai `ipsetl demo`.")
    out_dir = Path(directory)
    dictionary = exporter.read_dictionary()
    if not dictionary.columns:
        _say(f"Huom: tietosanastoa {exporter.DICTIONARY} ei löytynyt; sarakkeiden kuvaukset jäävät pois.")

    def told(item) -> None:
        click.echo(f"  {item.table} → {item.path} ({item.rows} riviä, {fiformat.number(item.size_bytes / 1024)} kt)")

    with connect(s.warehouse, read_only=True, wait_s=s.lock_wait_s, on_wait=_say) as con:
        try:
            done = exporter.export_marts(con, out_dir, fmt, dictionary, on_file=told)
        except exporter.ExportError as exc:
            raise UserError(str(exc)) from exc
    rows = sum(d.rows for d in done)
    click.echo(f"Vietiin {len(done)} taulua ({rows} riviä) kansioon {out_dir} muodossa {fmt}.")


@main.command()
@click.option("--warehouse", help="DuckDB-tietovarasto (oletus warehouse/ipsetl.duckdb, IPSETL_WAREHOUSE).")
@click.option("--as-of", "as_of", help="Tilannepäivä, oletus viimeisimmän ajon tilannepäivä.")
def status(warehouse, as_of):
    """Mitä on ladattu, mikä alue ei ole raportoinut ja avoimet laatuhavainnot."""
    from ipsetl.status import status_lines

    s = settings(warehouse=warehouse)
    for line in status_lines(s.warehouse, _parse_date(as_of) if as_of else None, wait_s=s.lock_wait_s):
        click.echo(line)


@main.command()
@click.argument("snapshot", required=False)
@click.option("--warehouse", help="DuckDB-tietovarasto (oletus warehouse/ipsetl.duckdb, IPSETL_WAREHOUSE).")
def restore(snapshot, warehouse):
    """Palauta tietovarasto varmuuskopiosta (ilman nimeä: luettelo; `latest`: uusin)."""
    from ipsetl import snapshots

    s = settings(warehouse=warehouse)
    snaps = snapshots.list_snapshots(s.warehouse)
    if not snapshot:
        if not snaps:
            click.echo(
                f"Tietovarastolla {s.warehouse} ei ole varmuuskopioita (ne otetaan ennen jokaista kirjoittavaa ajoa)."
            )
            return
        click.echo(f"Varmuuskopiot ({snapshots.snapshot_dir(s.warehouse)}), uusin ensin:")
        for snap in snaps:
            size = fiformat.number(snap.size_bytes // 1024)
            click.echo(f"  {snap.name}  {fiformat.fi_datetime(snap.taken_at)}  {size} kt")
        click.echo("Palauta: ipsetl restore NIMI   (tai: ipsetl restore latest)")
        return
    try:
        chosen, before = snapshots.restore(s.warehouse, snapshot, wait_s=s.lock_wait_s)
    except FileNotFoundError as exc:
        raise UserError(str(exc)) from exc
    click.echo(f"Palautettiin {chosen.name} ({fiformat.fi_datetime(chosen.taken_at)}) → {s.warehouse}.")
    if before:
        click.echo(f"Palautusta edeltänyt tila tallennettiin: {before.name}")


from ipsetl.forms_cli import forms  # noqa: E402 - the group needs `main` defined first

main.add_command(forms)


def entry() -> None:
    """The console command `ipsetl`: click's main, then out without the interpreter's teardown.

    After a run the process holds Dagster, DuckDB, pandas and Jinja2; freeing all of it module by
    module took 0,8 s of every run's wall time, for nothing: the warehouse is committed and closed,
    the reports written. The atexit hooks still run (the Dagster instance, temporary files, logging),
    and the standard streams are flushed (workers.exit_now). `python -m ipsetl.cli` comes here too.
    """
    from ipsetl.workers import exit_now

    try:
        main.main(prog_name="ipsetl")
        code = 0
    except SystemExit as exc:
        code = exc.code
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    exit_now(code)


if __name__ == "__main__":
    entry()
