-- Schema v6: the staff list (工作人员名单), their PINs and the wrong-PIN throttle (app/staff.py,
-- app/permissions.py).
--
-- A staff member has a name (what goes into every audit row and event as the operator), one or
-- more roles and a PIN. The PIN is stored only as a salted scrypt hash with its parameters; the
-- wrong-PIN counter and the time of the next allowed try live here too, so closing the program
-- does not reset the throttle. A database with no (active) staff row runs in open mode (free-text
-- operator, as before this version). Neither the hashes nor the throttle go into the package.
--
-- roles: comma-separated codes, each one of host (主持人), desk (签到员), teller (计票人),
-- scrutineer (监票人), worker (工作人员); chief = 1 marks the 总监票人 (a scrutineer).
-- person_id: the register person this staff member is (a candidate may never be 计票人/监票人).
-- A removed member keeps the row (the audit names them) with the PIN hash wiped.

CREATE TABLE staff (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL CHECK (length(trim(name)) > 0 AND name = trim(name)
                                      AND instr(name, ':') = 0),
    roles        TEXT NOT NULL CHECK (length(roles) > 0
                                      AND roles NOT GLOB '*[^a-z,]*'),
    chief        INTEGER NOT NULL DEFAULT 0 CHECK (chief IN (0, 1)),
    person_id    INTEGER REFERENCES person(id),
    pin_hash     TEXT NOT NULL CHECK (pin_hash = '' OR pin_hash NOT GLOB '*[^0-9a-f]*'),
    pin_salt     TEXT NOT NULL CHECK (pin_salt = '' OR pin_salt NOT GLOB '*[^0-9a-f]*'),
    pin_n        INTEGER NOT NULL CHECK (pin_n >= 0),
    pin_r        INTEGER NOT NULL CHECK (pin_r >= 0),
    pin_p        INTEGER NOT NULL CHECK (pin_p >= 0),
    failed       INTEGER NOT NULL DEFAULT 0 CHECK (failed >= 0),
    locked_until TEXT NOT NULL DEFAULT '',      -- ISO time of the next allowed try ('' = now)
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    removed_at   TEXT,
    removed_by   TEXT NOT NULL DEFAULT ''
) STRICT;
-- One active member per name (a removed name may be given again to someone new).
CREATE UNIQUE INDEX staff_active_name ON staff(name) WHERE removed_at IS NULL;
