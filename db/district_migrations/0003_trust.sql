-- District trust: a package signed by a key other than the community's is QUARANTINED (a new
-- import result), never counted until a person approves it; any package can be excluded and
-- included again; a community's key is registered from the paper slip or confirmed by a person
-- comparing the fingerprint of its first package with the slip. Every such decision is a row of
-- the append-only `decision` log (who, when, what, why); which package counts is computed from
-- the packages, the registered keys and the decisions, never stored.

CREATE TABLE import_attempt_v3 (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    community   TEXT NOT NULL DEFAULT '',
    short_hash  TEXT NOT NULL DEFAULT '',
    fingerprint TEXT NOT NULL DEFAULT '',
    result      TEXT NOT NULL CHECK (result IN ('imported', 'superseded', 'duplicate', 'rejected',
                                                'quarantined')),
    reason      TEXT NOT NULL DEFAULT '',
    package_id  INTEGER REFERENCES package (id)
) STRICT;

INSERT INTO import_attempt_v3 (id, at, file_name, community, short_hash, fingerprint, result,
                               reason, package_id)
SELECT id, at, file_name, community, short_hash, fingerprint, result, reason, package_id
FROM import_attempt;

DROP TABLE import_attempt;

ALTER TABLE import_attempt_v3 RENAME TO import_attempt;

-- 'slip': typed from the paper hand-over slip; 'confirmed': a person compared the fingerprint
-- of the community's first package with the slip.
ALTER TABLE registered_key ADD COLUMN source TEXT NOT NULL DEFAULT 'slip'
    CHECK (source IN ('slip', 'confirmed'));

CREATE TABLE decision (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    by          TEXT NOT NULL,
    action      TEXT NOT NULL CHECK (action IN ('approve', 'exclude', 'include', 'confirm_key',
                                                'register_key')),
    community   TEXT NOT NULL,
    package_id  INTEGER REFERENCES package (id),
    fingerprint TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    CHECK ((action IN ('approve', 'exclude', 'include')) = (package_id IS NOT NULL))
) STRICT;

CREATE INDEX decision_package ON decision (package_id, id);

CREATE TRIGGER decision_no_update BEFORE UPDATE ON decision
BEGIN
    SELECT RAISE(ABORT, 'decision log is append-only');
END;

CREATE TRIGGER decision_no_delete BEFORE DELETE ON decision
BEGIN
    SELECT RAISE(ABORT, 'decision log is append-only');
END;
