"""Residents' elections: households and proxies (委托), rules.md §2.1-2.2.

- Form `household`: one voter per household (户代表, the register's household_rep); `households`
  shows, per household, which member holds the household's vote.
- Proxies are recorded before the day and allowed in forms `all` and `household` only. A proxy
  must be another registered voter of the community, holds at most 3 appointments and may not
  be a candidate. The rules are enforced when a proxy is entered (`add_proxy` refuses with
  PROXY_NOT_ALLOWED / PROXY_LIMIT) and again at sign-in (`check_at_sign_in`: the register or the
  candidates may have changed since): at most the first 3 appointments count, none for a
  candidate or in the representative form.

The rule itself (forms, limit, candidates, and its words) is the counting core's
(app.rules.proxies); this module adds what needs the database: the register, the candidates.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from app.clock import Clock, iso
from app.electorate import vote_right
from app.meetings import Refusal
from app.meetings.core import setup_refused
from app.model import Meeting, Person, RuleSet
from app.rules import proxies as rule
from app.rules.findings import Finding
from db import attendance as q
from db import persons as db_persons
from db.audit import append
from db.tx import transaction

MAX_APPOINTMENTS = rule.MAX_APPOINTMENTS
PROXY_LIMIT = "PROXY_LIMIT"
PROXY_NOT_ALLOWED = "PROXY_NOT_ALLOWED"


@dataclass(frozen=True, slots=True)
class Proxy:
    id: int
    meeting_id: int
    principal: Person       # 委托人
    proxy: Person           # 受托人
    document_ref: str       # 委托书编号
    recorded_at: str


@dataclass(frozen=True, slots=True)
class ProxyCheck:
    """What a person signing in holds: the principals validly represented and the problems."""

    principals: tuple[Person, ...] = ()
    problems: tuple[str, ...] = ()      # PROXY_LIMIT / PROXY_NOT_ALLOWED
    messages: tuple[str, ...] = ()


def _proxies(conn: sqlite3.Connection, rows: Sequence[Sequence[Any]]) -> list[Proxy]:
    ids = [int(r[2]) for r in rows] + [int(r[3]) for r in rows]
    people = {p.id: p for p in db_persons.get_many(conn, ids)}
    return [Proxy(int(r[0]), int(r[1]), people[int(r[2])], people[int(r[3])], r[4], r[5])
            for r in rows]


def list_proxies(conn: sqlite3.Connection, meeting: Meeting) -> list[Proxy]:
    return _proxies(conn, q.select_proxies(conn, meeting.id))


def proxies_allowed(meeting: Meeting) -> bool:
    return rule.proxies_allowed(meeting.rules, meeting.form)


def _is_candidate(conn: sqlite3.Connection, meeting: Meeting, person: Person) -> bool:
    return any(pid == person.id or (pid is None and name == person.name)
               for pid, name in q.candidate_person_refs(conn, meeting.id))


def _not_allowed(message: str) -> Refusal:
    return Refusal(PROXY_NOT_ALLOWED, message)


def _refusal(f: Finding) -> Refusal:
    return Refusal(str(f.code), f"{f.detail_zh}：{f.rule_zh}" if f.detail_zh else f.rule_zh)


def _check(conn: sqlite3.Connection, meeting: Meeting, proxy: Person, held: int) -> Finding | None:
    """The counting core's rule for one more appointment of `proxy`."""
    cands = [proxy.name] if _is_candidate(conn, meeting, proxy) else []
    return rule.check_proxy(meeting.rules, meeting.form, proxy.name, held, cands)


def add_proxy(conn: sqlite3.Connection, meeting: Meeting, principal: Person, proxy: Person, *,
              document_ref: str = "", clock: Clock, actor: str) -> Proxy | Refusal:
    """Record that `principal` appoints `proxy` in writing (rules.md §2.2). Audited."""
    if not proxies_allowed(meeting):
        found = rule.check_proxy(meeting.rules, meeting.form, proxy.name, 0)
        assert found is not None
        return _refusal(found)
    if principal.id == proxy.id:
        return _not_allowed("不能委托本人")
    with transaction(conn):
        denied = setup_refused(conn, actor)
        if denied is not None:
            return denied
        if not vote_right(conn, principal, meeting).has_vote:
            return _not_allowed(f"委托人 {principal.name} 不是本次选举的选民")
        if not proxy.resident_voter:
            return _not_allowed(f"受托人 {proxy.name} 不是本社区登记的选民")
        if q.select_proxy_of(conn, meeting.id, principal.id) is not None:
            return Refusal("PROXY_EXISTS", f"{principal.name} 已委托他人，请先撤销原委托")
        if q.select_proxy_of(conn, meeting.id, proxy.id) is not None:
            return _not_allowed(f"{proxy.name} 本人已委托他人投票，不能再接受委托")
        found = _check(conn, meeting, proxy, len(q.select_proxies_held(conn, meeting.id, proxy.id)))
        if found is not None:
            return _refusal(found)
        at = iso(clock.now())
        rid = q.insert_proxy(conn, meeting_id=meeting.id, principal_id=principal.id,
                             proxy_id=proxy.id, document_ref=document_ref.strip(), recorded_at=at)
        append(conn, at=at, actor=actor, action="proxy_added", meeting_id=meeting.id,
               detail={"proxy_row": rid, "principal_id": principal.id,
                       "principal": principal.name, "proxy_id": proxy.id, "proxy": proxy.name,
                       "document_ref": document_ref.strip()})
    return Proxy(rid, meeting.id, principal, proxy, document_ref.strip(), at)


def revoke_proxy(conn: sqlite3.Connection, meeting: Meeting, principal: Person, *, why: str,
                 clock: Clock, actor: str) -> Proxy | Refusal:
    """Withdraw a proxy (the principal comes in person, or withdraws in writing). Audited."""
    if not why.strip():
        return Refusal("REASON_MISSING", "撤销委托须说明原因")
    with transaction(conn):
        denied = setup_refused(conn, actor)
        if denied is not None:
            return denied
        row = q.select_proxy_of(conn, meeting.id, principal.id)
        if row is None:
            return Refusal("NOT_FOUND", f"{principal.name} 没有委托记录")
        p = _proxies(conn, [row])[0]
        q.delete_proxy(conn, p.id)
        append(conn, at=iso(clock.now()), actor=actor, action="proxy_revoked",
               meeting_id=meeting.id,
               detail={"principal_id": principal.id, "principal": principal.name,
                       "proxy_id": p.proxy.id, "proxy": p.proxy.name, "why": why.strip()})
    return p


def _valid_held(conn: sqlite3.Connection, meeting: Meeting, holder: Person,
                held: list[Proxy]) -> ProxyCheck:
    if not held:
        return ProxyCheck()
    found = _check(conn, meeting, holder, 0)
    if found is not None:
        return ProxyCheck((), (str(found.code),), (f"委托无效：{found.rule_zh}",))
    if not holder.resident_voter:
        return ProxyCheck((), (PROXY_NOT_ALLOWED,), (f"{holder.name} 不是登记选民，委托无效",))
    eligible = [p for p in held if vote_right(conn, p.principal, meeting).has_vote]
    problems: list[str] = []
    messages: list[str] = []
    if len(eligible) < len(held):
        problems.append(PROXY_NOT_ALLOWED)
        messages.append("部分委托人已不是本次选举的选民")
    if len(eligible) > MAX_APPOINTMENTS:
        over = eligible[MAX_APPOINTMENTS:]
        problems.append(PROXY_LIMIT)
        limit = rule.check_proxy(meeting.rules, meeting.form, holder.name, MAX_APPOINTMENTS)
        words = limit.rule_zh if limit is not None else ""
        messages.append(f"{words}，以下委托无效：" + "、".join(p.principal.name for p in over))
        eligible = eligible[:MAX_APPOINTMENTS]
    return ProxyCheck(tuple(p.principal for p in eligible), tuple(problems), tuple(messages))


def check_at_sign_in(conn: sqlite3.Connection, meeting: Meeting, person: Person) -> ProxyCheck:
    """The appointments `person` validly holds, re-checked against rules.md §2.2 now."""
    if meeting.rules is not RuleSet.RESIDENTS:
        return ProxyCheck()
    held = _proxies(conn, q.select_proxies_held(conn, meeting.id, person.id))
    return _valid_held(conn, meeting, person, held)


@dataclass(frozen=True, slots=True)
class Delegation:
    """A principal's standing proxy as the desk sees it: the holder, and whether the holder's
    appointment of this principal is valid now (rules.md §2.2; an invalid one gives no ballot)."""

    proxy: Proxy
    valid: bool


def delegation_of(conn: sqlite3.Connection, meeting: Meeting, person: Person) -> Delegation | None:
    """`person`'s recorded proxy in a residents' election (None when they delegated nobody)."""
    if meeting.rules is not RuleSet.RESIDENTS:
        return None
    row = q.select_proxy_of(conn, meeting.id, person.id)
    if row is None:
        return None
    p = _proxies(conn, [row])[0]
    held = _proxies(conn, q.select_proxies_held(conn, meeting.id, p.proxy.id))
    valid = any(x.id == person.id for x in _valid_held(conn, meeting, p.proxy, held).principals)
    return Delegation(p, valid)


def represented(conn: sqlite3.Connection, meeting: Meeting, present_ids: Iterable[int]) -> set[int]:
    """Principals validly represented by a present proxy (principals present themselves too)."""
    if not proxies_allowed(meeting):
        return set()
    present = set(present_ids)
    by_holder: dict[int, list[Proxy]] = {}
    for p in list_proxies(conn, meeting):
        if p.proxy.id in present:
            by_holder.setdefault(p.proxy.id, []).append(p)
    out: set[int] = set()
    for held in by_holder.values():
        out.update(x.id for x in _valid_held(conn, meeting, held[0].proxy, held).principals)
    return out


def appointments(conn: sqlite3.Connection, meeting: Meeting) -> list[tuple[str, str]]:
    """(principal, proxy) name pairs, as the one-pass validation (app.rules.validate) takes them."""
    return [(p.principal.name, p.proxy.name) for p in list_proxies(conn, meeting)]


def proxy_findings(conn: sqlite3.Connection, meeting: Meeting) -> list[tuple[str, str]]:
    """(code, message) for every proxy that breaks rules.md §2.2 now (the one-pass validation)."""
    by_holder: dict[int, list[Proxy]] = {}
    for p in list_proxies(conn, meeting):
        by_holder.setdefault(p.proxy.id, []).append(p)
    out: list[tuple[str, str]] = []
    for held in by_holder.values():
        check = _valid_held(conn, meeting, held[0].proxy, held)
        out.extend((code, f"{held[0].proxy.name}：{msg}")
                   for code, msg in zip(check.problems, check.messages, strict=True))
    return out


# --- households -------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Household:
    household: str
    members: tuple[Person, ...]
    voter: Person | None         # the member holding the household's vote (户代表)


def households(conn: sqlite3.Connection, meeting: Meeting) -> list[Household]:
    """Every household of the register with its members and the member who votes for it."""
    homes: dict[str, list[Person]] = {}
    for p in db_persons.list_persons(conn):
        if p.household:
            homes.setdefault(p.household, []).append(p)
    out: list[Household] = []
    for home, members in homes.items():
        voter = next((m for m in members if vote_right(conn, m, meeting).has_vote), None)
        out.append(Household(home, tuple(members), voter))
    return out


def household_voter(conn: sqlite3.Connection, meeting: Meeting, person: Person) -> Person | None:
    """Who holds the vote of `person`'s household in `meeting` (None when nobody does)."""
    if not person.household:
        return None
    members = db_persons.get_many(conn, q.household_member_ids(conn, person.household))
    return next((m for m in members if vote_right(conn, m, meeting).has_vote), None)
