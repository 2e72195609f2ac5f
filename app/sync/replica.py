"""One laptop's copy of the shared attendance document, bound to its own SQLite.

The document (pycrdt, i.e. Yjs) holds one Map `events`: key `desk:seq`, value the event as compact
JSON with the person named by register token (ids differ between laptops). An event is written
into the map once, by the laptop whose log first has it, and never changed: keys never collide
because a desk's name is unique in the room (the host refuses a second desk of the same name), so
events never overwrite each other. SQLite stays what each laptop counts from: events arriving in
the document are merged into it with `app.attendance.merge_events` (per person the earliest
(clock, desk) sign-in stands, later ones are double sign-ins), events written locally are put into
the document by `publish`.

The document's updates are stored in the same database (sync_update) in the same transaction as
the merge, so a laptop restarted after kill -9 resumes with what it had; anything a crash left on
one side only (an event committed but not yet published, or the reverse) is reconciled on start.

No network here: a `Replica` is fed updates (`receive`) and reports its own (`listeners`), which
is also how the in-process convergence tests drive several of them."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any

from pycrdt import Doc, Map, MapEvent, TransactionEvent, merge_updates

from app.attendance import Kind, merge_events
from app.attendance.log import Event, event_from_row
from app.attendance.view import LOCK
from app.model import Meeting
from db import attendance as qa
from db import sync as q
from db.tx import transaction

COMPACT_AT = 500          # stored updates before they are merged into one row
_FIELDS = ("desk", "seq", "clock", "kind", "person", "operator", "at", "reason", "ref")


def encode(e: Event, token: str) -> str:
    return json.dumps([e.desk, e.seq, e.clock, str(e.kind), token, e.operator, e.at, e.reason,
                       e.ref], ensure_ascii=False, separators=(",", ":"))


def decode(key: str, value: object) -> dict[str, Any] | None:
    """An event from the document, or None when it is malformed (it is then left out)."""
    try:
        parts = json.loads(str(value))
        if not isinstance(parts, list) or len(parts) != len(_FIELDS):
            return None
        row = dict(zip(_FIELDS, parts, strict=True))
        Kind(row["kind"])
        ok = (isinstance(row["desk"], str) and row["desk"] and ":" not in row["desk"]
              and isinstance(row["seq"], int) and row["seq"] > 0
              and isinstance(row["clock"], int) and row["clock"] > 0
              and f"{row['desk']}:{row['seq']}" == key
              and all(isinstance(row[f], str) for f in ("person", "operator", "at", "reason",
                                                        "ref")))
        return row if ok else None
    except (ValueError, TypeError):
        return None


class Replica:
    """The shared document of `meeting` on the laptop whose database is `conn`."""

    def __init__(self, conn: sqlite3.Connection, meeting: Meeting) -> None:
        self.conn = conn
        self.meeting = meeting
        self.doc: Doc[Map[str]] = Doc()
        self.events: Map[str] = self.doc.get("events", type=Map)
        stored = q.select_updates(conn)
        if stored:
            self.doc.apply_update(stored[0] if len(stored) == 1 else merge_updates(*stored))
        self._compact = len(stored) > 1
        self._updates: list[bytes] = []          # document updates not yet stored
        self._incoming: dict[str, str] = {}       # events from others not yet merged
        self._publishing = False
        self._last_local_id = 0
        self.unknown: set[str] = set()            # events naming a person not on this register
        self.listeners: list[Callable[[bytes], None]] = []
        self.merged_listeners: list[Callable[[list[str]], None]] = []
        self.doc.observe(self._on_transaction)
        self.events.observe(self._on_events)
        known = q.event_keys(conn)
        for key, value in self.events.items():
            if key not in known:
                self._incoming[key] = str(value)
        self.publish()
        self.flush()

    # --- document callbacks (synchronous, at the end of each document transaction) -----------

    def _on_transaction(self, event: TransactionEvent) -> None:
        update = bytes(event.update)
        self._updates.append(update)
        for listener in self.listeners:
            listener(update)

    def _on_events(self, event: MapEvent) -> None:
        if self._publishing:
            return
        changes: dict[str, dict[str, Any]] = event.keys  # type: ignore[attr-defined]  # set by the Rust side, absent from pycrdt's stubs
        for key, change in changes.items():
            if change.get("action") in ("add", "update"):
                self._incoming[str(key)] = str(change.get("newValue"))

    # --- the three operations ---------------------------------------------------------------

    def publish(self) -> int:
        """Put the events this database has and the document has not (written here, or merged
        from a file) into the document. Returns how many."""
        rows = qa.select_events_after(self.conn, self.meeting.id, self._last_local_id)
        if not rows:
            return 0
        evs = [event_from_row(r) for r in rows]
        self._last_local_id = max(e.id for e in evs)
        new = [e for e in evs if e.key not in self.events]
        if not new:
            return 0
        tokens = qa.tokens_of(self.conn, {e.person_id for e in new})
        self._publishing = True
        try:
            with self.doc.transaction(origin="local"):
                for e in new:
                    self.events[e.key] = encode(e, tokens[e.person_id])
        finally:
            self._publishing = False
        return len(new)

    def receive(self, update: bytes) -> None:
        """Apply an update from another laptop (merged into SQLite at the next `flush`)."""
        self.doc.apply_update(update)

    @property
    def dirty(self) -> bool:
        return bool(self._updates or self._incoming or self._compact)

    def flush(self) -> list[str]:
        """Merge the events received since the last flush into SQLite and store the document's
        updates, in one durable transaction. Returns the keys of the events merged."""
        if not self.dirty:
            return []
        rows = [(k, decode(k, v)) for k, v in self._incoming.items()]
        good = [r for _, r in rows if r is not None]
        # LOCK before BEGIN: merge_events takes it too, and a sign-in on another thread holds it
        # while it waits for the write lock (the other order deadlocks until busy_timeout).
        with LOCK, transaction(self.conn):
            ids = qa.person_ids_by_token(self.conn, (r["person"] for r in good))
            mergeable = [r for r in good if r["person"] in ids]
            added = merge_events(self.conn, self.meeting, mergeable) if mergeable else 0
            if self._compact or q.count_updates(self.conn) + len(self._updates) > COMPACT_AT:
                q.replace_updates(self.conn, self.doc.get_update())
            else:
                q.insert_updates(self.conn, self._updates)
        self.unknown |= {f"{r['desk']}:{r['seq']}" for r in good if r["person"] not in ids}
        keys = [f"{r['desk']}:{r['seq']}" for r in mergeable]
        self._incoming.clear()
        self._updates.clear()
        self._compact = False
        if added:
            for listener in self.merged_listeners:
                listener(keys)
        return keys

    # --- progress ---------------------------------------------------------------------------

    def have(self) -> dict[str, int]:
        """Per desk, the highest seq up to which this database has every event of that desk."""
        from app.sync.status import have

        return have(self.conn)

    def own_seq(self, desk: str) -> int:
        return qa.next_seq(self.conn, desk) - 1
