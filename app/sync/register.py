"""The register on a desk, kept equal to the host's (名册同步).

The host owns the register: a person added or corrected there, a leave (请假) phoned in or an
exclusion (不计入应到) approved after the desks joined reaches every desk. The host announces a
digest of its register tables (`db.sync.register_version`) in its welcome and whenever it
changes; a desk whose last taken version differs asks for a copy of the host's register tables
(`db.sync.copy_register_for_desk`, sent zlib-compressed) and takes what differs from it in one
transaction (`db.sync.merge_register`). The desk's own attendance events are never touched. Each
refresh is audited on the desk."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

from app.attendance.view import lock as view_lock
from app.clock import Clock, iso
from db import settings
from db import sync as q
from db.audit import append
from db.connection import connect
from db.sync import RegisterChange
from db.tx import transaction

VERSION_SETTING = "sync.register_version"
ACTION = "sync_register_refreshed"


def taken_version(conn: sqlite3.Connection) -> str:
    """The host's register version this desk last took ('' if never recorded)."""
    return settings.get(conn, VERSION_SETTING) or ""


def record_joined(conn: sqlite3.Connection) -> None:
    """At join the desk's copy is the host's register: remember its version."""
    settings.put(conn, VERSION_SETTING, q.register_version(conn))


def version_of(db_path: Path) -> str:
    """The register version of a database file, through a connection of its own (the host
    computes it on a worker thread)."""
    conn = connect(db_path, create=False, migrate_schema=False)
    try:
        return q.register_version(conn)
    finally:
        conn.close()


def take(conn: sqlite3.Connection, host_copy: Path, *, desk: str, clock: Clock) -> RegisterChange:
    """Take the register of `host_copy` into the desk's database (one transaction, audited)."""
    with view_lock(conn):   # the attendance view is rebuilt after the audit row below
        q.attach_host_copy(conn, host_copy)
        try:
            with transaction(conn):
                change = q.merge_register(conn)
                settings.put(conn, VERSION_SETTING, change.version)
                append(conn, at=iso(clock.now()), actor=desk, action=ACTION,
                       detail=dataclasses.asdict(change))
        finally:
            q.detach_host_copy(conn)
    return change


LIST_ZH = {"meeting_elector": "选举人", "exclusion": "不计入应到", "leave": "请假",
           "proxy": "委托", "desk": "签到台设置", "staff": "工作人员名单"}


def describe(change: RegisterChange) -> str:
    """What the desk's banner says after a refresh."""
    parts = [f"{label} {n} 人" for label, n in (("新增", change.added), ("修改", change.changed),
                                                ("删除", change.removed)) if n]
    if change.lists:
        parts.append("、".join(LIST_ZH.get(t, t) for t in change.lists) + "有变")
    text = "名册已按主机更新：" + ("，".join(parts) if parts else "无实质变化")
    if change.kept:
        text += f"（{change.kept} 人主机已删除，但本台已有其签到记录，保留）"
    return text
