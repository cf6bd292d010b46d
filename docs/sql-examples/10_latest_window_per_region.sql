-- Kunkin alueen viimeisin jakso: asiakasmäärä per htv ja työnantajakontaktit per htv ja viikko pisteineen.
-- Each region's latest window: caseload and employer contacts per FTE-week with their indicative scores.
SELECT region_code, period_start, period_end, coaches_fte, clients_active_end,
       round(caseload_per_fte, 1) AS caseload_per_fte, fid_01,
       round(employer_contacts_per_fte_week, 2) AS employer_contacts_per_fte_week, fid_17
FROM mart.monitoring_window
QUALIFY row_number() OVER (PARTITION BY region_code ORDER BY period_end DESC) = 1
ORDER BY region_code;
