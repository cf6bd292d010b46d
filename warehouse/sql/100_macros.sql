-- Tertiary (kolmannesvuosi) of a date: T1 = 1.1.–30.4., T2 = 1.5.–31.8., T3 = 1.9.–31.12.
CREATE OR REPLACE MACRO mart.tertiary_of(d) AS
    CAST(year(d) AS VARCHAR) || '-T' || CAST(CASE WHEN month(d) <= 4 THEN 1 WHEN month(d) <= 8 THEN 2 ELSE 3 END AS VARCHAR);
