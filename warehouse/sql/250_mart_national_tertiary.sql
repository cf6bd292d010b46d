-- National (all regions) × tertiary (indicators.md, "National"): counts summed over the regions'
-- rows; percentage stocks as weighted means; every rate from summed numerators and
-- denominators, never as a mean of regional rates; the median-days figure by the same weighted
-- rule over all the regions' windows pooled. No days_covered, care_teams_attached or item scores.
CREATE OR REPLACE VIEW calc.national_tertiary AS
WITH r AS (
    SELECT
        tertiary,
        min(tertiary_start) AS tertiary_start,
        min(tertiary_end) AS tertiary_end,
        count(*) AS regions_reporting,
        -- counts (schemas/catalogue.toml, national = "sum")
{%- for c in national_sums %}
        sum({{ c }}) AS {{ c }},
{%- endfor %}
        -- percentage stocks: weighted means (national = "weighted")
{%- for c, weight in national_weighted %}
        sum({{ c }} * {{ weight }}) AS {{ c }}_weighted{{ "," if not loop.last }}
{%- endfor %}
    FROM calc.region_tertiary
    GROUP BY tertiary
), pooled AS (
    SELECT tertiary,
        sum(median_days_to_employer_contact * clients_new) FILTER (WHERE median_days_to_employer_contact IS NOT NULL)
            AS median_days_weighted_sum,
        sum(clients_new) FILTER (WHERE median_days_to_employer_contact IS NOT NULL) AS median_days_weight
    FROM calc.monitoring_window
    GROUP BY tertiary
)
SELECT
    tertiary, tertiary_start, tertiary_end,
    tertiary_end <= mart.as_of() AS complete,
    regions_reporting, windows,
    referrals_new, clients_new, clients_served, clients_employed,
    clients_ended, ended_employed, ended_education, ended_own_wish, ended_unreachable, ended_other,
    jobs_started, jobs_started_permanent, jobs_started_wage_subsidy, jobs_ended, education_started,
    employer_contacts,
    coaches_headcount, coaches_fte, team_leader_fte, clients_active_end,
    clients_phase_1, clients_phase_2, clients_phase_3, clients_phase_4, clients_phase_5, clients_phase_unknown,
    clients_waiting,
{%- for c, weight in national_weighted %}
    mart.ratio({{ c }}_weighted, {{ weight }}) AS {{ c }},
{%- endfor %}
    {{ rate("employment_rate") }},
    {{ rate("referral_conversion") }},
    {{ rate("permanent_share") }},
    {{ rate("caseload_per_fte") }},
    employer_contacts_with_fte, fte_weeks,
    {{ rate("employer_contacts_per_fte_week") }},
    CASE WHEN p.median_days_weight > 0
         THEN CAST(mart.round_half_up(p.median_days_weighted_sum / p.median_days_weight, 0) AS INTEGER) END
        AS median_days_to_employer_contact,
    p.median_days_weight,
    cum_jobs_started, cum_jobs_started_permanent, cum_clients_new, cum_education_started
FROM r
LEFT JOIN pooled AS p USING (tertiary)
ORDER BY tertiary;
