-- Schema v5: each desk signs its attendance events (app/sync/identity.py, app/sync/gate.py).
--
-- The host holds the room's Ed25519 signing key (sync_host.sign_private, never leaves the host) and
-- certifies each desk's own public key when the desk joins (desk_key: desk name + public
-- key signed by the host). Every attendance event carries its desk's signature (sig); the
-- public keys travel with the register refresh and in the package, so a desk and the district
-- can check any event again. Events stored before this version have sig NULL: kept, and listed
-- as unsigned.

ALTER TABLE attendance_event ADD COLUMN sig TEXT
    CHECK (sig IS NULL OR (length(sig) = 128 AND sig NOT GLOB '*[^0-9a-f]*'));

-- The log stays append-only; the one change allowed is signing an unsigned event once (a
-- laptop signs its own events as it shares them), every other column unchanged.
DROP TRIGGER attendance_event_no_update;
CREATE TRIGGER attendance_event_no_update BEFORE UPDATE ON attendance_event
WHEN NOT (OLD.sig IS NULL AND NEW.sig IS NOT NULL AND NEW.id = OLD.id
          AND NEW.meeting_id = OLD.meeting_id AND NEW.desk = OLD.desk AND NEW.seq = OLD.seq
          AND NEW.clock = OLD.clock AND NEW.kind = OLD.kind AND NEW.person_id = OLD.person_id
          AND NEW.operator = OLD.operator AND NEW.at = OLD.at AND NEW.reason = OLD.reason
          AND NEW.ref = OLD.ref)
BEGIN
    SELECT RAISE(ABORT, 'attendance log is append-only');
END;

-- On the host: the room's Ed25519 private key (hex; '' until host mode makes it).
ALTER TABLE sync_host ADD COLUMN sign_private TEXT NOT NULL DEFAULT '';
-- On a desk: its own Ed25519 private key (hex; '' until the desk makes it).
ALTER TABLE sync_peer ADD COLUMN sign_private TEXT NOT NULL DEFAULT '';

-- The room's public signing key: certifies the desks' keys and signs the host's own events.
-- Public (it travels with the register refresh and in the package); the room's id does not.
CREATE TABLE room_key (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    public_key TEXT NOT NULL CHECK (length(public_key) = 64),
    created_at TEXT NOT NULL
) STRICT;

-- The desks' certified public keys (the desk registry). A revoked desk's events made before
-- stay in the log; nothing it signs afterwards is taken.
CREATE TABLE desk_key (
    desk           TEXT PRIMARY KEY CHECK (length(desk) > 0 AND instr(desk, ':') = 0),
    public_key     TEXT NOT NULL UNIQUE CHECK (length(public_key) = 64),
    certificate    TEXT NOT NULL CHECK (length(certificate) = 128),
    certified_at   TEXT NOT NULL,
    revoked_at     TEXT,
    revoked_by     TEXT NOT NULL DEFAULT '',
    revoked_reason TEXT NOT NULL DEFAULT ''
) STRICT;
