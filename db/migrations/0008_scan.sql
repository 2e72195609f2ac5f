-- Schema v8 (issue 17): counting from an office scanner, format A (separate 赞成 / 不赞成 boxes).
--
-- scan_layout: a printed scannable ballot layout of a contest's round (printed before the round
-- opens, so by contest and round number). Its code (1..249) is in the ids of the four
-- corner markers printed on every copy; geometry is the JSON app.scan.layout rebuilds the boxes
-- from. qr: printed with the QR (election hash + code only). test_deck: never counted.
-- scan_batch: one imported stack, with the hand count the clerk typed (pages read must equal it).
-- scan_file: each original file, by SHA-256 (the same bytes twice are refused), and where its
-- untouched copy lies in the archive folder beside the database.
-- scan_page: each page read, in scan order: refused (with the reason), or read with its per-box
-- scores, the machine's reading and the flags that send it to a human.
-- scan_decision: a human decision on a flagged page (latest stands); doubtful or invalid ones
-- name two people.
-- scan_counted: the page entered into the round's entry A (the scanner is one of the clerks).
-- Every table is append-only.

CREATE TABLE scan_layout (
    code       INTEGER PRIMARY KEY CHECK (code BETWEEN 1 AND 249),
    contest_id INTEGER NOT NULL REFERENCES contest(id),
    round_no   INTEGER NOT NULL CHECK (round_no > 0),
    format     TEXT NOT NULL CHECK (format IN ('A', 'B')),
    geometry   TEXT NOT NULL,
    qr         INTEGER NOT NULL CHECK (qr IN (0, 1)),
    test_deck  INTEGER NOT NULL DEFAULT 0 CHECK (test_deck IN (0, 1)),
    actor      TEXT NOT NULL,
    at         TEXT NOT NULL
) STRICT;

CREATE TABLE scan_batch (
    id          INTEGER PRIMARY KEY,
    hand_count  INTEGER NOT NULL CHECK (hand_count > 0),
    source      TEXT NOT NULL,
    operator    TEXT NOT NULL,
    at          TEXT NOT NULL
) STRICT;

CREATE TABLE scan_file (
    id        INTEGER PRIMARY KEY,
    batch_id  INTEGER NOT NULL REFERENCES scan_batch(id),
    name      TEXT NOT NULL,
    sha256    TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),
    archived  TEXT NOT NULL,
    size      INTEGER NOT NULL,
    pages     INTEGER NOT NULL CHECK (pages >= 0)
) STRICT;

CREATE TABLE scan_page (
    id           INTEGER PRIMARY KEY,
    batch_id     INTEGER NOT NULL REFERENCES scan_batch(id),
    position     INTEGER NOT NULL CHECK (position > 0),
    file_id      INTEGER NOT NULL REFERENCES scan_file(id),
    page         INTEGER NOT NULL CHECK (page > 0),
    status       TEXT NOT NULL CHECK (status IN ('read', 'flagged', 'refused')),
    reason       TEXT NOT NULL DEFAULT '',
    layout_code  INTEGER REFERENCES scan_layout(code),
    dpi          REAL,
    residual_mm  REAL,
    upside_down  INTEGER NOT NULL DEFAULT 0 CHECK (upside_down IN (0, 1)),
    marks        TEXT NOT NULL DEFAULT '',
    write_in_rows TEXT NOT NULL DEFAULT '[]',
    scores       TEXT NOT NULL DEFAULT '[]',
    flags        TEXT NOT NULL DEFAULT '[]',
    UNIQUE (batch_id, position),
    CHECK ((status = 'refused') = (layout_code IS NULL))
) STRICT;
CREATE INDEX scan_page_layout ON scan_page(layout_code, status);

CREATE TABLE scan_decision (
    id             INTEGER PRIMARY KEY,
    page_id        INTEGER NOT NULL REFERENCES scan_page(id),
    marks          TEXT NOT NULL,
    write_ins      TEXT NOT NULL DEFAULT '[]',
    invalid        INTEGER NOT NULL DEFAULT 0 CHECK (invalid IN (0, 1)),
    reason         TEXT NOT NULL DEFAULT '',
    first_person   TEXT NOT NULL CHECK (length(trim(first_person)) > 0),
    second_person  TEXT NOT NULL DEFAULT '',
    note           TEXT NOT NULL DEFAULT '',
    at             TEXT NOT NULL
) STRICT;
CREATE INDEX scan_decision_page ON scan_decision(page_id, id);

CREATE TABLE scan_counted (
    page_id   INTEGER PRIMARY KEY REFERENCES scan_page(id),
    round_id  INTEGER NOT NULL REFERENCES voting_round(id),
    entry     TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    at        TEXT NOT NULL
) STRICT;

CREATE TRIGGER scan_layout_no_update BEFORE UPDATE ON scan_layout
BEGIN SELECT RAISE(ABORT, 'scan layouts are append-only'); END;
CREATE TRIGGER scan_layout_no_delete BEFORE DELETE ON scan_layout
BEGIN SELECT RAISE(ABORT, 'scan layouts are append-only'); END;
CREATE TRIGGER scan_batch_no_update BEFORE UPDATE ON scan_batch
BEGIN SELECT RAISE(ABORT, 'scan batches are append-only'); END;
CREATE TRIGGER scan_batch_no_delete BEFORE DELETE ON scan_batch
BEGIN SELECT RAISE(ABORT, 'scan batches are append-only'); END;
CREATE TRIGGER scan_file_no_update BEFORE UPDATE ON scan_file
BEGIN SELECT RAISE(ABORT, 'scan files are append-only'); END;
CREATE TRIGGER scan_file_no_delete BEFORE DELETE ON scan_file
BEGIN SELECT RAISE(ABORT, 'scan files are append-only'); END;
CREATE TRIGGER scan_page_no_update BEFORE UPDATE ON scan_page
BEGIN SELECT RAISE(ABORT, 'scan pages are append-only'); END;
CREATE TRIGGER scan_page_no_delete BEFORE DELETE ON scan_page
BEGIN SELECT RAISE(ABORT, 'scan pages are append-only'); END;
CREATE TRIGGER scan_decision_no_update BEFORE UPDATE ON scan_decision
BEGIN SELECT RAISE(ABORT, 'scan decisions are append-only'); END;
CREATE TRIGGER scan_decision_no_delete BEFORE DELETE ON scan_decision
BEGIN SELECT RAISE(ABORT, 'scan decisions are append-only'); END;
CREATE TRIGGER scan_counted_no_update BEFORE UPDATE ON scan_counted
BEGIN SELECT RAISE(ABORT, 'counted scans are append-only'); END;
CREATE TRIGGER scan_counted_no_delete BEFORE DELETE ON scan_counted
BEGIN SELECT RAISE(ABORT, 'counted scans are append-only'); END;
