-- One row per accepted, non-superseded quality assessment (form B) with its scores
-- (indicators.md, "Fidelity assessments"): a total only when all 25 items are answered, a
-- section score only when all its items are, the level in Finnish.
CREATE OR REPLACE VIEW calc.fidelity_assessment AS
WITH f AS (
    SELECT f.*, r.region_name,
        CAST(list_count(list_value({{ items | join(", ") }})) AS INTEGER) AS items_answered,
        -- sections (schemas/catalogue.toml): NULL as soon as one item is unanswered (SQL addition
        -- propagates NULL)
{%- for s in catalogue.sections %}
        {{ section(s.name) }} AS {{ s.name }}{{ "," if not loop.last }}
{%- endfor %}
    FROM raw.fidelity_response AS f
    JOIN raw.region AS r USING (region_code)
    WHERE f.active
)
SELECT
    region_code, region_name, assessed_on, assessment_type, submitted_at, source_file, source_row,
    item_01, item_02, item_03, item_04, item_05, item_06, item_07, item_08, item_09, item_10,
    item_11, item_12, item_13, item_14, item_15, item_16, item_17, item_18, item_19, item_20,
    item_21, item_22, item_23, item_24, item_25,
    items_answered,
    staffing_score,
    organisation_score,
    services_score,
    CASE WHEN items_answered = {{ items | length }} THEN staffing_score + organisation_score + services_score END AS total,
    mart.fidelity_level(CASE WHEN items_answered = {{ items | length }} THEN staffing_score + organisation_score + services_score END)
        AS level,
    text_development_targets
FROM f
ORDER BY region_code, assessed_on, assessment_type;
