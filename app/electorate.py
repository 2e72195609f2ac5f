"""Who has a vote in a meeting, and the meeting's electorate (rules.md §1.1, §2.1, §3).

Voting rights are decided per meeting from the register columns, never stored as one flag: a
resident who is not a Party member votes for the residents' committee but not at the 党员大会.

- party-2020, assembly (党员大会): 正式党员 only. 预备党员, 留党察看 and 权利中止 members attend
  (列席) without a vote.
- party-2020, plenary (委员会全体会议): the meeting's explicit electors (meeting_elector rows) who
  are 正式党员 with rights.
- residents-2025: form `all` → resident_voter, `household` → household_rep, `representative` →
  resident_rep.
- collective-2025: form `members` → collective_member, `delegates` → collective_delegate.

Exclusions (不计入应到) do not take the vote away; they take the person out of 应到. 请假 changes
nothing in 应到 (rules.md §1.1).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from app.model import Form, Meeting, PartyStatus, Person
from db import meetings as q
from db import persons as db_persons


class NoVote(StrEnum):
    NOT_PARTY_MEMBER = "not_party_member"
    PROBATIONARY = "probationary"
    ON_PROBATION = "on_probation"
    SUSPENDED = "suspended"
    NOT_ELECTOR = "not_elector"
    NOT_RESIDENT_VOTER = "not_resident_voter"
    NOT_HOUSEHOLD_REP = "not_household_rep"
    NOT_RESIDENT_REP = "not_resident_rep"
    NOT_COLLECTIVE_MEMBER = "not_collective_member"
    NOT_COLLECTIVE_DELEGATE = "not_collective_delegate"


NO_VOTE_ZH: dict[NoVote, str] = {
    NoVote.NOT_PARTY_MEMBER: "非中共党员",
    NoVote.PROBATIONARY: "预备党员，没有表决权、选举权",
    NoVote.ON_PROBATION: "受留党察看处分，察看期间没有表决权、选举权",
    NoVote.SUSPENDED: "党员权利中止（被依法留置、逮捕）",
    NoVote.NOT_ELECTOR: "不是本次全体会议的选举人",
    NoVote.NOT_RESIDENT_VOTER: "不在本社区选民名单内",
    NoVote.NOT_HOUSEHOLD_REP: "不是户代表",
    NoVote.NOT_RESIDENT_REP: "不是居民代表",
    NoVote.NOT_COLLECTIVE_MEMBER: "不是集体经济组织成员",
    NoVote.NOT_COLLECTIVE_DELEGATE: "不是成员代表",
}

_PARTY_NO_VOTE: dict[PartyStatus, NoVote] = {
    PartyStatus.NONE: NoVote.NOT_PARTY_MEMBER,
    PartyStatus.PROBATIONARY: NoVote.PROBATIONARY,
    PartyStatus.ON_PROBATION: NoVote.ON_PROBATION,
    PartyStatus.SUSPENDED: NoVote.SUSPENDED,
}


@dataclass(frozen=True, slots=True)
class VoteRight:
    """`has_vote`, and when not, why; `attends` = may sign in as a non-voting attendee (列席)."""

    has_vote: bool
    reason: NoVote | None = None
    attends: bool = False

    def __bool__(self) -> bool:
        return self.has_vote

    @property
    def reason_zh(self) -> str:
        return NO_VOTE_ZH[self.reason] if self.reason is not None else ""


_YES = VoteRight(True, None, True)


def has_vote(person: Person, meeting: Meeting, *, is_elector: bool = False) -> VoteRight:
    """Whether `person` votes in `meeting`; `is_elector` = the person has a meeting_elector row
    (only a plenary reads it)."""
    form = meeting.form
    if form in (Form.ASSEMBLY, Form.PLENARY):
        status = person.party_status
        if status != PartyStatus.FULL:
            # Members without rights attend the 党员大会 (列席), not a committee plenary.
            member = status != PartyStatus.NONE
            return VoteRight(False, _PARTY_NO_VOTE[status], member and form == Form.ASSEMBLY)
        if form == Form.PLENARY and not is_elector:
            return VoteRight(False, NoVote.NOT_ELECTOR)
        return _YES
    flag, reason = {
        Form.ALL: (person.resident_voter, NoVote.NOT_RESIDENT_VOTER),
        Form.HOUSEHOLD: (person.household_rep, NoVote.NOT_HOUSEHOLD_REP),
        Form.REPRESENTATIVE: (person.resident_rep, NoVote.NOT_RESIDENT_REP),
        Form.MEMBERS: (person.collective_member, NoVote.NOT_COLLECTIVE_MEMBER),
        Form.DELEGATES: (person.collective_delegate, NoVote.NOT_COLLECTIVE_DELEGATE),
    }[Form(form)]
    return _YES if flag else VoteRight(False, reason)


def get_person(conn: sqlite3.Connection, person_id: int) -> Person | None:
    return db_persons.get_person(conn, person_id)


def get_many(conn: sqlite3.Connection, ids: Sequence[int]) -> list[Person]:
    """The register persons of `ids`, in the order given (unknown ids are left out)."""
    return db_persons.get_many(conn, ids)


def load_persons(conn: sqlite3.Connection) -> list[Person]:
    """The whole register in register order."""
    return db_persons.list_persons(conn)


def vote_right(conn: sqlite3.Connection, person: Person, meeting: Meeting) -> VoteRight:
    """`has_vote` with the meeting's elector rows read from the database."""
    elector = meeting.form == Form.PLENARY and q.is_elector(conn, meeting.id, person.id)
    return has_vote(person, meeting, is_elector=elector)


@dataclass(frozen=True, slots=True)
class Electorate:
    """A meeting's voters and the sets that make 应到 (rules.md §1.1, §2.3)."""

    meeting: Meeting
    voters: tuple[Person, ...]              # have a vote (register order)
    non_voting: tuple[Person, ...]          # attend without a vote (预备党员 …)
    excluded_ids: frozenset[int]            # approved exclusions among the voters
    leave_ids: frozenset[int]               # 请假 among the voters (still in 应到)

    @property
    def registered(self) -> int:
        """有选举权的人数 (the form's base before exclusions)."""
        return len(self.voters)

    @property
    def expected(self) -> int:
        """应到: voters minus approved exclusions."""
        return len(self.voters) - len(self.excluded_ids)

    @property
    def expected_persons(self) -> tuple[Person, ...]:
        return tuple(p for p in self.voters if p.id not in self.excluded_ids)

    @property
    def households(self) -> int:
        """Distinct households among the voters (the base of form `household`)."""
        return len({p.household for p in self.voters if p.household})


def electorate(conn: sqlite3.Connection, meeting: Meeting,
               persons: list[Person] | None = None) -> Electorate:
    """The electorate of `meeting`; pass `persons` (load_persons) to reuse one register read
    across meetings."""
    register = persons if persons is not None else load_persons(conn)
    electors = q.select_elector_ids(conn, meeting.id) if meeting.form == Form.PLENARY else set()
    voters: list[Person] = []
    non_voting: list[Person] = []
    for p in register:
        right = has_vote(p, meeting, is_elector=p.id in electors)
        if right.has_vote:
            voters.append(p)
        elif right.attends:
            non_voting.append(p)
    voter_ids = {p.id for p in voters}
    excluded = {int(r[2]) for r in q.select_exclusions(conn, meeting.id)} & voter_ids
    leave = {int(r[1]) for r in q.select_leaves(conn, meeting.id)} & voter_ids
    return Electorate(meeting, tuple(voters), tuple(non_voting), frozenset(excluded),
                      frozenset(leave))


_FORM_FIELD: dict[str, str] = {Form.ALL: "resident_voter", Form.HOUSEHOLD: "household_rep",
                               Form.REPRESENTATIVE: "resident_rep",
                               Form.MEMBERS: "collective_member",
                               Form.DELEGATES: "collective_delegate"}


def nobody_votes(conn: sqlite3.Connection) -> list[str]:
    """After a register import: each meeting in which nobody of a non-empty register has a vote
    (应到 0: voting could never open), with the reason in words."""
    from app.meetings import list_meetings
    from app.meetings.words import FORM_ZH
    from app.register.fields import FIELD_LABELS

    persons = load_persons(conn)
    if not persons:
        return []
    out = []
    for m in list_meetings(conn):
        # A plenary's electors are named on the setup page after the import, not in the register.
        if m.form == Form.PLENARY or electorate(conn, m, persons).registered:
            continue
        field = _FORM_FIELD.get(m.form, "party_status")
        why = (f"名册{len(persons)}人中没有一人的“{FIELD_LABELS[field]}”为“是”"
               "（名册缺少这一列，或这一列都是空的）" if field != "party_status" else
               f"名册{len(persons)}人中没有一名正式党员（“人员类别”一列缺少或都是空的）")
        out.append(f"{m.title}（{FORM_ZH.get(Form(m.form), m.form)}）应到 0 人：{why}，"
                   "这样无法开始投票；请在名册中补上这一列后重新导入")
    return out


class VoteFlags(Protocol):
    """The register columns that decide a vote (a Person, or a PersonRecord read from a file
    before it is imported)."""

    @property
    def party_status(self) -> PartyStatus: ...
    @property
    def resident_voter(self) -> bool: ...
    @property
    def household_rep(self) -> bool: ...
    @property
    def resident_rep(self) -> bool: ...
    @property
    def collective_member(self) -> bool: ...
    @property
    def collective_delegate(self) -> bool: ...


_YES_WORDS = "填“是”（或 √、1）的人有表决权，空着或填“否”的没有"


def _votes_by(field: str, p: VoteFlags) -> bool:
    return (p.party_status == PartyStatus.FULL if field == "party_status"
            else bool(getattr(p, field)))


def nobody_would_vote(rows: Sequence[VoteFlags], meetings: Sequence[Meeting]) -> list[str]:
    """Before a new register is imported: each meeting in which nobody of `rows` would have a
    vote (应到 0), naming the column that decides it and the values that count; with no meeting
    yet, one line when no column of the file gives anybody a vote. Told, never refused: the CLI
    imports such a register too (and warns after, `nobody_votes`)."""
    from app.meetings.words import FORM_ZH
    from app.register.fields import FIELD_LABELS

    if not rows:
        return []
    out = []
    for m in meetings:
        if m.form == Form.PLENARY:  # its electors are named on the setup page, not in the file
            continue
        field = _FORM_FIELD.get(m.form, "party_status")
        if any(_votes_by(field, p) for p in rows):
            continue
        if field == "party_status":
            why = ("名册中没有一名正式党员：表决权看“人员类别”一列，填“正式党员”的人有表决权"
                   "（这一列缺少，或都空着）")
        else:
            why = (f"名册中没有一人的“{FIELD_LABELS[field]}”为“是”（没有这一列，或这一列都空着）；"
                   f"这一列决定谁有表决权：{_YES_WORDS}")
        out.append(f"导入后“{m.title}”（{FORM_ZH.get(Form(m.form), m.form)}）应到 0 人，"
                   f"无法开始投票。{why}")
    if not meetings and not any(_votes_by(f, p) for p in rows for f in
                                ("party_status", *_FORM_FIELD.values())):
        out.append("导入后没有一人有表决权：名册中没有决定表决权的一列，或这些列都空着。"
                   "居民选举看“是否选民”（每户派代表看“是否户代表”，居民代表选举看“是否居民代表”），"
                   f"{_YES_WORDS}；党员大会看“人员类别”，填“正式党员”的人有表决权；"
                   "集体经济组织看“是否集体经济组织成员”或“是否成员代表”")
    return out
