-- Every finding: error = the row or file was rejected; warning = kept. source_row is empty for
-- file-level findings. Findings stay with the row as received, also when it is later superseded.
-- tertiary: that of the row's own window or assessment when the row was kept, otherwise that of
-- its file (raw.file_tertiary, 200_mart_source_file.sql).
CREATE OR REPLACE VIEW calc.data_quality AS
SELECT f.source_file, f.source_row, f.region_code, f.column_name, f.severity, f.rule, f.message,
       coalesce(mart.tertiary_of(coalesce(m.period_end, a.assessed_on)), t.tertiary) AS tertiary
FROM raw.finding f
JOIN raw.file_tertiary t USING (file_seq)
LEFT JOIN raw.monitoring_response m ON m.file_seq = f.file_seq AND m.source_row = f.source_row
LEFT JOIN raw.fidelity_response a ON a.file_seq = f.file_seq AND a.source_row = f.source_row
ORDER BY f.file_seq, f.finding_seq;
