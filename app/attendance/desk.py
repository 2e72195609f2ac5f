"""The desk's use cases: sign_in, undo_sign_in, sign_out, return_, lift_exclusion,
resolve_duplicate, and finding a person. Each runs in one transaction (BEGIN IMMEDIATE … COMMIT,
synchronous=FULL): what it wrote is durable before it returns. Expected outcomes are returned
as a `Result`, never raised."""

from __future__ import annotations

import datetime as dt
import sqlite3
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from app.attendance.log import Event, Kind, event_from_row
from app.attendance.view import View, serialized, stamp, view
from app.clock import Clock, iso, next_hlc
from app.electorate import NoVote
from app.meetings import Exclusion, Refusal, list_exclusions
from app.meetings import lift_exclusion as meetings_lift_exclusion
from app.model import Form, Meeting, Person
from db import attendance as q
from db import persons as db_persons
from db import sync as db_sync
from db.audit import append
from db.identity import DatabaseFileChanged
from db.identity import check as check_database_file
from db.tx import transaction

if TYPE_CHECKING:
    from app.proxies import Delegation  # app.proxies builds on this module


def database_file_problem(conn: sqlite3.Connection) -> str | None:
    """Words when the connection's database file was deleted or replaced since it was opened
    (checked again before every write by db.tx.transaction), else None."""
    try:
        check_database_file(conn)
    except DatabaseFileChanged as e:
        return str(e)
    return None


def write_stopped(exc: BaseException, database: Any = None) -> str | None:
    """Words for a write the environment stopped (the file deleted or replaced, a full disk, a
    read-only file or folder, a stick gone): nothing was written. None for anything else (a bug)."""
    from app.logs import environment_words

    if isinstance(exc, DatabaseFileChanged):
        return str(exc)
    if isinstance(exc, (OSError, sqlite3.Error)):
        return environment_words(exc, database)
    return None


class Outcome(StrEnum):
    SIGNED_IN = "signed_in"
    ALREADY_SIGNED_IN = "already_signed_in"
    NO_VOTE = "no_vote"              # recorded when the person attends without a vote (列席)
    EXCLUDED = "excluded"            # approved exclusion: confirm, lift_exclusion, sign_in
    UNKNOWN = "unknown"              # no such person
    UNDONE = "undone"
    SIGNED_OUT = "signed_out"
    RETURNED = "returned"
    LIFTED = "lifted"
    RESOLVED = "resolved"
    NOT_SIGNED_IN = "not_signed_in"
    ALREADY_OUT = "already_out"
    NOT_OUT = "not_out"
    NOT_EXCLUDED = "not_excluded"
    REASON_MISSING = "reason_missing"
    NO_SUCH_EVENT = "no_such_event"
    OTHER_DESK = "other_desk"        # outside this desk's scope: confirm, sign_in(outside_ok=True)
    DELEGATED = "delegated"          # a principal whose proxy stands: not signed in, no ballot
    NOT_ALLOWED = "not_allowed"      # the operator's role may not do this (app.permissions)


@dataclass(frozen=True, slots=True)


class Result:
    """What a desk action did. `present` is 实到 after it; `event` is what was written (None when
    nothing was); `standing` is the person's standing sign-in (time and desk)."""

    outcome: Outcome
    person: Person | None
    present: int
    message: str
    event: Event | None = None
    standing: Event | None = None
    no_vote: NoVote | None = None
    exclusion: Exclusion | None = None
    proxies_for: tuple[Person, ...] = ()
    proxy_problems: tuple[str, ...] = ()
    ballots: int = 0                 # ballots to hand over (本人 1 + 委托 N) on a sign-in
    delegated_to: Person | None = None   # DELEGATED: the proxy holder (standing: their sign-in)
    home: str = ""                   # OTHER_DESK: "属于二号台（第三党支部）"
    late_for: str = ""               # SIGNED_IN after 实到 was frozen: that vote's label
    late_frozen: int = 0             # … and its frozen 实到 (this person is not in it)
    late_at: str = ""                # … and when it was frozen
    late_rounds: tuple[str, ...] = ()  # … and the rounds voting on that freeze (主任第2轮（另行选举）)

    @property
    def late_words(self) -> str:
        """What gives this late arrival no ballot: the rounds by name, else the vote's label."""
        return "、".join(self.late_rounds) or self.late_for

    @property
    def written(self) -> bool:
        return self.event is not None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "person": self.person.id if self.person else None,
            "name": self.person.name if self.person else None,
            "result": str(self.outcome), "present": self.present, "message": self.message,
        }
        if self.standing is not None:
            out["standing"] = {"desk": self.standing.desk, "at": self.standing.at}
        if self.no_vote is not None:
            out["no_vote"] = str(self.no_vote)
        if self.proxies_for:
            out["proxy_for"] = [p.name for p in self.proxies_for]
        if self.proxy_problems:
            out["proxy_problems"] = list(self.proxy_problems)
        if self.ballots or self.late_for:
            out["ballots"] = self.ballots
        if self.late_for:
            out["late_for"] = {"round": self.late_for, "frozen_present": self.late_frozen,
                               "frozen_at": self.late_at}
            if self.late_rounds:   # the rounds voting on that freeze, by name
                out["late_for"]["rounds"] = list(self.late_rounds)
        if self.delegated_to is not None:
            out["delegated_to"] = self.delegated_to.name
        return out


def find_person(conn: sqlite3.Connection, ref: str | int) -> Person | None:
    """A person by register id, QR token or ID number (公民身份号码)."""
    if isinstance(ref, int):
        return db_persons.get_person(conn, ref)
    s = ref.strip()
    if not s:
        return None
    p = db_persons.get_by_token(conn, s)
    for alt in token_variants(s):
        if p is not None:
            break
        p = db_persons.get_by_token(conn, alt)
    if p is None and len(s) in (15, 18):
        p = db_persons.get_by_id_number(conn, s)
    if p is None and s.isdigit() and len(s) <= 12:
        p = db_persons.get_person(conn, int(s))
    return p


def token_variants(text: str) -> list[str]:
    """What a scanned token may have become on the way: full-width forms from an input method
    (１２３ → 123) and, for the letter tokens printed before, every letter's case inverted by
    Caps Lock. A token is random: a variant never names someone else by chance."""
    folded = "".join(unicodedata.normalize("NFKC", text).split())
    out = [folded] if folded != text else []
    if folded.swapcase() != folded:
        out.append(folded.swapcase())
    return out


def _resolve(conn: sqlite3.Connection, ref: str | int | Person) -> Person | None:
    return ref if isinstance(ref, Person) else find_person(conn, ref)


def _write(conn: sqlite3.Connection, v: View, *, kind: Kind, person: Person, desk: str,
           operator: str, at: str = "", now: dt.datetime | None = None, reason: str = "",
           ref: str = "") -> Event:
    """Append one event inside the caller's transaction, written at `now` (or at `at`): its
    clock is the hybrid logical clock (app.clock.next_hlc) after `now` and after every event of
    the person known here (merged ones included): the log folds each person apart."""
    if now is not None:
        at = iso(now)
    desk = desk.strip()
    seq = q.next_seq(conn, desk)
    clock = next_hlc(q.max_person_clock(conn, v.meeting.id, person.id),
                     now if now is not None else dt.datetime.fromisoformat(at))
    eid = q.insert_event(conn, meeting_id=v.meeting.id, desk=desk, seq=seq, clock=clock,
                         kind=str(kind), person_id=person.id, operator=operator, at=at,
                         reason=reason, ref=ref)
    return Event(eid, v.meeting.id, desk, seq, clock, kind, person.id, operator, at, reason, ref)


def _commit_view(conn: sqlite3.Connection, v: View, e: Event) -> None:
    """After COMMIT: fold the event into the view and take the new stamp."""
    v.apply(e)
    v.audit_mark = q.audit_mark(conn)
    v.stamp = stamp(conn)


def _unknown(v: View, ref: object) -> Result:
    return Result(Outcome.UNKNOWN, None, len(v.present_ids), f"名册中没有：{ref}")


@serialized
def sign_in(conn: sqlite3.Connection, meeting: Meeting, person_ref: str | int | Person,
            desk: str, operator: str, clock: Clock, *, check_scope: bool = False,
            outside_ok: bool = False) -> Result:
    """Sign a person in at `desk` (签到). Durable before it returns when something is written.

    `check_scope`: a person the desk does not serve (another branch's desk) is not signed in:
    `other_desk`, naming the desk that serves them; the clerk may confirm and call again with
    `outside_ok`, which signs in and audits the sign-in outside the desk's scope."""
    from app import proxies  # residents' proxies build on this module
    from app.attendance.finding import home_desk

    person = _resolve(conn, person_ref)
    with transaction(conn):
        v = view(conn, meeting)
        if person is None:
            return _unknown(v, person_ref)
        denied = _denied(conn, v, person, "sign_in", operator)
        if denied is not None:
            return denied
        st = v.states.get(person.id)
        present = len(v.present_ids)
        if st is not None and st.sign_in is not None:
            s = st.sign_in
            note = "（已退场）" if st.out is not None else ""
            return Result(Outcome.ALREADY_SIGNED_IN, person, present,
                          f"{person.name} 已于 {s.at[11:16]} 在 {s.desk} 签到{note}，不再重复计入",
                          standing=s)
        home = home_desk(conn, meeting, person, desk) if check_scope or outside_ok else ""
        if home and not outside_ok:
            return Result(Outcome.OTHER_DESK, person, present,
                          f"{person.name} {home}，不在 {desk.strip()} 的负责范围", home=home)
        pid = person.id
        if pid not in v.voter_ids:
            right_reason = _no_vote_reason(conn, person, meeting)
            if pid not in v.attend_ids:
                msg = f"{person.name}：{_zh(right_reason)}，不参加本次会议表决"
                if meeting.form is Form.HOUSEHOLD:
                    holder = proxies.household_voter(conn, meeting, person)
                    msg += f"（本户由 {holder.name} 投票）" if holder else "（本户没有户代表）"
                return Result(Outcome.NO_VOTE, person, present, msg, no_vote=right_reason)
            e = _write(conn, v, kind=Kind.SIGN_IN, person=person, desk=desk, operator=operator,
                       now=clock.now())
        elif pid in v.excluded_ids:
            ex = next((x for x in list_exclusions(conn, meeting.id) if x.person_id == pid), None)
            return Result(Outcome.EXCLUDED, person, present,
                          f"{person.name} 已批准不计入应到人数，须确认后撤销不计入再签到",
                          exclusion=ex)
        else:
            stopped = _delegated(v, person, proxies.delegation_of(conn, meeting, person))
            if stopped is not None:
                return stopped
            e = _write(conn, v, kind=Kind.SIGN_IN, person=person, desk=desk, operator=operator,
                       now=clock.now())
            right_reason = None
        if home:
            append(conn, at=e.at, actor=operator or desk, action="sign_in_outside_scope",
                   meeting_id=meeting.id, detail={"person_id": person.id, "name": person.name,
                                                  "event": e.key, "desk": desk.strip(),
                                                  "home": home})
        check = proxies.check_at_sign_in(conn, meeting, person)
        came = [p for p in check.principals if p.id in v.present_ids]
        frozen = q.select_snapshots(conn, meeting.id)
    _commit_view(conn, v, e)
    present = len(v.present_ids)
    if right_reason is not None:
        return Result(Outcome.NO_VOTE, person, present,
                      f"{person.name}：{_zh(right_reason)}，列席，不计入实到", event=e,
                      no_vote=right_reason)
    handed = [p for p in check.principals if p not in came]
    if frozen:   # voting began: 实到 of that vote was frozen without this person
        from app.attendance.figures import _snapshot

        last = _snapshot(conn, frozen[-1])   # the newest freeze (rows in id order)
        if pid not in last.person_ids:
            return _late(person, present, e, last.round_label, last.present, last.taken_at,
                         _rounds_on(conn, last.meeting_id, last.id))
    msg = f"{person.name} 签到成功"
    if check.principals:
        msg += f"，发选票 {1 + len(handed)} 张（本人 1 + 委托 {len(handed)}"
        msg += "：" + "、".join(p.name for p in handed) + "）" if handed else "）"
    if came:
        msg += "；" + "、".join(p.name for p in came) + " 已本人签到，不代为投票"
    if check.problems:
        msg += "；" + "；".join(check.messages)
    return Result(Outcome.SIGNED_IN, person, present, msg, event=e,
                  proxies_for=check.principals, proxy_problems=check.problems,
                  ballots=1 + len(handed))


def _rounds_on(conn: sqlite3.Connection, meeting_id: int, snapshot_id: int) -> tuple[str, ...]:
    """The rounds (主任第2轮（另行选举）) voting on the 实到 frozen as `snapshot_id`."""
    from app.voting.store import load_round
    from db.voting import select_rounds_of_meeting

    rounds = (load_round(conn, int(row[0])) for row in select_rounds_of_meeting(conn, meeting_id)
              if int(row[6]) == snapshot_id)
    return tuple(r.label for r in rounds if r is not None)


def _late(person: Person, present: int, e: Event, label: str, frozen: int, at: str,
          rounds: tuple[str, ...] = ()) -> Result:
    """A voter signed in after 实到 was frozen for `label` (rules.md §1.1: 实到 is who is present
    when the vote starts, snapshotted when ballots are issued; ballots issued equal 实到). The
    rules are silent on a late arrival's ballot: none for the vote already begun; 实到 of that
    vote stays as frozen. The next vote's freeze counts them. `rounds` name what is voted on
    (the desk said only 第2次投票 where it was 主任 另行选举)."""
    what = "、".join(rounds) or label
    msg = (f"{person.name} 签到已记录：{label}已于 {at[11:16]} 开始，实到已冻结为 {frozen} 人；"
           f"本人为冻结后到会，不计入{label}的实到，{what}不发选票")
    return Result(Outcome.SIGNED_IN, person, present, msg, event=e, ballots=0, late_for=label,
                  late_frozen=frozen, late_at=at, late_rounds=rounds)


def _delegated(v: View, person: Person, d: Delegation | None) -> Result | None:
    """A principal whose valid proxy stands is not signed in (one vote, one ballot: the holder
    carries it). The result says whether the holder already signed in; if not, the chair may
    revoke the proxy (`revoke_proxy_and_sign_in`). None when `person` delegated nobody validly
    (`d`: app.proxies.delegation_of)."""
    if d is None or not d.valid:
        return None
    holder = d.proxy.proxy
    hst = v.states.get(holder.id)
    held = hst.sign_in if hst is not None else None
    if held is not None:
        msg = (f"已委托 {holder.name}；{holder.name} 已于 {held.at[11:16]} 签到并代为投票，"
               f"{person.name} 不再签到，不发选票")
    else:
        msg = (f"{person.name} 已委托 {holder.name} 代为投票（{holder.name} 尚未签到）；"
               "本人投票须由主持人撤销委托并填写原因后签到")
    return Result(Outcome.DELEGATED, person, len(v.present_ids), msg, standing=held,
                  delegated_to=holder)


def revoke_proxy_and_sign_in(conn: sqlite3.Connection, meeting: Meeting,
                             person_ref: str | int | Person, desk: str, operator: str,
                             clock: Clock, reason: str) -> Result:
    """The principal came in person before the holder signed in: the chair revokes the proxy
    (reason required, audited through app.proxies) and the principal signs in. Refused (nothing
    written) once the holder has signed in: the holder already took the principal's ballot."""
    from app import proxies

    person = _resolve(conn, person_ref)
    with transaction(conn):
        v = view(conn, meeting)
        if person is None:
            return _unknown(v, person_ref)
        denied = _denied(conn, v, person, "revoke_proxy", operator)
        if denied is not None:
            return denied
        if not reason.strip():
            return _reason_missing(v, person, "撤销委托")
        d = proxies.delegation_of(conn, meeting, person)
        stopped = _delegated(v, person, d)
        if stopped is not None and stopped.standing is not None:
            return stopped
        if d is not None:
            got = proxies.revoke_proxy(conn, meeting, person, why=reason.strip(), clock=clock,
                                       actor=operator or desk)
            assert not isinstance(got, Refusal), got  # checked above, same transaction
    return sign_in(conn, meeting, person, desk, operator, clock)


def _no_vote_reason(conn: sqlite3.Connection, person: Person, meeting: Meeting) -> NoVote | None:
    from app.electorate import vote_right

    return vote_right(conn, person, meeting).reason


def _zh(reason: NoVote | None) -> str:
    from app.electorate import NO_VOTE_ZH

    return NO_VOTE_ZH[reason] if reason is not None else "无表决权"


def _reason_missing(v: View, person: Person, what: str) -> Result:
    return Result(Outcome.REASON_MISSING, person, len(v.present_ids), f"{what}须填写原因")


def _denied(conn: sqlite3.Connection, v: View, person: Person | None, code: str,
            operator: str) -> Result | None:
    """Who may do it (app.permissions): None when `operator` may; else the refusal."""
    from app.permissions import check

    refused = check(conn, code, operator)
    if refused is None:
        return None
    return Result(Outcome.NOT_ALLOWED, person, len(v.present_ids), refused.message)


def _not_signed_in(v: View, person: Person) -> Result:
    return Result(Outcome.NOT_SIGNED_IN, person, len(v.present_ids), f"{person.name} 尚未签到")


def _own_sign_in(conn: sqlite3.Connection, signed: Event, desk: str, operator: str) -> bool:
    """「撤销本签到台的签到」 for a 签到员: on a joined desk, a sign-in of that desk (the desk named
    is its own name); on a laptop that is not a joined desk (the host, one on its own, serving
    several desks from its 签到台 list), a sign-in this member recorded. Switching the desk list
    does not make another desk's sign-ins one's own; anything else is 「撤销其他签到台的签到」."""
    peer = db_sync.select_peer(conn)
    if peer is not None:
        return signed.desk == desk == str(peer[2])
    who = str.strip(operator)
    return bool(who) and str.strip(signed.operator) == who


def _undo_denied(conn: sqlite3.Connection, v: View, person: Person, signed: Event, desk: str,
                 operator: str) -> Result | None:
    denied = _denied(conn, v, person, "undo_own_desk", operator)
    if denied is None and not _own_sign_in(conn, signed, desk, operator):
        denied = _denied(conn, v, person, "undo_any", operator)
    return denied


@serialized
def undo_refusal(conn: sqlite3.Connection, meeting: Meeting, person: Person, desk: str,
                 operator: str) -> Result | None:
    """What 撤销签到 of `person` would be refused for before a reason is asked (not signed in,
    not allowed for `operator`); None when it may go on. Writes nothing."""
    v = view(conn, meeting)
    st = v.states.get(person.id)
    if st is None or st.sign_in is None:
        return _not_signed_in(v, person)
    return _undo_denied(conn, v, person, st.sign_in, desk, operator)


@serialized
def undo_sign_in(conn: sqlite3.Connection, meeting: Meeting, person_ref: str | int | Person,
                 desk: str, operator: str, clock: Clock, reason: str) -> Result:
    """Cancel a person's standing sign-in (撤销签到); a reason is required. Audited."""
    person = _resolve(conn, person_ref)
    with transaction(conn):
        v = view(conn, meeting)
        if person is None:
            return _unknown(v, person_ref)
        if not reason.strip():
            return _reason_missing(v, person, "撤销签到")
        st = v.states.get(person.id)
        if st is None or st.sign_in is None:
            return _not_signed_in(v, person)
        denied = _undo_denied(conn, v, person, st.sign_in, desk, operator)
        if denied is not None:
            return denied
        at = iso(clock.now())
        undone = st.sign_in
        e = _write(conn, v, kind=Kind.UNDO_SIGN_IN, person=person, desk=desk, operator=operator,
                   at=at, reason=reason.strip(), ref=undone.key)
        append(conn, at=at, actor=operator or desk, action="sign_in_undone", meeting_id=meeting.id,
               detail={"person_id": person.id, "name": person.name, "event": undone.key,
                       "signed_in_at": undone.at, "reason": reason.strip(), "desk": desk})
    _commit_view(conn, v, e)
    return Result(Outcome.UNDONE, person, len(v.present_ids),
                  f"已撤销 {person.name} 的签到（{reason.strip()}）", event=e, standing=undone)


@serialized
def sign_out(conn: sqlite3.Connection, meeting: Meeting, person_ref: str | int | Person,
             desk: str, operator: str, clock: Clock, reason: str = "") -> Result:
    """A signed-in person leaves early (中途退场): no longer in 实到 until they return."""
    person = _resolve(conn, person_ref)
    with transaction(conn):
        v = view(conn, meeting)
        if person is None:
            return _unknown(v, person_ref)
        st = v.states.get(person.id)
        denied = _denied(conn, v, person, "sign_out", operator)
        if denied is not None:
            return denied
        if st is None or st.sign_in is None:
            return _not_signed_in(v, person)
        if st.out is not None:
            return Result(Outcome.ALREADY_OUT, person, len(v.present_ids),
                          f"{person.name} 已于 {st.out.at[11:16]} 退场", standing=st.sign_in)
        e = _write(conn, v, kind=Kind.SIGN_OUT, person=person, desk=desk, operator=operator,
                   at=iso(clock.now()), reason=reason.strip(), ref=st.sign_in.key)
    _commit_view(conn, v, e)
    return Result(Outcome.SIGNED_OUT, person, len(v.present_ids), f"{person.name} 已退场",
                  event=e, standing=st.sign_in)


@serialized
def return_(conn: sqlite3.Connection, meeting: Meeting, person_ref: str | int | Person,
            desk: str, operator: str, clock: Clock) -> Result:
    """A person who signed out comes back (返回会场)."""
    person = _resolve(conn, person_ref)
    with transaction(conn):
        v = view(conn, meeting)
        if person is None:
            return _unknown(v, person_ref)
        st = v.states.get(person.id)
        denied = _denied(conn, v, person, "sign_out", operator)
        if denied is not None:
            return denied
        if st is None or st.sign_in is None:
            return _not_signed_in(v, person)
        if st.out is None:
            return Result(Outcome.NOT_OUT, person, len(v.present_ids),
                          f"{person.name} 在会场，未退场", standing=st.sign_in)
        e = _write(conn, v, kind=Kind.RETURN, person=person, desk=desk, operator=operator,
                   at=iso(clock.now()), ref=st.out.key)
    _commit_view(conn, v, e)
    return Result(Outcome.RETURNED, person, len(v.present_ids), f"{person.name} 已返回会场",
                  event=e, standing=st.sign_in)


@serialized
def lift_exclusion(conn: sqlite3.Connection, meeting: Meeting, person_ref: str | int | Person,
                   desk: str, operator: str, clock: Clock, reason: str) -> Result:
    """An excluded person came after all: after the clerk confirms, put them back into 应到
    (the exclusion row is lifted through app.meetings, audited, and the log records it so a
    merged copy agrees). Then call `sign_in`."""
    person = _resolve(conn, person_ref)
    with transaction(conn):
        v = view(conn, meeting)
        if person is None:
            return _unknown(v, person_ref)
        denied = _denied(conn, v, person, "lift_exclusion", operator)
        if denied is not None:
            return denied
        if not reason.strip():
            return _reason_missing(v, person, "撤销不计入应到")
        ex = next((x for x in list_exclusions(conn, meeting.id) if x.person_id == person.id), None)
        if ex is None or person.id not in v.excluded_ids:
            return Result(Outcome.NOT_EXCLUDED, person, len(v.present_ids),
                          f"{person.name} 没有不计入应到的记录")
        lifted = meetings_lift_exclusion(conn, ex.id, why=reason.strip(), clock=clock,
                                         actor=operator or desk)
        assert not isinstance(lifted, Refusal), lifted  # checked above, same transaction
        e = _write(conn, v, kind=Kind.LIFT_EXCLUSION, person=person, desk=desk,
                   operator=operator, at=iso(clock.now()), reason=reason.strip())
    _commit_view(conn, v, e)
    v.audit_mark = -1  # the exclusion table changed: rebuild the electorate on next use
    v.stamp = (-1, -1)
    return Result(Outcome.LIFTED, person, len(v.present_ids),
                  f"{person.name} 已恢复计入应到，请签到", event=e, exclusion=ex)


@serialized
def resolve_duplicate(conn: sqlite3.Connection, meeting: Meeting, event_key: str, desk: str,
                      operator: str, clock: Clock, reason: str) -> Result:
    """The chair resolves a double sign-in (`desk:seq` of the later sign-in): it is dismissed
    from the list. It never counted; the standing sign-in stays. Audited."""
    with transaction(conn):
        v = view(conn, meeting)
        d_desk, _, d_seq = event_key.rpartition(":")
        row = q.select_event(conn, d_desk, int(d_seq)) if d_seq.isdigit() else None
        dup = event_from_row(row) if row is not None else None
        person = db_persons.get_person(conn, dup.person_id) if dup is not None else None
        st = v.states.get(dup.person_id) if dup is not None else None
        if dup is None or person is None or st is None or dup not in st.duplicates:
            return Result(Outcome.NO_SUCH_EVENT, person, len(v.present_ids),
                          f"没有待处理的重复签到 {event_key}")
        denied = _denied(conn, v, person, "resolve_duplicate", operator)
        if denied is not None:
            return denied
        if not reason.strip():
            return _reason_missing(v, person, "处理重复签到")
        at = iso(clock.now())
        e = _write(conn, v, kind=Kind.RESOLVE_DUPLICATE, person=person, desk=desk,
                   operator=operator, at=at, reason=reason.strip(), ref=dup.key)
        append(conn, at=at, actor=operator or desk, action="duplicate_sign_in_resolved",
               meeting_id=meeting.id, detail={"person_id": person.id, "name": person.name,
                                              "event": dup.key, "reason": reason.strip()})
    _commit_view(conn, v, e)
    return Result(Outcome.RESOLVED, person, len(v.present_ids),
                  f"已处理 {person.name} 的重复签到 {dup.key}", event=e, standing=st.sign_in)


def search(conn: sqlite3.Connection, query: str, limit: int = 20,
           scope: Sequence[str] | None = None) -> list[Person]:
    """Find a person at the desk (name, pinyin, initials, last ID digits, member number)."""
    from app import search as person_search

    return person_search.search(conn, query, limit, scope)
