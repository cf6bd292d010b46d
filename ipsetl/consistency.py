"""The warehouse's invariants, as plain queries: the Dagster asset checks report them, and the report
asset refuses to mark a funder report final while an error-level one fails."""

from __future__ import annotations

import duckdb


def _summed() -> tuple[list[str], list[str]]:
    """The columns national_tertiary sums over region_tertiary (schemas/catalogue.toml, national =
    "sum"): the whole-number ones compared exactly, the FTE sums within float noise."""
    from schemas.catalogue import catalogue

    cat = catalogue()
    summed = cat.where(national="sum")
    floats = [c for c in summed if cat[c].type == "decimal" or cat[c].unit.startswith("FTE")]
    return [c for c in summed if c not in floats], floats


def national_mismatches(con: duckdb.DuckDBPyConnection, tertiary: str | None = None) -> list[str]:
    """Tertiaries whose national figures are not the sum of the regions' (or whose rate is not the
    rate of the sums)."""
    from schemas.catalogue import rate

    exact, floats = _summed()
    sums = ", ".join(f"sum(r.{c}) AS {c}" for c in exact + floats)
    diffs = " OR ".join(
        [f"n.{c} IS DISTINCT FROM s.{c}" for c in exact]
        + [f"abs(coalesce(n.{c}, 0) - coalesce(s.{c}, 0)) > 1e-9 OR (n.{c} IS NULL) <> (s.{c} IS NULL)" for c in floats]
    )
    rows = con.execute(
        f"""WITH sums AS (SELECT tertiary, count(*) AS regions_reporting, {sums}
                          FROM mart.region_tertiary r GROUP BY tertiary),
                 s AS (SELECT *, {rate("employment_rate")} FROM sums)
            SELECT n.tertiary FROM mart.national_tertiary n JOIN s USING (tertiary)
            WHERE ({diffs} OR n.regions_reporting <> s.regions_reporting
               OR abs(coalesce(n.employment_rate, -1) - coalesce(s.employment_rate, -1)) > 1e-12)
              AND (CAST(? AS VARCHAR) IS NULL OR n.tertiary = ?)
            ORDER BY 1""",
        [tertiary, tertiary],
    ).fetchall()
    return [r[0] for r in rows]


def overlapping_windows(con: duckdb.DuckDBPyConnection, limit: int = 10) -> list[tuple]:
    """Active windows of one region that share a day: the resubmission rule forbids them."""
    return con.execute(
        """SELECT a.region_code, a.period_start, a.period_end, b.period_start, b.period_end
           FROM raw.monitoring_response a JOIN raw.monitoring_response b
             ON a.region_code = b.region_code AND (a.file_seq, a.source_row) < (b.file_seq, b.source_row)
            AND a.period_start <= b.period_end AND b.period_start <= a.period_end
           WHERE a.active AND b.active LIMIT ?""",
        [limit],
    ).fetchall()


def row_count_mismatches(con: duckdb.DuckDBPyConnection, limit: int = 10) -> list[tuple]:
    """Files whose row counts do not add up, or whose accepted rows are not all in the history."""
    return con.execute(
        """SELECT s.file_name, s.rows_total, s.rows_accepted, s.rows_rejected,
                  coalesce(m.n, 0) + coalesce(f.n, 0) AS stored
           FROM raw.source_file s
           LEFT JOIN (SELECT file_seq, count(*) n FROM raw.monitoring_response GROUP BY 1) m USING (file_seq)
           LEFT JOIN (SELECT file_seq, count(*) n FROM raw.fidelity_response GROUP BY 1) f USING (file_seq)
           WHERE s.rows_total <> s.rows_accepted + s.rows_rejected
              OR s.rows_accepted <> coalesce(m.n, 0) + coalesce(f.n, 0)
           LIMIT ?""",
        [limit],
    ).fetchall()


def blocking_failures(con: duckdb.DuckDBPyConnection, tertiaries: list[str]) -> dict[str, list[str]]:
    """Error-level failures that keep a tertiary's funder report a draft, in Finnish, for the
    tertiaries that have any. Each check runs once for all of them (the views recompute per query)."""
    mismatching = set(national_mismatches(con)) if tertiaries else set()
    shared = []
    if tertiaries and overlapping_windows(con, 1):
        shared.append("saman alueen voimassa olevat jaksot menevät päällekkäin")
    if tertiaries and row_count_mismatches(con, 1):
        shared.append("tiedostojen rivimäärät eivät täsmää")
    out = {}
    for label in tertiaries:
        reasons = (["koko maan luvut eivät ole alueiden lukujen summa"] if label in mismatching else []) + shared
        if reasons:
            out[label] = reasons
    return out
