-- Koko maan avainluvut kausittain ja muutos edellisestä kolmannesvuodesta.
-- National key figures by tertiary, with the change from the previous tertiary.
SELECT tertiary, complete, regions_reporting, clients_served, clients_active_end, clients_new,
       jobs_started, jobs_started_permanent, education_started,
       round(100 * employment_rate, 1) AS employment_rate_pct,
       round(100 * (employment_rate - lag(employment_rate) OVER (ORDER BY tertiary)), 1) AS change_pct_points,
       jobs_started - lag(jobs_started) OVER (ORDER BY tertiary) AS jobs_started_change,
       round(employer_contacts_per_fte_week, 1) AS employer_contacts_per_fte_week
FROM mart.national_tertiary
ORDER BY tertiary;
