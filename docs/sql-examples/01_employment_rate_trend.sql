-- Työllisyysaste kausittain yhdellä alueella (tässä Pirkanmaa) vertailuarvojen 31/41/50 % rinnalla.
-- Employment-rate trend of one region, tertiary by tertiary, with the benchmark bands.
SELECT tertiary,
       clients_employed,
       clients_served,
       round(100 * employment_rate, 1) AS employment_rate_pct,
       CASE WHEN employment_rate >= 0.50 THEN 'erinomainen (≥ 50 %)'
            WHEN employment_rate >= 0.41 THEN 'keskitaso (≥ 41 %)'
            WHEN employment_rate >= 0.31 THEN 'vähimmäistaso (≥ 31 %)'
            ELSE 'alle vähimmäistason' END AS benchmark
FROM mart.region_tertiary
WHERE region_code = 'PIR'
ORDER BY tertiary;
