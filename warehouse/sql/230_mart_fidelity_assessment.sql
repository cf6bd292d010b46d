-- One row per accepted, non-superseded quality assessment (form B).
CREATE OR REPLACE VIEW mart.fidelity_assessment AS
SELECT
    f.region_code,
    r.region_name,
    f.assessed_on,
    f.assessment_type,
    f.submitted_at,
    f.source_file,
    f.source_row,
    f.item_01, f.item_02, f.item_03, f.item_04, f.item_05, f.item_06, f.item_07, f.item_08,
    f.item_09, f.item_10, f.item_11, f.item_12, f.item_13, f.item_14, f.item_15, f.item_16,
    f.item_17, f.item_18, f.item_19, f.item_20, f.item_21, f.item_22, f.item_23, f.item_24,
    f.item_25,
    CAST(list_count(list_value(
        f.item_01, f.item_02, f.item_03, f.item_04, f.item_05, f.item_06, f.item_07, f.item_08,
        f.item_09, f.item_10, f.item_11, f.item_12, f.item_13, f.item_14, f.item_15, f.item_16,
        f.item_17, f.item_18, f.item_19, f.item_20, f.item_21, f.item_22, f.item_23, f.item_24,
        f.item_25)) AS INTEGER) AS items_answered,
    f.text_development_targets
FROM raw.fidelity_response AS f
JOIN raw.region AS r USING (region_code)
WHERE f.active
ORDER BY f.region_code, f.assessed_on, f.assessment_type;
