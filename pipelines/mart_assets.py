"""The `mart` views: what the coordinator queries and the reports read.

The views are created in the ingestion transaction (so a run's writes stay one transaction);
materialising them here verifies that each one answers and records its size.
"""

import dagster as dg

from ipsetl import warehouse
from pipelines.ingest_assets import RAW_FIDELITY, RAW_FINDING, RAW_MONITORING, RAW_SOURCE_FILE
from pipelines.resources import IpsetlPaths


def mart_key(name: str) -> dg.AssetKey:
    return dg.AssetKey(["mart", name])


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
