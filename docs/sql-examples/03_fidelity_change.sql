-- Laatukriteerien yhteispisteiden muutos edellisestä arvioinnista, alueittain viimeisin arviointi.
-- Fidelity change since the previous assessment (latest assessment per region).
WITH a AS (
    SELECT region_code, assessed_on, assessment_type, total, level,
           lag(total) OVER (PARTITION BY region_code ORDER BY assessed_on, assessment_type) AS previous_total,
           row_number() OVER (PARTITION BY region_code ORDER BY assessed_on DESC,
                              assessment_type = 'Ulkoinen arviointi' DESC) AS newest
    FROM mart.fidelity_assessment
)
SELECT region_code, assessed_on, assessment_type, total, level, previous_total,
       total - previous_total AS change
FROM a
WHERE newest = 1
ORDER BY region_code;
