"""The staff list (工作人员名单) and PIN sign-on: add, list, reset a PIN, remove, sign on.

PINs are stored only as a salted scrypt hash (hashlib.scrypt; parameters kept with each hash so
they can be raised later). One guess costs ≥ 50 ms (`pollday bench` pin_guess_ms). Wrong PINs are
throttled with a growing delay kept in the database (THROTTLE_FREE tries, then a delay doubling
from THROTTLE_FIRST_S to THROTTLE_MAX_S), each wrong PIN audited. The first member is the
主持人 (管理员); after that only a signed-on 主持人 manages the list (app.permissions).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from app.clock import Clock, iso
from app.meetings.core import Refusal
from app.permissions import CHIEF_ZH, ROLE_ZH, Actor, Role, check, name_key
from db import persons as db_persons
from db import settings as db_settings
from db import staff as q
from db.audit import append
from db.tx import transaction

# scrypt cost: N=2**15, r=8 (32 MiB of memory) is ~70 ms on a 2020s laptop core.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 15, 8, 1
_MAXMEM = 2 ** 26
PIN_MIN, PIN_MAX = 6, 12
THROTTLE_FREE = 3          # wrong PINs without a wait
THROTTLE_FIRST_S = 5       # then 5 s, 10 s, 20 s ... doubling
THROTTLE_MAX_S = 300       # up to 5 minutes per further try


@dataclass(frozen=True, slots=True)
class Member:
    """A staff member as the list shows them (never the hash)."""

    id: int
    name: str
    roles: tuple[Role, ...]
    chief: bool
    person_id: int | None
    failed: int
    locked_until: str

    @property
    def roles_zh(self) -> str:
        return Actor(self.name, frozenset(self.roles), chief=self.chief, verified=True).roles_zh()


def hash_pin(pin: str, salt: bytes, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P
             ) -> str:
    return hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM,
                          dklen=32).hex()


def throttle_delay_s(failed: int) -> int:
    """Seconds to wait before the next try after `failed` wrong PINs in a row."""
    if failed < THROTTLE_FREE:
        return 0
    return int(min(THROTTLE_FIRST_S * 2 ** (failed - THROTTLE_FREE), THROTTLE_MAX_S))


def pin_problem(pin: str) -> str | None:
    """Why this PIN is not accepted, or None."""
    if not (pin.isascii() and pin.isdigit()) or not PIN_MIN <= len(pin) <= PIN_MAX:
        return f"PIN须为{PIN_MIN}–{PIN_MAX}位数字"
    if len(set(pin)) == 1 or pin in "0123456789012" or pin in "9876543210987":
        return "这个PIN太容易猜到（同一数字或连续数字），请换一个"   # never echo a PIN, even in part
    return None


def _member(r: q.StaffRow) -> Member:
    return Member(id=r.id, name=r.name, roles=tuple(Role(x) for x in r.roles), chief=r.chief,
                  person_id=r.person_id, failed=r.failed, locked_until=r.locked_until)


def list_staff(conn: sqlite3.Connection) -> list[Member]:
    return [_member(r) for r in q.active(conn)]


def has_staff(conn: sqlite3.Connection) -> bool:
    """The database has a staff list (an active member), without reading the list."""
    return q.any_active(conn)


def _roles(roles: Iterable[Role | str]) -> tuple[Role, ...] | Refusal:
    out: list[Role] = []
    for x in roles:
        try:
            role = Role(x)
        except ValueError:
            by_zh = {v: k for k, v in ROLE_ZH.items()}
            if x not in by_zh:
                return Refusal("NO_SUCH_ROLE", f"没有这个角色：{x}（可选：{'、'.join(ROLE_ZH.values())}）")
            role = by_zh[str(x)]
        if role not in out:
            out.append(role)
    return tuple(r for r in Role if r in out)


def _new_hash(pin: str) -> tuple[str, str]:
    salt = os.urandom(16)
    return hash_pin(pin, salt), salt.hex()


def add_staff(conn: sqlite3.Connection, name: str, roles: Iterable[Role | str], pin: str, *,
              actor: str, clock: Clock, chief: bool = False, person_id: int | None = None
              ) -> Member | Refusal:
    """Add a member. The first member of a list is the 主持人 (the role is added). A register
    person who is a candidate can never be 计票人/监票人."""
    name = name.strip()
    got = _roles(roles)
    if isinstance(got, Refusal):
        return got
    if not name or ":" in name:
        return Refusal("NAME", "姓名不能为空，也不能含“:”")
    bad = pin_problem(pin)
    if bad:
        return Refusal("PIN", f"{name}：{bad}")
    first = not q.active(conn)
    if first and Role.HOST not in got:
        got = (Role.HOST, *got)
    if not got:
        return Refusal("NO_ROLE", f"{name}：至少选一个角色")
    if chief and Role.SCRUTINEER not in got:
        return Refusal("CHIEF", f"{CHIEF_ZH}须同时是监票人：{name}")
    h, salt = _new_hash(pin)   # slow: before the write transaction
    with transaction(conn):
        denied = None if first else check(conn, "staff", actor)
        if denied:
            return Refusal("NOT_ALLOWED", denied.message)
        if q.by_name(conn, name) is not None:
            return Refusal("NAME_TAKEN", f"工作人员名单中已有 {name}")
        # One person is one member (else they could be both people of a two-person action)
        for other in q.active(conn):
            if name_key(other.name) == name_key(name):
                return Refusal("NAME_TAKEN", f"工作人员名单中已有 {other.name}（{name} 与之只差"
                               "空格、全角或大小写，是同一人）")
            if person_id is not None and other.person_id == person_id:
                return Refusal("PERSON_TAKEN", f"名册中的这个人已在工作人员名单中（{other.name}），"
                               "一人只能有一个名字和一个PIN")
        if person_id is not None and db_persons.get_person(conn, person_id) is None:
            return Refusal("NO_SUCH_PERSON", f"名册中没有编号 {person_id}")
        clash = _candidate_clash(conn, name, person_id, got)
        if clash:
            return clash
        at = iso(clock.now())
        sid = q.insert(conn, name=name, roles=tuple(r.value for r in got), chief=chief,
                       person_id=person_id, pin_hash=h, pin_salt=salt, n=SCRYPT_N, r=SCRYPT_R,
                       p=SCRYPT_P, at=at, by=str(actor) or name)
        append(conn, at=at, actor=str(actor) or name, action="staff_added",
               detail={"staff_id": sid, "name": name, "roles": [r.value for r in got],
                       "chief": chief, "person_id": person_id, "first": first})
        row = q.by_name(conn, name)
    assert row is not None
    return _member(row)


def _candidate_clash(conn: sqlite3.Connection, name: str, person_id: int | None,
                     roles: tuple[Role, ...], shown: str = "") -> Refusal | None:
    """The rule of app.voting.rounds.set_officials (a candidate is never 监票人/计票人), checked
    when the roles are given."""
    if not {Role.TELLER, Role.SCRUTINEER} & set(roles):
        return None
    contests = q.candidate_contests(conn, person_id, name)
    if contests:
        return Refusal("OFFICIAL_IS_CANDIDATE", f"监票人、计票人不得由候选人担任：{shown or name} 是"
                       f"「{'、'.join(contests)}」的候选人")
    return None


def _member_to_change(conn: sqlite3.Connection, name: str, actor: str
                      ) -> q.StaffRow | Refusal:
    """The listed member a 主持人's change is about, or why not: the actor may not change the
    staff list, or nobody of that name is on it. Called inside the change's transaction."""
    denied = check(conn, "staff", actor)
    if denied:
        return Refusal("NOT_ALLOWED", denied.message)
    row = q.by_name(conn, name.strip())
    if row is None:
        return Refusal("NO_SUCH_STAFF", f"工作人员名单中没有 {name}")
    return row


def reset_pin(conn: sqlite3.Connection, name: str, pin: str, *, actor: str, clock: Clock
              ) -> Member | Refusal:
    """A forgotten PIN: the 主持人 sets a new one (the wrong-PIN count starts again)."""
    bad = pin_problem(pin)
    if bad:
        return Refusal("PIN", f"{name}：{bad}")
    h, salt = _new_hash(pin)
    with transaction(conn):
        row = _member_to_change(conn, name, actor)
        if isinstance(row, Refusal):
            return row
        q.set_pin(conn, row.id, pin_hash=h, pin_salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
        append(conn, at=iso(clock.now()), actor=str(actor), action="staff_pin_reset",
               detail={"staff_id": row.id, "name": row.name})
        db_settings.put(conn, _must_change_key(row.id), "1")   # the member picks their own next
        after = q.by_name(conn, row.name)
    assert after is not None
    return _member(after)


def _must_change_key(staff_id: int) -> str:
    # A setting, not a column: kept out of the package and the desks' copies like the PINs.
    return f"staff.must_change_pin.{staff_id}"


def must_change_pin(conn: sqlite3.Connection, name: str) -> bool:
    """True after a 主持人 reset `name`'s PIN until they change it themselves (the 主持人 knows
    the reset PIN: a two-person action is two people only once each chose their own)."""
    try:
        row = q.by_name(conn, name.strip())
        return row is not None and db_settings.get(conn, _must_change_key(row.id)) == "1"
    except sqlite3.Error:
        return False


def change_own_pin(conn: sqlite3.Connection, name: str, current: str, new: str, *,
                   clock: Clock, where: str = "") -> Member | Refusal:
    """A member changes their own PIN: the current PIN is checked as at sign-on (a wrong one is
    counted, throttled and audited the same way), the new one must pass `pin_problem` and
    differ from the current one. Audited `staff_pin_changed` by the member themselves."""
    from app.permissions import enforced

    if not enforced(conn):
        return Refusal("OPEN_MODE", "开放模式（没有工作人员名单，或演示数据库）不检查PIN，无需修改")
    bad = pin_problem(new)
    if bad:
        return Refusal("PIN", f"新PIN：{bad}")
    who = sign_on(conn, name, current, clock=clock, where=where)
    if isinstance(who, Refusal):
        return who
    if hmac.compare_digest(new.encode("utf-8"), current.encode("utf-8")):
        return Refusal("PIN", "新PIN与当前PIN相同，请换一个")
    h, salt = _new_hash(new)   # slow: before the write transaction
    with transaction(conn):
        row = q.by_name(conn, who.name)
        if row is None:
            return Refusal("NO_SUCH_STAFF", f"工作人员名单中没有 {who.name}")
        q.set_pin(conn, row.id, pin_hash=h, pin_salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
        db_settings.put(conn, _must_change_key(row.id), "")
        append(conn, at=iso(clock.now()), actor=row.name, action="staff_pin_changed",
               detail={"staff_id": row.id, "name": row.name, "where": where})
        after = q.by_name(conn, row.name)
    assert after is not None
    return _member(after)


def remove_staff(conn: sqlite3.Connection, name: str, *, actor: str, clock: Clock
                 ) -> Member | Refusal:
    """Take a member off the list (the audit keeps their name). The last 主持人 stays."""
    with transaction(conn):
        row = _member_to_change(conn, name, actor)
        if isinstance(row, Refusal):
            return row
        hosts = [r for r in q.active(conn) if Role.HOST.value in r.roles]
        if Role.HOST.value in row.roles and len(hosts) == 1:
            return Refusal("LAST_HOST", f"{row.name} 是名单中唯一的主持人，不能删除")
        q.remove(conn, row.id, at=iso(clock.now()), by=str(actor))
        append(conn, at=iso(clock.now()), actor=str(actor), action="staff_removed",
               detail={"staff_id": row.id, "name": row.name})
    return _member(row)


def edit_staff(conn: sqlite3.Connection, name: str, *, roles: Iterable[Role | str], chief: bool,
               person_id: int | None, actor: str, clock: Clock) -> Member | Refusal:
    """The 主持人 changes a member's roles, 总监票人 flag and linked register person (None
    unlinks); the PIN stays. A candidate never becomes 计票人/监票人 and the last 主持人 keeps
    the role. Audited with before and after; a refusal writes nothing."""
    got = _roles(roles)
    if isinstance(got, Refusal):
        return got
    name = name.strip()
    if not got:
        return Refusal("NO_ROLE", f"{name}：至少选一个角色")
    if chief and Role.SCRUTINEER not in got:
        return Refusal("CHIEF", f"{CHIEF_ZH}须同时是监票人：{name}")
    with transaction(conn):
        row = _member_to_change(conn, name, actor)
        if isinstance(row, Refusal):
            return row
        new_roles = tuple(r.value for r in got)
        if (new_roles, chief, person_id) == (row.roles, row.chief, row.person_id):
            return Refusal("UNCHANGED", f"{row.name} 的角色、{CHIEF_ZH}和名册人员没有改动")
        hosts = [r for r in q.active(conn) if Role.HOST.value in r.roles]
        if Role.HOST.value in row.roles and Role.HOST not in got and len(hosts) == 1:
            return Refusal("LAST_HOST", f"{row.name} 是名单中唯一的主持人，不能取消其主持人角色"
                           "（先让另一人成为主持人）")
        person = None
        if person_id is not None:
            person = db_persons.get_person(conn, person_id)
            if person is None:
                return Refusal("NO_SUCH_PERSON", f"名册中没有编号 {person_id}")
            other = next((r for r in q.active(conn)
                          if r.person_id == person_id and r.id != row.id), None)
            if other is not None:   # one person is one member (as add_staff)
                return Refusal("PERSON_TAKEN", f"名册中的 {person.name} 已在工作人员名单中"
                               f"（{other.name}），一人只能有一个名字和一个PIN")
        shown = row.name if person is None or person.name == row.name else \
            f"{row.name}（名册人员 {person.name}）"
        clash = _candidate_clash(conn, row.name, person_id, got, shown=shown)
        if clash:
            return clash
        was_person = None
        if row.person_id is not None:
            was = db_persons.get_person(conn, row.person_id)
            was_person = was.name if was is not None else str(row.person_id)
        q.set_roles(conn, row.id, roles=new_roles, chief=chief, person_id=person_id)
        detail: dict[str, object] = {
            "staff_id": row.id, "name": row.name, "roles_before": list(row.roles),
            "roles": list(new_roles), "chief": chief, "person_id": person_id}
        if chief != row.chief:
            detail["chief_change"] = "on" if chief else "off"
        if person_id != row.person_id:
            detail["link_change"] = [was_person, person.name if person else None]
        append(conn, at=iso(clock.now()), actor=str(actor), action="staff_edited",
               detail=detail)
        fresh = q.by_name(conn, row.name)
    assert fresh is not None
    return _member(fresh)


def as_listed(conn: sqlite3.Connection, actor: str) -> Actor | None:
    """The signed-on member with the roles the list holds now (edited since they signed on),
    or None when `actor` is not a verified member still on the list."""
    if not isinstance(actor, Actor) or not actor.verified:
        return None
    row = q.by_name(conn, actor.name)
    if row is None:
        return None
    return Actor(row.name, frozenset(Role(x) for x in row.roles), chief=row.chief,
                 verified=True, person_id=row.person_id)


SIGN_ON_HOW = ("sign_on", "switch", "unlock", "second")
_SIGNED_ON, _LOCKED, _SIGNED_OFF = 0, 1, 2
_SESSION_CODES = ("staff_signed_on", "staff_locked", "staff_signed_off")


def _record(conn: sqlite3.Connection, kind: int, actor: str, at: str,
            detail: dict[str, object]) -> bool:
    """One sign-on/lock/sign-off row; False when the file cannot be written (a read-only
    copy records nothing at all, so nobody can change anything unrecorded there)."""
    try:
        with transaction(conn):
            append(conn, at=at, actor=actor, action=_SESSION_CODES[kind], detail=detail)
    except sqlite3.OperationalError as exc:
        if "readonly" not in str(exc):
            raise
        return False
    return True


def record_lock(conn: sqlite3.Connection, actor: str, *, where: str, minutes: int,
                clock: Clock) -> bool:
    """The idle lock closed `where` while `actor` was signed on (audited)."""
    name = getattr(actor, "name", str(actor))
    return _record(conn, _LOCKED, name, iso(clock.now()),
                   {"name": name, "where": where, "minutes": minutes})


def record_sign_off(conn: sqlite3.Connection, actor: str, *, where: str, clock: Clock,
                    closed: bool = False) -> bool:
    """`actor` signed off at `where` (退出登录, or `closed`: the window or database closed with
    them signed on; audited)."""
    name = getattr(actor, "name", str(actor))
    detail: dict[str, object] = {"name": name, "where": where}
    if closed:
        detail["closed"] = True
    return _record(conn, _SIGNED_OFF, name, iso(clock.now()), detail)


def _locked_until(row: q.StaffRow, now: dt.datetime) -> dt.datetime | None:
    if not row.locked_until:
        return None
    until = dt.datetime.fromisoformat(row.locked_until)
    return until if until > now else None


def sign_on(conn: sqlite3.Connection, name: str, pin: str, *, clock: Clock,
            where: str = "", how: str = "") -> Actor | Refusal:
    """Check `name`'s PIN: the verified Actor, or why not (unknown name, wrong PIN with the
    tries left before a wait, or the wait still running). A wrong PIN is counted and audited
    (`where`: the desk or laptop, or "cli", for the audit). `how` (SIGN_ON_HOW: a sign-on at
    the window, 切换人员, unlocking the idle lock, a second person for a two-person action)
    audits the successful sign-on too; without it (the CLI's per-command check) a right PIN
    writes nothing."""
    name = name.strip()
    row = q.by_name(conn, name)
    if row is None:
        return Refusal("NO_SUCH_STAFF", f"工作人员名单中没有 {name or '（未填姓名）'}")
    if not row.pin_hash:   # a desk holds only the PINs of those who sign on at a desk
        return Refusal("NO_SUCH_STAFF", f"{name} 不在签到台登录（签到台只有签到员和主持人的PIN），"
                       "请在主机或计票电脑上登录")
    now = clock.now()
    until = _locked_until(row, now)
    if until is not None:
        return Refusal("PIN_WAIT", f"{name} 的PIN输错次数过多，请于 {until.strftime('%H:%M:%S')}"
                       f" 后再试（或请主持人重设PIN）")
    got = hash_pin(pin, bytes.fromhex(row.pin_salt), row.pin_n, row.pin_r, row.pin_p)
    if hmac.compare_digest(got, row.pin_hash):
        if row.failed:
            with transaction(conn):
                q.set_throttle(conn, row.id, failed=0, locked_until="")
        if how:
            assert how in SIGN_ON_HOW, how
            _record(conn, _SIGNED_ON, row.name, iso(now),
                    {"staff_id": row.id, "name": row.name, "where": where, "how": how})
        return Actor(row.name, frozenset(Role(x) for x in row.roles), chief=row.chief,
                     verified=True, person_id=row.person_id)
    with transaction(conn):
        fresh = q.by_name(conn, name)
        failed = (fresh.failed if fresh is not None else row.failed) + 1
        wait = throttle_delay_s(failed)
        next_at = iso(now + dt.timedelta(seconds=wait)) if wait else ""
        q.set_throttle(conn, row.id, failed=failed, locked_until=next_at)
        append(conn, at=iso(now), actor=name, action="staff_pin_wrong", outcome="refused",
               detail={"staff_id": row.id, "name": name, "failed": failed, "wait_s": wait,
                       "where": where})
    if wait:
        return Refusal("PIN_WRONG", f"PIN不正确（已连续输错{failed}次），请 {wait} 秒后再试")
    left = THROTTLE_FREE - failed
    return Refusal("PIN_WRONG", f"PIN不正确，还可以再试{left}次，之后每次须等待")


def set_idle_lock(conn: sqlite3.Connection, minutes: int, *, actor: str, clock: Clock
                  ) -> int | Refusal:
    """The minutes without input before a window on this database locks (0 = never): the
    主持人's, like the list itself."""
    from app import session

    denied = check(conn, "staff", actor)
    if denied:
        return Refusal("NOT_ALLOWED", denied.message)
    minutes = max(0, int(minutes))
    if not session.set_idle_lock_minutes(conn, minutes):
        return Refusal("READ_ONLY", "未能保存空闲锁定时间：数据库不能写入")
    return minutes
