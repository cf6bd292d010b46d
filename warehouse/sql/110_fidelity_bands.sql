-- Indicative fidelity item scores from monitoring data: the score bands of indicators.md, each
-- citing its item of the IPS quality criteria (seed 000). The one place the bands live: the
-- window view and the tertiary views call these macros. An empty input gives an empty score.
-- Computed ratios (items 1, 17, 21) are rounded to 9 decimals before banding, so a ratio exactly
-- on a boundary in exact arithmetic (7 contacts / (0.1 FTE × 98 days / 7) = 5, which floating point
-- makes 4.999999999999999) takes the band shown; a ratio of counts and 2-decimal FTEs is never
-- closer than 1e-8 to a boundary unless it is on it. Typed percentages and days are compared as
-- they are.

-- Item 1 Asiakasmäärä: r = caseload_per_fte (clients per coach FTE).
CREATE OR REPLACE MACRO mart.fid_01_score(r) AS
    CASE WHEN r IS NULL THEN NULL
         WHEN round(r, 9) <= 20 THEN 5
         WHEN round(r, 9) <= 25 THEN 4
         WHEN round(r, 9) <= 30 THEN 3
         WHEN round(r, 9) <= 40 THEN 2
         ELSE 1 END;

-- Item 2 Fokus työhönvalmennuksessa: p = pct_time_job_coaching.
CREATE OR REPLACE MACRO mart.fid_02_score(p) AS
    CASE WHEN p IS NULL THEN NULL
         WHEN p >= 96 THEN 5
         WHEN p >= 90 THEN 4
         WHEN p >= 75 THEN 3
         WHEN p >= 60 THEN 2
         ELSE 1 END;

-- Item 4 Työhönvalmennuksen ja psykiatrisen hoidon yhteen sovittaminen:
-- t = care_teams_attached, s = pct_clients_from_main_teams.
CREATE OR REPLACE MACRO mart.fid_04_score(t, s) AS
    CASE WHEN t IS NULL THEN NULL
         WHEN t = 0 THEN 1
         WHEN t >= 3 THEN 2
         WHEN s IS NULL THEN NULL
         WHEN s >= 90 THEN 5
         WHEN s >= 75 THEN 4
         WHEN s >= 50 THEN 3
         ELSE 2 END;

-- Item 15 Nopea työnhaku: d = median days from entry to the first employer meeting.
CREATE OR REPLACE MACRO mart.fid_15_score(d) AS
    CASE WHEN d IS NULL THEN NULL
         WHEN d <= 30 THEN 5
         WHEN d <= 60 THEN 4
         WHEN d <= 150 THEN 3
         WHEN d <= 270 THEN 2
         ELSE 1 END;

-- Item 17 Tiivis yhteys työnantajiin: c = employer_contacts_per_fte_week,
-- j = job seekers per FTE = (clients_phase_3 + clients_phase_4) / coaches_fte.
-- 5 also when j < 3 and c ≥ 2 × j (with no job seekers, j = 0, that is always true).
CREATE OR REPLACE MACRO mart.fid_17_score(c, j) AS
    CASE WHEN c IS NULL OR j IS NULL THEN NULL  -- coaches_fte = 0 makes item 17 empty
         WHEN round(c, 9) >= 6 THEN 5
         WHEN j IS NOT NULL AND round(j, 9) < 3 AND round(c, 9) >= round(2 * j, 9) THEN 5
         WHEN round(c, 9) >= 5 THEN 4
         WHEN round(c, 9) >= 4 THEN 3
         WHEN round(c, 9) >= 2 THEN 2
         ELSE 1 END;

-- Item 21 Avoimille työmarkkinoille sijoittuva työ: q = cumulative permanent share × 100,
-- n = cumulative jobs_started. Fewer than 10 job starts (none included) is 1.
CREATE OR REPLACE MACRO mart.fid_21_score(q, n) AS
    CASE WHEN n IS NULL THEN NULL
         WHEN n < 10 THEN 1
         WHEN q IS NULL THEN NULL
         WHEN round(q, 9) >= 95 THEN 5
         WHEN round(q, 9) >= 85 THEN 4
         WHEN round(q, 9) >= 75 THEN 3
         WHEN round(q, 9) >= 65 THEN 2
         ELSE 1 END;

-- Item 24 Lähiyhteisössä tapahtuvat palvelut: p = pct_time_in_community.
CREATE OR REPLACE MACRO mart.fid_24_score(p) AS
    CASE WHEN p IS NULL THEN NULL
         WHEN p >= 65 THEN 5
         WHEN p >= 50 THEN 4
         WHEN p >= 40 THEN 3
         WHEN p >= 30 THEN 2
         ELSE 1 END;

-- Fidelity level of a total (seed 000): the levels of schemas/catalogue.toml, highest first.
CREATE OR REPLACE MACRO mart.fidelity_level(total) AS
    CASE WHEN total IS NULL THEN NULL
{%- for level in catalogue.levels %}
         {% if loop.last %}ELSE '{{ level.name }}' END;{% else %}WHEN total >= {{ level.min }} THEN '{{ level.name }}'{% endif %}
{%- endfor %}
