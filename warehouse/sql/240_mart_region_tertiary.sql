-- Region × tertiary (indicators.md, "Region × tertiary"): over the region's accepted windows whose
-- period_end falls in the tertiary. Flows are summed, stocks come from the window with the latest
-- period_end, rates are computed from summed numerators and denominators. A region with no window
-- in a tertiary has no row for it.
CREATE OR REPLACE VIEW calc.region_tertiary AS
WITH w AS (
    SELECT *,
        mart.tertiary_start(tertiary) AS t_start,
        mart.tertiary_end(tertiary) AS t_end
    FROM calc.monitoring_window
), flows AS (
    SELECT
        region_code, tertiary,
        count(*) AS windows,
        -- windows of one region never overlap, so covered days add up; clipped to the tertiary
        -- and, while the tertiary is not over, to the as-of date
        CAST(sum(greatest(0, least(period_end, t_end, mart.as_of()) - greatest(period_start, t_start) + 1))
             AS INTEGER) AS days_covered,
        -- the flows (schemas/catalogue.toml, tertiary = "sum")
{%- for c in tertiary_sums %}
        sum({{ c }}) AS {{ c }},
{%- endfor %}
        -- the contacts rate counts only windows with coaches (a window without adds to neither side)
        sum(employer_contacts) FILTER (WHERE coaches_fte > 0) AS employer_contacts_with_fte,
        sum(fte_weeks) AS fte_weeks,
        sum(median_days_to_employer_contact * clients_new) FILTER (WHERE median_days_to_employer_contact IS NOT NULL)
            AS median_days_weighted_sum,
        sum(clients_new) FILTER (WHERE median_days_to_employer_contact IS NOT NULL) AS median_days_weight
    FROM w
    GROUP BY region_code, tertiary
), stocks AS (
    SELECT region_code, region_name, tertiary, t_start, t_end,
        -- the stocks (tertiary = "latest"): those of the window with the latest period_end
        {{ tertiary_latest | join(", ") }}
    FROM w
    QUALIFY row_number() OVER (PARTITION BY region_code, tertiary ORDER BY period_end DESC) = 1
), joined AS (
    SELECT s.*, f.* EXCLUDE (region_code, tertiary),
        sum(f.jobs_started) OVER running AS cum_jobs_started,
        sum(f.jobs_started_permanent) OVER running AS cum_jobs_started_permanent,
        sum(f.clients_new) OVER running AS cum_clients_new,
        sum(f.education_started) OVER running AS cum_education_started
    FROM stocks s
    JOIN flows f USING (region_code, tertiary)
    WINDOW running AS (PARTITION BY s.region_code ORDER BY s.tertiary ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
), rates AS (
    SELECT *,
        t_end <= mart.as_of() AS complete,
        {{ rate("employment_rate") }},
        {{ rate("referral_conversion") }},
        {{ rate("permanent_share") }},
        {{ rate("caseload_per_fte") }},
        {{ rate("employer_contacts_per_fte_week") }},
        {{ rate("job_seekers_per_fte") }},
        CASE WHEN median_days_weight > 0
             THEN CAST(mart.round_half_up(median_days_weighted_sum / median_days_weight, 0) AS INTEGER) END
            AS median_days_to_employer_contact,
        {{ rate("cum_permanent_share") }}
    FROM joined
)
SELECT
    region_code, region_name, tertiary, t_start AS tertiary_start, t_end AS tertiary_end, complete,
    windows, days_covered,
    referrals_new, clients_new, clients_served, clients_employed,
    clients_ended, ended_employed, ended_education, ended_own_wish, ended_unreachable, ended_other,
    jobs_started, jobs_started_permanent, jobs_started_wage_subsidy, jobs_ended, education_started,
    employer_contacts,
    coaches_headcount, coaches_fte, team_leader_fte, clients_active_end,
    clients_phase_1, clients_phase_2, clients_phase_3, clients_phase_4, clients_phase_5, clients_phase_unknown,
    clients_waiting, pct_time_job_coaching, pct_time_in_community, care_teams_attached, pct_clients_from_main_teams,
    employment_rate, referral_conversion, permanent_share, caseload_per_fte,
    employer_contacts_with_fte, fte_weeks, employer_contacts_per_fte_week,
    job_seekers_per_fte,
    median_days_to_employer_contact, median_days_weight,
    cum_jobs_started, cum_jobs_started_permanent, cum_clients_new, cum_education_started, cum_permanent_share,
    mart.fid_01_score(caseload_per_fte) AS fid_01,
    mart.fid_02_score(pct_time_job_coaching) AS fid_02,
    mart.fid_04_score(care_teams_attached, pct_clients_from_main_teams) AS fid_04,
    mart.fid_15_score(median_days_to_employer_contact) AS fid_15,
    mart.fid_17_score(employer_contacts_per_fte_week, job_seekers_per_fte) AS fid_17,
    mart.fid_21_score(cum_permanent_share * 100, cum_jobs_started) AS fid_21,
    mart.fid_24_score(pct_time_in_community) AS fid_24
FROM rates
ORDER BY tertiary, region_code;
