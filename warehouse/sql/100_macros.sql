-- Tertiaries (kolmannesvuodet): {{ tertiary_calendar }}; label YYYY-Tn.
-- A window belongs to the tertiary that contains its period_end (indicators.md).
-- The months are schemas/catalogue.toml's [tertiaries] (Python: schemas.catalogue.tertiary_of).
{%- set months = catalogue.tertiary_last_months %}
CREATE OR REPLACE MACRO mart.tertiary_index(d) AS
    year(d) * {{ months | length }} + CASE
{%- for last in months[:-1] %} WHEN month(d) <= {{ last }} THEN {{ loop.index0 }}{% endfor %} ELSE {{ months | length - 1 }} END;

CREATE OR REPLACE MACRO mart.tertiary_label(idx) AS
    CAST(idx // {{ months | length }} AS VARCHAR) || '-T' || CAST(idx % {{ months | length }} + 1 AS VARCHAR);

CREATE OR REPLACE MACRO mart.tertiary_of(d) AS mart.tertiary_label(mart.tertiary_index(d));

CREATE OR REPLACE MACRO mart.tertiary_start(label) AS
    make_date(CAST(left(label, 4) AS INTEGER),
              list_value(1{% for last in months[:-1] %}, {{ last + 1 }}{% endfor %})[CAST(right(label, 1) AS INTEGER)], 1);

CREATE OR REPLACE MACRO mart.tertiary_end(label) AS
    last_day(make_date(CAST(left(label, 4) AS INTEGER),
                       list_value({{ months | join(", ") }})[CAST(right(label, 1) AS INTEGER)], 1));

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
