-- Kuka ei ole raportoinut: alueet, jotka ovat raportoineet aiemmin mutta eivät päättyneeltä kolmannesvuodelta.
-- Who has not reported for a complete tertiary.
SELECT tertiary, region_code, region_name
FROM mart.submission_status
WHERE missing
ORDER BY tertiary, region_code;
