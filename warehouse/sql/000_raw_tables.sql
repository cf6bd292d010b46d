-- History tables: everything ever accepted, with the resubmission rule's verdict (active).
-- Written only by ipsetl.warehouse inside one transaction per run; read through the mart views.
CREATE SCHEMA IF NOT EXISTS raw;
CREATE SCHEMA IF NOT EXISTS mart;
-- The SQL of each mart table: views in `calc`, materialised into `mart` by every writing run.
CREATE SCHEMA IF NOT EXISTS calc;

CREATE TABLE IF NOT EXISTS raw.source_file (
    file_seq      INTEGER PRIMARY KEY,      -- registration order: runs in order, files by name within a run
    file_name     VARCHAR NOT NULL,
    sha256        VARCHAR NOT NULL,
    size_bytes    BIGINT NOT NULL,
    form          VARCHAR,                  -- seuranta / laatu / NULL when unreadable
    form_version  VARCHAR,
    loaded_at     TIMESTAMP NOT NULL,
    rows_total    INTEGER NOT NULL,
    rows_accepted INTEGER NOT NULL,
    rows_rejected INTEGER NOT NULL,
    status        VARCHAR NOT NULL,         -- loaded / duplicate / rejected
    duplicate_of  VARCHAR,                  -- for a duplicate: the file it repeats
    schema_fingerprint VARCHAR,             -- the schemas/ it was read under; a change re-reads the file
    UNIQUE (file_name, sha256)
);

CREATE TABLE IF NOT EXISTS raw.monitoring_response (
    file_seq INTEGER NOT NULL,
    source_file VARCHAR NOT NULL,
    source_row INTEGER NOT NULL,
    submitted_at TIMESTAMP,
    region_code VARCHAR NOT NULL,
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    coaches_headcount INTEGER NOT NULL,
    coaches_fte DOUBLE NOT NULL,
    team_leader_fte DOUBLE,
    pct_time_job_coaching DOUBLE NOT NULL,
    pct_time_in_community DOUBLE NOT NULL,
    care_teams_attached INTEGER NOT NULL,
    pct_clients_from_main_teams DOUBLE NOT NULL,
    referrals_new INTEGER NOT NULL,
    clients_new INTEGER NOT NULL,
    clients_served INTEGER NOT NULL,
    clients_active_end INTEGER NOT NULL,
    clients_phase_1 INTEGER NOT NULL,
    clients_phase_2 INTEGER NOT NULL,
    clients_phase_3 INTEGER NOT NULL,
    clients_phase_4 INTEGER NOT NULL,
    clients_phase_5 INTEGER NOT NULL,
    clients_phase_unknown INTEGER NOT NULL,
    clients_waiting INTEGER NOT NULL,
    clients_ended INTEGER NOT NULL,
    ended_employed INTEGER NOT NULL,
    ended_education INTEGER NOT NULL,
    ended_own_wish INTEGER NOT NULL,
    ended_unreachable INTEGER NOT NULL,
    ended_other INTEGER NOT NULL,
    clients_employed INTEGER NOT NULL,
    jobs_started INTEGER NOT NULL,
    jobs_started_permanent INTEGER NOT NULL,
    jobs_started_wage_subsidy INTEGER NOT NULL,
    jobs_ended INTEGER NOT NULL,
    education_started INTEGER NOT NULL,
    employer_contacts INTEGER NOT NULL,
    median_days_to_employer_contact INTEGER,
    text_successes VARCHAR,
    text_challenges VARCHAR,
    text_support_needs VARCHAR,
    active BOOLEAN NOT NULL,
    superseded_by_file_seq INTEGER,
    superseded_by_row INTEGER,
    PRIMARY KEY (file_seq, source_row)
);

CREATE TABLE IF NOT EXISTS raw.fidelity_response (
    file_seq INTEGER NOT NULL,
    source_file VARCHAR NOT NULL,
    source_row INTEGER NOT NULL,
    submitted_at TIMESTAMP,
    region_code VARCHAR NOT NULL,
    assessed_on DATE NOT NULL,
    assessment_type VARCHAR NOT NULL,
    item_01 INTEGER, item_02 INTEGER, item_03 INTEGER, item_04 INTEGER, item_05 INTEGER,
    item_06 INTEGER, item_07 INTEGER, item_08 INTEGER, item_09 INTEGER, item_10 INTEGER,
    item_11 INTEGER, item_12 INTEGER, item_13 INTEGER, item_14 INTEGER, item_15 INTEGER,
    item_16 INTEGER, item_17 INTEGER, item_18 INTEGER, item_19 INTEGER, item_20 INTEGER,
    item_21 INTEGER, item_22 INTEGER, item_23 INTEGER, item_24 INTEGER, item_25 INTEGER,
    text_development_targets VARCHAR,
    active BOOLEAN NOT NULL,
    superseded_by_file_seq INTEGER,
    superseded_by_row INTEGER,
    PRIMARY KEY (file_seq, source_row)
);

CREATE TABLE IF NOT EXISTS raw.finding (
    file_seq INTEGER NOT NULL,
    source_file VARCHAR NOT NULL,
    source_row INTEGER,
    region_code VARCHAR,
    column_name VARCHAR,
    severity VARCHAR NOT NULL,
    rule VARCHAR NOT NULL,
    message VARCHAR NOT NULL,
    finding_seq INTEGER NOT NULL,
    PRIMARY KEY (file_seq, finding_seq)
);

CREATE TABLE IF NOT EXISTS raw.region (
    region_code VARCHAR PRIMARY KEY,
    region_name VARCHAR NOT NULL
);

-- The as-of date of the last run (`ipsetl run --as-of`, default today): it decides which
-- tertiaries are complete and where the current one is clipped (indicators.md).
CREATE TABLE IF NOT EXISTS raw.settings (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);
