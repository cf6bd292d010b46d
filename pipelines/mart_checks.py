"""Checks on the indicator marts: national figures equal the sum of the regions, the consistency
warnings of forms.md, and who has not reported. Evaluated in the marts' own step (see
pipelines.ingest_assets.INGEST_CHECKS for why)."""

import dagster as dg

from ipsetl import consistency, fiformat
from pipelines.mart_assets_keys import mart_key


def _national(con) -> dg.AssetCheckResult:
    bad = consistency.national_mismatches(con)
    total = con.execute("SELECT count(*) FROM mart.national_tertiary").fetchone()[0]
    return dg.AssetCheckResult(
        passed=not bad, metadata={"tertiaries": total, "mismatching": dg.MetadataValue.json(bad)}
    )


def _consistency(con) -> dg.AssetCheckResult:
    from schemas.catalogue import catalogue, total_mismatch

    rules = [t.rule for t in catalogue().totals]
    flags = ", ".join(f"{total_mismatch(r)} AS {r}" for r in rules)
    rows = con.execute(
        f"""SELECT region_code, tertiary, period_start, period_end, {flags}
           FROM mart.monitoring_window
           WHERE {" OR ".join(total_mismatch(r) for r in rules)}
           ORDER BY 1, 3"""
    ).fetchall()
    listing = [
        {
            "alue": r[0],
            "kausi": r[1],
            "jakso": fiformat.date_range(r[2], r[3]),
            "säännöt": [n for n, bad in zip(rules, r[4:], strict=True) if bad],
        }
        for r in rows
    ]
    return dg.AssetCheckResult(
        passed=not rows,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"windows": len(rows), "list": dg.MetadataValue.json(listing[:50])},
    )


def _reported(con) -> dg.AssetCheckResult:
    rows = con.execute(
        "SELECT region_code, tertiary FROM mart.submission_status WHERE missing ORDER BY tertiary, region_code"
    ).fetchall()
    return dg.AssetCheckResult(
        passed=not rows,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"missing": len(rows), "list": dg.MetadataValue.json([f"{r[1]} {r[0]}" for r in rows])},
    )


MART_CHECKS = {
    "national_equals_sum_of_regions": (
        mart_key("national_tertiary"),
        "Koko maan luvut = alueiden lukujen summa; osuudet summatuista osoittajista ja nimittäjistä.",
        _national,
    ),
    "consistency_warnings": (
        mart_key("monitoring_window"),
        "Jaksot, joissa vaiheittaiset asiakasmäärät tai päättymisen syyt eivät täsmää summiin.",
        _consistency,
    ),
    "all_regions_reported": (
        mart_key("submission_status"),
        "Alueet, jotka ovat raportoineet aiemmin mutta eivät päättyneeltä kolmannesvuodelta.",
        _reported,
    ),
}
