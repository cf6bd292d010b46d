-- Seurantatietojen suuntaa-antavat kriteeripisteet itsearvion rinnalla; vähintään 2 pisteen erot keskusteluun.
-- Indicative item scores of the last complete tertiary beside the latest self-assessment dated on or
-- before the tertiary's end; flags differences of 2 points or more.
WITH t AS (
    SELECT * FROM mart.region_tertiary
    WHERE tertiary = (SELECT max(tertiary) FROM mart.region_tertiary WHERE complete)
), a AS (
    SELECT f.*, t.tertiary
    FROM mart.fidelity_assessment AS f JOIN t USING (region_code)
    WHERE f.assessed_on <= t.tertiary_end
    QUALIFY row_number() OVER (PARTITION BY f.region_code
                               ORDER BY f.assessed_on DESC, f.assessment_type = 'Ulkoinen arviointi' DESC) = 1
), pairs AS (
    SELECT t.region_code, t.tertiary, a.assessed_on, u.item, u.indicative, u.assessed
    FROM t JOIN a USING (region_code),
    LATERAL (VALUES (1, t.fid_01, a.item_01), (2, t.fid_02, a.item_02), (4, t.fid_04, a.item_04),
                    (15, t.fid_15, a.item_15), (17, t.fid_17, a.item_17), (21, t.fid_21, a.item_21),
                    (24, t.fid_24, a.item_24)) AS u(item, indicative, assessed)
)
SELECT region_code, tertiary, assessed_on, item, indicative, assessed,
       abs(indicative - assessed) >= 2 AS discuss
FROM pairs
ORDER BY region_code, item;
