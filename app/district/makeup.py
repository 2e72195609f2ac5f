"""The make-up of the new bodies (班子结构) from the packages' elected.json.

Body types: the elected of a contest belong to the contest's body (elected.json `body`, e.g.
中共新华街道翠湖社区委员会), classified by its name into 党组织委员会, 纪委, 居委会, 居务监督委员会,
合作社理事会, 合作社监事会. A person counts once per body of a community (the 书记 is also a 委员).

Per body type: members, average age at the election (election year − birth year: elected.json
carries the birth year only), share with 大专及以上 and 本科及以上, under 35 (that age < 35), and
women. Shares are of all members (an unknown education or gender counts as "not"); the age
figures are of the members whose birth year is known. Education is the register's text read
through the one table of levels (app.education): 中专/中等专科 is not 大专, 大学 is 大专及以上 but not
known to be 本科; `education_unknown` counts the members whose text does not answer both bands.

一肩挑: the Party organisation's 书记 and the residents' committee's 主任 are the same person —
the same `person_id` of the package's snapshot (the exporter keeps one id per person), or, when
either has none, the same name, birth year and gender.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from app import education as edu
from app.district import rates

PARTY = "党组织委员会"
DISCIPLINE = "纪委"
RESIDENTS = "居委会"
SUPERVISORY = "居务监督委员会"
COOP_BOARD = "合作社理事会"
COOP_SUPERVISORS = "合作社监事会"
BODY_ORDER = (PARTY, DISCIPLINE, RESIDENTS, SUPERVISORY, COOP_BOARD, COOP_SUPERVISORS)
YOUNG_BELOW = 35
SECRETARY_TITLES = frozenset({"书记"})
DIRECTOR_TITLES = frozenset({"主任"})
METRICS = ("members", "average_age", "college_pct", "bachelor_pct", "under35_pct", "women_pct")
METRIC_LABELS = {"members": "人数", "average_age": "平均年龄", "college_pct": "大专及以上",
                 "bachelor_pct": "本科及以上", "under35_pct": "35岁以下", "women_pct": "女性",
                 "dual_role_pct": "书记主任一肩挑"}


def has_bachelor(education: str) -> bool:
    """本科及以上, certainly (app.education)."""
    return edu.has_bachelor(education)


def has_college(education: str) -> bool:
    """大专及以上, certainly: never 中专 / 中等专科 (app.education)."""
    return edu.has_college(education)


def body_type(body: str) -> str:
    if "纪律检查委员会" in body or body.endswith("纪委"):
        return DISCIPLINE
    if "居务监督委员会" in body:
        return SUPERVISORY
    if "居民委员会" in body:
        return RESIDENTS
    if "监事会" in body:
        return COOP_SUPERVISORS
    if "理事会" in body or "董事会" in body:
        return COOP_BOARD
    if body.startswith("中共") or any(w in body for w in ("党委", "党总支", "党支部")):
        return PARTY
    return body or "其他"


def body_rank(name: str) -> tuple[int, str]:
    return (BODY_ORDER.index(name) if name in BODY_ORDER else len(BODY_ORDER), name)


@dataclass(frozen=True, slots=True)
class Member:
    key: tuple[Any, ...]      # who, within one community's package
    name: str
    gender: str | None
    birth_year: int | None
    education: str
    age: int | None           # at the election (year difference)


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


def _year(date: str) -> int | None:
    return int(date[:4]) if len(date) >= 4 and date[:4].isdigit() else None


def community_bodies(elected: dict[str, Any], meeting_dates: dict[str, str]
                     ) -> dict[str, list[Member]]:
    """Body type → distinct members of one community's package."""
    out: dict[str, dict[tuple[Any, ...], Member]] = {}
    for m in elected.get("meetings", []):
        year = _year(meeting_dates.get(str(m.get("meeting")), ""))
        for c in m.get("contests", []):
            members = out.setdefault(body_type(str(c.get("body", ""))), {})
            for e in c.get("elected", []):
                key = person_key(e)
                if key in members:
                    continue
                born = e.get("birth_year")
                age = year - int(born) if year is not None and born is not None else None
                members[key] = Member(key, str(e.get("name", "")), e.get("gender"),
                                      None if born is None else int(born),
                                      str(e.get("education") or ""), age)
    return {b: list(ms.values()) for b, ms in out.items()}


def leaders(elected: dict[str, Any], body: str, titles: frozenset[str]) -> list[dict[str, Any]]:
    return [e for m in elected.get("meetings", []) for c in m.get("contests", [])
            if body_type(str(c.get("body", ""))) == body and str(c.get("title")) in titles
            for e in c.get("elected", [])]


def dual_role(elected: dict[str, Any]) -> bool | None:
    """True when the 书记 is also the 主任; None until both are elected."""
    secretaries = leaders(elected, PARTY, SECRETARY_TITLES)
    directors = leaders(elected, RESIDENTS, DIRECTOR_TITLES)
    if not secretaries or not directors:
        return None
    return any(same_person(s, d) for s in secretaries for d in directors)


@dataclass(slots=True)
class BodyFigures:
    body: str
    members: int = 0
    aged: int = 0
    age_total: int = 0
    college: int = 0
    bachelor: int = 0
    young: int = 0
    women: int = 0
    education_unknown: int = 0
    previous: dict[str, Decimal] = field(default_factory=dict)

    def add(self, members: Iterable[Member]) -> None:
        for p in members:
            self.members += 1
            if p.age is not None:
                self.aged += 1
                self.age_total += p.age
                self.young += p.age < YOUNG_BELOW
            level = edu.classify(p.education)
            college = level.at_least(edu.Level.COLLEGE)
            bachelor = level.at_least(edu.Level.BACHELOR)
            self.college += college is True
            self.bachelor += bachelor is True
            self.education_unknown += college is None or bachelor is None
            self.women += p.gender == "F"

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
        out: dict[str, Any] = {"body": self.body, "members": self.members,
                               "with_birth_year": self.aged, "age_total": self.age_total,
                               "college": self.college, "bachelor": self.bachelor,
                               "under35": self.young, "women": self.women,
                               "education_unknown": self.education_unknown}
        out.update({k: v for k, v in figs.items() if k != "members"})
        if self.previous:
            out["previous"] = dict(self.previous)
            out["changes"] = changes(figs, self.previous)
        return out

    def json(self) -> dict[str, Any]:
        """`data()` with every figure a JSON number (percent / years, app.district.rates)."""
        out: dict[str, Any] = rates.jsonable(self.data())
        return out


_PHRASE_LABELS = {"college_pct": "大专及以上", "bachelor_pct": "本科以上",
                  "under35_pct": "35岁以下", "women_pct": "女性占比",
                  "dual_role_pct": "书记主任一肩挑比例"}


def change_phrase(metric: str, now: Decimal, before: Decimal) -> str:
    """"平均年龄下降2.2岁", "本科以上提高5.8个百分点", "女性占比持平"."""
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
