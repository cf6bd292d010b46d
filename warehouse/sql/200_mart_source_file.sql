-- Every file the pipeline has seen, by sha256: loaded, duplicate (same bytes as an earlier file)
-- or rejected (nothing in it could be read as a form).
--
-- tertiary: the tertiary a file's responses speak of (its latest window's period_end or latest
-- assessment date), so that a report's data-quality appendix lists the files and findings of its
-- own tertiary and a closed tertiary's report does not change when later files arrive. A file
-- with no readable response (rejected, duplicate, empty) belongs to the tertiary it was read in.
CREATE OR REPLACE VIEW raw.file_tertiary AS
WITH last_day AS (
    SELECT file_seq, max(period_end) AS day FROM raw.monitoring_response GROUP BY file_seq
    UNION ALL
    SELECT file_seq, max(assessed_on) FROM raw.fidelity_response GROUP BY file_seq
)
SELECT f.file_seq,
       mart.tertiary_of(coalesce(max(d.day), CAST(f.loaded_at AS DATE))) AS tertiary
FROM raw.source_file f LEFT JOIN last_day d USING (file_seq)
GROUP BY f.file_seq, f.loaded_at;

CREATE OR REPLACE VIEW calc.source_file AS
SELECT f.file_name, f.sha256, f.size_bytes, f.form, f.form_version, f.loaded_at,
       f.rows_total, f.rows_accepted, f.rows_rejected, f.status, t.tertiary
FROM raw.source_file f JOIN raw.file_tertiary t USING (file_seq)
ORDER BY f.file_seq;
