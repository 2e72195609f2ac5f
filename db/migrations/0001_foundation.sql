-- Schema v1: the community's register, meetings, exclusions, desks, contests, candidates and
-- the hash-chained audit log. Every table is STRICT; enums are CHECKed.

CREATE TABLE setting (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE meeting (
    id           INTEGER PRIMARY KEY,
    code         TEXT NOT NULL UNIQUE CHECK (length(code) > 0),
    title        TEXT NOT NULL,
    community    TEXT NOT NULL,
    organisation TEXT NOT NULL CHECK (organisation IN (
                    'party_committee', 'party_general_branch', 'party_branch', 'discipline',
                    'residents_committee', 'supervisory_committee', 'collective')),
    rules        TEXT NOT NULL CHECK (rules IN ('party-2020', 'residents-2025', 'collective-2025')),
    form         TEXT NOT NULL CHECK (form IN (
                    'assembly', 'plenary', 'all', 'household', 'representative', 'members', 'delegates')),
    date         TEXT NOT NULL,
    venue        TEXT NOT NULL DEFAULT '',
    options      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(options)),
    is_current   INTEGER NOT NULL DEFAULT 0 CHECK (is_current IN (0, 1)),
    CHECK (
        (rules = 'party-2020' AND form IN ('assembly', 'plenary')) OR
        (rules = 'residents-2025' AND form IN ('all', 'household', 'representative')) OR
        (rules = 'collective-2025' AND form IN ('members', 'delegates'))
    )
) STRICT;
CREATE UNIQUE INDEX meeting_one_current ON meeting(is_current) WHERE is_current = 1;

-- The register: everyone once. Voting rights are decided per meeting from these columns
-- (app/electorate.py), never stored as a single flag.
CREATE TABLE person (
    id                   INTEGER PRIMARY KEY,
    name                 TEXT NOT NULL CHECK (length(name) > 0),
    gender               TEXT CHECK (gender IN ('M', 'F')),
    birth_date           TEXT,                -- YYYY-MM-DD, or YYYY-MM when only 出生年月 is known
    id_number            TEXT UNIQUE,         -- 公民身份号码, upper-case X
    education            TEXT NOT NULL DEFAULT '',
    branch               TEXT NOT NULL DEFAULT '',   -- 所在党支部
    resident_group       TEXT NOT NULL DEFAULT '',   -- 居民小组
    household            TEXT NOT NULL DEFAULT '',   -- 户号
    member_no            TEXT NOT NULL DEFAULT '',   -- 党员/成员编号
    party_status         TEXT NOT NULL DEFAULT 'none' CHECK (party_status IN (
                            'none', 'full', 'probationary', 'on_probation', 'suspended')),
                            -- 非党员 / 正式党员 / 预备党员 / 留党察看 / 权利中止
    resident_voter       INTEGER NOT NULL DEFAULT 0 CHECK (resident_voter IN (0, 1)),
    household_rep        INTEGER NOT NULL DEFAULT 0 CHECK (household_rep IN (0, 1)),
    resident_rep         INTEGER NOT NULL DEFAULT 0 CHECK (resident_rep IN (0, 1)),   -- 居民代表
    collective_member    INTEGER NOT NULL DEFAULT 0 CHECK (collective_member IN (0, 1)),
    collective_delegate  INTEGER NOT NULL DEFAULT 0 CHECK (collective_delegate IN (0, 1)),
    phone                TEXT NOT NULL DEFAULT '',
    note                 TEXT NOT NULL DEFAULT '',
    token                TEXT NOT NULL UNIQUE,       -- random, printed in the sign-in QR
    pinyin               TEXT NOT NULL DEFAULT '',   -- display pinyin (first reading)
    created_at           TEXT NOT NULL
) STRICT;
CREATE INDEX person_name ON person(name);
CREATE INDEX person_branch ON person(branch);
CREATE INDEX person_group ON person(resident_group);
CREATE INDEX person_household ON person(household);

-- Search keys: several rows per person (every heteronym reading of the name in full pinyin
-- and initials, the name itself, the reversed ID number for last-digit search, member number).
-- Queried by prefix on `key` (indexed).
CREATE TABLE person_key (
    person_id INTEGER NOT NULL REFERENCES person(id) ON DELETE CASCADE,
    kind      TEXT NOT NULL CHECK (kind IN ('name', 'pinyin', 'initials', 'id_rev', 'member_no')),
    key       TEXT NOT NULL,
    PRIMARY KEY (key, kind, person_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX person_key_person ON person_key(person_id);

-- Explicit electorates where the register columns do not say it (a 委员会全体会议 elects its
-- 书记 among the committee members).
CREATE TABLE meeting_elector (
    meeting_id INTEGER NOT NULL REFERENCES meeting(id) ON DELETE CASCADE,
    person_id  INTEGER NOT NULL REFERENCES person(id),
    PRIMARY KEY (meeting_id, person_id)
) STRICT;

-- Approved exclusions from 应到 (rules.md §1.1). Plain 请假 is in `leave`, not here.
CREATE TABLE exclusion (
    id           INTEGER PRIMARY KEY,
    meeting_id   INTEGER NOT NULL REFERENCES meeting(id) ON DELETE CASCADE,
    person_id    INTEGER NOT NULL REFERENCES person(id),
    reason       TEXT NOT NULL CHECK (reason IN (
                    'illness', 'abroad', 'sentence', 'bedridden', 'away_transfer')),
    detail       TEXT NOT NULL DEFAULT '',
    approval_ref TEXT NOT NULL CHECK (length(approval_ref) > 0),
    approved_on  TEXT NOT NULL,
    UNIQUE (meeting_id, person_id)
) STRICT;

CREATE TABLE leave (
    meeting_id INTEGER NOT NULL REFERENCES meeting(id) ON DELETE CASCADE,
    person_id  INTEGER NOT NULL REFERENCES person(id),
    reason     TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (meeting_id, person_id)
) STRICT;

CREATE TABLE desk (
    id         INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meeting(id) ON DELETE CASCADE,
    name       TEXT NOT NULL CHECK (length(name) > 0),
    scope      TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(scope)),  -- branches/groups served; [] = all
    UNIQUE (meeting_id, name)
) STRICT;

CREATE TABLE contest (
    id         INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meeting(id) ON DELETE CASCADE,
    code       TEXT NOT NULL CHECK (length(code) > 0),
    title      TEXT NOT NULL,                 -- 委员 / 书记 / 主任 ...
    body       TEXT NOT NULL DEFAULT '',      -- 中共XX社区委员会 / 纪律检查委员会 / 居民委员会 ...
    kind       TEXT NOT NULL CHECK (kind IN ('committee', 'leader')),
    seats      INTEGER NOT NULL CHECK (seats > 0),
    position   INTEGER NOT NULL DEFAULT 0,
    UNIQUE (meeting_id, code)
) STRICT;

CREATE TABLE candidate (
    id         INTEGER PRIMARY KEY,
    contest_id INTEGER NOT NULL REFERENCES contest(id) ON DELETE CASCADE,
    person_id  INTEGER REFERENCES person(id),
    name       TEXT NOT NULL CHECK (length(name) > 0),
    gender     TEXT CHECK (gender IN ('M', 'F')),
    UNIQUE (contest_id, name)
) STRICT;

-- Append-only audit log, each row chained to the previous by SHA-256 (app/audit.py).
CREATE TABLE audit (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    meeting_id INTEGER,
    detail     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(detail)),
    outcome    TEXT NOT NULL DEFAULT 'ok',
    prev_hash  TEXT NOT NULL,
    hash       TEXT NOT NULL UNIQUE
) STRICT;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit log is append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit log is append-only');
END;
