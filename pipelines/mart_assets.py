"""The `mart` tables: what the coordinator queries and the reports read.

They are rebuilt in SQL in the ingestion transaction (so a run's writes stay one transaction);
materialising them here verifies that each one answers, records its size and runs their checks.
"""

import dagster as dg

from ipsetl import consistency, warehouse
from pipelines.ingest_assets import RAW_FIDELITY, RAW_FINDING, RAW_MONITORING, RAW_SOURCE_FILE, check_specs, evaluate
from pipelines.mart_assets_keys import mart_key
from pipelines.mart_checks import MART_CHECKS
from pipelines.partitions import TERTIARIES
from pipelines.resources import IpsetlPaths

MART_VIEWS = {
    "source_file": ([RAW_SOURCE_FILE], "Jokainen luettu tiedosto: tila, rivimäärät."),
    "data_quality": ([RAW_FINDING], "Tietojen laadun löydökset: tiedosto, rivi, alue, sarake, vakavuus, sääntö."),
    "monitoring_window": (
        [RAW_MONITORING],
        "Hyväksytyt, voimassa olevat seurantajaksot indikaattoreineen ja suuntaa-antavine kriteeripisteineen.",
    ),
    "fidelity_assessment": (
        [RAW_FIDELITY],
        "Voimassa olevat laatuarvioinnit: kriteerit, osa-alueet, yhteispisteet, taso.",
    ),
    "region_tertiary": ([mart_key("monitoring_window")], "Alue × kolmannesvuosi: virrat, varannot, osuudet, kertymät."),
    "national_tertiary": ([mart_key("region_tertiary")], "Koko maa × kolmannesvuosi."),
    "submission_status": ([mart_key("monitoring_window")], "Mikä alue on raportoinut minkäkin kolmannesvuoden."),
}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(mart_key(name), deps=deps, description=desc, group_name="mart")
        for name, (deps, desc) in MART_VIEWS.items()
    ],
    check_specs=check_specs(MART_CHECKS),
    can_subset=False,
)
def mart_views(context: dg.AssetExecutionContext, ipsetl: IpsetlPaths):
    """Query every view once (read-only) and record its row count and the as-of date it uses."""
    with warehouse.connect(
        ipsetl.warehouse_path, read_only=True, wait_s=ipsetl.lock_wait_s, on_wait=context.log.info
    ) as con:
        as_of = con.execute("SELECT mart.as_of()").fetchone()[0]
        counts = {name: con.execute(f"SELECT count(*) FROM mart.{name}").fetchone()[0] for name in MART_VIEWS}
        for name, n in counts.items():
            yield dg.MaterializeResult(
                asset_key=mart_key(name), metadata={"dagster/row_count": n, "as_of": as_of.isoformat()}
            )
        yield from evaluate(MART_CHECKS, con)


TERTIARY_SUMMARY = mart_key("tertiary_summary")


@dg.asset(
    key=TERTIARY_SUMMARY,
    partitions_def=TERTIARIES,
    backfill_policy=dg.BackfillPolicy.single_run(),
    deps=[mart_key("national_tertiary"), mart_key("region_tertiary"), mart_key("submission_status")],
    group_name="mart",
    description="Yhden kolmannesvuoden luvut ja raportointitilanne (osio = kolmannesvuosi).",
    check_specs=[
        dg.AssetCheckSpec(
            "submissions_complete",
            asset=mart_key("tertiary_summary"),
            description="Ovatko kaikki aiemmin raportoineet alueet lähettäneet tiedot tältä kaudelta.",
        ),
        dg.AssetCheckSpec(
            "national_consistency",
            asset=mart_key("tertiary_summary"),
            description="Koko maan luvut = alueiden summa tällä kaudella (virhe estää lopullisen rahoittajaraportin).",
        ),
    ],
)
def tertiary_summary(context: dg.AssetExecutionContext, ipsetl: IpsetlPaths):
    labels = context.partition_keys  # one tertiary, or a range in one run (single-run backfill)
    summaries, waiting = {}, {}
    with warehouse.connect(ipsetl.warehouse_path, read_only=True, wait_s=ipsetl.lock_wait_s) as con:
        mismatch = [label for label in consistency.national_mismatches(con) if label in labels]
        for label in labels:
            row = con.execute(
                "SELECT complete, regions_reporting, clients_served, clients_new, jobs_started, employment_rate "
                "FROM mart.national_tertiary WHERE tertiary = ?",
                [label],
            ).fetchone()
            keys = ["complete", "regions_reporting", "clients_served", "clients_new", "jobs_started", "employment_rate"]
            summaries[label] = dict(zip(keys, row, strict=True)) if row else None
            missing = [
                r[0]
                for r in con.execute(
                    "SELECT region_code FROM mart.submission_status WHERE tertiary = ? AND windows = 0 ORDER BY 1",
                    [label],
                ).fetchall()
            ]
            if missing:
                waiting[label] = missing
    metadata = {
        "tertiaries": dg.MetadataValue.json(summaries),
        "regions_without_windows": dg.MetadataValue.json(waiting),
    }
    if len(labels) == 1 and summaries[labels[0]]:
        metadata.update({k: (v if v is not None else "") for k, v in summaries[labels[0]].items()})
    return dg.MaterializeResult(
        metadata=metadata,
        check_results=[
            dg.AssetCheckResult(
                check_name="submissions_complete",
                passed=not waiting,
                severity=dg.AssetCheckSeverity.WARN,
                metadata={"missing": dg.MetadataValue.json(waiting)},
            ),
            dg.AssetCheckResult(
                check_name="national_consistency",
                passed=not mismatch,
                severity=dg.AssetCheckSeverity.ERROR,
                metadata={"mismatching": dg.MetadataValue.json(mismatch)},
            ),
        ],
    )
