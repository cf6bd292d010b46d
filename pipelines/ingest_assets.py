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


@dg.multi_asset(
    specs=[
        dg.AssetSpec(RAW_SOURCE_FILE, description="Every inbox file seen, by sha256 (loaded / duplicate / rejected)."),
        dg.AssetSpec(RAW_MONITORING, description="Every accepted form A response, with its resubmission verdict."),
        dg.AssetSpec(RAW_FIDELITY, description="Every accepted form B response, with its resubmission verdict."),
        dg.AssetSpec(RAW_FINDING, description="Every data-quality finding of every file and row."),
    ],
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


def _read(ipsetl: IpsetlPaths, sql: str, params: list | None = None) -> list[tuple]:
    with warehouse.connect(ipsetl.warehouse_path, read_only=True, wait_s=ipsetl.lock_wait_s) as con:
        return con.execute(sql, params or []).fetchall()


def _sample(rows: list[tuple]) -> dg.MarkdownMetadataValue:
    lines = ["| tiedosto | rivi | alue | sarake | sääntö | viesti |", "|---|---|---|---|---|---|"]
    for r in rows:
        cells = ["" if c is None else str(c).replace("|", "/").replace("\n", " ") for c in r]
        lines.append("| " + " | ".join(cells) + " |")
    return dg.MetadataValue.md("\n".join(lines))


def _findings_check(ipsetl: IpsetlPaths, severity: str, file_level: bool) -> dg.AssetCheckResult:
    where = f"severity = '{severity}' AND source_row IS {'NULL' if file_level else 'NOT NULL'}"
    with warehouse.connect(ipsetl.warehouse_path, read_only=True, wait_s=ipsetl.lock_wait_s) as con:
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


@dg.asset_check(
    asset=RAW_FINDING,
    name="no_rejected_files",
    blocking=False,
    description="Tiedostot, joita ei voitu lukea lomakkeeksi (virheet tiedostotasolla).",
)
def no_rejected_files(ipsetl: IpsetlPaths) -> dg.AssetCheckResult:
    return _findings_check(ipsetl, "error", file_level=True)


@dg.asset_check(
    asset=RAW_FINDING,
    name="no_rejected_rows",
    description="Hylätyt vastausrivit (virheet), tiedosto, rivi, sarake ja sääntö.",
)
def no_rejected_rows(ipsetl: IpsetlPaths) -> dg.AssetCheckResult:
    return _findings_check(ipsetl, "error", file_level=False)


@dg.asset_check(
    asset=RAW_FINDING,
    name="no_warnings",
    description="Varoitukset: rivi hyväksyttiin, mutta luvut eivät täsmää (esim. vaiheiden summa).",
)
def no_warnings(ipsetl: IpsetlPaths) -> dg.AssetCheckResult:
    return _findings_check(ipsetl, "warning", file_level=False)


@dg.asset_check(
    asset=RAW_MONITORING,
    name="no_overlapping_active_windows",
    description="Saman alueen voimassa olevat raportointijaksot eivät saa mennä päällekkäin.",
)
def no_overlapping_active_windows(ipsetl: IpsetlPaths) -> dg.AssetCheckResult:
    with warehouse.connect(ipsetl.warehouse_path, read_only=True, wait_s=ipsetl.lock_wait_s) as con:
        rows = consistency.overlapping_windows(con)
    return dg.AssetCheckResult(
        passed=not rows, metadata={"overlaps": dg.MetadataValue.json([[str(c) for c in r] for r in rows])}
    )


@dg.asset_check(
    asset=RAW_SOURCE_FILE,
    name="row_counts_add_up",
    description="Jokaisen tiedoston rivit = hyväksytyt + hylätyt, ja hyväksytyt löytyvät historiasta.",
)
def row_counts_add_up(ipsetl: IpsetlPaths) -> dg.AssetCheckResult:
    with warehouse.connect(ipsetl.warehouse_path, read_only=True, wait_s=ipsetl.lock_wait_s) as con:
        rows = consistency.row_count_mismatches(con)
    return dg.AssetCheckResult(
        passed=not rows, metadata={"mismatches": dg.MetadataValue.json([[str(c) for c in r] for r in rows])}
    )


INGEST_CHECKS = [no_rejected_files, no_rejected_rows, no_warnings, no_overlapping_active_windows, row_counts_add_up]
