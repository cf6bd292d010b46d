-- One row per accepted, non-superseded monitoring window (indicators.md, "Reporting windows").
CREATE OR REPLACE VIEW mart.monitoring_window AS
SELECT
    m.region_code,
    r.region_name,
    m.period_start,
    m.period_end,
    mart.tertiary_of(m.period_end) AS tertiary,
    m.submitted_at,
    m.source_file,
    m.source_row,
    m.coaches_headcount, m.coaches_fte, m.team_leader_fte,
    m.pct_time_job_coaching, m.pct_time_in_community,
    m.care_teams_attached, m.pct_clients_from_main_teams,
    m.referrals_new, m.clients_new, m.clients_served, m.clients_active_end,
    m.clients_phase_1, m.clients_phase_2, m.clients_phase_3, m.clients_phase_4, m.clients_phase_5,
    m.clients_phase_unknown, m.clients_waiting,
    m.clients_ended, m.ended_employed, m.ended_education, m.ended_own_wish, m.ended_unreachable,
    m.ended_other,
    m.clients_employed, m.jobs_started, m.jobs_started_permanent, m.jobs_started_wage_subsidy,
    m.jobs_ended, m.education_started, m.employer_contacts, m.median_days_to_employer_contact,
    m.text_successes, m.text_challenges, m.text_support_needs,
    CAST(m.period_end - m.period_start + 1 AS INTEGER) AS window_days
FROM raw.monitoring_response AS m
JOIN raw.region AS r USING (region_code)
WHERE m.active
ORDER BY m.region_code, m.period_start;
