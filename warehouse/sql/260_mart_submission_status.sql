-- Who has reported (indicators.md, "Submission status"): one row per region that has ever had an
-- accepted window, for every tertiary from the one holding its first window up to the one holding
-- the as-of date. missing = nothing sent for a tertiary that is over.
CREATE OR REPLACE VIEW calc.submission_status AS
WITH first AS (
    SELECT region_code, min(mart.tertiary_index(period_end)) AS first_index
    FROM calc.monitoring_window
    GROUP BY region_code
), grid AS (
    SELECT region_code, unnest(range(first_index, mart.tertiary_index(mart.as_of()) + 1)) AS t_index
    FROM first
), sent AS (
    SELECT region_code, tertiary, count(*) AS windows, max(submitted_at) AS last_submitted_at
    FROM calc.monitoring_window
    GROUP BY region_code, tertiary
)
SELECT
    g.region_code,
    r.region_name,
    mart.tertiary_label(g.t_index) AS tertiary,
    CAST(coalesce(s.windows, 0) AS INTEGER) AS windows,
    s.last_submitted_at,
    mart.tertiary_end(mart.tertiary_label(g.t_index)) <= mart.as_of() AS complete,
    coalesce(s.windows, 0) = 0 AND mart.tertiary_end(mart.tertiary_label(g.t_index)) <= mart.as_of() AS missing
FROM grid AS g
JOIN raw.region AS r USING (region_code)
LEFT JOIN sent AS s ON s.region_code = g.region_code AND s.tertiary = mart.tertiary_label(g.t_index)
ORDER BY tertiary, region_code;
