"""Ingestion: the inbox into the warehouse's history tables, in one transaction, with checks."""

import dagster as dg

from ipsetl import consistency, progress, warehouse
from ipsetl.ingest import run_ingest
from pipelines.resources import IpsetlPaths

RAW_SOURCE_FILE = dg.AssetKey(["raw", "source_file"])
RAW_MONITORING = dg.AssetKey(["raw", "monitoring_response"])
RAW_FIDELITY = dg.AssetKey(["raw", "fidelity_response"])
RAW_FINDING = dg.AssetKey(["raw", "finding"])

INGEST_ASSET_KEYS = [RAW_SOURCE_FILE, RAW_MONITORING, RAW_FIDELITY, RAW_FINDING]
SAMPLE_SIZE = 10


def _sample(rows: list[tuple]) -> dg.MarkdownMetadataValue:
    lines = ["| tiedosto | rivi | alue | sarake | sääntö | viesti |", "|---|---|---|---|---|---|"]
    for r in rows:
        cells = ["" if c is None else str(c).replace("|", "/").replace("\n", " ") for c in r]
        lines.append("| " + " | ".join(cells) + " |")
    return dg.MetadataValue.md("\n".join(lines))


def _findings_check(con, severity: str, file_level: bool) -> dg.AssetCheckResult:
    where = f"severity = '{severity}' AND source_row IS {'NULL' if file_level else 'NOT NULL'}"
    total = con.execute(f"SELECT count(*) FROM mart.data_quality WHERE {where}").fetchone()[0]
    by_rule = con.execute(
        f"SELECT rule, count(*) FROM mart.data_quality WHERE {where} GROUP BY 1 ORDER BY 2 DESC, 1"
    ).fetchall()
    by_region = con.execute(
        f"SELECT coalesce(region_code, '(tuntematon)'), count(*) FROM mart.data_quality WHERE {where} "
        "GROUP BY 1 ORDER BY 2 DESC, 1"
    ).fetchall()
    sample = con.execute(
        "SELECT source_file, source_row, region_code, column_name, rule, message FROM mart.data_quality "
        f"WHERE {where} LIMIT {SAMPLE_SIZE}"
    ).fetchall()
    return dg.AssetCheckResult(
        passed=total == 0,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "count": total,
            "by_rule": dg.MetadataValue.json(dict(by_rule)),
            "by_region": dg.MetadataValue.json(dict(by_region)),
            "sample": _sample(sample),
        },
        description=f"{total} löydöstä ({severity})",
    )


def _overlaps(con) -> dg.AssetCheckResult:
    rows = consistency.overlapping_windows(con)
    return dg.AssetCheckResult(
        passed=not rows, metadata={"overlaps": dg.MetadataValue.json([[str(c) for c in r] for r in rows])}
    )


def _row_counts(con) -> dg.AssetCheckResult:
    rows = consistency.row_count_mismatches(con)
    return dg.AssetCheckResult(
        passed=not rows, metadata={"mismatches": dg.MetadataValue.json([[str(c) for c in r] for r in rows])}
    )


# The checks of the ingestion, evaluated in its own step (a separate step per check would cost
# Dagster's bookkeeping of about five stored events each, on every run): name → (asset, what it
# says, how it is computed from a read-only connection).
INGEST_CHECKS = {
    "no_rejected_files": (
        RAW_FINDING,
        "Tiedostot, joita ei voitu lukea lomakkeeksi (virheet tiedostotasolla).",
        lambda con: _findings_check(con, "error", file_level=True),
    ),
    "no_rejected_rows": (
        RAW_FINDING,
        "Hylätyt vastausrivit (virheet), tiedosto, rivi, sarake ja sääntö.",
        lambda con: _findings_check(con, "error", file_level=False),
    ),
    "no_warnings": (
        RAW_FINDING,
        "Varoitukset: rivi hyväksyttiin, mutta luvut eivät täsmää (esim. vaiheiden summa).",
        lambda con: _findings_check(con, "warning", file_level=False),
    ),
    "no_overlapping_active_windows": (
        RAW_MONITORING,
        "Saman alueen voimassa olevat raportointijaksot eivät saa mennä päällekkäin.",
        _overlaps,
    ),
    "row_counts_add_up": (
        RAW_SOURCE_FILE,
        "Jokaisen tiedoston rivit = hyväksytyt + hylätyt, ja hyväksytyt löytyvät historiasta.",
        _row_counts,
    ),
}


def check_specs(checks: dict) -> list[dg.AssetCheckSpec]:
    return [dg.AssetCheckSpec(name, asset=key, description=desc) for name, (key, desc, _) in checks.items()]


def evaluate(checks: dict, con) -> list[dg.AssetCheckResult]:
    out = []
    for name, (key, _, fn) in checks.items():
        result = fn(con)
        out.append(
            dg.AssetCheckResult(
                asset_key=key,
                check_name=name,
                passed=result.passed,
                severity=result.severity,
                metadata=result.metadata,
                description=result.description,
            )
        )
    return out


@dg.multi_asset(
    specs=[
        dg.AssetSpec(RAW_SOURCE_FILE, description="Every inbox file seen, by sha256 (loaded / duplicate / rejected)."),
        dg.AssetSpec(RAW_MONITORING, description="Every accepted form A response, with its resubmission verdict."),
        dg.AssetSpec(RAW_FIDELITY, description="Every accepted form B response, with its resubmission verdict."),
        dg.AssetSpec(RAW_FINDING, description="Every data-quality finding of every file and row."),
    ],
    check_specs=check_specs(INGEST_CHECKS),
    group_name="ingest",
    pool="duckdb",
    can_subset=False,
)
def ingest_inbox(context: dg.AssetExecutionContext, ipsetl: IpsetlPaths):
    """Read the new inbox files, validate them and write them in one transaction."""
    with progress.collected(context.log.info):
        summary = run_ingest(
            ipsetl.inbox_path,
            ipsetl.warehouse_path,
            ipsetl.max_file_bytes,
            ipsetl.lock_wait_s,
            progress.emit,
            as_of=ipsetl.as_of_date,
        )
    new = summary.new_files
    yield dg.MaterializeResult(
        asset_key=RAW_SOURCE_FILE,
        metadata={
            "new_files": len(new),
            "loaded": summary.count("loaded"),
            "duplicate": summary.count("duplicate"),
            "rejected": summary.count("rejected"),
            "already_registered": summary.count("known"),
        },
    )
    yield dg.MaterializeResult(
        asset_key=RAW_MONITORING,
        metadata={
            "rows_accepted_new": sum(
                f.rows_accepted for f in new if f.form_version and f.form_version.startswith("seuranta")
            ),
            "active_windows": summary.windows_active,
            "superseded_total": summary.superseded,
        },
    )
    yield dg.MaterializeResult(
        asset_key=RAW_FIDELITY,
        metadata={
            "rows_accepted_new": sum(
                f.rows_accepted for f in new if f.form_version and f.form_version.startswith("laatu")
            ),
            "active_assessments": summary.assessments_active,
        },
    )
    yield dg.MaterializeResult(asset_key=RAW_FINDING, metadata={k: v for k, v in summary.findings_by_severity.items()})
    with warehouse.connect(ipsetl.warehouse_path, read_only=True, wait_s=ipsetl.lock_wait_s) as con:
        yield from evaluate(INGEST_CHECKS, con)
