-- Every finding: error = the row or file was rejected; warning = kept. source_row is empty for
-- file-level findings. Findings stay with the row as received, also when it is later superseded.
CREATE OR REPLACE VIEW mart.data_quality AS
SELECT source_file, source_row, region_code, column_name, severity, rule, message
FROM raw.finding
ORDER BY file_seq, finding_seq;
