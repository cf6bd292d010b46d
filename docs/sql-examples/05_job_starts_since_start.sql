-- Uudet työsuhteet hankkeen alusta alueittain (kertymä viimeisimpään kolmannesvuoteen asti).
-- "How many job starts in each region since the start?"
SELECT region_code, region_name, tertiary AS up_to, cum_jobs_started, cum_jobs_started_permanent,
       cum_clients_new, cum_education_started
FROM mart.region_tertiary
QUALIFY row_number() OVER (PARTITION BY region_code ORDER BY tertiary DESC) = 1
ORDER BY cum_jobs_started DESC;
