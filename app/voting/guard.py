"""Who may count (app.permissions) plus the counting's own rules about people, checked inside
the use cases' transactions: entry A and B by different people; a difference resolved by a
监票人 who entered neither; a result locked by two different 监票人. Only where a staff list exists
(app.permissions.enforced); in open mode the free-text names stand as before."""

from __future__ import annotations

import sqlite3

from app.meetings.core import Refusal
from app.permissions import check, enforced
from db import voting as q

ENTRIES = ("A", "B")


def refused(conn: sqlite3.Connection, code: str, who: str) -> Refusal | None:
    denied = check(conn, code, who)
    return Refusal("NOT_ALLOWED", denied.message) if denied is not None else None


def clerk_refused(conn: sqlite3.Connection, round_id: int, entry: str, clerk: str,
                  label: str) -> Refusal | None:
    """A 计票人 enters A or B; the other entry's clerks may not enter this one."""
    got = refused(conn, "enter_ballots", clerk)
    if got is not None or not enforced(conn) or entry not in ENTRIES:
        return got
    other = ENTRIES[1 - ENTRIES.index(entry)]
    if str(clerk) in q.entry_clerks(conn, round_id, other):
        return Refusal("SAME_CLERK", f"{label}录入组A和B须由不同的人录入：{clerk} 已录入组{other}，"
                       f"组{entry}请由另一名计票人登录后录入")
    return None


def resolver_refused(conn: sqlite3.Connection, round_id: int, actor: str, label: str
                     ) -> Refusal | None:
    """A 监票人 who entered neither A nor B resolves their differences."""
    got = refused(conn, "resolve_difference", actor)
    if got is not None or not enforced(conn):
        return got
    entered = [e for e in ENTRIES if str(actor) in q.entry_clerks(conn, round_id, e)]
    if entered:
        return Refusal("RESOLVER_ENTERED", f"{label}的录入差异须由未参加录入的监票人裁定："
                       f"{actor} 录入了组{'、'.join(entered)}")
    return None


def officials_refused(conn: sqlite3.Connection, scrutineers: list[str], counters: list[str]
                      ) -> list[int] | Refusal:
    """Where a staff list exists, a round's 监票人 and 计票人 are chosen from it with that role.
    Returns the register persons the named members are linked to (for the candidate check of
    app.voting.rounds), or why not."""
    if not enforced(conn):
        return []
    from app.permissions import ROLE_ZH, Role
    from db import staff as qs

    linked: list[int] = []
    for names, role in ((scrutineers, Role.SCRUTINEER), (counters, Role.TELLER)):
        for name in names:
            row = qs.by_name(conn, name)
            if row is None or role.value not in row.roles:
                return Refusal("NOT_STAFF", f"{ROLE_ZH[role]}须从工作人员名单中选择具有该角色的人："
                               f"{name} {'不在名单中' if row is None else '没有' + ROLE_ZH[role] + '角色'}")
            if row.person_id is not None:
                linked.append(row.person_id)
    return linked


def import_refused(conn: sqlite3.Connection, round_id: int, entry: str, actor: str,
                   clerks: set[str], label: str) -> Refusal | None:
    """An entry file from a second laptop (app.voting.transfer): imported by the counting team (a
    计票人 or 监票人); its rows' clerks, claims of an unsigned file, must each be a 计票人 of
    the list who entered nothing of the other entry here (A and B by different people)."""
    if not enforced(conn):
        return None
    from app.permissions import PERMISSIONS, Role, denied_words
    from db import staff as qs

    if check(conn, "enter_ballots", actor) is not None and check(
            conn, "resolve_difference", actor) is not None:
        p = PERMISSIONS["enter_ballots"]
        tail = denied_words("enter_ballots", actor)[len(f"「{p.name_zh}」只有{p.who_zh}可以操作"):]
        return Refusal("NOT_ALLOWED", f"「导入另一台电脑的录入」只有计票人或监票人可以操作{tail}")
    for clerk in sorted(clerks):
        row = qs.by_name(conn, clerk)
        if row is None or Role.TELLER.value not in row.roles:
            return Refusal("NOT_STAFF", f"{label}录入组{entry}的录入人须是工作人员名单中的计票人："
                           f"{clerk} {'不在名单中' if row is None else '不是计票人'}，未导入")
    other = ENTRIES[1 - ENTRIES.index(entry)] if entry in ENTRIES else ""
    same = sorted(clerks & q.entry_clerks(conn, round_id, other)) if other else []
    if same:
        return Refusal("SAME_CLERK", f"{label}录入组A和B须由不同的人录入：{same[0]} 已录入组{other}，"
                       f"不能再导入其组{entry}的录入")
    return None
