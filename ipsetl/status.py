"""What `ipsetl status` and the end of `ipsetl run` show: a one-screen account of the warehouse."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from ipsetl import fiformat, warehouse
from ipsetl.findings import rule_label

MAX_LISTED = 12


def status_lines(path: Path, as_of: date | None = None, wait_s: float = 30, runs: bool = True) -> list[str]:
    """as_of None: the as-of date of the last run, as the marts use it. `runs`: list Dagster's last
    runs too (importing Dagster takes two seconds; a run that found nothing to do skips it)."""
    if not Path(path).exists():
        return [f"Tietovarastoa {path} ei ole vielä; aja ensin `ipsetl run` tai `ipsetl demo`."]
    with warehouse.connect(path, read_only=True, wait_s=wait_s) as con:
        if not warehouse.has_schema(con):
            return [f"Tietovarasto {path} on tyhjä; aja ensin `ipsetl run`."]

        def q(sql: str, params: list | None = None) -> list[tuple]:
            return con.execute(sql, params or []).fetchall()

        run_as_of = q("SELECT mart.as_of()")[0][0]
        as_of = as_of or run_as_of
        lines = [f"Tietovarasto: {path}  (tilannepäivä {fiformat.fi_date(as_of, empty='')})", ""]
        files = dict(q("SELECT status, count(*) FROM mart.source_file GROUP BY 1"))
        lines.append(
            f"Tiedostot: {sum(files.values())} (ladattu {files.get('loaded', 0)}, kaksoiskappaleita "
            f"{files.get('duplicate', 0)}, hylätty {files.get('rejected', 0)})"
        )
        ((rows_total, rows_acc, rows_rej),) = q(
            "SELECT coalesce(sum(rows_total),0), coalesce(sum(rows_accepted),0), coalesce(sum(rows_rejected),0) "
            "FROM mart.source_file"
        )
        windows = q(
            "SELECT count(*), count(DISTINCT region_code), min(period_start), max(period_end) "
            "FROM mart.monitoring_window"
        )[0]
        superseded = q("SELECT count(*) FROM raw.monitoring_response WHERE NOT active")[0][0]
        assessments = q("SELECT count(*), count(DISTINCT region_code) FROM mart.fidelity_assessment")[0]
        lines.append(f"Vastausrivit: {rows_total} (hyväksytty {rows_acc}, hylätty {rows_rej})")
        span = f", {fiformat.date_range(windows[2], windows[3])}" if windows[0] else ""
        lines.append(f"Seurantajaksot: {windows[0]} voimassa, {windows[1]} aluetta{span}; korvattuja {superseded}")
        lines.append(f"Laatuarvioinnit: {assessments[0]} voimassa, {assessments[1]} aluetta")
        lines.append("")
        lines += _regions(q, as_of if as_of == run_as_of else None)
        lines.append("")
        lines += _findings(q)
    lines.append("")
    lines += _snapshots(Path(path))
    if runs:
        lines += _runs()
    return lines


def _snapshots(path: Path) -> list[str]:
    from ipsetl import snapshots

    snaps = snapshots.list_snapshots(path)
    if not snaps:
        return ["Varmuuskopiot: ei vielä (otetaan ennen jokaista kirjoittavaa ajoa)"]
    lines = [f"Varmuuskopiot ({len(snaps)}, palautus: ipsetl restore NIMI):"]
    lines += [f"  {s.name}  {fiformat.fi_datetime(s.taken_at)}" for s in snaps[:5]]
    return lines


def _runs(limit: int = 5) -> list[str]:
    """The last runs from Dagster's run storage (the project's dagster_home/ or DAGSTER_HOME)."""
    try:
        from ipsetl.runner import dagster_instance

        with dagster_instance() as instance:
            if instance.is_ephemeral:
                return []
            records = instance.get_run_records(limit=limit)
    except Exception:  # noqa: BLE001 - the status screen must not fail for want of run history
        return []
    lines = ["Viimeisimmät ajot:"]
    for r in records:
        run = r.dagster_run
        started = datetime.fromtimestamp(r.start_time) if r.start_time else None
        trigger = run.tags.get("ipsetl/trigger") or (
            "aikataulu"
            if run.tags.get("dagster/schedule_name")
            else "sensori"
            if run.tags.get("dagster/sensor_name")
            else "UI"
        )
        start, end = (
            run.tags.get("dagster/asset_partition_range_start"),
            run.tags.get("dagster/asset_partition_range_end"),
        )
        part = run.tags.get("dagster/partition") or (f"{start}–{end}" if start and start != end else start or "")
        lines.append(
            f"  {fiformat.fi_datetime(started)}  {run.status.value.lower():9}  {run.job_name} {part}  ({trigger})"
        )
    return lines if records else []


def _regions(q, as_of: date | None) -> list[str]:
    """Per region: the latest window and the complete tertiaries it has not reported (submission_status)."""
    missing: dict[str, list[str]] = {}
    if as_of is not None:
        for code, tertiary in q("SELECT region_code, tertiary FROM mart.submission_status WHERE missing ORDER BY 2"):
            missing.setdefault(code, []).append(tertiary)
    lines = ["Alueet (puuttuvat = päättyneet kolmannekset, joilta ei ole jaksoa):"]
    for code, name, last_end in q(
        """SELECT r.region_code, r.region_name, max(w.period_end)
           FROM raw.region r LEFT JOIN mart.monitoring_window w USING (region_code) GROUP BY 1, 2 ORDER BY 1"""
    ):
        if last_end is None:
            lines.append(f"  {code}  {name}: ei seurantatietoja")
            continue
        gap = f"; PUUTTUU {', '.join(missing[code])}" if code in missing else ""
        lines.append(f"  {code}  {name}: viimeisin jakso päättyi {fiformat.fi_date(last_end)}{gap}")
    if as_of is None:
        lines.append("  (puuttuvat kolmannekset lasketaan viimeisimmän ajon tilannepäivän mukaan)")
    return lines


def _findings(q) -> list[str]:
    (errors, warnings) = q(
        "SELECT count(*) FILTER (WHERE severity = 'error'), count(*) FILTER (WHERE severity = 'warning') "
        "FROM mart.data_quality"
    )[0]
    lines = [f"Tietojen laatu: {errors} virhettä (rivi tai tiedosto hylätty), {warnings} varoitusta (rivi pidetty)"]
    groups = q(
        """SELECT source_file, rule, count(*) FROM mart.data_quality WHERE severity = 'error'
           GROUP BY 1, 2 ORDER BY 1, 2"""
    )
    for name, rule, n in groups[:MAX_LISTED]:
        times = f" × {n}" if n > 1 else ""
        lines.append(f"  {name}: {rule_label(rule)} ({rule}){times}")
    if len(groups) > MAX_LISTED:
        lines.append(f"  … ja {len(groups) - MAX_LISTED} muuta")
    lines.append('Kaikki löydökset: ipsetl sql "SELECT * FROM mart.data_quality"')
    return lines
