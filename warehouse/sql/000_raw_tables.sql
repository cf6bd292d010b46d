-- History tables: everything ever accepted, with the resubmission rule's verdict (active).
-- Written only by ipsetl.warehouse inside one transaction per run; read through the mart views.
-- The SQL files are Jinja templates: the responses' columns, the sums, rates and consistency sums
-- come from schemas/catalogue.toml (ipsetl.warehouse.sql_text renders them).
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
    {{ raw_columns("seuranta") }},
    active BOOLEAN NOT NULL,
    superseded_by_file_seq INTEGER,
    superseded_by_row INTEGER,
    PRIMARY KEY (file_seq, source_row)
);

CREATE TABLE IF NOT EXISTS raw.fidelity_response (
    file_seq INTEGER NOT NULL,
    source_file VARCHAR NOT NULL,
    source_row INTEGER NOT NULL,
    {{ raw_columns("laatu") }},
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
