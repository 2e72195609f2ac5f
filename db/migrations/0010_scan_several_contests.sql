-- Schema v10 (issue 17 item 1): a scannable page may hold several contests of one round.
--
-- Such a page's layout (scan_layout.geometry with "parts": one block per contest, its contest
-- id and round number; contest_id and format of the row are its first block's) is read per
-- contest and counted into each contest's round: a page is counted once into each round, so
-- scan_counted is keyed by (page, round) instead of by page. Rebuilt with its rows and its
-- append-only triggers.

CREATE TABLE scan_counted_v10 (
    page_id   INTEGER NOT NULL REFERENCES scan_page(id),
    round_id  INTEGER NOT NULL REFERENCES voting_round(id),
    entry     TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    at        TEXT NOT NULL,
    PRIMARY KEY (page_id, round_id)
) STRICT;

INSERT INTO scan_counted_v10 (page_id, round_id, entry, seq, at)
SELECT page_id, round_id, entry, seq, at FROM scan_counted;

DROP TABLE scan_counted;

ALTER TABLE scan_counted_v10 RENAME TO scan_counted;

CREATE INDEX scan_counted_round ON scan_counted(round_id, seq);

CREATE TRIGGER scan_counted_no_update BEFORE UPDATE ON scan_counted
BEGIN SELECT RAISE(ABORT, 'counted scans are append-only'); END;
CREATE TRIGGER scan_counted_no_delete BEFORE DELETE ON scan_counted
BEGIN SELECT RAISE(ABORT, 'counted scans are append-only'); END;
