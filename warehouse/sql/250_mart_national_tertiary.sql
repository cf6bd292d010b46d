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
        sum(windows) AS windows,
        sum(referrals_new) AS referrals_new,
        sum(clients_new) AS clients_new,
        sum(clients_served) AS clients_served,
        sum(clients_employed) AS clients_employed,
        sum(clients_ended) AS clients_ended,
        sum(ended_employed) AS ended_employed,
        sum(ended_education) AS ended_education,
        sum(ended_own_wish) AS ended_own_wish,
        sum(ended_unreachable) AS ended_unreachable,
        sum(ended_other) AS ended_other,
        sum(jobs_started) AS jobs_started,
        sum(jobs_started_permanent) AS jobs_started_permanent,
        sum(jobs_started_wage_subsidy) AS jobs_started_wage_subsidy,
        sum(jobs_ended) AS jobs_ended,
        sum(education_started) AS education_started,
        sum(employer_contacts) AS employer_contacts,
        sum(employer_contacts_with_fte) AS employer_contacts_with_fte,
        sum(fte_weeks) AS fte_weeks,
        sum(coaches_headcount) AS coaches_headcount,
        sum(coaches_fte) AS coaches_fte,
        sum(team_leader_fte) AS team_leader_fte,
        sum(clients_active_end) AS clients_active_end,
        sum(clients_phase_1) AS clients_phase_1,
        sum(clients_phase_2) AS clients_phase_2,
        sum(clients_phase_3) AS clients_phase_3,
        sum(clients_phase_4) AS clients_phase_4,
        sum(clients_phase_5) AS clients_phase_5,
        sum(clients_phase_unknown) AS clients_phase_unknown,
        sum(clients_waiting) AS clients_waiting,
        sum(pct_time_job_coaching * coaches_fte) AS pct_time_job_coaching_weighted,
        sum(pct_time_in_community * coaches_fte) AS pct_time_in_community_weighted,
        sum(pct_clients_from_main_teams * clients_active_end) AS pct_clients_from_main_teams_weighted,
        sum(cum_jobs_started) AS cum_jobs_started,
        sum(cum_jobs_started_permanent) AS cum_jobs_started_permanent,
        sum(cum_clients_new) AS cum_clients_new,
        sum(cum_education_started) AS cum_education_started
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
    CASE WHEN coaches_fte > 0 THEN pct_time_job_coaching_weighted / coaches_fte END AS pct_time_job_coaching,
    CASE WHEN coaches_fte > 0 THEN pct_time_in_community_weighted / coaches_fte END AS pct_time_in_community,
    CASE WHEN clients_active_end > 0 THEN pct_clients_from_main_teams_weighted / clients_active_end END
        AS pct_clients_from_main_teams,
    CASE WHEN clients_served > 0 THEN CAST(clients_employed AS DOUBLE) / clients_served END AS employment_rate,
    CASE WHEN referrals_new > 0 THEN CAST(clients_new AS DOUBLE) / referrals_new END AS referral_conversion,
    CASE WHEN jobs_started > 0 THEN CAST(jobs_started_permanent AS DOUBLE) / jobs_started END AS permanent_share,
    CASE WHEN coaches_fte > 0 THEN clients_active_end / coaches_fte END AS caseload_per_fte,
    employer_contacts_with_fte, fte_weeks,
    CASE WHEN fte_weeks > 0 THEN employer_contacts_with_fte / fte_weeks END AS employer_contacts_per_fte_week,
    CASE WHEN p.median_days_weight > 0
         THEN CAST(mart.round_half_up(p.median_days_weighted_sum / p.median_days_weight, 0) AS INTEGER) END
        AS median_days_to_employer_contact,
    p.median_days_weight,
    cum_jobs_started, cum_jobs_started_permanent, cum_clients_new, cum_education_started
FROM r
LEFT JOIN pooled AS p USING (tertiary)
ORDER BY tertiary;
