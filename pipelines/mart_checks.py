"""Checks on the indicator marts: national figures equal the sum of the regions, the consistency
warnings of forms.md, and who has not reported."""

import dagster as dg

from pipelines.ingest_assets import _read
from pipelines.mart_assets import mart_key
from pipelines.resources import IpsetlPaths

# Counts that national_tertiary sums over region_tertiary (indicators.md, "National").
SUMMED = [
    "windows",
    "referrals_new",
    "clients_new",
    "clients_served",
    "clients_employed",
    "clients_ended",
    "ended_employed",
    "ended_education",
    "ended_own_wish",
    "ended_unreachable",
    "ended_other",
    "jobs_started",
    "jobs_started_permanent",
    "jobs_started_wage_subsidy",
    "jobs_ended",
    "education_started",
    "employer_contacts",
    "coaches_headcount",
    "clients_active_end",
    "clients_waiting",
    "cum_jobs_started",
    "cum_clients_new",
]


@dg.asset_check(
    asset=mart_key("national_tertiary"),
    name="national_equals_sum_of_regions",
    description="Koko maan luvut = alueiden lukujen summa; osuudet summatuista osoittajista ja nimittäjistä.",
)
def national_equals_sum_of_regions(ipsetl: IpsetlPaths) -> dg.AssetCheckResult:
    sums = ", ".join(f"sum(r.{c}) AS {c}" for c in SUMMED)
    diffs = " OR ".join(f"n.{c} IS DISTINCT FROM s.{c}" for c in SUMMED)
    rows = _read(
        ipsetl,
        f"""WITH s AS (SELECT tertiary, count(*) AS regions_reporting, {sums},
                       sum(clients_employed) / nullif(sum(clients_served), 0) AS employment_rate
                       FROM mart.region_tertiary r GROUP BY tertiary)
            SELECT n.tertiary FROM mart.national_tertiary n JOIN s USING (tertiary)
            WHERE {diffs} OR n.regions_reporting <> s.regions_reporting
               OR abs(coalesce(n.employment_rate, -1) - coalesce(s.employment_rate, -1)) > 1e-12""",
    )
    total = _read(ipsetl, "SELECT count(*) FROM mart.national_tertiary")[0][0]
    return dg.AssetCheckResult(
        passed=not rows,
        metadata={"tertiaries": total, "mismatching": dg.MetadataValue.json([r[0] for r in rows])},
    )


@dg.asset_check(
    asset=mart_key("monitoring_window"),
    name="consistency_warnings",
    description="Jaksot, joissa vaiheittaiset asiakasmäärät tai päättymisen syyt eivät täsmää summiin.",
)
def consistency_warnings(ipsetl: IpsetlPaths) -> dg.AssetCheckResult:
    rows = _read(
        ipsetl,
        """SELECT region_code, tertiary, period_start, period_end,
                  clients_phase_1 + clients_phase_2 + clients_phase_3 + clients_phase_4 + clients_phase_5
                    + clients_phase_unknown <> clients_active_end AS phase_sum,
                  ended_employed + ended_education + ended_own_wish + ended_unreachable + ended_other
                    <> clients_ended AS end_reason_sum
           FROM mart.monitoring_window
           WHERE clients_phase_1 + clients_phase_2 + clients_phase_3 + clients_phase_4 + clients_phase_5
                   + clients_phase_unknown <> clients_active_end
              OR ended_employed + ended_education + ended_own_wish + ended_unreachable + ended_other <> clients_ended
           ORDER BY 1, 3""",
    )
    listing = [
        {
            "alue": r[0],
            "kausi": r[1],
            "jakso": f"{r[2]:%-d.%-m.%Y}–{r[3]:%-d.%-m.%Y}",
            "säännöt": [n for n, bad in (("phase_sum", r[4]), ("end_reason_sum", r[5])) if bad],
        }
        for r in rows
    ]
    return dg.AssetCheckResult(
        passed=not rows,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"windows": len(rows), "list": dg.MetadataValue.json(listing[:50])},
    )


@dg.asset_check(
    asset=mart_key("submission_status"),
    name="all_regions_reported",
    description="Alueet, jotka ovat raportoineet aiemmin mutta eivät päättyneeltä kolmannesvuodelta.",
)
def all_regions_reported(ipsetl: IpsetlPaths) -> dg.AssetCheckResult:
    rows = _read(
        ipsetl, "SELECT region_code, tertiary FROM mart.submission_status WHERE missing ORDER BY tertiary, region_code"
    )
    return dg.AssetCheckResult(
        passed=not rows,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"missing": len(rows), "list": dg.MetadataValue.json([f"{r[1]} {r[0]}" for r in rows])},
    )


MART_CHECKS = [national_equals_sum_of_regions, consistency_warnings, all_regions_reported]
