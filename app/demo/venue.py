"""The demo venue's meetings: the 党员大会 (current), the 委员会全体会议 that elects 书记/副书记, and
the 居民委员会 election, with exclusions, leaves, desks, contests and candidates. Every write
goes through app.meetings, so the demo exercises the same code (and audit) as real setup."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable, Sequence
from typing import TypeVar

from app.clock import Clock
from app.demo.people import BRANCHES, GROUPS, RETIRED, Draft
from app.meetings import (
    Refusal,
    add_candidate,
    add_contest,
    add_desk,
    add_electors,
    add_exclusion,
    add_leave,
    create_meeting,
    set_current,
)
from app.model import (
    ContestKind,
    ExclusionReason,
    Form,
    Meeting,
    Organisation,
    PartyStatus,
    RuleSet,
)

T = TypeVar("T")

STREET = "新华街道"
COMMUNITY = "新华街道翠湖社区"
PARTY_BODY = "中共新华街道翠湖社区委员会"
DISCIPLINE_BODY = "中共新华街道翠湖社区纪律检查委员会"
RESIDENTS_BODY = "新华街道翠湖社区居民委员会"
RESIDENTS_DAY = "2026-12-06"
VENUE = "翠湖社区党群服务中心二楼大会议室"
ACTOR = "选举工作人员（演示）"

COMMITTEE = ("欧阳红梅", "张喆", "曾凡荣", "李建军", "王淑芬", "单国栋", "陈珺", "刘志强", "马晓东")
DISCIPLINE = ("周建平", "翟丽华", "孙浩", "阿依古丽·买买提")
DIRECTOR = ("欧阳红梅", "黄志明")
DEPUTY_DIRECTOR = ("吴丽娟", "郑海涛", "解晓光")
RESIDENTS_MEMBERS = ("林静", "何志刚", "查文博", "徐佳怡", "朱昉", "司马文涛", "罗敏")

# Approved exclusions: reason, how many, what the file says (one of these).
EXCLUSIONS: tuple[tuple[ExclusionReason, int, tuple[str, ...]], ...] = (
    (ExclusionReason.ILLNESS, 3, ("阿尔茨海默病，不能正确表达本人意志",
                                  "脑梗后遗症，语言障碍，不能正确表达本人意志",
                                  "精神疾病住院治疗中")),
    (ExclusionReason.ABROAD, 3, ("自费出国探亲，已满六个月", "自费出国陪读，已满一年",
                                 "自费出国定居手续办理中，已出国八个月")),
    (ExclusionReason.SENTENCE, 2, ("受刑事处罚正在服刑，未受留党察看以上处分",)),
    (ExclusionReason.BEDRIDDEN, 4, ("年老体弱，长期卧床", "瘫痪在床，生活不能自理",
                                    "长期住院，生活不能自理")),
    (ExclusionReason.AWAY_TRANSFER, 4, ("外派援疆，组织关系未转出", "挂职锻炼一年，组织关系未转出",
                                        "脱产学习半年以上，组织关系未转出")),
)
APPROVALS = (("新党工复〔2026〕18号", "2026-11-12"), ("新党工复〔2026〕21号", "2026-11-20"))
LEAVE_REASONS = ("出差", "住院治疗", "外出探亲", "工作原因无法脱身", "照顾住院家属", "身体不适",
                 "在外地学习培训", "值班")


def ok(result: T | Refusal) -> T:
    """Demo setup never expects a refusal: one is a bug in the demo data."""
    if isinstance(result, Refusal):
        raise RuntimeError(f"demo setup refused: {result.code} {result.message}")
    return result


class Venue:
    def __init__(self, conn: sqlite3.Connection, drafts: Sequence[Draft], ids: Sequence[int], day: str,
                 clock: Clock, rng: random.Random, age: Callable[[Draft], int]) -> None:
        self.conn = conn
        self.drafts = drafts
        self.id_of = {id(d): pid for d, pid in zip(drafts, ids, strict=True)}
        self.cast = {d.name: self.id_of[id(d)] for d in drafts if d.cast}
        self.day = day
        self.clock = clock
        self.rng = rng
        self.age = age

    def build(self) -> dict[str, Meeting]:
        party = self.party_assembly()
        plenary = self.plenary()
        residents = self.residents()
        party = ok(set_current(self.conn, party.id, clock=self.clock, actor=ACTOR))
        return {"party": party, "plenary": plenary, "residents": residents}

    def _meeting(self, code: str, title: str, org: Organisation, rules: RuleSet, form: Form,
                 date: str, venue: str = VENUE) -> Meeting:
        return ok(create_meeting(self.conn, code=code, title=title, community=COMMUNITY,
                                 organisation=org, rules=rules, form=form, date=date,
                                 venue=venue, clock=self.clock, actor=ACTOR))

    def _contest(self, meeting: Meeting, code: str, title: str, body: str, kind: ContestKind,
                 seats: int, names: Sequence[str]) -> None:
        contest = ok(add_contest(self.conn, meeting.id, code=code, title=title, body=body,
                                 kind=kind, seats=seats, clock=self.clock, actor=ACTOR))
        for name in names:
            ok(add_candidate(self.conn, contest.id, name=name, person_id=self.cast[name],
                             clock=self.clock, actor=ACTOR))

    def party_assembly(self) -> Meeting:
        m = self._meeting("party", f"{PARTY_BODY}换届选举党员大会", Organisation.PARTY_COMMITTEE,
                          RuleSet.PARTY, Form.ASSEMBLY, self.day)
        for branch in BRANCHES:
            ok(add_desk(self.conn, m.id, f"{branch}签到台", [branch], clock=self.clock,
                        actor=ACTOR))
        full = [d for d in self.drafts if d.party_status == PartyStatus.FULL and not d.cast]
        used: set[int] = set()
        for i, (reason, count, details) in enumerate(EXCLUSIONS):
            pool = [d for d in full if id(d) not in used and self._fits(reason, d)]
            for d in self.rng.sample(pool, count):
                used.add(id(d))
                ref, on = APPROVALS[1] if i == len(EXCLUSIONS) - 1 else APPROVALS[0]
                ok(add_exclusion(self.conn, m.id, self.id_of[id(d)], reason, approval_ref=ref,
                                 approved_on=on, detail=self.rng.choice(details),
                                 clock=self.clock, actor=ACTOR))
        pool = [d for d in full if id(d) not in used]
        for d in self.rng.sample(pool, 30):
            ok(add_leave(self.conn, m.id, self.id_of[id(d)], self.rng.choice(LEAVE_REASONS),
                         clock=self.clock, actor=ACTOR))
        self._contest(m, "committee", "委员", PARTY_BODY, ContestKind.COMMITTEE, 7, COMMITTEE)
        self._contest(m, "discipline", "纪委委员", DISCIPLINE_BODY, ContestKind.COMMITTEE, 3,
                      DISCIPLINE)
        return m

    def _fits(self, reason: ExclusionReason, d: Draft) -> bool:
        age = self.age(d)
        if reason is ExclusionReason.BEDRIDDEN:
            return d.branch == BRANCHES[RETIRED] and age >= 80
        if reason is ExclusionReason.ILLNESS:
            return age >= 65
        if reason is ExclusionReason.AWAY_TRANSFER:
            return 25 <= age <= 50
        return 25 <= age <= 70

    def plenary(self) -> Meeting:
        m = self._meeting("plenary", f"{PARTY_BODY}第一次全体会议", Organisation.PARTY_COMMITTEE,
                          RuleSet.PARTY, Form.PLENARY, self.day)
        # Before the count the committee is not known: the committee candidates stand in.
        ok(add_electors(self.conn, m.id, [self.cast[n] for n in COMMITTEE], clock=self.clock,
                        actor=ACTOR))
        ok(add_desk(self.conn, m.id, "全体会议签到台", [], clock=self.clock, actor=ACTOR))
        self._contest(m, "secretary", "书记", PARTY_BODY, ContestKind.LEADER, 1, COMMITTEE[:1])
        self._contest(m, "deputy", "副书记", PARTY_BODY, ContestKind.LEADER, 1, COMMITTEE[1:2])
        return m

    def residents(self) -> Meeting:
        m = self._meeting("residents", f"{RESIDENTS_BODY}第十二届选举大会",
                          Organisation.RESIDENTS_COMMITTEE, RuleSet.RESIDENTS, Form.ALL,
                          RESIDENTS_DAY, "翠湖社区文化广场")
        for group in GROUPS:
            ok(add_desk(self.conn, m.id, f"{group}签到台", [group], clock=self.clock,
                        actor=ACTOR))
        self._contest(m, "director", "主任", RESIDENTS_BODY, ContestKind.LEADER, 1, DIRECTOR)
        self._contest(m, "deputy", "副主任", RESIDENTS_BODY, ContestKind.LEADER, 2,
                      DEPUTY_DIRECTOR)
        self._contest(m, "member", "委员", RESIDENTS_BODY, ContestKind.COMMITTEE, 5,
                      RESIDENTS_MEMBERS)
        return m
