"""Meetings of the 换届: create, list, the current meeting, options (rules.md §6) and the explicit
electors of a 委员会全体会议. Every write runs in a transaction with its audit row; expected
refusals are returned as `Refusal` values, not raised."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.clock import Clock, iso
from app.meetings.codes import code_problem
from app.model import (
    FORMS_OF_RULES,
    Form,
    Meeting,
    Organisation,
    RuleSet,
)
from app.rules.options import RuleOptions, RunoffMargin
from db import meetings as q
from db.audit import append
from db.tx import transaction


@dataclass(frozen=True, slots=True)
class Refusal:
    """An expected 'no' from a setup action: a stable code and a message for the clerk."""

    code: str
    message: str



def setup_refused(conn: sqlite3.Connection, actor: str) -> Refusal | None:
    """Setup (meetings, contests, candidates, exclusions, leave, desks, proxies) is the
    主持人's where the database has a staff list (app.permissions); None in open mode."""
    from app.permissions import check

    denied = check(conn, "setup", actor)
    return Refusal("NOT_ALLOWED", denied.message) if denied is not None else None


# --- meetings ---------------------------------------------------------------------------------

def meeting_from_row(row: q.Row) -> Meeting:
    mid, code, title, community, org, rules, form, date, venue, options, current = row
    return Meeting(id=int(mid), code=code, title=title, community=community,
                   organisation=Organisation(org), rules=RuleSet(rules), form=Form(form),
                   date=date, venue=venue, options=dict(json.loads(options)),
                   is_current=bool(current))


def _options_json(options: Mapping[str, Any]) -> str:
    unknown = set(options) - set(RuleOptions.field_names())
    if unknown:
        raise ValueError(f"unknown meeting options: {sorted(unknown)}")
    clean: dict[str, bool | str] = {k: bool(options[k]) for k in sorted(options)
                                     if k != "runoff_margin"}
    if "runoff_margin" in options:
        # rules.md §1.3: "more" | "twenty_percent", or the 会议设置 page's tick box / a CLI
        # key=true|false (ticked: twenty_percent); anything else is a caller bug (ValueError).
        value = options["runoff_margin"]
        if isinstance(value, bool):
            value = RunoffMargin.TWENTY_PERCENT if value else RunoffMargin.MORE
        clean["runoff_margin"] = RunoffMargin(str(value)).value
    return json.dumps(dict(sorted(clean.items())), separators=(",", ":"))


def rule_options(meeting: Meeting) -> RuleOptions:
    """The meeting's options (rules.md §6) with defaults for what it does not set."""
    return RuleOptions.from_mapping(dict(meeting.options))


def create_meeting(conn: sqlite3.Connection, *, code: str, title: str, community: str,
                   organisation: Organisation, rules: RuleSet, form: Form, date: str,
                   venue: str = "", options: Mapping[str, Any] | None = None,
                   make_current: bool = False, clock: Clock, actor: str) -> Meeting | Refusal:
    if form not in FORMS_OF_RULES[rules]:
        return Refusal("FORM_NOT_OF_RULES", f"规则 {rules} 不适用会议形式 {form}")
    if not code.strip():
        return Refusal("CODE_EMPTY", "会议代码不能为空")
    if problem := code_problem(code):
        return Refusal("CODE_INVALID", problem)
    dt.date.fromisoformat(date)  # a malformed date is a caller bug
    options_json = _options_json(options or {})
    with transaction(conn):
        denied = setup_refused(conn, actor)
        if denied is not None:
            return denied
        if q.select_meeting_by_code(conn, code) is not None:
            return Refusal("CODE_TAKEN", f"会议代码 {code} 已存在")
        mid = q.insert_meeting(conn, code=code, title=title, community=community,
                               organisation=str(organisation), rules=str(rules), form=str(form),
                               date=date, venue=venue, options_json=options_json)
        if make_current or q.select_current_meeting(conn) is None:
            q.update_current(conn, mid)
        append(conn, at=iso(clock.now()), actor=actor, action="meeting_created", meeting_id=mid,
               detail={"code": code, "title": title, "rules": str(rules), "form": str(form),
                       "date": date, "options": json.loads(options_json)})
    return _reload(conn, mid)


def _reload(conn: sqlite3.Connection, meeting_id: int) -> Meeting:
    m = get_meeting(conn, meeting_id)
    assert m is not None, meeting_id  # written just before, in this connection
    return m


def list_meetings(conn: sqlite3.Connection) -> list[Meeting]:
    return [meeting_from_row(r) for r in q.select_meetings(conn)]


def get_meeting(conn: sqlite3.Connection, meeting_id: int) -> Meeting | None:
    row = q.select_meeting(conn, meeting_id)
    return meeting_from_row(row) if row is not None else None


def meeting_by_code(conn: sqlite3.Connection, code: str) -> Meeting | None:
    row = q.select_meeting_by_code(conn, code)
    return meeting_from_row(row) if row is not None else None


def current_meeting(conn: sqlite3.Connection) -> Meeting | None:
    row = q.select_current_meeting(conn)
    return meeting_from_row(row) if row is not None else None


def resolve_meeting(conn: sqlite3.Connection, code: str | None) -> Meeting | Refusal:
    """The meeting a command acts on: `--meeting CODE`, else the current one."""
    if code:
        m = meeting_by_code(conn, code)
        if m is None:
            known = "、".join(x.code for x in list_meetings(conn)) or "无"
            return Refusal("NO_SUCH_MEETING", f"没有代码为 {code} 的会议（现有：{known}）")
        return m
    m = current_meeting(conn)
    return m if m is not None else Refusal("NO_CURRENT_MEETING", "数据库中还没有会议")


def set_current(conn: sqlite3.Connection, meeting_id: int, *, clock: Clock,
                actor: str) -> Meeting | Refusal:
    """Make the meeting the database's current one (every page, desk and CLI default to it):
    setup, the 主持人's where a staff list exists."""
    with transaction(conn):
        denied = setup_refused(conn, actor)
        if denied is not None:
            return denied
        m = get_meeting(conn, meeting_id)
        if m is None:
            return Refusal("NO_SUCH_MEETING", f"会议 {meeting_id} 不存在")
        q.update_current(conn, meeting_id)
        append(conn, at=iso(clock.now()), actor=actor, action="meeting_set_current",
               meeting_id=meeting_id, detail={"code": m.code})
    return _reload(conn, meeting_id)


def set_options(conn: sqlite3.Connection, meeting_id: int, options: Mapping[str, Any], *,
                clock: Clock, actor: str, why: str = "") -> Meeting | Refusal:
    """Merge `options` into the meeting's options (keys of RuleOptions).

    Frozen once the meeting's first voting round opened: a change is then a correction, refused
    without `why`; with it (the 主持人 where a staff list exists) every locked result of the
    meeting is unlocked (round event + audit naming the correction) to be validated and locked
    again under the corrected options."""
    from app.permissions import check
    from db import voting as qv

    with transaction(conn):
        m = get_meeting(conn, meeting_id)
        if m is None:
            return Refusal("NO_SUCH_MEETING", f"会议 {meeting_id} 不存在")
        merged = {**m.options, **options}
        options_json = _options_json(merged)
        # What counts is the rule the options make (the 会议设置 page sends every option, the
        # stored row may leave defaults out): the same rules are no change.
        changed = (RuleOptions.from_mapping(json.loads(options_json))
                   != RuleOptions.from_mapping(dict(m.options)))
        first = qv.first_round_of_meeting(conn, meeting_id) if changed else None
        code = "rules_correction" if first is not None else "setup"
        denied = check(conn, code, actor)
        if denied is not None:
            return Refusal("NOT_ALLOWED", denied.message)
        if first is not None and not why.strip():
            return Refusal("FROZEN", f"{m.title} 已于 {first[1][:16].replace('T', ' ')} 开始投票："
                           "会议的规则、形式和计票选项不能再改。确需更正的，由主持人写明原因后更正，"
                           "已锁定的结果随之解除锁定，须重新核对后再锁定")
        at = iso(clock.now())
        unlocked = qv.locked_rounds_of_meeting(conn, meeting_id) if first is not None else []
        for rid, h in unlocked:
            qv.insert_event(conn, round_id=rid, kind="unlocked", actor=actor, at=at,
                            reason=f"更正计票选项：{why.strip()}",
                            detail_json=json.dumps({"hash": h, "options_corrected": True}))
            append(conn, at=at, actor=actor, action="round_unlocked", meeting_id=meeting_id,
                   detail={"round_id": rid, "hash": h, "why": f"更正计票选项：{why.strip()}"})
        q.update_options(conn, meeting_id, options_json)
        detail: dict[str, Any] = {"before": m.options, "after": json.loads(options_json)}
        if first is not None:
            detail |= {"why": why.strip(), "unlocked_rounds": [rid for rid, _ in unlocked]}
        append(conn, at=at, actor=actor,
               action="meeting_options_corrected" if first is not None else "meeting_options_set",
               meeting_id=meeting_id, detail=detail)
    return _reload(conn, meeting_id)


def update_meeting(conn: sqlite3.Connection, meeting_id: int, *, title: str | None = None,
                   date: str | None = None, venue: str | None = None, clock: Clock,
                   actor: str) -> Meeting | Refusal:
    """Change the title, date or venue (the rule set and form stay: they decide who votes)."""
    with transaction(conn):
        denied = setup_refused(conn, actor)
        if denied is not None:
            return denied
        m = get_meeting(conn, meeting_id)
        if m is None:
            return Refusal("NO_SUCH_MEETING", f"会议 {meeting_id} 不存在")
        new = {"title": m.title if title is None else title.strip(),
               "date": m.date if date is None else date,
               "venue": m.venue if venue is None else venue.strip()}
        if not new["title"]:
            return Refusal("TITLE_EMPTY", "会议名称不能为空")
        try:
            dt.date.fromisoformat(new["date"])
        except ValueError:
            return Refusal("DATE_INVALID", f"日期无效：{new['date']}")
        q.update_details(conn, meeting_id, **new)
        append(conn, at=iso(clock.now()), actor=actor, action="meeting_updated",
               meeting_id=meeting_id,
               detail={"before": {"title": m.title, "date": m.date, "venue": m.venue},
                       "after": new})
    return _reload(conn, meeting_id)


# --- explicit electors (委员会全体会议) --------------------------------------------------------

def add_electors(conn: sqlite3.Connection, meeting_id: int, person_ids: Sequence[int], *,
                 clock: Clock, actor: str) -> int | Refusal:
    """Add electors to a plenary; returns how many were new."""
    with transaction(conn):
        denied = setup_refused(conn, actor)
        if denied is not None:
            return denied
        m = get_meeting(conn, meeting_id)
        if m is None or m.form != Form.PLENARY:
            return Refusal("NOT_PLENARY", "只有委员会全体会议有单独的选举人名单")
        added = [pid for pid in person_ids if q.insert_elector(conn, meeting_id, pid)]
        append(conn, at=iso(clock.now()), actor=actor, action="electors_added",
               meeting_id=meeting_id, detail={"person_ids": added})
    return len(added)


def remove_elector(conn: sqlite3.Connection, meeting_id: int, person_id: int, *, clock: Clock,
                   actor: str) -> bool | Refusal:
    """Remove one elector from a plenary; False when the person was not one."""
    with transaction(conn):
        denied = setup_refused(conn, actor)
        if denied is not None:
            return denied
        removed = q.delete_elector(conn, meeting_id, person_id)
        if removed:
            append(conn, at=iso(clock.now()), actor=actor, action="elector_removed",
                   meeting_id=meeting_id, detail={"person_id": person_id})
    return removed


def elector_ids(conn: sqlite3.Connection, meeting_id: int) -> set[int]:
    return q.select_elector_ids(conn, meeting_id)
