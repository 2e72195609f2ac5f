"""Desk mode: a sign-in laptop that joins the host once and then keeps its own database shared.

`join` fetches the host's database (meeting and register) into a new local file. `DeskLink`
keeps a connection to the host while it can: on (re)connecting it exchanges state vectors with the
host, so whatever either side wrote while apart flows both ways; then every local sign-in is sent
as it is published and every update the host relays is merged into SQLite. Offline the desk
simply goes on: sign-ins are committed locally and counted in `unshared` until the host
acknowledges them. app.sync.service.DeskService runs a link on a thread of its own for the CLI and the
GUI."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import secrets
import sqlite3
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pycrdt import (
    YMessageType,
    YSyncMessageType,
    create_sync_message,
    create_update_message,
)

from app.attendance.view import lock as view_lock
from app.clock import Clock, SystemClock, iso
from app.fileio import fsync_dir, replace_with_retry, write_atomic
from app.meetings import Refusal, resolve_meeting
from app.sync import identity, register, wire
from app.sync.gate import Gate
from app.sync.pairing import Pairing, client_context, pinned
from app.sync.refusals import ONE, RefusalLimiter
from app.sync.replica import Replica
from db import sync as q
from db.audit import append
from db.connection import connect
from db.tx import transaction

CONNECT_TIMEOUT = 3.0
HELLO_TIMEOUT = 5.0
IDLE_TIMEOUT = 10.0         # the host pings every 3 s
STATUS_EVERY = 2.0
POLL_EVERY = 0.2            # sign-ins written by another connection are published this soon
RETRY_REGISTER = 5.0        # seconds before asking again after a refresh could not be written
MAX_REGISTER = 1 << 30      # a register copy, inflated (20,000 persons: ~7 MB)
BACKOFF = (0.1, 0.5)        # reconnect attempts: a LAN host back up is found within 0.5 s


class Refused(Exception):
    """The host said no (wrong secret, another meeting, a desk name taken): do not retry."""

    def __init__(self, reason: str) -> None:
        super().__init__(REFUSAL_ZH.get(reason, reason))
        self.reason = reason


REFUSAL_ZH = {
    "bad_secret": "配对码不对，主机拒绝连接",
    "other_meeting": "本签到台属于另一场会议，主机拒绝连接",
    "desk_name_taken": "签到台名称已被另一台电脑使用",
    "bad_desk": "签到台名称不合规",
    "no_hello": "握手失败",
    "too_many": "主机连接数已满",
    "fingerprint": "主机证书与配对码不符，可能不是本会场的主机",
    "bad_seq": "签到台报告的序号超出范围",
    "no_desk_key": "签到台没有签名密钥，请升级到同一版本",
    "desk_revoked": "本签到台已被主机停用（吊销），不能再联网签到",
    "desk_key_mismatch": "签到台密钥与主机登记的不符，可能是另一台电脑冒用此名称",
}

CONFLICT_ZH = ("本台数据库比它已同步到主机的记录旧（可能是放回的备份或复制的旧文件）：自 {key} 起"
               "本台的签到与主机收到的本台记录编号相同、内容不同。请停用本台，在主机或其他签到台"
               "补签这些人，再用新的数据库重新加入")


@dataclass(frozen=True, slots=True)
class DeskStatus:
    """What the desk page's banner shows."""

    desk: str
    online: bool
    offline_since: str | None     # ISO time the link was lost (None while online)
    unshared: int                 # own events the host has not acknowledged
    last_contact: str | None
    caught_up: bool               # has everything the host had when it (re)connected
    refused: str = ""
    register_pending: bool = False   # the host's register changed; its copy is on its way
    register_note: str = ""          # what the last refresh of the register changed
    conflict: str = ""               # the first own key whose event differs at the host

    def banner(self) -> str:
        if self.refused:
            return REFUSAL_ZH.get(self.refused, self.refused)
        if self.conflict:
            return CONFLICT_ZH.format(key=self.conflict)
        if self.online:
            return "已联网" if not self.unshared else f"已联网，{self.unshared} 条待同步"
        since = f" since {self.offline_since[11:16]}" if self.offline_since else ""
        return f"离线{since}，{self.unshared} 条签到尚未同步（本机已保存）"

    def as_json(self) -> dict[str, Any]:
        return {"desk": self.desk, "online": self.online, "offline_since": self.offline_since,
                "unshared": self.unshared, "last_contact": self.last_contact,
                "caught_up": self.caught_up, "refused": self.refused,
                "register_pending": self.register_pending, "register_note": self.register_note,
                "conflict": self.conflict, "banner": self.banner(), "shared": shared(self)}


async def _open(pairing: Pairing) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.wait_for(asyncio.open_connection(
        pairing.address, pairing.port, ssl=client_context(), server_hostname="pollday-host",
        ssl_handshake_timeout=CONNECT_TIMEOUT, limit=wire.MAX_FRAME), CONNECT_TIMEOUT)
    if not pinned(writer.get_extra_info("ssl_object"), pairing.fingerprint):
        writer.close()
        raise Refused("fingerprint")
    return reader, writer


async def _hello(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 hello: dict[str, Any], timeout: float = HELLO_TIMEOUT) -> dict[str, Any]:
    writer.write(wire.control({"t": "hello", "protocol": 1, **hello}))
    kind, payload = await asyncio.wait_for(wire.read_frame(reader), timeout)
    msg = wire.parse_control(payload) if kind == wire.CONTROL else {"t": "?"}
    if msg["t"] == "refused":
        raise Refused(str(msg.get("reason", "")))
    if msg["t"] != "welcome":
        raise wire.FrameError("no welcome")
    return msg


async def join(db_path: Path, pairing: Pairing, desk: str, clock: Clock | None = None,
               timeout: float = 30.0) -> None:
    """Make `db_path` (which must not exist) this desk's copy of the host's database."""
    clock = clock or SystemClock()
    if db_path.exists():
        raise FileExistsError(db_path)
    instance = secrets.token_hex(8)
    sign_key = identity.new_private_key()      # this desk's own key, certified by the host

    async def fetch() -> bytes:
        reader, writer = await _open(pairing)
        try:
            await _hello(reader, writer, {"secret": pairing.secret, "room": pairing.room,
                                          "meeting": pairing.meeting_code, "desk": desk,
                                          "instance": instance, "seq": 0, "join": True,
                                          "key": identity.public_of(sign_key)},
                         timeout)
            chunks: list[bytes] = []
            while True:
                kind, payload = await wire.read_frame(reader)
                if kind == wire.COPY:
                    chunks.append(payload)
                elif kind == wire.CONTROL and wire.parse_control(payload)["t"] == "copy_done":
                    done = wire.parse_control(payload)
                    data = b"".join(chunks)
                    if hashlib.sha256(data).hexdigest() != done.get("sha256"):
                        raise wire.FrameError("database copy damaged in transit")
                    return data
        finally:
            writer.close()

    data = await asyncio.wait_for(fetch(), timeout)
    tmp = db_path.with_name(db_path.name + ".joining")
    write_atomic(tmp, data)
    conn = connect(tmp)
    try:
        with transaction(conn):
            q.insert_peer(conn, room=pairing.room, meeting_code=pairing.meeting_code, desk=desk,
                          instance=instance, joined_at=iso(clock.now()), sign_private=sign_key)
            register.record_joined(conn)
    finally:
        conn.close()
    # committed with synchronous=FULL by SQLite; only the rename is left to make durable
    replace_with_retry(tmp, db_path)
    fsync_dir(db_path.parent)


class DeskLink:
    """The desk's side of the sync; every method runs on the link's event loop."""

    def __init__(self, db_path: Path, pairing: Pairing, clock: Clock | None = None,
                 on_merged: Callable[[list[str]], None] | None = None) -> None:
        self.pairing = pairing
        self.db_path = db_path
        self.clock = clock or SystemClock()
        self.conn = connect(db_path, create=False)
        peer = q.select_peer(self.conn)
        if peer is None:
            raise ValueError(f"{db_path} 不是签到台数据库（没有加入主机）")
        self.room, code, self.desk, self.instance, _, self.acked = peer
        meeting = resolve_meeting(self.conn, code)
        if isinstance(meeting, Refusal):
            raise ValueError(meeting.message)
        self.meeting = meeting
        self.sign_key = q.select_peer_sign_key(self.conn)
        if not self.sign_key:   # joined before desks signed: make the key now (certified at hello)
            self.sign_key = identity.new_private_key()
            with transaction(self.conn):
                q.set_peer_sign_key(self.conn, self.sign_key)
        self.replica = Replica(self.conn, meeting,
                               lambda d: self.sign_key if d == self.desk else "")
        self.replica.listeners.append(self._send_update)
        self.gate = Gate(self.conn, self.replica.doc)
        self.refusals = RefusalLimiter()
        self.rejected = ""            # the last update this desk refused, or the host refused
        # The first seq of this desk whose event differs between here and the host: this
        # database is older than what it shared (see _conflict); nothing from there on is shared.
        self.conflict_seq = 0
        self._resync = False          # refused for want of a key: ask again after the register
        if on_merged is not None:
            self.replica.merged_listeners.append(on_merged)
        self.own_seq = self.replica.own_seq(self.desk)
        self.online = False
        self.caught_up = False
        self.offline_since: str | None = iso(self.clock.now())
        self.last_contact: str | None = None
        self.refused = ""
        self._writer: asyncio.StreamWriter | None = None
        self._remote = False
        self._flush_scheduled = False
        self._wake = asyncio.Event()
        self.register_version = register.taken_version(self.conn)
        self.register_pending = False
        self.register_note = ""
        self._copy: list[bytes] = []

    def status(self) -> DeskStatus:
        acked = min(self.acked, self.conflict_seq - 1) if self.conflict_seq else self.acked
        return DeskStatus(self.desk, self.online, None if self.online else self.offline_since,
                          max(0, self.own_seq - acked), self.last_contact, self.caught_up,
                          self.refused, self.register_pending, self.register_note,
                          f"{self.desk}:{self.conflict_seq}" if self.conflict_seq else "")

    def _conflict(self, reason: str, key: str) -> None:
        """An update refused as an overwrite of one of this desk's own events (by this desk's
        gate, or the host's): the host holds another event under a key this desk wrote. That
        happens when this database is older than what it already shared (a backup put back, a
        copy of the file, lost writes), so it numbered new events with seqs the host had: the
        host's ack by seq must not count them."""
        desk, _, seq = key.rpartition(":")
        if reason == "overwrite" and desk == self.desk and seq.isdigit() and int(seq) > 0:
            self.conflict_seq = min(self.conflict_seq or int(seq), int(seq))

    def notify(self) -> None:
        """A sign-in was committed locally: publish it now."""
        self._publish()

    def _publish(self) -> None:
        if self.replica.publish():
            self.own_seq = self.replica.own_seq(self.desk)
            self._schedule_flush()
            if self._writer is not None:
                self._writer.write(wire.control({"t": "status", "seq": self.own_seq}))

    def _send_update(self, update: bytes) -> None:
        if not self._remote and self._writer is not None and not self._writer.is_closing():
            self._writer.write(wire.frame(wire.YSYNC, create_update_message(update)))

    def _schedule_flush(self) -> None:
        if not self._flush_scheduled:
            self._flush_scheduled = True
            asyncio.get_running_loop().call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_scheduled = False
        with view_lock(self.conn), transaction(self.conn):   # the view's lock first: see Replica.flush
            self.replica.flush()
            q.update_acked(self.conn, self.acked)
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Connect, sync, reconnect after a loss; until `stop` or a refusal."""
        pause = BACKOFF[0]
        poller = asyncio.create_task(self._poll(stop))
        try:
            while not stop.is_set():
                try:
                    await self._session(stop)
                    pause = BACKOFF[0]
                except Refused as r:
                    self.refused = r.reason
                    return
                except (OSError, asyncio.IncompleteReadError, TimeoutError, wire.FrameError):
                    pass
                self._lost()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), pause)
                pause = min(pause * 2, BACKOFF[1])
        finally:
            poller.cancel()
            self._lost()
            if self.replica.dirty:
                self._flush()

    def _lost(self) -> None:
        self.register_pending = False
        self._copy = []
        if self.online:
            self.offline_since = iso(self.clock.now())
        self.online = False
        self.caught_up = False
        if self._writer is not None:
            self._writer.close()
        self._writer = None

    async def _poll(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self._publish()
            await asyncio.sleep(POLL_EVERY)

    async def _session(self, stop: asyncio.Event) -> None:
        reader, writer = await _open(self.pairing)
        try:
            welcome = await _hello(reader, writer, {
                "secret": self.pairing.secret, "room": self.room,
                "meeting": self.meeting.code, "desk": self.desk, "instance": self.instance,
                "seq": self.own_seq, "key": identity.public_of(self.sign_key)})
            self._ack(welcome.get("have"))
            self._writer = writer
            self._register_announced(welcome.get("register"))
            self.online = True
            self.last_contact = iso(self.clock.now())
            self._publish()
            writer.write(wire.frame(wire.YSYNC, create_sync_message(self.replica.doc)))
            stopper = asyncio.create_task(stop.wait())
            try:
                await self._receive(reader, writer, stopper)
            finally:
                stopper.cancel()
        finally:
            writer.close()

    async def _receive(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                       stopper: asyncio.Task[Any]) -> None:
        last_status = time.monotonic()
        while True:
            read = asyncio.create_task(wire.read_frame(reader))
            done, _ = await asyncio.wait({read, stopper}, timeout=IDLE_TIMEOUT,
                                         return_when=asyncio.FIRST_COMPLETED)
            if read not in done:
                read.cancel()
                if stopper in done:
                    return
                raise TimeoutError("host silent")
            kind, payload = read.result()
            self.last_contact = iso(self.clock.now())
            if kind == wire.YSYNC and len(payload) > 1 and payload[0] == YMessageType.SYNC:
                self._sync_message(payload[1:], writer)
            elif kind == wire.COPY and self.register_pending:
                self._copy.append(payload)
            elif kind == wire.CONTROL:
                msg = wire.parse_control(payload)
                if msg["t"] == "ack":
                    self._ack(msg.get("have"))
                elif msg["t"] == "refused":
                    raise Refused(str(msg.get("reason", "")))
                elif msg["t"] == "rejected":     # the host refused an update of ours
                    self.rejected = str(msg.get("reason", ""))[:40]
                    self._conflict(self.rejected, str(msg.get("event", ""))[:80])
                    raise wire.FrameError(f"host refused an update ({self.rejected})")
                elif msg["t"] == "register":
                    self._register_announced(msg.get("version"))
                elif msg["t"] == "register_done" and self.register_pending:
                    self._take_register(msg)
            if time.monotonic() - last_status > STATUS_EVERY:
                last_status = time.monotonic()
                writer.write(wire.control({"t": "status", "seq": self.own_seq}))
            await writer.drain()

    def _sync_message(self, message: bytes, writer: asyncio.StreamWriter) -> None:
        """One y-sync message from the host; an update passes the gate (app.sync.gate) before
        it touches the document. A refused one is audited here and left out; if the desk lacked
        a key the host has certified since, it asks again once its register is refreshed."""
        if message[0] == YSyncMessageType.SYNC_STEP1:
            reply = wire.sync_reply(message, self.replica.doc)
            if reply is not None:
                writer.write(wire.frame(wire.YSYNC, reply))
            return
        update = wire.sync_update(message)
        refusal = self.gate.admit(update)
        if refusal is not None and refusal.reason == "unknown_signer":
            self._resync = True     # a desk certified since this desk's register: not audited
            return
        if refusal is not None:
            self._conflict(refusal.reason, refusal.key)
            self._refused_update(refusal.reason, refusal.key or refusal.detail)
            return
        self._remote = True
        try:
            self.replica.receive(update)
        finally:
            self._remote = False
        if message[0] == YSyncMessageType.SYNC_STEP2:
            self.caught_up = True
        self._schedule_flush()

    def _refused_update(self, reason: str, detail: str) -> None:
        self.rejected = reason
        at = iso(self.clock.now())
        if self.refusals.admit("host", reason, time.monotonic(), at):
            with transaction(self.conn):
                append(self.conn, at=at, actor=self.desk, action=ONE, meeting_id=self.meeting.id,
                       outcome="refused", detail={"address": "host", "reason": reason,
                                                  "desk": self.desk, "event": detail})

    # --- the register, refreshed from the host (app.sync.register) ------------------------------

    def _register_announced(self, version: object) -> None:
        if (isinstance(version, str) and version and version != self.register_version
                and not self.register_pending and self._writer is not None):
            self.register_pending = True
            self._copy = []
            self._writer.write(wire.control({"t": "register_get"}))

    def _take_register(self, done: dict[str, Any]) -> None:
        # register_pending stays True until the copy is in the database: `pollday desk` (another
        # thread) waits for it to go False and then signs in, and a person added on the host
        # was "not on the register" when it went False before register.take had written
        # (tests/e2e/test_sync_register.py, 1 in a full run)
        data, self._copy = b"".join(self._copy), []
        if hashlib.sha256(data).hexdigest() != done.get("sha256"):
            raise wire.FrameError("register copy damaged in transit")
        if done.get("encoding") == "zlib":
            inflate = zlib.decompressobj()
            data = inflate.decompress(data, MAX_REGISTER)
            if inflate.unconsumed_tail or not inflate.eof:
                raise wire.FrameError("register copy too large or cut short")
        tmp = self.db_path.with_name(self.db_path.name + ".register")
        try:
            tmp.write_bytes(data)
            change = register.take(self.conn, tmp, desk=self.desk, clock=self.clock)
        except (OSError, sqlite3.OperationalError) as exc:   # disk full, locked: try again soon
            self.register_pending = False
            self.register_note = f"名册暂未能按主机更新（{exc}），稍后重试"
            asyncio.get_running_loop().call_later(RETRY_REGISTER, self._register_announced,
                                                  done.get("version"))
            return
        except (ValueError, sqlite3.Error) as exc:   # another version of PollDay on the host
            self.register_pending = False
            self.register_note = f"名册未能按主机更新：{exc}"
            self.register_version = str(done.get("version", ""))   # do not ask again and again
            return
        finally:
            tmp.unlink(missing_ok=True)
        self.register_version = change.version
        self.register_note = f"{self.clock.now():%H:%M} {register.describe(change)}"
        self.register_pending = False
        if self._resync and self._writer is not None:   # keys arrived: ask for what was refused
            self._resync = False
            self._writer.write(wire.frame(wire.YSYNC, create_sync_message(self.replica.doc)))

    def _ack(self, have: object) -> None:
        if isinstance(have, dict) and isinstance(have.get(self.desk, 0), int):
            acked = int(have.get(self.desk, 0))
            if acked > self.acked:
                self.acked = acked
                self._schedule_flush()
        self._wake.set()

    def close(self) -> None:
        from app.attendance import forget

        forget(self.conn)
        self.conn.close()


def shared(st: DeskStatus) -> bool:
    """Everything of this desk is at the host and the desk has the host's register."""
    return (st.online and st.caught_up and st.unshared == 0 and not st.register_pending
            and not st.conflict)
