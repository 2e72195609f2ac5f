-- Schema v9 (issue 17, items 6-7): the scanner checked as one of the two clerks, and the test deck.
--
-- scan_check: how the round's scanned ballots are checked by a clerk at the keyboard (latest
-- row stands): 'full' (entry B keys every ballot, the double-entry comparison as today) or
-- 'sample' (entry B keys a blind random sample of the unflagged scanned ballots).
-- scan_draw: one random draw of a round's sample (secrets-grade randomness, made by the app
-- after scanning): how many unflagged scanned ballots it drew from and how many it chose.
-- scan_sample: the ballots a draw chose, by their number in entry A (= the scan order) and the
-- scanned page (batch and position in the batch: where the clerk pulls it from the stack).
-- scan_testdeck: a test-deck page: its own layout code (never counted), the deck it belongs to,
-- its page number in the deck and what the person marks by hand on it (JSON per box), with what
-- the reader must make of it.
-- scan_testdeck_result: a scanned test-deck page judged against what it should read: passed or
-- failed, with what was expected and what was read.
-- Every table is append-only.

CREATE TABLE scan_check (
    id        INTEGER PRIMARY KEY,
    round_id  INTEGER NOT NULL REFERENCES voting_round(id),
    mode      TEXT NOT NULL CHECK (mode IN ('full', 'sample')),
    actor     TEXT NOT NULL,
    at        TEXT NOT NULL
) STRICT;
CREATE INDEX scan_check_round ON scan_check(round_id, id);

CREATE TABLE scan_draw (
    id          INTEGER PRIMARY KEY,
    round_id    INTEGER NOT NULL REFERENCES voting_round(id),
    population  INTEGER NOT NULL CHECK (population > 0),
    size        INTEGER NOT NULL CHECK (size > 0 AND size <= population),
    last_seq    INTEGER NOT NULL CHECK (last_seq > 0),
    actor       TEXT NOT NULL,
    at          TEXT NOT NULL
) STRICT;

CREATE TABLE scan_sample (
    draw_id   INTEGER NOT NULL REFERENCES scan_draw(id),
    seq       INTEGER NOT NULL CHECK (seq > 0),
    page_id   INTEGER NOT NULL REFERENCES scan_page(id),
    PRIMARY KEY (draw_id, seq)
) STRICT;

CREATE TABLE scan_testdeck (
    code       INTEGER PRIMARY KEY REFERENCES scan_layout(code),
    deck       INTEGER NOT NULL CHECK (deck > 0),
    page_no    INTEGER NOT NULL CHECK (page_no > 0),
    plan       TEXT NOT NULL,
    UNIQUE (deck, page_no)
) STRICT;

CREATE TABLE scan_testdeck_result (
    page_id   INTEGER PRIMARY KEY REFERENCES scan_page(id),
    code      INTEGER NOT NULL REFERENCES scan_testdeck(code),
    passed    INTEGER NOT NULL CHECK (passed IN (0, 1)),
    expected  TEXT NOT NULL,
    got       TEXT NOT NULL,
    why       TEXT NOT NULL DEFAULT '',
    at        TEXT NOT NULL
) STRICT;

CREATE TRIGGER scan_check_no_update BEFORE UPDATE ON scan_check
BEGIN SELECT RAISE(ABORT, 'scan checks are append-only'); END;
CREATE TRIGGER scan_check_no_delete BEFORE DELETE ON scan_check
BEGIN SELECT RAISE(ABORT, 'scan checks are append-only'); END;
CREATE TRIGGER scan_draw_no_update BEFORE UPDATE ON scan_draw
BEGIN SELECT RAISE(ABORT, 'scan draws are append-only'); END;
CREATE TRIGGER scan_draw_no_delete BEFORE DELETE ON scan_draw
BEGIN SELECT RAISE(ABORT, 'scan draws are append-only'); END;
CREATE TRIGGER scan_sample_no_update BEFORE UPDATE ON scan_sample
BEGIN SELECT RAISE(ABORT, 'scan samples are append-only'); END;
CREATE TRIGGER scan_sample_no_delete BEFORE DELETE ON scan_sample
BEGIN SELECT RAISE(ABORT, 'scan samples are append-only'); END;
CREATE TRIGGER scan_testdeck_no_update BEFORE UPDATE ON scan_testdeck
BEGIN SELECT RAISE(ABORT, 'test-deck pages are append-only'); END;
CREATE TRIGGER scan_testdeck_no_delete BEFORE DELETE ON scan_testdeck
BEGIN SELECT RAISE(ABORT, 'test-deck pages are append-only'); END;
CREATE TRIGGER scan_testdeck_result_no_update BEFORE UPDATE ON scan_testdeck_result
BEGIN SELECT RAISE(ABORT, 'test-deck results are append-only'); END;
CREATE TRIGGER scan_testdeck_result_no_delete BEFORE DELETE ON scan_testdeck_result
BEGIN SELECT RAISE(ABORT, 'test-deck results are append-only'); END;
