-- Hylätyt rivit ja niiden syyt alueittain: lista, jonka voi lähettää alueelle korjattavaksi.
-- Rejected rows with their reasons, per region, to ask the region to fix them.
SELECT coalesce(region_code, '(tuntematon alue)') AS region_code, source_file, source_row, column_name, rule, message
FROM mart.data_quality
WHERE severity = 'error' AND source_row IS NOT NULL
ORDER BY region_code, source_file, source_row;
