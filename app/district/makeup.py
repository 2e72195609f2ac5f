"""The make-up of the new bodies (班子结构) from the packages' elected.json.

Body types (app.posts.body_type): the elected of a contest belong to the contest's body (e.g.
中共新华街道翠湖社区委员会 → 党组织委员会). A person counts once per body of a community (the 书记 is
also a 委员) and holds the posts of the contests they were elected in (the contest's `post`, chosen
in setup; a package before format 4 has none, and its contest's title stands for the post only
when the title IS a post word, app.posts.post_of_old_title).

Per body type, per post (书记, 副书记, 主任 … of a body) and for the 两委 together (the party
committee and the residents' committee, each person once): members, average age, 大专及以上 and
本科及以上 (count and share), 35岁以下 (count and share), women, 兼职委员, 留任 and 新提拔.
- Age: the completed age on the election day (the meeting's date). Format 4 carries the birth
  month: the birthday is taken as the FIRST day of that month. Older packages carry the year
  only: the age is then the difference of the years.
- 35岁以下: includes 35 by default (以下 includes the number, the legal reading); the district may
  choose "under 35" (`young_inclusive` False).
- 留任: for a body, the person sat in the same body type in the previous term; for a post, held
  the same post in it. 新提拔 (posts) / 新进 (bodies): did not. Known only from format-4 packages
  (each elected person's `previous` seats); older packages count in neither.
- Shares are of all members (an unknown education or gender counts as "not"); the age figures are
  of the members whose birth year is known. Education is read through app.education.

一肩挑: the Party organisation's 书记 and the residents' committee's 主任 are the same person —
the same `person_id` of the package's snapshot, or, when either has none, the same name, birth
year and gender.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from app import education as edu
from app import posts
from app.district import rates
from app.posts import (
    COOP_BOARD,
    COOP_SUPERVISORS,
    DISCIPLINE,
    PARTY,
    RESIDENTS,
    SUPERVISORY,
    body_type,
    post_of_old_title,
)

__all__ = ["COOP_BOARD", "COOP_SUPERVISORS", "DISCIPLINE", "PARTY", "RESIDENTS", "SUPERVISORY",
           "body_type"]
BODY_ORDER = posts.BODIES
TWO_COMMITTEES = "两委"
YOUNG_AGE = 35
SECRETARY_POSTS = frozenset({posts.SECRETARY})
DIRECTOR_POSTS = frozenset({posts.DIRECTOR})
METRICS = ("members", "average_age", "college_pct", "bachelor_pct", "under35_pct", "women_pct")
METRIC_LABELS = {"members": "人数", "average_age": "平均年龄", "college_pct": "大专及以上",
                 "bachelor_pct": "本科及以上", "under35_pct": "35岁以下", "women_pct": "女性",
                 "dual_role_pct": "书记主任一肩挑"}
SHORT = {PARTY: "党组织", DISCIPLINE: "纪委", RESIDENTS: "居委会", SUPERVISORY: "居务监督委员会",
         COOP_BOARD: "合作社", COOP_SUPERVISORS: "合作社监事会"}


def has_bachelor(education: str) -> bool:
    """本科及以上, certainly (app.education)."""
    return edu.has_bachelor(education)


def has_college(education: str) -> bool:
    """大专及以上, certainly: never 中专 / 中等专科 (app.education)."""
    return edu.has_college(education)


def body_rank(name: str) -> tuple[int, str]:
    return (BODY_ORDER.index(name) if name in BODY_ORDER else len(BODY_ORDER), name)


def post_label(body: str, post: str) -> str:
    """党组织书记, 居委会主任, 纪委书记 (a post that already names its body stays as it is)."""
    short = SHORT.get(body, body)
    return post if not post or post.startswith(short) else f"{short}{post}"


def completed_age(birth_year: int, birth_month: int | None, day: dt.date) -> int:
    """Completed years on `day`, the birthday taken as the 1st of `birth_month` (without a month:
    the difference of the years)."""
    if birth_month is None:
        return day.year - birth_year
    return day.year - birth_year - (1 if day.month < birth_month else 0)


@dataclass(frozen=True, slots=True)
class Member:
    key: tuple[Any, ...]      # who, within one community's package
    name: str
    gender: str | None
    birth_year: int | None
    education: str
    age: int | None           # completed age on the election day
    birth_month: int | None = None
    part_time: bool = False
    previous: frozenset[tuple[str, str]] | None = None   # (body, post) seats; None: unknown
    posts: frozenset[str] = frozenset()                  # posts held in this body


def person_key(e: dict[str, Any]) -> tuple[Any, ...]:
    pid = e.get("person_id")
    if pid is not None:
        return ("id", int(pid))
    return ("who", str(e.get("name", "")), e.get("birth_year"), e.get("gender"))


def same_person(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if a.get("person_id") is not None and b.get("person_id") is not None:
        return bool(a["person_id"] == b["person_id"])
    return (a.get("name"), a.get("birth_year"), a.get("gender")) == (
        b.get("name"), b.get("birth_year"), b.get("gender"))


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def contest_post(c: dict[str, Any]) -> str:
    """The contest's post: chosen in setup (format 4), else an old title that is a post word."""
    if "post" in c:
        return str(c.get("post") or "")
    return post_of_old_title(str(c.get("title", "")))


def _member(e: dict[str, Any], day: dt.date | None, post: str) -> Member:
    born = e.get("birth_year")
    month = e.get("birth_month")
    month = int(month) if month is not None else None
    age = completed_age(int(born), month, day) if day is not None and born is not None else None
    prev = e.get("previous")
    previous = None if prev is None else frozenset(
        (str(p.get("body", "")), str(p.get("post", ""))) for p in prev)
    return Member(person_key(e), str(e.get("name", "")), e.get("gender"),
                  None if born is None else int(born), str(e.get("education") or ""), age,
                  month, bool(e.get("part_time")), previous,
                  frozenset({post}) if post else frozenset())


def community_bodies(elected: dict[str, Any], meeting_dates: dict[str, str]
                     ) -> dict[str, list[Member]]:
    """Body type → distinct members of one community's package (with the posts each holds)."""
    out: dict[str, dict[tuple[Any, ...], Member]] = {}
    for m in elected.get("meetings", []):
        day = _date(meeting_dates.get(str(m.get("meeting")), ""))
        for c in m.get("contests", []):
            members = out.setdefault(body_type(str(c.get("body", ""))), {})
            post = contest_post(c)
            for e in c.get("elected", []):
                new = _member(e, day, post)
                old = members.get(new.key)
                if old is None:
                    members[new.key] = new
                else:
                    members[new.key] = Member(
                        old.key, old.name, old.gender, old.birth_year, old.education, old.age,
                        old.birth_month, old.part_time or new.part_time, old.previous,
                        old.posts | new.posts)
    return {b: list(ms.values()) for b, ms in out.items()}


def two_committees(bodies: dict[str, list[Member]]) -> list[Member]:
    """The party committee's and the residents' committee's members, each person once."""
    seen: dict[tuple[Any, ...], Member] = {}
    for body in (PARTY, RESIDENTS):
        for p in bodies.get(body, []):
            seen.setdefault(p.key, p)
    return list(seen.values())


def leaders(elected: dict[str, Any], body: str, wanted: frozenset[str]) -> list[dict[str, Any]]:
    return [e for m in elected.get("meetings", []) for c in m.get("contests", [])
            if body_type(str(c.get("body", ""))) == body and contest_post(c) in wanted
            for e in c.get("elected", [])]


def dual_role(elected: dict[str, Any]) -> bool | None:
    """True when the 书记 is also the 主任; None until both are elected."""
    secretaries = leaders(elected, PARTY, SECRETARY_POSTS)
    directors = leaders(elected, RESIDENTS, DIRECTOR_POSTS)
    if not secretaries or not directors:
        return None
    return any(same_person(s, d) for s in secretaries for d in directors)


@dataclass(slots=True)
class BodyFigures:
    """The figures of one group: a body type (`post` ""), one post of a body, or the 两委."""

    body: str
    post: str = ""
    young_inclusive: bool = True
    members: int = 0
    aged: int = 0
    age_total: int = 0
    college: int = 0
    bachelor: int = 0
    young: int = 0
    women: int = 0
    education_unknown: int = 0
    part_time: int = 0
    retained: int = 0
    fresh: int = 0                 # 新提拔 (a post) / 新进 (a body): known not to have held it
    previous: dict[str, Decimal] = field(default_factory=dict)

    @property
    def knows_previous(self) -> bool:
        """留任 / 新提拔 mean something only for a body of the list (not 其他: no body set)."""
        return self.body == TWO_COMMITTEES or self.body in BODY_ORDER

    @property
    def unknown_previous(self) -> int:
        """Members of whom it is not known whether they held the seat before (a package before
        format 4, or a body not set): members = retained + fresh + this, always."""
        return self.members - self.retained - self.fresh

    @property
    def label(self) -> str:
        return post_label(self.body, self.post) if self.post else self.body

    def _held_before(self, seats: frozenset[tuple[str, str]]) -> bool:
        if self.body == TWO_COMMITTEES:
            return any(b in (PARTY, RESIDENTS) for b, _p in seats)
        if self.post:
            return (self.body, self.post) in seats
        return any(b == self.body for b, _p in seats)

    def add(self, members: Iterable[Member]) -> None:
        for p in members:
            self.members += 1
            if p.age is not None:
                self.aged += 1
                self.age_total += p.age
                self.young += p.age <= YOUNG_AGE if self.young_inclusive else p.age < YOUNG_AGE
            level = edu.classify(p.education)
            college = level.at_least(edu.Level.COLLEGE)
            bachelor = level.at_least(edu.Level.BACHELOR)
            self.college += college is True
            self.bachelor += bachelor is True
            self.education_unknown += college is None or bachelor is None
            self.women += p.gender == "F"
            self.part_time += p.part_time
            if p.previous is not None and self.knows_previous:
                held = self._held_before(p.previous)
                self.retained += held
                self.fresh += not held

    def figures(self) -> dict[str, Decimal | int | None]:
        return {"members": self.members,
                "average_age": rates.mean(self.age_total, self.aged),
                "college_pct": rates.share(self.college, self.members),
                "bachelor_pct": rates.share(self.bachelor, self.members),
                "under35_pct": rates.share(self.young, self.aged),
                "women_pct": rates.share(self.women, self.members)}

    def data(self) -> dict[str, Any]:
        """Counts, the figures as Decimals (None without a denominator), the previous term's
        figures and the phrases of the change."""
        figs = self.figures()
        out: dict[str, Any] = {"body": self.body, "post": self.post, "label": self.label,
                               "members": self.members,
                               "with_birth_year": self.aged, "age_total": self.age_total,
                               "college": self.college, "bachelor": self.bachelor,
                               "under35": self.young, "women": self.women,
                               "education_unknown": self.education_unknown,
                               "part_time": self.part_time, "retained": self.retained,
                               "new": self.fresh, "previous_unknown": self.unknown_previous}
        out.update({k: v for k, v in figs.items() if k != "members"})
        if self.previous:
            out["previous"] = dict(self.previous)
            out["changes"] = changes(figs, self.previous)
        return out

    def json(self) -> dict[str, Any]:
        """`data()` with every figure a JSON number (percent / years, app.district.rates)."""
        out: dict[str, Any] = rates.jsonable(self.data())
        return out


_PHRASE_LABELS = {"college_pct": "大专及以上", "bachelor_pct": "本科及以上",
                  "under35_pct": "35岁以下", "women_pct": "女性占比",
                  "dual_role_pct": "书记主任一肩挑比例"}


def change_phrase(metric: str, now: Decimal, before: Decimal) -> str:
    """"平均年龄下降2.2岁", "本科及以上提高5.8个百分点" (shares: percentage POINTS), "女性占比持平"."""
    diff = now - before
    if metric == "members":
        label = "人数"
        unit = "人"
        up, down = "增加", "减少"
    elif metric == "average_age":
        label, unit, up, down = "平均年龄", "岁", "上升", "下降"
    else:
        label, unit, up, down = _PHRASE_LABELS.get(metric, metric), "个百分点", "提高", "下降"
    if diff == 0:
        return f"{label}持平"
    return f"{label}{up if diff > 0 else down}{abs(diff)}{unit}"


def changes(figs: dict[str, Decimal | int | None], previous: dict[str, Decimal]) -> list[str]:
    out = []
    for metric in METRICS:
        now, before = figs.get(metric), previous.get(metric)
        if now is None or before is None:
            continue
        out.append(change_phrase(metric, Decimal(now), before))
    return out
