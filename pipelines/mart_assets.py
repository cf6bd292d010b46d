"""The `mart` views: what the coordinator queries and the reports read."""

import dagster as dg

from ipsetl import warehouse
from pipelines.ingest_assets import RAW_FIDELITY, RAW_FINDING, RAW_MONITORING, RAW_SOURCE_FILE
from pipelines.resources import IpsetlPaths

MART_VIEWS = {
    "source_file": ([RAW_SOURCE_FILE], "Jokainen luettu tiedosto: tila, rivimäärät."),
    "data_quality": ([RAW_FINDING], "Tietojen laadun löydökset: tiedosto, rivi, alue, sarake, vakavuus, sääntö."),
    "monitoring_window": ([RAW_MONITORING], "Hyväksytyt, voimassa olevat seurantajaksot (ei korvattuja)."),
    "fidelity_assessment": ([RAW_FIDELITY], "Voimassa olevat laatuarvioinnit (25 kriteeriä)."),
}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(["mart", name], deps=deps, description=desc, group_name="mart")
        for name, (deps, desc) in MART_VIEWS.items()
    ],
    pool="duckdb",
    can_subset=False,
)
def mart_views(context: dg.AssetExecutionContext, ipsetl: IpsetlPaths):
    """(Re)create the views from warehouse/sql in one transaction and report their sizes."""
    with warehouse.connect(ipsetl.warehouse_path, wait_s=ipsetl.lock_wait_s, on_wait=context.log.info) as con:
        con.execute("BEGIN TRANSACTION")
        try:
            warehouse.apply_schema(con)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        counts = {name: con.execute(f"SELECT count(*) FROM mart.{name}").fetchone()[0] for name in MART_VIEWS}
    for name, n in counts.items():
        yield dg.MaterializeResult(asset_key=["mart", name], metadata={"dagster/row_count": n})
