"""What `ipsetl status` and the end of `ipsetl run` show: a one-screen account of the warehouse."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ipsetl import warehouse


def tertiary_of(d: date) -> str:
    return f"{d.year}-T{1 if d.month <= 4 else 2 if d.month <= 8 else 3}"


def status_lines(path: Path, as_of: date, wait_s: float = 30) -> list[str]:
    if not Path(path).exists():
        return [f"Tietovarastoa {path} ei ole vielä; aja ensin `ipsetl run` tai `ipsetl demo`."]
    with warehouse.connect(path, read_only=True, wait_s=wait_s) as con:
        if not warehouse.has_schema(con):
            return [f"Tietovarasto {path} on tyhjä; aja ensin `ipsetl run`."]
        q = lambda sql, params=None: con.execute(sql, params or []).fetchall()  # noqa: E731
        lines = [f"Tietovarasto: {path}  (tilanne {as_of.day}.{as_of.month}.{as_of.year})", ""]
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
        span = f", {_fi(windows[2])}–{_fi(windows[3])}" if windows[0] else ""
        lines.append(f"Seurantajaksot: {windows[0]} voimassa, {windows[1]} aluetta{span}; korvattuja {superseded}")
        lines.append(f"Laatuarvioinnit: {assessments[0]} voimassa, {assessments[1]} aluetta")
        lines.append("")
        current = tertiary_of(as_of)
        per_region = q(
            """SELECT r.region_code, r.region_name, max(w.period_end), max(w.submitted_at),
                      list(DISTINCT w.tertiary ORDER BY w.tertiary)
               FROM raw.region r LEFT JOIN mart.monitoring_window w USING (region_code)
               GROUP BY 1, 2 ORDER BY 1"""
        )
        lines.append(f"Alueet (nykyinen kausi {current}):")
        for code, name, last_end, _last_submitted, tertiaries in per_region:
            if last_end is None:
                lines.append(f"  {code}  {name}: ei seurantatietoja")
                continue
            have = set(tertiaries)
            first = min(have)
            missing = [t for t in _tertiaries_between(first, current) if t not in have and t < current]
            gap = f"; puuttuu {', '.join(missing)}" if missing else ""
            lines.append(f"  {code}  {name}: viimeisin jakso päättyi {_fi(last_end)}{gap}")
        lines.append("")
        findings = q("""SELECT severity, count(*) FROM mart.data_quality GROUP BY 1 ORDER BY 1""")
        fd = dict(findings)
        lines.append(f"Tietojen laatu: {fd.get('error', 0)} virhettä (hylätty), {fd.get('warning', 0)} varoitusta")
        for name, rule, n in q(
            """SELECT source_file, rule, count(*) FROM mart.data_quality
               WHERE severity = 'error' GROUP BY 1, 2 ORDER BY 1, 2 LIMIT 15"""
        ):
            lines.append(f"  {name}: {rule} × {n}")
        lines.append('Kaikki löydökset: ipsetl sql "SELECT * FROM mart.data_quality"')
        return lines


def _fi(d) -> str:
    return f"{d.day}.{d.month}.{d.year}" if d else ""


def _tertiaries_between(first: str, last: str) -> list[str]:
    y, t = int(first[:4]), int(first[-1])
    out = []
    while f"{y}-T{t}" <= last:
        out.append(f"{y}-T{t}")
        y, t = (y + 1, 1) if t == 3 else (y, t + 1)
    return out
