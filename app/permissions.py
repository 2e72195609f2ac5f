"""Who may do what: ONE table (action code → roles allowed, its Chinese name, who may, in
Chinese), the person doing it (`Actor`) and the check every use case makes.

OPEN MODE: a database with no staff list (new, upgraded from before staff lists, or the demo)
works as before: the operator is free text and nothing is refused here. Once a staff list
exists every action in PERMISSIONS needs a signed-on member (a verified `Actor`) holding one of
its roles; a refusal names who may do it and changes nothing.

`Actor` is a `str` (the person's name, which is what goes into every audit row and event as the
operator) carrying the roles of a member whose PIN was checked (app.staff.sign_on). A plain str
operator is an unverified name: fine in open mode, refused once a staff list exists.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from db import staff as q


class Role(StrEnum):
    HOST = "host"              # 主持人 (also 管理员: the staff list, setup)
    DESK = "desk"              # 签到员
    TELLER = "teller"          # 计票人
    SCRUTINEER = "scrutineer"  # 监票人 (the 总监票人 is a scrutineer with the chief flag)
    WORKER = "worker"          # 工作人员 (no action of its own: named in the audit)


ROLE_ZH: dict[Role, str] = {
    Role.HOST: "主持人",
    Role.DESK: "签到员",
    Role.TELLER: "计票人",
    Role.SCRUTINEER: "监票人",
    Role.WORKER: "工作人员",
}
CHIEF_ZH = "总监票人"


class Actor(str):
    """The person doing an action: their name (a str, as `operator` always was) plus the roles of
    a staff member whose PIN was checked. Made by app.staff.sign_on (verified) or `Actor.open`
    (open mode: free text, no roles, not verified)."""

    roles: frozenset[Role]
    chief: bool
    verified: bool
    person_id: int | None

    def __new__(cls, name: str, roles: frozenset[Role] = frozenset(), *, chief: bool = False,
                verified: bool = False, person_id: int | None = None) -> Actor:
        self = super().__new__(cls, name)
        self.roles = frozenset(roles)
        self.chief = chief
        self.verified = verified
        self.person_id = person_id
        return self

    # The name passes through the str() and strip() calls callers already make (the CLI's
    # `str(args.operator).strip()`) without losing who signed on.
    def __str__(self) -> str:
        return self

    def strip(self, chars: str | None = None) -> str:
        plain = str.strip(self, chars)
        return self if plain == str.__str__(self) else plain

    @property
    def name(self) -> str:
        return str.__str__(self)

    def has(self, role: Role) -> bool:
        return self.verified and role in self.roles

    def roles_zh(self) -> str:
        """主持人、监票人（总监票人） — for the status bar and the staff list."""
        words = [ROLE_ZH[r] + (f"（{CHIEF_ZH}）" if r is Role.SCRUTINEER and self.chief else "")
                 for r in Role if r in self.roles]
        return "、".join(words)

    @classmethod
    def open(cls, name: str) -> Actor:
        return cls(name)


@dataclass(frozen=True, slots=True)
class Permission:
    code: str
    roles: frozenset[Role]
    name_zh: str      # 撤销签到
    who_zh: str       # 只有主持人可以撤销其他签到台的签到
    two_person: bool = False


def _p(code: str, roles: set[Role], name_zh: str, who_zh: str, two: bool = False
       ) -> tuple[str, Permission]:
    return code, Permission(code, frozenset(roles), name_zh, who_zh, two)


H, D, T, S = Role.HOST, Role.DESK, Role.TELLER, Role.SCRUTINEER

PERMISSIONS: dict[str, Permission] = dict([
    # 签到台
    _p("sign_in", {D, H}, "签到", "签到员或主持人"),
    _p("sign_out", {D, H}, "中途退场/返回会场", "签到员或主持人"),
    _p("undo_own_desk", {D, H}, "撤销本签到台的签到", "签到员（本签到台的签到；未加入主机的电脑上为本人记录的签到）或主持人"),
    _p("undo_any", {H}, "撤销其他签到台的签到", "主持人"),
    _p("lift_exclusion", {H}, "撤销不计入应到", "主持人"),
    _p("resolve_duplicate", {H}, "处理重复签到", "主持人"),
    _p("revoke_proxy", {H}, "撤销委托", "主持人"),
    _p("open_voting", {H}, "宣布开始投票（固定实到人数）", "主持人"),
    # 准备 and the day's management
    _p("setup", {H}, "修改选举设置（会议、名册、职位、候选人、不计入应到、请假、委托、签到台）", "主持人"),
    _p("staff", {H}, "管理工作人员名单", "主持人"),
    _p("rules_correction", {H}, "投票开始后更正会议规则、形式或计票选项", "主持人（须写明原因）"),
    _p("open_round", {H}, "开始投票轮次（含下一轮）", "主持人"),
    _p("round_manage", {H}, "指定监票人/计票人、结束或重开轮次、决定不再补选", "主持人"),
    _p("export", {H}, "导出报送包", "主持人"),
    _p("backup", {H}, "备份数据库", "主持人"),
    _p("host_mode", {H}, "开启联网签到主机", "主持人"),
    # 计票
    _p("enter_ballots", {T}, "录入选票或计票单（录入组A/B）",
       "计票人（A组和B组须为不同的人；本轮指定了计票人的，只限指定的人）"),
    _p("resolve_difference", {S}, "裁定两组录入的差异",
       "监票人（不能是本轮录入A/B组的人；本轮指定了监票人的，只限指定的人）"),
    _p("box_figures", {S}, "登记票箱发票/收票数", "监票人"),
    _p("adjudicate_ballot", {S}, "认定扫描中存疑或无效的选票",
       "监票人（存疑票、无效票须两名不同的监票人或总监票人和一名监票人）", two=True),
    _p("lock_result", {S}, "锁定结果", "两名不同的监票人（或总监票人和一名监票人）各自输入PIN",
       two=True),
    _p("unlock_result", {S}, "解锁结果", "总监票人（须写明原因）"),
])


@dataclass(frozen=True, slots=True)
class Denied:
    """A refused action: `message` says what and who may do it, in Chinese."""

    code: str          # the action code
    message: str


def enforced(conn: sqlite3.Connection) -> bool:
    """True once the database has a staff list (an active member); the demo stays open."""
    from app import session

    return q.any_active(conn) and not session.is_demo(conn)


# The demo venue runs in open mode even with a staff list (GUI and CLI alike, through
# `enforced`): said wherever the list is seen there, so a trainee knows no PIN is checked.
DEMO_LIST_OPEN = ("本演示数据库虽有工作人员名单，但演示会场始终为开放模式，无需登录：图形界面和命令行都不"
                  "检查工作人员和PIN。练习登录和PIN请用“文件 → 新建选举数据库…”（命令行：pollday "
                  "staff --db 新文件 add …）建一个非演示数据库")


def demo_list_note(conn: sqlite3.Connection) -> str | None:
    """DEMO_LIST_OPEN where the demo has a staff list that is not enforced, else None."""
    from app import session

    return DEMO_LIST_OPEN if session.is_demo(conn) and q.any_active(conn) else None


def _who(p: Permission) -> str:
    return f"「{p.name_zh}」只有{p.who_zh}可以操作"


def denied_words(code: str, operator: str | None = None, *, who: str = "") -> str:
    """Why `operator` may not do `code`; `who` in place of 「action」只有…可以操作 when the
    action is a narrower one than the permission's."""
    p = PERMISSIONS[code]
    who = who or _who(p)
    if not isinstance(operator, Actor) or not operator.verified:
        # What is missing first: told the action's category first, a clerk printing ballots
        # read 「修改选举设置…」 and missed the option at the end.
        return ("未说明由谁操作：请先选择本人姓名并输入PIN登录（命令行：加 --operator 姓名，"
                f"PIN 由环境变量 POLLDAY_PIN 提供或在终端输入）。{who}")
    mine = operator.roles_zh() or "无角色"
    return f"{who}；{operator.name}（{mine}）不能操作"


def check(conn: sqlite3.Connection, code: str, operator: str | None) -> Denied | None:
    """None when `operator` may do `code` here (always, in open mode); else what to say."""
    p = PERMISSIONS[code]
    if not enforced(conn):
        return None
    if not isinstance(operator, Actor) or not operator.verified:
        return Denied(code, denied_words(code, operator))
    # The member as the list holds them now: one taken off the list since signing on (or
    # signed on with another database's list) no longer acts; the roles are the list's.
    from app.staff import as_listed

    now = as_listed(conn, operator)
    if now is None:
        return Denied(code, f"{_who(p)}：{operator.name} 已不在工作人员名单中")
    if _holds(p, now.roles, now.chief):
        return None
    return Denied(code, denied_words(code, now))


def _holds(p: Permission, roles: frozenset[Role], chief: bool) -> bool:
    """A member with `roles` (and the 总监票人 flag `chief`) may do `p`: a role of it, and for
    the unlock the 总监票人."""
    return bool(roles & p.roles) and (p.code != "unlock_result" or chief)


def who_may(conn: sqlite3.Connection, code: str, *, but: str = "") -> list[str]:
    """The names of the listed members who may do `code`, in the order they were added (the
    names a sign-on dialog offers: the 监票人 for the lock, the 总监票人 for the unlock); `but`
    (a name) left out, as the second 监票人 of a lock is not the first."""
    p = PERMISSIONS[code]
    return [r.name for r in q.active(conn)
            if r.name != but and _holds(p, frozenset(Role(x) for x in r.roles), r.chief)]


def check_path(db_path: Path, code: str, operator: str | None) -> Denied | None:
    """`check` for a use case given a database file (export, backup, host mode): read-only."""
    from db.connection import connect_read_only

    if not db_path.exists():   # no such file: the use case says why (and writes nothing)
        return None
    p = PERMISSIONS[code]

    def unreadable(e: sqlite3.Error) -> Denied:   # fail closed: who may act cannot be read
        return Denied(code, f"「{p.name_zh}」无法确认操作权限：读不出 {db_path.name} "
                      f"的工作人员名单（{e}），未执行；请检查文件是否损坏或被占用")

    try:
        # Read-only, and immutable where a WAL database's folder cannot be written (a
        # write-protected stick: a plain read-only open is refused there for want of -shm).
        conn = connect_read_only(db_path)
    except sqlite3.Error as e:
        return unreadable(e)
    try:
        return check(conn, code, operator)
    except sqlite3.Error as e:   # unreadable or not an election database
        return unreadable(e)
    finally:
        conn.close()


def name_key(name: str) -> str:
    """Names that are one person's under two spellings share this key: spaces (full-width too),
    full-width letters, case and the dots of a transcribed name (·) do not count."""
    plain = unicodedata.normalize("NFKC", name).casefold()
    return "".join(ch for ch in plain if not ch.isspace() and ch not in "·・•.")


def check_two(conn: sqlite3.Connection, code: str, first: str | None, second: str | None
              ) -> Denied | None:
    """A two-person action (lock): two different verified members, both with a role of `code`
    (for the lock: two 监票人, or the 总监票人 and one 监票人)."""
    if not enforced(conn):
        return None
    p = PERMISSIONS[code]
    for one in (first, second):
        if one is None:
            return Denied(code, f"{_who(p)}：还需要第二个人输入PIN")
        refused = check(conn, code, one)
        if refused is not None:
            return refused
    if str(first) == str(second):
        return Denied(code, f"{_who(p)}：两个人必须不同（{first} 输入了两次）")
    row1, row2 = q.by_name(conn, str(first)), q.by_name(conn, str(second))
    if row1 is not None and row2 is not None and (
            name_key(row1.name) == name_key(row2.name)
            or (row1.person_id is not None and row1.person_id == row2.person_id)):
        return Denied(code, f"{_who(p)}：两个人必须不同（{row1.name} 和 {row2.name} 是同一人）")
    return None


def table_rows() -> list[tuple[str, str, str]]:
    """(action code, 操作, 谁可以) for the README and the GUI's help."""
    return [(p.code, p.name_zh, p.who_zh) for p in PERMISSIONS.values()]
