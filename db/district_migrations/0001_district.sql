-- The district office's database (区/街道换届办): the 报送包 received from the communities, every
-- import attempt, the plan and the previous term's figures. It has its own user_version sequence
-- (db/district_migrations), never mixed with an election database's (db/migrations).
-- Packages are append-only: which one is a community's current package is computed (the latest
-- export), never stored, so the history cannot drift from it.

CREATE TABLE district_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

INSERT INTO district_meta (key, value) VALUES ('kind', 'pollday-district');

CREATE TABLE package (
    id              INTEGER PRIMARY KEY,
    manifest_sha256 TEXT NOT NULL UNIQUE,         -- the same package twice is a duplicate
    short_hash      TEXT NOT NULL,
    community       TEXT NOT NULL,
    street          TEXT NOT NULL DEFAULT '',
    exported_at     TEXT NOT NULL,                -- as in the manifest (ISO 8601 with offset)
    exported_utc    TEXT NOT NULL,                -- the same instant in UTC, sortable
    fingerprint     TEXT NOT NULL,
    file_name       TEXT NOT NULL,
    file_sha256     TEXT NOT NULL,
    imported_at     TEXT NOT NULL,
    key_flag        TEXT NOT NULL DEFAULT '',     -- '' or why the signing key is questioned
    manifest        TEXT NOT NULL,                -- manifest.json without its file list
    results         TEXT NOT NULL,                -- {"<meeting code>": results/<code>.json}
    elected         TEXT NOT NULL                 -- elected.json
) STRICT;

CREATE INDEX package_community ON package (community, exported_utc, id);

CREATE TABLE import_attempt (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    community   TEXT NOT NULL DEFAULT '',
    short_hash  TEXT NOT NULL DEFAULT '',
    fingerprint TEXT NOT NULL DEFAULT '',
    result      TEXT NOT NULL CHECK (result IN ('imported', 'superseded', 'duplicate', 'rejected')),
    reason      TEXT NOT NULL DEFAULT '',
    package_id  INTEGER REFERENCES package (id)
) STRICT;

CREATE TABLE plan (
    community   TEXT PRIMARY KEY,
    plan_date   TEXT NOT NULL CHECK (plan_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    street      TEXT NOT NULL DEFAULT '',
    imported_at TEXT NOT NULL
) STRICT;

CREATE TABLE previous_term (
    body        TEXT NOT NULL,                    -- body type, e.g. 党组织委员会
    metric      TEXT NOT NULL CHECK (metric IN ('members', 'average_age', 'college_pct',
                                                'bachelor_pct', 'under35_pct', 'women_pct',
                                                'dual_role_pct')),
    value       TEXT NOT NULL,                    -- a decimal as written in the file
    imported_at TEXT NOT NULL,
    PRIMARY KEY (body, metric)
) STRICT;
