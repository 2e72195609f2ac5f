"""Who may count (app.permissions) plus the counting's own rules about people, checked inside
the use cases' transactions: entry A and B by different people; a difference resolved by a
监票人 who entered neither; a result locked by two different 监票人. Only where a staff list exists
(app.permissions.enforced); in open mode the free-text names stand as before."""

from __future__ import annotations

import json
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
    return not_named(conn, round_id, "counters", clerk, label)


def entry_groups(conn: sqlite3.Connection, round_id: int) -> dict[str, set[str]]:
    """Who stands as a clerk of entry A and of entry B (a withdrawn ballot names no one): the
    counting page shows a person who signs on which group is theirs."""
    return {e: q.entry_clerks(conn, round_id, e) for e in ENTRIES}


def named_officials(conn: sqlite3.Connection, round_id: int, post: str) -> list[str]:
    """The round's named 监票人 (`post` "scrutineers") or 计票人 ("counters") who are on the
    staff list with that role. Empty: the round names none from the list (none named, or names
    typed before the list existed): any member of the role acts, as before."""
    from app.permissions import Role
    from db import staff as qs

    role = Role.SCRUTINEER if post == "scrutineers" else Role.TELLER
    named: list[str] = []
    for _, _, kind, _, _, _, detail in q.select_events(conn, round_id):
        if kind == "officials":
            named = [str(n) for n in json.loads(detail).get(post, [])]
    out = []
    for name in named:
        row = qs.by_name(conn, name)
        if row is not None and role.value in row.roles:
            out.append(row.name)
    return out


def not_named(conn: sqlite3.Connection, round_id: int, post: str, who: str, label: str
              ) -> Refusal | None:
    """Where the round names its 计票人/监票人 from the staff list, only they enter/resolve."""
    named = named_officials(conn, round_id, post)
    if not named or str(who) in named:
        return None
    word = "计票人" if post == "counters" else "监票人"
    doing = "录入" if post == "counters" else "裁定录入差异"
    return Refusal("NOT_NAMED", f"{label}指定的{word}是{'、'.join(named)}，只有他们可以{doing}；"
                   f"{who} 不是本轮指定的{word}（如需换人，请主持人在“监票人/计票人”中修改）")


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
    return not_named(conn, round_id, "scrutineers", actor, label)


def correction_refused(conn: sqlite3.Connection, round_id: int, entry: str, seq: int,
                       label: str) -> Refusal | None:
    """A correction may not make the entries agree: where a staff list exists and the other
    entry holds number `seq` reading differently, the difference is for a 监票人 who entered
    neither (resolve_difference), not for a clerk's correction (a clerk who entered the data
    makes the entries agree, not match the paper). A number the other entry does not hold yet
    (a clerk's own typo fixed before the other reached it) stays correctable."""
    if not enforced(conn) or entry not in ENTRIES:
        return None
    other = ENTRIES[1 - ENTRIES.index(entry)]
    mine = q.select_standing_entry(conn, round_id, entry, seq)
    theirs = q.select_standing_entry(conn, round_id, other, seq)
    if mine is None or theirs is None:
        return None

    def counts(row: q.Row) -> tuple[object, ...] | None:
        """What the comparison compares (app.voting.compare): marks, write-ins, invalid flag;
        None for a withdrawn number (columns of db.voting.ENTRY_COLUMNS)."""
        return (row[6], row[7], bool(row[9])) if row[5] else None

    if counts(mine) == counts(theirs):
        return None
    return Refusal("DIFFERENCE_OPEN", f"{label}第{seq}张组A和组B录入不一致，不能由录入人更正："
                   "须由一名未参加录入的监票人核对原始选票后裁定（处理录入差异）")


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
    from app.permissions import Role, denied_words
    from db import staff as qs

    if check(conn, "enter_ballots", actor) is not None and check(
            conn, "resolve_difference", actor) is not None:
        return Refusal("NOT_ALLOWED", denied_words(
            "enter_ballots", actor, who="「导入另一台电脑的录入」只有计票人或监票人可以操作"))
    for clerk in sorted(clerks):
        row = qs.by_name(conn, clerk)
        if row is None or Role.TELLER.value not in row.roles:
            return Refusal("NOT_STAFF", f"{label}录入组{entry}的录入人须是工作人员名单中的计票人："
                           f"{clerk} {'不在名单中' if row is None else '不是计票人'}，未导入")
        off = not_named(conn, round_id, "counters", clerk, label)
        if off is not None:
            return Refusal(off.code, f"{off.message}，未导入")
    other = ENTRIES[1 - ENTRIES.index(entry)] if entry in ENTRIES else ""
    same = sorted(clerks & q.entry_clerks(conn, round_id, other)) if other else []
    if same:
        return Refusal("SAME_CLERK", f"{label}录入组A和B须由不同的人录入：{same[0]} 已录入组{other}，"
                       f"不能再导入其组{entry}的录入")
    return None
