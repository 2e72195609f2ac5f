"""Nothing reaches a laptop's shared document unchecked.

An update from the other side (a desk's, at the host; the host's relay, at a desk) is applied
first to a scratch copy of the document; the entries it adds are checked, and only when every one
passes is the update applied to the real document (and so relayed and merged into SQLite). The
checks, each with the reason a refusal names:

    bad_update      not a Yjs update the document can take
    other_root      it adds anything but the one map `events`
    overwrite       it changes or deletes an entry that exists, or carries another value
                    for a key this laptop holds (events are written once; the same value
                    written again, as by a desk killed before it stored its own update, is no
                    change). The values it carries are read from the update's bytes
                    (app.sync.yupdate): of two entries written concurrently under one key Yjs
                    keeps the one of the higher client id and integrates the other as deleted,
                    so an entry that loses changes nothing visible — yet it is the other
                    laptop's event, which this laptop must neither take nor count as held
    bad_event       an entry that is not an event (value not text, not the 10 fields, too long,
                    JSON nested deeper than 32, a key not desk:seq)
    seq_range       a seq not in 1..2^31-1
    clock_ahead     a clock whose wall time is ahead of this laptop's by more than
                    app.clock.AHEAD_LIMIT (a day: a plainly wrong date; it also keeps every
                    clock far below what SQLite and JSON readers store exactly)
    unknown_signer  no certified key for the event's desk (or no room key yet)
    desk_revoked    the event's desk was revoked
    bad_signature   not signed by the key entitled to the event's desk

A refused update changes nothing; the scratch copy is rebuilt from the real document. What this
laptop writes itself (its own sign-ins, published into the real document) is brought into the
scratch copy before each update is checked, so the checks see every entry the laptop holds."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from pycrdt import Doc, Map, MapEvent

from app.attendance.merge import clock_limit  # one bound for the gate and merge_events
from app.clock import Clock, SystemClock
from app.sync import wire, yupdate
from app.sync.identity import Registry, load_registry
from app.sync.replica import decode_signed

MAX_VALUE = 4096          # one event's compact JSON (a long reason included) is far below this


@dataclass(frozen=True, slots=True)
class Refusal:
    reason: str
    key: str = ""
    detail: str = ""


class Gate:
    """The checks in front of `doc` (the laptop's real document, bound to `conn`)."""

    def __init__(self, conn: sqlite3.Connection, doc: Doc[Any], clock: Clock | None = None) -> None:
        self.conn = conn
        self.doc = doc
        self.clock = clock or SystemClock()     # this laptop's wall time bounds event clocks
        self._changes: list[dict[str, dict[str, Any]]] = []
        self._scratch: Doc[Any] = Doc()
        self._rebuild()

    def _rebuild(self) -> None:
        self._scratch = Doc()
        self._scratch.apply_update(self.doc.get_update())
        # kept: a subscription lives as long as the Map object it was made on
        self._events: Map[Any] = self._scratch.get("events", type=Map)
        self._subscription = self._events.observe(self._observed)

    def _observed(self, event: MapEvent) -> None:
        self._changes.append(dict(event.keys))  # type: ignore[attr-defined]  # set by the Rust side

    def admit(self, update: bytes, registry: Registry | None = None) -> Refusal | None:
        """None when `update` may be applied to the real document; else why not (and nothing
        changed)."""
        self._catch_up()
        self._changes = []
        try:
            clashes = self._clashes(yupdate.entries(update))
        except ValueError as exc:      # not a whole update (UnicodeDecodeError included)
            return Refusal("bad_update", detail=type(exc).__name__)
        try:
            self._scratch.apply_update(update)
        except BaseException as exc:   # noqa: BLE001 - pyo3 panics derive from BaseException
            if isinstance(exc, (KeyboardInterrupt, SystemExit, MemoryError)):
                raise
            self._rebuild()
            return Refusal("bad_update", detail=type(exc).__name__)
        refusal = self._check(registry, clashes)
        if refusal is not None:
            self._rebuild()
        return refusal

    def _catch_up(self) -> None:
        """Bring what this laptop wrote into its real document since the last check (its own
        sign-ins) into the scratch copy: without them an update carrying other events under the
        same keys would look new here, and, winning in the real document, replace them."""
        have = yupdate.state(self._scratch.get_state())
        if yupdate.state(self.doc.get_state()) != have:
            self._scratch.apply_update(self.doc.get_update(self._scratch.get_state()))

    def _clashes(self, carried: list[yupdate.Entry]) -> set[str]:
        """The keys for which `carried` (an update's entries, not yet applied) brings a value other
        than the one held here, whichever of the two Yjs would keep."""
        known = yupdate.state(self._scratch.get_state())
        out: set[str] = set()
        brought: dict[str, object] = {}
        for e in carried:
            if e.deleted or e.clock < known.get(e.client, 0):
                continue   # already held here, or an entry that lost at the sender
            if e.key in self._events:
                held = self._events[e.key]
            elif e.key in brought:     # two entries of one update under one key
                held = brought[e.key]
            else:
                brought[e.key] = e.value
                continue
            if held != e.value:
                out.add(e.key)
        return out

    def _check(self, registry: Registry | None, clashes: set[str]) -> Refusal | None:
        if set(self._scratch.keys()) - {"events"}:
            return Refusal("other_root")
        changes = {k: v for batch in self._changes for k, v in batch.items()}
        changes.update({k: {"action": "clash"} for k in clashes})
        if not changes:
            return None
        reg = registry if registry is not None else load_registry(self.conn)
        limit = clock_limit(self.clock.now())
        for key, change in sorted(changes.items(), key=_key_order):   # the first refused key
            # is the lowest: a desk learns where its history and the host's part (app.sync.desk)
            value = change.get("newValue")
            if change.get("action") == "update" and value == change.get("oldValue"):
                continue   # the same event again (a desk restarted before storing its own update)
            if change.get("action") != "add":
                return Refusal("overwrite", str(key)[:80])
            if not isinstance(value, str) or len(value) > MAX_VALUE:
                return Refusal("bad_event", str(key)[:80], "value")
            if not wire.json_depth_ok(value):
                return Refusal("bad_event", str(key)[:80], "nesting")
            why = _bounds(value, limit)
            if why:
                return Refusal(why, str(key)[:80])
            got = decode_signed(str(key), value)
            if got is None:
                return Refusal("bad_event", str(key)[:80], "fields")
            row, body, sig = got
            why = reg.check(row["desk"], body, sig)
            if why:
                return Refusal(why, str(key)[:80])
        return None


def _bounds(value: str, limit: int) -> str:
    """The reason a value's seq or clock is out of bounds ('' if they are not, or the value is
    no event at all: decode_signed says so)."""
    try:
        parts = json.loads(value)
    except (ValueError, RecursionError):
        return ""
    if not isinstance(parts, list) or len(parts) < 3:
        return ""
    seq, clock = parts[1], parts[2]
    if type(seq) is int and not 0 < seq <= wire.MAX_SEQ:
        return "seq_range"
    if type(clock) is int and clock > limit:
        return "clock_ahead"
    return ""


def _key_order(item: tuple[Any, Any]) -> tuple[str, int, str]:
    """desk:seq keys by desk, then seq as a number (anything else after them, as text)."""
    key = str(item[0])
    desk, _, seq = key.rpartition(":")
    return (desk, int(seq), "") if seq.isdigit() and len(seq) < 12 else ("\uffff", 0, key)
