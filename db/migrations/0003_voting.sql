-- Schema v3: voting rounds, ballot boxes, ballot entry (double entry by two clerks), tally sheets
-- (正字) and the round's event log (officials, decision not to fill, close, lock, unlock).
-- Everything here is append-only: a correction is a new row, the latest row of a key stands.

-- One round of one contest (first | runoff | tie_revote). Seats and candidates are the round's
-- own: a runoff or tie re-vote has fewer seats and other candidates than the contest.
CREATE TABLE voting_round (
    id           INTEGER PRIMARY KEY,
    meeting_id   INTEGER NOT NULL REFERENCES meeting(id),
    contest_id   INTEGER NOT NULL REFERENCES contest(id),
    number       INTEGER NOT NULL CHECK (number > 0),
    kind         TEXT NOT NULL CHECK (kind IN ('first', 'runoff', 'tie_revote')),
    seats        INTEGER NOT NULL CHECK (seats > 0),
    snapshot_id  INTEGER NOT NULL REFERENCES attendance_snapshot(id),
    follows_id   INTEGER REFERENCES voting_round(id),
    mode         TEXT NOT NULL CHECK (mode IN ('ballots', 'tally')),
    double_entry INTEGER NOT NULL CHECK (double_entry IN (0, 1)),
    opened_at    TEXT NOT NULL,
    opened_by    TEXT NOT NULL,
    UNIQUE (contest_id, number),
    CHECK (kind = 'first' OR follows_id IS NOT NULL)   -- a re-run of a void round follows it too
) STRICT;
CREATE TRIGGER voting_round_no_update BEFORE UPDATE ON voting_round
BEGIN
    SELECT RAISE(ABORT, 'voting rounds are append-only');
END;
CREATE TRIGGER voting_round_no_delete BEFORE DELETE ON voting_round
BEGIN
    SELECT RAISE(ABORT, 'voting rounds are append-only');
END;

-- The round's ballot order (ballot marks are stored in this order).
CREATE TABLE round_candidate (
    round_id  INTEGER NOT NULL REFERENCES voting_round(id),
    position  INTEGER NOT NULL CHECK (position > 0),
    name      TEXT NOT NULL CHECK (length(name) > 0),
    gender    TEXT CHECK (gender IN ('M', 'F')),
    person_id INTEGER REFERENCES person(id),
    PRIMARY KEY (round_id, position),
    UNIQUE (round_id, name)
) STRICT;
CREATE TRIGGER round_candidate_no_update BEFORE UPDATE ON round_candidate
BEGIN
    SELECT RAISE(ABORT, 'round candidates are append-only');
END;
CREATE TRIGGER round_candidate_no_delete BEFORE DELETE ON round_candidate
BEGIN
    SELECT RAISE(ABORT, 'round candidates are append-only');
END;

-- What happened to a round: officials named (监票人/计票人, latest row stands), the meeting's
-- decision not to fill the remaining seats, closed, reopened, locked (with the canonical result
-- and its hash), unlocked (reason required).
CREATE TABLE round_event (
    id       INTEGER PRIMARY KEY,
    round_id INTEGER NOT NULL REFERENCES voting_round(id),
    kind     TEXT NOT NULL CHECK (kind IN (
                 'officials', 'no_fill', 'closed', 'reopened', 'locked', 'unlocked')),
    actor    TEXT NOT NULL,
    at       TEXT NOT NULL,
    reason   TEXT NOT NULL DEFAULT '',
    detail   TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(detail)),
    CHECK (kind NOT IN ('no_fill', 'unlocked', 'reopened') OR length(trim(reason)) > 0)
) STRICT;
CREATE INDEX round_event_round ON round_event(round_id, kind, id);
CREATE TRIGGER round_event_no_update BEFORE UPDATE ON round_event
BEGIN
    SELECT RAISE(ABORT, 'round events are append-only');
END;
CREATE TRIGGER round_event_no_delete BEFORE DELETE ON round_event
BEGIN
    SELECT RAISE(ABORT, 'round events are append-only');
END;

-- 发票/收票记录 per box (main box, 流动票箱): the latest row of a (round, name) stands.
CREATE TABLE ballot_box (
    id       INTEGER PRIMARY KEY,
    round_id INTEGER NOT NULL REFERENCES voting_round(id),
    name     TEXT NOT NULL CHECK (length(name) > 0),
    mobile   INTEGER NOT NULL CHECK (mobile IN (0, 1)),
    printed  INTEGER NOT NULL CHECK (printed >= 0),
    issued   INTEGER NOT NULL CHECK (issued >= 0),
    returned INTEGER NOT NULL CHECK (returned >= 0),
    spoiled  INTEGER NOT NULL CHECK (spoiled >= 0),
    actor    TEXT NOT NULL,
    at       TEXT NOT NULL
) STRICT;
CREATE INDEX ballot_box_round ON ballot_box(round_id, name, id);
CREATE TRIGGER ballot_box_no_update BEFORE UPDATE ON ballot_box
BEGIN
    SELECT RAISE(ABORT, 'box records are append-only');
END;
CREATE TRIGGER ballot_box_no_delete BEFORE DELETE ON ballot_box
BEGIN
    SELECT RAISE(ABORT, 'box records are append-only');
END;

-- Ballots as entered: entry A and B by two clerks, R the reading chosen after looking at the
-- paper where A and B differ. Keyed (round, entry, seq); the latest row of a key stands
-- (action enter | correct | withdraw | resolve). `marks` holds one of o x - per round candidate.
CREATE TABLE ballot_entry (
    id        INTEGER PRIMARY KEY,
    round_id  INTEGER NOT NULL REFERENCES voting_round(id),
    entry     TEXT NOT NULL CHECK (entry IN ('A', 'B', 'R')),
    seq       INTEGER NOT NULL CHECK (seq > 0),
    action    TEXT NOT NULL CHECK (action IN ('enter', 'correct', 'withdraw', 'resolve')),
    present   INTEGER NOT NULL CHECK (present IN (0, 1)),   -- 0: no ballot under this seq
    marks     TEXT NOT NULL CHECK (marks NOT GLOB '*[^ox-]*'),
    write_ins TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(write_ins)),
    unmarked  TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(unmarked)),
    invalid   INTEGER NOT NULL DEFAULT 0 CHECK (invalid IN (0, 1)),
    reason    TEXT NOT NULL DEFAULT '',
    choice    TEXT NOT NULL DEFAULT '' CHECK (choice IN ('', 'A', 'B', 'paper')),
    clerk     TEXT NOT NULL,
    at        TEXT NOT NULL,
    note      TEXT NOT NULL DEFAULT '',
    CHECK ((entry = 'R') = (action = 'resolve')),
    CHECK (action NOT IN ('correct', 'withdraw', 'resolve') OR length(trim(note)) > 0),
    CHECK (invalid = 0 OR length(trim(reason)) > 0)
) STRICT;
CREATE INDEX ballot_entry_key ON ballot_entry(round_id, entry, seq, id);
CREATE TRIGGER ballot_entry_no_update BEFORE UPDATE ON ballot_entry
BEGIN
    SELECT RAISE(ABORT, 'ballot entries are append-only');
END;
CREATE TRIGGER ballot_entry_no_delete BEFORE DELETE ON ballot_entry
BEGIN
    SELECT RAISE(ABORT, 'ballot entries are append-only');
END;

-- Tally-sheet mode (正字): per-candidate totals and the invalid count, entered twice (A, B) and
-- R where they differ; the latest row of (round, entry) stands.
CREATE TABLE tally_sheet (
    id       INTEGER PRIMARY KEY,
    round_id INTEGER NOT NULL REFERENCES voting_round(id),
    entry    TEXT NOT NULL CHECK (entry IN ('A', 'B', 'R')),
    counts   TEXT NOT NULL CHECK (json_valid(counts)),
    clerk    TEXT NOT NULL,
    at       TEXT NOT NULL,
    note     TEXT NOT NULL DEFAULT '',
    CHECK (entry <> 'R' OR length(trim(note)) > 0)
) STRICT;
CREATE INDEX tally_sheet_round ON tally_sheet(round_id, entry, id);
CREATE TRIGGER tally_sheet_no_update BEFORE UPDATE ON tally_sheet
BEGIN
    SELECT RAISE(ABORT, 'tally sheets are append-only');
END;
CREATE TRIGGER tally_sheet_no_delete BEFORE DELETE ON tally_sheet
BEGIN
    SELECT RAISE(ABORT, 'tally sheets are append-only');
END;
