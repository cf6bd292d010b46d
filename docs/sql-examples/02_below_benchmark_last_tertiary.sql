-- Alueet, joiden työllisyysaste jäi alle 41 %:n keskitason viimeisimmällä päättyneellä kolmannesvuodella.
-- Regions below the 41 % benchmark in the last complete tertiary.
SELECT region_code, region_name, tertiary, round(100 * employment_rate, 1) AS employment_rate_pct
FROM mart.region_tertiary
WHERE tertiary = (SELECT max(tertiary) FROM mart.region_tertiary WHERE complete)
  AND employment_rate < 0.41
ORDER BY employment_rate;
