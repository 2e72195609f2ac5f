"""Host mode: the laptop that keeps the room's pairing and relays the shared document.

Nothing listens until `Host.start` is called (host mode on). Each connection is TLS with the
host's self-signed certificate (pinned by the desks through the pairing fingerprint). The first
frame must be a hello with the room's secret, the room and the meeting: anything else is refused
before the host sends or changes anything, and the attempt is written to the audit log. A
paired desk then gets the database copy if it is joining, and the y-sync exchange: the host's
state vector, the desk's answer, then every update as it happens, relayed to every desk. After
each durable flush into SQLite the host tells the desks what it has (`ack`), which is how a desk
knows its sign-ins are shared."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import secrets
import sqlite3
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pycrdt import (
    YMessageType,
    YSyncMessageType,
    create_sync_message,
    create_update_message,
    merge_updates,
)

from app.attendance.view import lock as view_lock
from app.clock import Clock, SystemClock, iso
from app.meetings import Refusal, resolve_meeting
from app.model import Meeting
from app.permissions import check
from app.scratch import scratch_dir
from app.sync import identity, register, wire
from app.sync.gate import Gate
from app.sync.pairing import (
    Certificate,
    Pairing,
    new_certificate,
    new_room,
    new_secret,
    server_context,
)
from app.sync.refusals import MORE, ONE, RefusalLimiter
from app.sync.replica import Replica
from db import files as dbfiles
from db import sync as q
from db.audit import append
from db.connection import connect
from db.tx import transaction

log = logging.getLogger(__name__)

HELLO_TIMEOUT = 5.0
IDLE_TIMEOUT = 20.0        # a desk pings every few seconds; silence this long = gone
PING_EVERY = 3.0
POLL_EVERY = 0.2
REGISTER_EVERY = 1.0       # how often the host looks whether its register changed
MAX_CLIENTS = 64
MAX_BUFFER = 16 << 20      # a desk that stops reading is dropped rather than buffered forever
COPY_CHUNK = 1 << 20
PROTOCOL = 1


class HostRefused(ValueError):
    """Host mode refused to the person asking (`message` says who may)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class HostConfig:
    room: str
    meeting_code: str
    secret: str
    cert: Certificate
    created_at: str


def ensure_host(conn: sqlite3.Connection, meeting: Meeting, clock: Clock) -> HostConfig:
    """The host pairing of this database (made the first time: certificate, secret, room)."""
    with transaction(conn):
        row = q.select_host(conn)
        if row is None:
            now = clock.now()
            cert = new_certificate(meeting.code, now if now.tzinfo else now.astimezone())
            q.insert_host(conn, room=new_room(), meeting_code=meeting.code, secret=new_secret(),
                          cert_pem=cert.cert_pem, key_pem=cert.key_pem,
                          fingerprint=cert.fingerprint, created_at=iso(now))
            append(conn, at=iso(now), actor="host", action="sync_host_created",
                   meeting_id=meeting.id, detail={"fingerprint": cert.fingerprint})
            row = q.select_host(conn)
            assert row is not None
        if not q.select_host_sign_key(conn):   # made with the pairing, or at the first start
            key = identity.new_private_key()     # after the upgrade to schema v5
            q.set_host_sign_key(conn, key)
            q.put_authority(conn, identity.public_of(key), iso(clock.now()))
            append(conn, at=iso(clock.now()), actor="host", action="sync_room_key_created",
                   meeting_id=meeting.id, detail={"public_key": identity.public_of(key)})
    room, code, secret, cert_pem, key_pem, fp, created = row
    return HostConfig(room, code, secret, Certificate(cert_pem, key_pem, fp), created)


@dataclass(slots=True)
class _Client:
    desk: str
    address: str
    writer: asyncio.StreamWriter
    reported_seq: int = 0
    last_contact: float = 0.0

    def send(self, data: bytes) -> bool:
        if self.writer.is_closing():
            return False
        if self.writer.transport.get_write_buffer_size() > MAX_BUFFER:
            self.writer.close()
            return False
        self.writer.write(data)
        return True


class Host:
    """The host's server. Runs in one asyncio loop; SQLite through its own connection."""

    def __init__(self, db_path: Path, meeting_code: str | None = None,
                 clock: Clock | None = None, *, actor: str | None = None) -> None:
        self.db_path = db_path
        self.clock = clock or SystemClock()
        self.conn = connect(db_path, create=False)
        # Host mode is the `actor`'s action (the 主持人 where a staff list exists): refused
        # before the host identity is made or anything is written.
        denied = check(self.conn, "host_mode", actor)
        if denied is not None:
            self.conn.close()
            raise HostRefused(denied.message)
        meeting = resolve_meeting(self.conn, meeting_code)
        if isinstance(meeting, Refusal):
            raise ValueError(meeting.message)
        self.meeting = meeting
        self.config = ensure_host(self.conn, meeting, self.clock)
        with transaction(self.conn):
            q.reset_connected(self.conn)
        self._sign_key = q.select_host_sign_key(self.conn)
        self.replica = Replica(self.conn, meeting, self._signer)
        self.replica.listeners.append(self._relay)
        self.gate = Gate(self.conn, self.replica.doc)
        self.clients: dict[str, _Client] = {}
        self._server: asyncio.Server | None = None
        self._flush_scheduled = False
        self._outbox: list[bytes] = []
        self._contacts: dict[str, tuple[str, int]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.refusals = RefusalLimiter()
        self.port = 0
        self.register_version = q.register_version(self.conn)
        self._register_seen = dbfiles.data_version(self.conn)

    def _signer(self, desk: str) -> str:
        """The host signs what is written on the host: events of names no desk holds."""
        return "" if q.has_desk_key(self.conn, desk) else self._sign_key

    def pairing(self, address: str) -> Pairing:
        return Pairing(address, self.port, self.config.cert.fingerprint, self.config.secret,
                       self.config.room, self.config.meeting_code)

    async def start(self, bind: str, port: int) -> int:
        self._server = await asyncio.start_server(
            self._serve, bind, port, ssl=server_context(self.config.cert),
            ssl_handshake_timeout=HELLO_TIMEOUT, limit=wire.MAX_FRAME)
        self.port = int(self._server.sockets[0].getsockname()[1])
        for job in (self._pinger(), self._poller(), self._register_watch()):
            task = asyncio.create_task(job)
            self._tasks.add(task)
        return self.port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for c in list(self.clients.values()):
            c.writer.close()
        for t in self._tasks:
            t.cancel()
        self._flush()
        self._write_held(everything=True)
        with transaction(self.conn):
            q.reset_connected(self.conn)

    def close(self) -> None:
        from app.attendance import forget

        forget(self.conn)
        self.conn.close()

    # --- publishing local events (a sign-in or a chair's resolution on the host itself) -------

    def publish(self) -> None:
        if self.replica.publish():
            self._schedule_flush()

    # --- relay and flush ----------------------------------------------------------------------

    def _relay(self, update: bytes) -> None:
        """Every change of the document goes to every desk: the updates of one loop iteration
        as one merged update (under load, far fewer frames for the desks to apply)."""
        self._outbox.append(update)
        if len(self._outbox) == 1:
            asyncio.get_running_loop().call_soon(self._send_outbox)
        self._schedule_flush()

    def _send_outbox(self) -> None:
        batch, self._outbox = self._outbox, []
        if not batch:
            return
        update = batch[0] if len(batch) == 1 else merge_updates(*batch)
        message = wire.frame(wire.YSYNC, create_update_message(update))
        for c in list(self.clients.values()):
            c.send(message)

    def _schedule_flush(self) -> None:
        if not self._flush_scheduled:
            self._flush_scheduled = True
            asyncio.get_running_loop().call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_scheduled = False
        contacts, self._contacts = self._contacts, {}
        if not self.replica.dirty and not contacts:
            return
        with view_lock(self.conn), transaction(self.conn):   # the view's lock first: see Replica.flush
            self.replica.flush()
            q.touch_desks(self.conn, ((d, at, s) for d, (at, s) in contacts.items()))
        ack = wire.control({"t": "ack", "have": self.replica.have()})
        for c in list(self.clients.values()):
            c.send(ack)

    async def _poller(self) -> None:
        """Events written on the host by another connection (the chair's window resolving a
        double sign-in) are published this soon."""
        while True:
            await asyncio.sleep(POLL_EVERY)
            self.publish()

    async def _register_watch(self) -> None:
        """A register changed on the host (another connection: the register page, a leave
        recorded, a proxy) is announced to the desks, which then ask for it
        (app.sync.register). The digest is computed on a worker thread, only after a commit by
        another connection."""
        while True:
            await asyncio.sleep(REGISTER_EVERY)
            seen, before = dbfiles.data_version(self.conn), self._register_seen
            if seen == before:
                continue
            version = await asyncio.to_thread(register.version_of, self.db_path)
            if self._register_seen == before:   # a welcome did not compute a newer one meanwhile
                self._announce_register(seen, version)

    def _register_now(self) -> str:
        """The register version as of now (a desk is being welcomed: it must not be told an
        old one, or it would take the new register only at the next announcement)."""
        seen = dbfiles.data_version(self.conn)
        if seen != self._register_seen:
            self._announce_register(seen, q.register_version(self.conn))
        return self.register_version

    def _announce_register(self, seen: int, version: str) -> None:
        self._register_seen = seen
        if version != self.register_version:
            self.register_version = version
            note = wire.control({"t": "register", "version": version})
            for c in list(self.clients.values()):
                c.send(note)

    async def _pinger(self) -> None:
        while True:
            await asyncio.sleep(PING_EVERY)
            ping = wire.control({"t": "ping"})
            now = iso(self.clock.now())
            for c in list(self.clients.values()):
                c.send(ping)
                if time.monotonic() - c.last_contact < PING_EVERY * 2:   # heard from lately
                    self._contacts[c.desk] = (now, c.reported_seq)
            self._schedule_flush()
            self._write_held()

    # --- one connection -----------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        address = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer)
        client: _Client | None = None
        try:
            if len(self.clients) >= MAX_CLIENTS:
                self._refuse(writer, address, {}, "too_many")
                return
            try:
                kind, payload = await asyncio.wait_for(wire.read_frame(reader, wire.MAX_HELLO),
                                                       HELLO_TIMEOUT)
                hello = wire.parse_control(payload) if kind == wire.CONTROL else {}
            except (TimeoutError, wire.FrameError, asyncio.IncompleteReadError, OSError):
                hello = {}
            reason = self._check(hello)
            if reason:
                self._refuse(writer, address, hello, reason)
                return
            client = self._admit(hello, address, writer)
            await self._session(client, hello, reader)
        except (asyncio.IncompleteReadError, ConnectionError, OSError, TimeoutError):
            pass
        except wire.FrameError as exc:     # a paired desk broke the protocol: this connection ends
            if client is not None:
                self._reject(client, "bad_frame", str(exc)[:120])
        except Exception:                  # noqa: BLE001 - one bad connection never stops the host
            log.exception("sync: connection %s ended by an unexpected error", address)
        finally:
            if client is not None and self.clients.get(client.desk) is client:
                del self.clients[client.desk]
                with transaction(self.conn):
                    q.set_connected(self.conn, client.desk, False, iso(self.clock.now()))
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), 2)

    def _check(self, hello: dict[str, Any]) -> str:
        """Why a hello is refused ('' when it is admitted)."""
        if hello.get("t") != "hello":
            return "no_hello"
        secret = hello.get("secret")
        if not isinstance(secret, str) or not secrets.compare_digest(
                secret.encode(), self.config.secret.encode()):
            return "bad_secret"
        if hello.get("room") != self.config.room or hello.get("meeting") != self.config.meeting_code:
            return "other_meeting"
        desk = hello.get("desk")
        if not isinstance(desk, str) or not desk.strip() or ":" in desk or len(desk) > 40:
            return "bad_desk"
        instance = str(hello.get("instance", ""))[:64]
        row = q.select_desk(self.conn, desk)
        if row is not None and row[1] != instance:
            return "desk_name_taken"
        seq = hello.get("seq", 0)
        if type(seq) is not int or not 0 <= seq <= wire.MAX_SEQ:
            return "bad_seq"
        key = hello.get("key")
        if not identity.is_hex(key, 64):
            return "no_desk_key"
        registered = {str(r[0]): r for r in q.select_desk_keys(self.conn)}
        mine = registered.get(desk)
        if mine is not None and mine[3] is not None:
            return "desk_revoked"
        if mine is not None and mine[1] != key:
            return "desk_key_mismatch"
        if mine is None and any(r[1] == key for r in registered.values()):
            return "desk_key_mismatch"
        return ""

    def _refuse(self, writer: asyncio.StreamWriter, address: str, hello: dict[str, Any],
                reason: str) -> None:
        """Tell the peer no, change nothing but the audit log (at most RefusalLimiter's rows
        per address and minute; the rest counted in one row when the minute ends)."""
        at = iso(self.clock.now())
        if self.refusals.admit(address, reason, time.monotonic(), at):
            log.warning("sync: refused %s (%s)", address, reason)
            with transaction(self.conn):
                append(self.conn, at=at, actor=str(hello.get("desk", ""))[:40], action=ONE,
                       meeting_id=self.meeting.id, outcome="refused",
                       detail={"address": address, "reason": reason,
                               "desk": str(hello.get("desk", ""))[:40]})
        with contextlib.suppress(Exception):
            writer.write(wire.control({"t": "refused", "reason": reason}))

    def _write_held(self, everything: bool = False) -> None:
        held = self.refusals.due(time.monotonic(), everything)
        if not held:
            return
        with transaction(self.conn):
            for h in held:
                log.warning("sync: refused %s %d more times (%s)", h.address, h.count,
                            ",".join(h.reasons))
                append(self.conn, at=h.last_at, actor="", action=MORE,
                       meeting_id=self.meeting.id, outcome="refused", detail=h.detail())

    def _admit(self, hello: dict[str, Any], address: str,
               writer: asyncio.StreamWriter) -> _Client:
        desk = str(hello["desk"])
        seq = int(hello.get("seq") or 0)            # 0..MAX_SEQ (_check)
        key = str(hello["key"])
        now = iso(self.clock.now())
        certified = False
        with transaction(self.conn):
            first = q.select_desk(self.conn, desk) is None
            q.upsert_desk(self.conn, desk=desk, instance=str(hello.get("instance", ""))[:64],
                          address=address, at=now, connected=True, reported_seq=seq)
            if first:
                append(self.conn, at=now, actor=desk, action="sync_desk_joined",
                       meeting_id=self.meeting.id, detail={"desk": desk, "address": address})
            if not q.has_desk_key(self.conn, desk):
                q.insert_desk_key(self.conn, desk=desk, public_key=key, at=now,
                                  certificate=identity.certify(self._sign_key, desk, key))
                append(self.conn, at=now, actor=desk, action="sync_desk_certified",
                       meeting_id=self.meeting.id,
                       detail={"desk": desk, "public_key": key, "address": address})
                certified = True
        if certified:   # the registry is part of the register: every desk takes the new key
            self._announce_register(dbfiles.data_version(self.conn),
                                    q.register_version(self.conn))
        client = _Client(desk, address, writer, seq, time.monotonic())
        return client

    async def _send_copy(self, client: _Client, done: str = "copy_done") -> None:
        """A copy of the database to a joining desk (`copy_done`), or the register tables to a
        joined desk whose register is out of date (`register_done`: zlib-compressed, with the
        copy's register version; ~2.4 MB for a register of 20,000)."""
        refresh = done == "register_done"

        def copy(target: Path) -> tuple[bytes, str]:
            # its own connection on a worker thread: the loop goes on relaying meanwhile
            conn = connect(self.db_path, create=False, migrate_schema=False)
            try:
                if refresh:
                    q.copy_register_for_desk(conn, target)
                else:
                    q.copy_for_desk(conn, target)
            finally:
                conn.close()
            if not refresh:
                return target.read_bytes(), ""
            return zlib.compress(target.read_bytes(), 6), q.register_version_of_file(target)

        # The copy holds the register (ID numbers): a private scratch folder under the data
        # folder, swept at the next start if this process is killed meanwhile — never the
        # system temp folder.
        with scratch_dir("desk-copy-") as d:
            data, version = await asyncio.to_thread(copy, d / "copy.db")
        for start in range(0, len(data), COPY_CHUNK):
            client.send(wire.frame(wire.COPY, data[start:start + COPY_CHUNK]))
            await client.writer.drain()
        extra = {"version": version, "encoding": "zlib"} if refresh else {}
        client.send(wire.control({"t": done, "size": len(data), **extra,
                                  "sha256": hashlib.sha256(data).hexdigest()}))

    def _spawn(self, job: Any) -> None:
        """Run `job` beside the connection's loop; a desk gone meanwhile ends it quietly."""
        async def guarded() -> None:
            with contextlib.suppress(ConnectionError, OSError):
                await job

        task = asyncio.create_task(guarded())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _session(self, client: _Client, hello: dict[str, Any],
                       reader: asyncio.StreamReader) -> None:
        self._flush()   # the copy and the state vector below include everything received
        client.send(wire.control({"t": "welcome", "protocol": PROTOCOL, "room": self.config.room,
                                  "meeting": self.config.meeting_code,
                                  "have": self.replica.have(),
                                  "register": self._register_now()}))
        old = self.clients.get(client.desk)
        if old is not None:   # the same desk reconnected before its old connection timed out
            old.writer.close()
        self.clients[client.desk] = client   # relays and acks only after the welcome
        if hello.get("join"):
            await self._send_copy(client)
        client.send(wire.frame(wire.YSYNC, create_sync_message(self.replica.doc)))
        while True:
            kind, payload = await asyncio.wait_for(wire.read_frame(reader), IDLE_TIMEOUT)
            client.last_contact = time.monotonic()
            if kind == wire.YSYNC and payload and payload[0] == YMessageType.SYNC:
                if not self._sync_message(client, payload[1:]):
                    return
            elif kind == wire.CONTROL:
                msg = wire.parse_control(payload)
                if msg["t"] == "status" and "seq" in msg:
                    client.reported_seq = max(client.reported_seq, wire.small_int(msg["seq"]))
                    self._contacts[client.desk] = (iso(self.clock.now()), client.reported_seq)
                    self._schedule_flush()
                elif msg["t"] == "register_get":
                    self._spawn(self._send_copy(client, "register_done"))
            else:
                raise wire.FrameError("unexpected frame")


    def _sync_message(self, client: _Client, message: bytes) -> bool:
        """One y-sync message from a desk. An update goes through the gate (app.sync.gate)
        before it touches the document; False when it was refused (the connection ends)."""
        if not message:
            raise wire.FrameError("empty sync message")
        if message[0] == YSyncMessageType.SYNC_STEP1:
            reply = wire.sync_reply(message, self.replica.doc)
            if reply is not None:
                client.send(wire.frame(wire.YSYNC, reply))
            return True
        update = wire.sync_update(message)
        refusal = self.gate.admit(update)
        if refusal is not None:
            self._reject(client, refusal.reason, refusal.key or refusal.detail)
            return False
        self.replica.receive(update)
        self._schedule_flush()
        return True

    def _reject(self, client: _Client, reason: str, detail: str) -> None:
        """A paired desk sent what the gate refuses: audited (bounded like any refusal), the
        desk told, its connection closed; nothing else changes."""
        at = iso(self.clock.now())
        if self.refusals.admit(client.address, reason, time.monotonic(), at):
            log.warning("sync: refused an update of %s (%s %s)", client.desk, reason, detail)
            with transaction(self.conn):
                append(self.conn, at=at, actor=client.desk, action=ONE,
                       meeting_id=self.meeting.id, outcome="refused",
                       detail={"address": client.address, "reason": reason,
                               "desk": client.desk, "event": detail})
        # an overwrite names the event: a desk whose own history parts from the host's learns
        # from which seq on (app.sync.desk, DeskLink._conflict)
        named = {"event": detail[:80]} if reason == "overwrite" else {}
        client.send(wire.control({"t": "rejected", "reason": reason, **named}))


def wildcard(bind: str) -> bool:
    return bind in ("", "0.0.0.0", "::")


def lan_address() -> str:
    """This laptop's address on the venue network (for a host bound to every interface): the
    best of its interfaces' addresses (app.sync.lan), even on a LAN without a default gateway."""
    from app.sync.lan import lan_address as best

    return best()
