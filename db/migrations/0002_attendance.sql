-- Schema v2: attendance as an append-only event log, the 实到 snapshot taken when voting opens,
-- and proxies (委托) for residents' elections.

-- One row per thing that happened at a desk. Who is present is computed from these rows, never
-- stored as a total. Events are keyed desk:seq (seq counts per desk, from 1) and carry a Lamport
-- clock so that another laptop's log can be merged later: the earliest (clock, desk) sign-in of a
-- person stands, later ones are double sign-ins listed for the chair (app/attendance.py).
-- `desk` is the desk's name, not desk.id: ids differ between laptops, names do not.
-- `ref` names the event (desk:seq) an undo_sign_in or resolve_duplicate acts on.
CREATE TABLE attendance_event (
    id         INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meeting(id),
    desk       TEXT NOT NULL CHECK (length(desk) > 0 AND instr(desk, ':') = 0),
    seq        INTEGER NOT NULL CHECK (seq > 0),
    clock      INTEGER NOT NULL CHECK (clock > 0),
    kind       TEXT NOT NULL CHECK (kind IN (
                  'sign_in', 'undo_sign_in', 'sign_out', 'return', 'lift_exclusion',
                  'resolve_duplicate')),
    person_id  INTEGER NOT NULL REFERENCES person(id),
    operator   TEXT NOT NULL DEFAULT '',
    at         TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    ref        TEXT NOT NULL DEFAULT '',
    UNIQUE (desk, seq),
    CHECK (kind NOT IN ('undo_sign_in', 'lift_exclusion', 'resolve_duplicate')
           OR length(trim(reason)) > 0),
    CHECK (kind NOT IN ('undo_sign_in', 'resolve_duplicate') OR length(ref) > 0)
) STRICT;
CREATE INDEX attendance_event_meeting ON attendance_event(meeting_id, person_id);
CREATE INDEX attendance_event_clock ON attendance_event(clock);
CREATE TRIGGER attendance_event_no_update BEFORE UPDATE ON attendance_event
BEGIN
    SELECT RAISE(ABORT, 'attendance log is append-only');
END;
CREATE TRIGGER attendance_event_no_delete BEFORE DELETE ON attendance_event
BEGIN
    SELECT RAISE(ABORT, 'attendance log is append-only');
END;

-- 实到 frozen when voting opens for a round ("open voting"): the counting work references it.
CREATE TABLE attendance_snapshot (
    id          INTEGER PRIMARY KEY,
    meeting_id  INTEGER NOT NULL REFERENCES meeting(id),
    round_label TEXT NOT NULL CHECK (length(round_label) > 0),
    taken_at    TEXT NOT NULL,
    operator    TEXT NOT NULL DEFAULT '',
    expected    INTEGER NOT NULL CHECK (expected >= 0),
    present     INTEGER NOT NULL CHECK (present >= 0),
    excluded    INTEGER NOT NULL CHECK (excluded >= 0),
    on_leave    INTEGER NOT NULL CHECK (on_leave >= 0),
    quorum_met  INTEGER NOT NULL CHECK (quorum_met IN (0, 1)),
    rule_zh     TEXT NOT NULL,
    last_clock  INTEGER NOT NULL DEFAULT 0,   -- the log as far as this Lamport clock was counted
    UNIQUE (meeting_id, round_label)
) STRICT;
CREATE TABLE attendance_snapshot_person (
    snapshot_id INTEGER NOT NULL REFERENCES attendance_snapshot(id),
    person_id   INTEGER NOT NULL REFERENCES person(id),
    PRIMARY KEY (snapshot_id, person_id)
) STRICT, WITHOUT ROWID;
CREATE TRIGGER attendance_snapshot_no_update BEFORE UPDATE ON attendance_snapshot
BEGIN
    SELECT RAISE(ABORT, 'attendance snapshots are frozen');
END;
CREATE TRIGGER attendance_snapshot_no_delete BEFORE DELETE ON attendance_snapshot
BEGIN
    SELECT RAISE(ABORT, 'attendance snapshots are frozen');
END;
CREATE TRIGGER attendance_snapshot_person_no_update BEFORE UPDATE ON attendance_snapshot_person
BEGIN
    SELECT RAISE(ABORT, 'attendance snapshots are frozen');
END;
CREATE TRIGGER attendance_snapshot_person_no_delete BEFORE DELETE ON attendance_snapshot_person
BEGIN
    SELECT RAISE(ABORT, 'attendance snapshots are frozen');
END;

-- Proxies (委托, rules.md §2.2): recorded before the day, checked at entry and at sign-in.
-- A principal (委托人) appoints at most one proxy per meeting; revoking removes the row (audited).
CREATE TABLE proxy (
    id           INTEGER PRIMARY KEY,
    meeting_id   INTEGER NOT NULL REFERENCES meeting(id) ON DELETE CASCADE,
    principal_id INTEGER NOT NULL REFERENCES person(id),
    proxy_id     INTEGER NOT NULL REFERENCES person(id),
    document_ref TEXT NOT NULL DEFAULT '',     -- 书面委托书 number
    recorded_at  TEXT NOT NULL,
    CHECK (principal_id <> proxy_id),
    UNIQUE (meeting_id, principal_id)
) STRICT;
CREATE INDEX proxy_holder ON proxy(meeting_id, proxy_id);
