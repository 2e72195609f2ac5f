"""A paired desk that misbehaves: it joined properly (it holds the pairing code, its own key, a
certified desk name), then talks to the real host on 127.0.0.1 with frames of its own making
(a helper module of the forged-desk tests, not a conftest.py)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pycrdt import (
    Doc,
    Map,
    YMessageType,
    YSyncMessageType,
    create_sync_message,
    create_update_message,
    read_message,
)

from app.sync import join, wire
from app.sync.pairing import Pairing, client_context


@dataclass
class Rogue:
    pairing: Pairing
    desk: str
    instance: str
    private: str          # hex of its Ed25519 key ('' if this version of PollDay has none)

    @classmethod
    def joined(cls, db: Path, pairing: Pairing, desk: str) -> Rogue:
        asyncio.run(join(db, pairing, desk))
        conn = sqlite3.connect(db)
        try:
            instance = conn.execute("SELECT instance FROM sync_peer").fetchone()[0]
            try:
                private = conn.execute("SELECT sign_private FROM sync_peer").fetchone()[0]
            except sqlite3.OperationalError:       # a version of PollDay without desk keys
                private = ""
        finally:
            conn.close()
        return cls(pairing, desk, instance, private)

    def public(self) -> str:
        if not self.private:
            return "00" * 32
        from app.sync.identity import public_of

        return public_of(self.private)

    def sign(self, body: str) -> str:
        from app.sync.identity import sign_event

        return sign_event(self.private, body)

    def hello(self, **extra: Any) -> dict[str, Any]:
        p = self.pairing
        return {"t": "hello", "protocol": 1, "secret": p.secret, "room": p.room,
                "meeting": p.meeting_code, "desk": self.desk, "instance": self.instance,
                "seq": 0, "key": self.public(), **extra}

    def send_raw(self, first: bytes, then: list[bytes] | None = None,
                 quiet: float = 3.0) -> list[dict[str, Any]]:
        """Send `first` (and `then`), return the control messages the host answers with until
        it closes the connection or is silent for `quiet` seconds."""
        return asyncio.run(self._raw(first, then or [], quiet))

    async def _raw(self, first: bytes, then: list[bytes], quiet: float) -> list[dict[str, Any]]:
        reader, writer = await asyncio.open_connection(
            self.pairing.address, self.pairing.port, ssl=client_context(), server_hostname="x")
        writer.write(first)
        for f in then:
            writer.write(f)
        got = await _controls(reader, quiet)
        writer.close()
        return got

    def attack(self, mutate: Callable[[Map[Any]], None],
               quiet: float = 3.0) -> list[dict[str, Any]]:
        """Sync with the host as a desk does, then send the update `mutate` makes on a copy of
        the host's document; the host's control answers (until it closes or goes quiet)."""
        return asyncio.run(self._attack(mutate, quiet))

    async def _attack(self, mutate: Callable[[Map[Any]], None],
                      quiet: float) -> list[dict[str, Any]]:
        reader, writer = await asyncio.open_connection(
            self.pairing.address, self.pairing.port, ssl=client_context(), server_hostname="x")
        try:
            writer.write(wire.control(self.hello()))
            try:
                kind, payload = await wire.read_frame(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                return [{"t": "closed before welcome"}]
            welcome = wire.parse_control(payload)
            if welcome["t"] != "welcome":
                return [welcome]
            doc: Doc[Any] = Doc()
            events: Map[Any] = doc.get("events", type=Map)
            writer.write(wire.frame(wire.YSYNC, create_sync_message(doc)))   # give me all
            while True:
                kind, payload = await asyncio.wait_for(wire.read_frame(reader), 10)
                if (kind == wire.YSYNC and payload[0] == YMessageType.SYNC
                        and payload[1] == YSyncMessageType.SYNC_STEP2):
                    doc.apply_update(read_message(payload[2:]))
                    break
            before = doc.get_state()
            mutate(events)
            writer.write(wire.frame(wire.YSYNC, create_update_message(doc.get_update(before))))
            return await _controls(reader, quiet)
        finally:
            writer.close()


async def _controls(reader: asyncio.StreamReader, quiet: float) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError, TimeoutError, OSError):
        while True:
            kind, payload = await asyncio.wait_for(wire.read_frame(reader), quiet)
            if kind == wire.CONTROL:
                with contextlib.suppress(wire.FrameError):
                    msg = wire.parse_control(payload)
                    if msg["t"] not in ("ping", "ack"):
                        out.append(msg)
    return out


def body(desk: str, seq: int, clock: int, kind: str, person: str, ref: str = "",
         reason: str = "") -> list[Any]:
    return [desk, seq, clock, kind, person, "", "2026-11-22T08:30:00+08:00", reason, ref]


def unsigned(parts: list[Any]) -> str:
    return json.dumps(parts, ensure_ascii=False, separators=(",", ":"))


def signed(rogue: Rogue, parts: list[Any]) -> str:
    text = unsigned(parts)
    return unsigned([*parts, rogue.sign(text)]) if rogue.private else text
