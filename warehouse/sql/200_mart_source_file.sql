-- Every file the pipeline has seen, by sha256: loaded, duplicate (same bytes as an earlier file)
-- or rejected (nothing in it could be read as a form).
CREATE OR REPLACE VIEW mart.source_file AS
SELECT file_name, sha256, size_bytes, form, form_version, loaded_at,
       rows_total, rows_accepted, rows_rejected, status
FROM raw.source_file
ORDER BY file_seq;
