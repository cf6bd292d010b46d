-- One row per accepted, non-superseded monitoring window, with the window indicators and the
-- indicative item scores (indicators.md, "Window indicators"). Rates are fractions; each rate's
-- numerator and denominator are columns of the same row (fte_weeks for the contacts rate).
CREATE OR REPLACE VIEW calc.monitoring_window AS
WITH w AS (
    SELECT m.*, r.region_name,
           mart.tertiary_of(m.period_end) AS tertiary,
           CAST(m.period_end - m.period_start + 1 AS INTEGER) AS window_days
    FROM raw.monitoring_response AS m
    JOIN raw.region AS r USING (region_code)
    WHERE m.active
), f AS (
    SELECT w.*,
        CASE WHEN coaches_fte > 0 THEN coaches_fte * window_days / 7.0 END AS fte_weeks,
        -- the contacts rate counts only windows with coaches, as region_tertiary's does
        CASE WHEN coaches_fte > 0 THEN employer_contacts END AS employer_contacts_with_fte
    FROM w
), i AS (
    SELECT f.*,
        {{ rate("caseload_per_fte") }},
        {{ rate("employment_rate") }},
        {{ rate("permanent_share") }},
        {{ rate("employer_contacts_per_fte_week") }},
        {{ rate("referral_conversion") }},
        {{ rate("job_seekers_per_fte") }}
    FROM f
)
SELECT
    region_code, region_name, period_start, period_end, tertiary, submitted_at, source_file, source_row,
    coaches_headcount, coaches_fte, team_leader_fte,
    pct_time_job_coaching, pct_time_in_community, care_teams_attached, pct_clients_from_main_teams,
    referrals_new, clients_new, clients_served, clients_active_end,
    clients_phase_1, clients_phase_2, clients_phase_3, clients_phase_4, clients_phase_5, clients_phase_unknown,
    clients_waiting,
    clients_ended, ended_employed, ended_education, ended_own_wish, ended_unreachable, ended_other,
    clients_employed, jobs_started, jobs_started_permanent, jobs_started_wage_subsidy, jobs_ended,
    education_started, employer_contacts, median_days_to_employer_contact,
    text_successes, text_challenges, text_support_needs,
    window_days,
    fte_weeks,
    caseload_per_fte,
    employment_rate,
    permanent_share,
    employer_contacts_per_fte_week,
    referral_conversion,
    job_seekers_per_fte,
    mart.fid_01_score(caseload_per_fte) AS fid_01,
    mart.fid_02_score(pct_time_job_coaching) AS fid_02,
    mart.fid_04_score(care_teams_attached, pct_clients_from_main_teams) AS fid_04,
    mart.fid_15_score(median_days_to_employer_contact) AS fid_15,
    mart.fid_17_score(employer_contacts_per_fte_week, job_seekers_per_fte) AS fid_17,
    mart.fid_24_score(pct_time_in_community) AS fid_24
FROM i
ORDER BY region_code, period_start;
