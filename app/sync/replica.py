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
is also how the in-process convergence tests drive several of them.

Signatures (schema v5): a value is the event's 9 fields followed by its signature (hex) over the
compact JSON of the 9 fields (`encode`, app.sync.identity). A replica given a `signer` signs the
events it may sign as it publishes them (the signature is stored with the event first) and keeps
unsigned events of other desks (merged from a file) to itself. A value of 9 fields is an event
shared before signatures: merged as unsigned where it already is; app.sync.gate lets no new one
in. What arrives from another laptop passes app.sync.gate before `receive`."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any

from pycrdt import Doc, Map, MapEvent, TransactionEvent, merge_updates

from app.attendance import Kind, merge_events
from app.attendance.log import Event, event_from_row
from app.attendance.merge import MAX_SEQ, clock_limit
from app.attendance.view import lock as view_lock
from app.model import Meeting
from app.sync import wire
from app.sync.identity import is_hex, sign_event
from db import attendance as qa
from db import sync as q
from db.tx import transaction

COMPACT_AT = 500          # stored updates before they are merged into one row
_FIELDS = ("desk", "seq", "clock", "kind", "person", "operator", "at", "reason", "ref")
MAX_CLOCK = 1 << 53       # far below SQLite's 2^63: clock + 1 never overflows


def _dumps(parts: list[Any]) -> str:
    return json.dumps(parts, ensure_ascii=False, separators=(",", ":"))


def encode(e: Event, token: str) -> str:
    """The event's body: what a signature signs."""
    return _dumps([e.desk, e.seq, e.clock, str(e.kind), token, e.operator, e.at, e.reason,
                   e.ref])


def with_sig(body: str, sig: str) -> str:
    return body[:-1] + "," + json.dumps(sig) + "]"


def decode_signed(key: str, value: object) -> tuple[dict[str, Any], str, str] | None:
    """(event, body, signature) of a document value; signature '' for an event shared before
    signatures (9 fields); None when the value is malformed (it is then left out)."""
    try:
        text = str(value)
        if len(text) > 8192 or not wire.json_depth_ok(text, 1):   # a flat list of plain values
            return None
        parts = json.loads(text)
        if not isinstance(parts, list) or len(parts) not in (len(_FIELDS), len(_FIELDS) + 1):
            return None
        sig = parts[len(_FIELDS)] if len(parts) > len(_FIELDS) else ""
        if sig and not is_hex(sig, 128):
            return None
        row = dict(zip(_FIELDS, parts[:len(_FIELDS)], strict=True))
        Kind(row["kind"])
        ok = (isinstance(row["desk"], str) and row["desk"] and ":" not in row["desk"]
              and len(row["desk"]) <= 40
              and type(row["seq"]) is int and 0 < row["seq"] <= MAX_SEQ
              and type(row["clock"]) is int and 0 < row["clock"] <= MAX_CLOCK
              and f"{row['desk']}:{row['seq']}" == key
              and all(isinstance(row[f], str) for f in ("person", "operator", "at", "reason",
                                                        "ref")))
        if not ok:
            return None
        row["sig"] = sig or None
        return row, _dumps(parts[:len(_FIELDS)]), str(sig)
    except (ValueError, TypeError, RecursionError):
        return None


def decode(key: str, value: object) -> dict[str, Any] | None:
    """An event from the document (with its `sig`, None if unsigned), or None when it is
    malformed."""
    got = decode_signed(key, value)
    return None if got is None else got[0]


class Replica:
    """The shared document of `meeting` on the laptop whose database is `conn`."""

    def __init__(self, conn: sqlite3.Connection, meeting: Meeting,
                 signer: Callable[[str], str] | None = None) -> None:
        self.conn = conn
        self.meeting = meeting
        self.signer = signer      # desk name -> the private key that signs its events, or ''
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
        values = [(e.key, encode(e, tokens[e.person_id])) for e in new]
        if self.signer is not None:
            values = self._signed(new, values)
        if not values:
            return 0
        self._publishing = True
        try:
            with self.doc.transaction(origin="local"):
                for key, value in values:
                    self.events[key] = value
        finally:
            self._publishing = False
        return len(values)

    def _signed(self, new: list[Event], values: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """The values with their signatures: stored ones, or made now for the events this
        laptop signs (stored before they are shared). Unsigned events of other desks stay out."""
        assert self.signer is not None
        sigs = q.sigs_of(self.conn, [e.id for e in new])
        made: list[tuple[int, str]] = []
        out = []
        for e, (key, body) in zip(new, values, strict=True):
            sig = sigs.get(e.id)
            if sig is None:
                private = self.signer(e.desk)
                if not private:
                    continue
                sig = sign_event(private, body)
                made.append((e.id, sig))
            out.append((key, with_sig(body, sig)))
        if made:
            with view_lock(self.conn), transaction(self.conn):
                for eid, sig in made:
                    q.set_sig(self.conn, eid, sig)
        return out

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
        # The connection's view lock before BEGIN: merge_events takes it too, and a sign-in on
        # another thread sharing this connection holds it while it waits for the write lock (the
        # other order deadlocks until busy_timeout).
        with view_lock(self.conn), transaction(self.conn):
            ids = qa.person_ids_by_token(self.conn, (r["person"] for r in good))
            limit = clock_limit()   # this laptop's wall time (app.sync.gate refused beyond it)
            mergeable = [r for r in good if r["person"] in ids and r["clock"] <= limit]
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
