-- Schema v4: several sign-in desks on the venue network (app/sync).
--
-- The host laptop keeps its pairing (TLS key and certificate, the room's secret) and the desks it
-- has heard of; every laptop keeps the shared Yjs document's updates so that a restart (even
-- after kill -9) resumes from what it had. The attendance events themselves stay in
-- attendance_event (merged through app.attendance.merge_events): the document carries them
-- between laptops, SQLite is what each laptop counts from.

-- On the host: one row. Never leaves the host (removed from the copy a desk receives).
CREATE TABLE sync_host (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    room         TEXT NOT NULL CHECK (length(room) > 0),      -- random id of this venue pairing
    meeting_code TEXT NOT NULL,
    secret       TEXT NOT NULL CHECK (length(secret) >= 16),
    cert_pem     TEXT NOT NULL,
    key_pem      TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,                                -- SHA-256 of the certificate (hex)
    created_at   TEXT NOT NULL
) STRICT;

-- On a desk: the host it joined (one row).
CREATE TABLE sync_peer (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    room         TEXT NOT NULL,
    meeting_code TEXT NOT NULL,
    desk         TEXT NOT NULL CHECK (length(desk) > 0 AND instr(desk, ':') = 0),
    instance     TEXT NOT NULL,                                -- random id of this desk's database
    joined_at    TEXT NOT NULL,
    acked_seq    INTEGER NOT NULL DEFAULT 0                    -- own events the host has stored
) STRICT;

-- On the host: the desks that connected, for the chair's overview. connected is reset at start.
CREATE TABLE sync_desk (
    desk          TEXT PRIMARY KEY,
    instance      TEXT NOT NULL,
    address       TEXT NOT NULL DEFAULT '',
    first_seen    TEXT NOT NULL,
    last_contact  TEXT NOT NULL,
    connected     INTEGER NOT NULL DEFAULT 0 CHECK (connected IN (0, 1)),
    reported_seq  INTEGER NOT NULL DEFAULT 0                   -- the desk's own last seq, as it said
) STRICT;

-- Every laptop: the shared document's updates (compacted to one row now and then).
CREATE TABLE sync_update (
    id   INTEGER PRIMARY KEY,
    data BLOB NOT NULL
) STRICT;
