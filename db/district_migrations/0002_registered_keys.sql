-- Fingerprints the district office registered for a community (from the paper hand-over note or
-- the laptop's set-up sheet): a package signed by another key is flagged even when it is the
-- community's first.

CREATE TABLE registered_key (
    community     TEXT NOT NULL,
    fingerprint   TEXT NOT NULL CHECK (fingerprint GLOB
                  '[0-9A-F][0-9A-F][0-9A-F][0-9A-F]-[0-9A-F][0-9A-F][0-9A-F][0-9A-F]-[0-9A-F][0-9A-F][0-9A-F][0-9A-F]-[0-9A-F][0-9A-F][0-9A-F][0-9A-F]'),
    registered_at TEXT NOT NULL,
    PRIMARY KEY (community, fingerprint)
) STRICT;
