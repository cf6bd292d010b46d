-- Tertiaries (kolmannesvuodet): T1 = 1.1.–30.4., T2 = 1.5.–31.8., T3 = 1.9.–31.12.; label YYYY-Tn.
-- A window belongs to the tertiary that contains its period_end (indicators.md).
CREATE OR REPLACE MACRO mart.tertiary_index(d) AS
    year(d) * 3 + CASE WHEN month(d) <= 4 THEN 0 WHEN month(d) <= 8 THEN 1 ELSE 2 END;

CREATE OR REPLACE MACRO mart.tertiary_label(idx) AS
    CAST(idx // 3 AS VARCHAR) || '-T' || CAST(idx % 3 + 1 AS VARCHAR);

CREATE OR REPLACE MACRO mart.tertiary_of(d) AS mart.tertiary_label(mart.tertiary_index(d));

CREATE OR REPLACE MACRO mart.tertiary_start(label) AS
    make_date(CAST(left(label, 4) AS INTEGER), 4 * (CAST(right(label, 1) AS INTEGER) - 1) + 1, 1);

CREATE OR REPLACE MACRO mart.tertiary_end(label) AS
    CAST(mart.tertiary_start(label) + INTERVAL 4 MONTH - INTERVAL 1 DAY AS DATE);

-- The as-of date the last run was given; today when no run has recorded one.
CREATE OR REPLACE MACRO mart.as_of() AS
    coalesce((SELECT CAST(value AS DATE) FROM raw.settings WHERE key = 'as_of'), current_date);

-- Rounding half up (indicators.md): 30.5 → 31. Rounding to 9 decimals first keeps a value that is
-- on .5 in exact arithmetic (a weighted mean of whole days) from falling to .4999999999 in floating
-- point; a mean weighted by fewer than 10⁸ clients is otherwise never that close to .5.
CREATE OR REPLACE MACRO mart.round_half_up(x, digits) AS
    floor(round(x * pow(10, digits), 9) + 0.5) / pow(10, digits);

-- A rate (indicators.md): numerator / denominator, empty when the denominator is 0 (or empty).
-- Which rate divides what is in schemas/catalogue.toml; the marts call it through the templates' `rate` (schemas/catalogue.py).
CREATE OR REPLACE MACRO mart.ratio(n, d) AS
    CASE WHEN d > 0 THEN CAST(n AS DOUBLE) / d END;
