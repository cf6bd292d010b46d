-- Korjatut vastaukset: mikä vastaus korvasi minkäkin (historia säilyy, raporteissa vain voimassa oleva).
-- Superseded responses and the response that replaced each.
SELECT old.region_code, old.period_start, old.period_end,
       old.source_file AS superseded_file, old.source_row AS superseded_row, old.submitted_at AS superseded_submitted_at,
       new.source_file AS replaced_by_file, new.source_row AS replaced_by_row, new.submitted_at AS replaced_by_submitted_at
FROM raw.monitoring_response AS old
JOIN raw.monitoring_response AS new
  ON new.file_seq = old.superseded_by_file_seq AND new.source_row = old.superseded_by_row
WHERE NOT old.active
ORDER BY old.region_code, old.period_start;
