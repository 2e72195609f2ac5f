"""The district's figures from its database: per community and overall.

Communities are those of the plan and those that sent a package. Per community, from its
CURRENT package (app.district.trust: the latest export among those signed by the community's key
or approved, and not excluded; superseded ones are history, quarantined and excluded ones are
listed, never counted):
- stage: 未开始 (no package), 进行中, 已完成. A community's 换届 is the election of its "两委": it
  is 已完成 when its package covers BOTH the Party organisation's committee (党组织委员会) and the
  residents' committee (居委会) and every meeting of it is complete (each seat decided, or the
  recorded decision not to fill it). A package of the 党员大会 alone — the 委员 elected, no 居委会
  yet — is 进行中, whatever its meetings say; `covers` names the bodies it carries. Done date:
  the latest meeting date of a completed community;
- on time: done date on or before the plan date;
- one pass (一次性选举成功): every meeting's `one_pass_success` (no runoff, no re-vote), said of
  a completed community only;
- attendance, per electorate and never summed across them (a person on the Party register and
  on the voters' list is one person, counted once at each meeting): 党员大会出席率 = 实到 / 应到
  of the party meetings' first rounds (the announced snapshot), the committee's plenary left
  out (a handful of committee members, not a turnout); 选民参选率 = the same of the residents'
  meetings (选举大会 / 户代表 / 居民代表会议).

Overall: 按期换届率 = on time / planned; 一次性选举成功率 = one pass / completed; 党员大会出席率
and 选民参选率 pooled over the communities (Σ实到 / Σ应到, not a mean of rates); 一肩挑率 =
communities whose 书记 is the 主任 / communities where both are elected. Rounding:
app.district.rates.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from app import posts
from app.district import makeup, rates
from app.district.trust import EXCLUDED, QUARANTINED, UNVERIFIED, PackageState, all_trust
from db import district as store

NOT_STARTED, IN_PROGRESS, COMPLETED = "未开始", "进行中", "已完成"
STAGES = (NOT_STARTED, IN_PROGRESS, COMPLETED)
NOT_A_TURNOUT = frozenset({"plenary"})   # meeting forms left out of 出席率
TWO_COMMITTEES_BODIES = (makeup.PARTY, makeup.RESIDENTS)   # what a completed 换届 covers
_ORGANISATION_BODY = {"party_committee": makeup.PARTY, "party_general_branch": makeup.PARTY,
                      "party_branch": makeup.PARTY, "residents_committee": makeup.RESIDENTS}


@dataclass(slots=True)
class Community:
    community: str
    street: str = ""
    plan_date: str | None = None
    stage: str = NOT_STARTED
    done_date: str | None = None
    on_time: bool | None = None
    one_pass: bool | None = None
    party_expected: int = 0     # the party meetings (应到会党员 / 实际到会)
    party_present: int = 0
    voter_expected: int = 0     # the residents' meetings (登记选民 / 参加投票)
    voter_present: int = 0
    covers: list[str] = field(default_factory=list)   # bodies the package carries
    dual_role: bool | None = None
    runoffs: int = 0
    package: str = ""           # short hash of the current package
    fingerprint: str = ""
    exported_at: str = ""
    packages: int = 0           # how many received (history included)
    key_flag: str = ""          # the remark on the key: 未核对密钥 / a quarantined package
    key_status: str = ""        # 已核对 | 未核对密钥 | "" (no package)
    meetings: list[dict[str, Any]] = field(default_factory=list)
    bodies: dict[str, list[makeup.Member]] = field(default_factory=dict)

    @property
    def party_attendance_rate(self) -> Decimal | None:
        return rates.percent(self.party_present, self.party_expected)

    @property
    def voter_turnout_rate(self) -> Decimal | None:
        return rates.percent(self.voter_present, self.voter_expected)

    @property
    def missing_bodies(self) -> list[str]:
        """The 两委 bodies the package does not carry yet ([] without a package)."""
        return [b for b in TWO_COMMITTEES_BODIES if self.package and b not in self.covers]

    def covers_words(self) -> str:
        """"已报党组织委员会，未报居委会" / "已报党组织委员会、居委会，尚有会议未完成" for a
        community in progress ("" otherwise)."""
        if self.stage != IN_PROGRESS:
            return ""
        has = [b for b in self.covers if b in makeup.BODY_ORDER]
        missing = self.missing_bodies
        parts = ([f"已报{'、'.join(has)}"] if has else []) + \
            ([f"未报{'、'.join(missing)}"] if missing else [])
        if not missing:
            parts.append("尚有会议未完成")
        return "，".join(parts)

    def json(self) -> dict[str, Any]:
        return {"community": self.community, "street": self.street,
                "plan_date": self.plan_date, "stage": self.stage,
                "completed": self.stage == COMPLETED, "done_date": self.done_date,
                "on_time": self.on_time, "one_pass": self.one_pass,
                "covers": self.covers, "missing_bodies": self.missing_bodies,
                "party_expected": self.party_expected, "party_present": self.party_present,
                "party_attendance_rate": rates.jsonable(self.party_attendance_rate),
                "voter_expected": self.voter_expected, "voter_present": self.voter_present,
                "voter_turnout_rate": rates.jsonable(self.voter_turnout_rate),
                "dual_role": self.dual_role, "runoffs": self.runoffs,
                "package": self.package, "fingerprint": self.fingerprint,
                "exported_at": self.exported_at, "packages_received": self.packages,
                "key_flag": self.key_flag, "key_status": self.key_status,
                "meetings": self.meetings,
                "members": {b: len(ms) for b, ms in sorted(
                    self.bodies.items(), key=lambda kv: makeup.body_rank(kv[0]))}}


def _first_snapshot(doc: dict[str, Any]) -> tuple[int, int] | None:
    rounds = [r for c in doc.get("contests", []) for r in c.get("rounds", [])
              if r.get("snapshot")]
    if not rounds:
        return None
    first = min(rounds, key=lambda r: int(r.get("round_id", 0)))
    snap = first["snapshot"]
    return int(snap["expected"]), int(snap["present"])


def community_from_package(c: Community, p: store.PackageRow) -> None:
    manifest = json.loads(p.manifest)
    results: dict[str, Any] = json.loads(p.results)
    elected: dict[str, Any] = json.loads(p.elected)
    c.street = c.street or p.street
    c.package, c.fingerprint, c.exported_at = p.short_hash, p.fingerprint, p.exported_at
    meetings = manifest.get("meetings", [])
    covers = {makeup.body_type(str(ct.get("body", ""))) for m in elected.get("meetings", [])
              for ct in m.get("contests", []) if ct.get("body")}
    covers |= {_ORGANISATION_BODY[str(m.get("organisation"))] for m in meetings
               if str(m.get("organisation")) in _ORGANISATION_BODY}
    c.covers = sorted(covers, key=makeup.body_rank)
    complete = (bool(meetings) and all(bool(m.get("complete")) for m in meetings)
                and all(b in covers for b in TWO_COMMITTEES_BODIES))
    c.stage = COMPLETED if complete else IN_PROGRESS
    dates: dict[str, str] = {}
    for m in meetings:
        code = str(m.get("code"))
        dates[code] = str(m.get("date", ""))
        doc = results.get(code, {})
        snap = _first_snapshot(doc)
        counted = snap is not None and m.get("form") not in NOT_A_TURNOUT
        if counted and snap is not None:
            rules = str(m.get("rules", ""))
            if rules.startswith("party"):
                c.party_expected += snap[0]
                c.party_present += snap[1]
            elif rules.startswith("residents"):
                c.voter_expected += snap[0]
                c.voter_present += snap[1]
        c.runoffs += sum(1 for ct in doc.get("contests", []) for r in ct.get("rounds", [])
                         if r.get("kind") == "runoff")
        c.meetings.append({"code": code, "title": m.get("title", ""), "form": m.get("form"),
                           "date": dates[code], "complete": bool(m.get("complete")),
                           "one_pass_success": bool(m.get("one_pass_success")),
                           "expected": snap[0] if snap else None,
                           "present": snap[1] if snap else None,
                           "attendance_rate": rates.jsonable(
                               rates.percent(snap[1], snap[0]) if snap else None),
                           "in_attendance": counted})
    if complete:
        c.done_date = max(d for d in dates.values() if d) if any(dates.values()) else None
        c.one_pass = all(bool(m.get("one_pass_success")) for m in meetings)
        if c.plan_date is not None and c.done_date is not None:
            c.on_time = c.done_date <= c.plan_date
    c.dual_role = makeup.dual_role(elected)
    c.bodies = makeup.community_bodies(elected, dates)


@dataclass(frozen=True, slots=True)
class Report:
    communities: list[Community]
    bodies: list[makeup.BodyFigures]
    previous_dual_role: Decimal | None
    quarantined: list[PackageState] = field(default_factory=list)
    excluded: list[PackageState] = field(default_factory=list)
    posts: list[makeup.BodyFigures] = field(default_factory=list)   # per post of a body
    two_committees: makeup.BodyFigures | None = None                 # 两委, each person once
    young_inclusive: bool = True                                     # 35岁以下 counts 35

    @property
    def unverified(self) -> list[Community]:
        return [c for c in self.communities if c.key_status == UNVERIFIED]

    def of_stage(self, stage: str) -> list[Community]:
        return [c for c in self.communities if c.stage == stage]

    @property
    def planned(self) -> list[Community]:
        return [c for c in self.communities if c.plan_date is not None]

    def headline(self) -> dict[str, Any]:
        done = self.of_stage(COMPLETED)
        planned = self.planned
        on_time = sum(1 for c in planned if c.on_time)
        one_pass = sum(1 for c in done if c.one_pass)
        voter_expected = sum(c.voter_expected for c in self.communities)
        voter_present = sum(c.voter_present for c in self.communities)
        party_expected = sum(c.party_expected for c in self.communities)
        party_present = sum(c.party_present for c in self.communities)
        both = [c for c in self.communities if c.dual_role is not None]
        dual = sum(1 for c in both if c.dual_role)
        out: dict[str, Any] = {
            "communities": len(self.communities),
            "stages": {s: len(self.of_stage(s)) for s in STAGES},
            "planned": len(planned),
            "completed": len(done),
            "on_time": on_time,
            "on_time_rate": rates.percent(on_time, len(planned)),
            "one_pass": one_pass,
            "one_pass_rate": rates.percent(one_pass, len(done)),
            "party_expected": party_expected,
            "party_present": party_present,
            "party_attendance_rate": rates.percent(party_present, party_expected),
            "voter_expected": voter_expected,
            "voter_present": voter_present,
            "voter_turnout_rate": rates.percent(voter_present, voter_expected),
            "runoffs": sum(c.runoffs for c in self.communities),
            "dual_role": dual,
            "dual_role_of": len(both),
            "dual_role_rate": rates.percent(dual, len(both)),
            "flagged": sorted({q.package.community for q in self.quarantined}),
            "unverified_key": [c.community for c in self.unverified],
        }
        if self.previous_dual_role is not None and out["dual_role_rate"] is not None:
            out["dual_role_change"] = makeup.change_phrase(
                "dual_role_pct", out["dual_role_rate"], self.previous_dual_role)
        return out

    def json(self) -> dict[str, Any]:
        """The report as JSON: every figure a number (units in `units`), `communities` the
        overall count, `per_community` one object per community."""
        return {**rates.jsonable(self.headline()),
                "units": rates.UNITS,
                "rounding": "exact fractions rounded once half up to 2 decimals: rates, shares"
                            " and average age alike",
                "age": "completed age on the election day, the birthday taken as the 1st of the"
                       " birth month (packages before format 4: difference of the years)",
                "under35_includes_35": self.young_inclusive,
                "makeup": [b.json() for b in self.bodies],
                "posts": [p.json() for p in self.posts],
                "two_committees": (self.two_committees.json() if self.two_committees
                                   else None),
                "quarantined": [q.json() for q in self.quarantined],
                "excluded": [x.json() for x in self.excluded],
                "per_community": [c.json() for c in self.communities]}


def build_report(conn: sqlite3.Connection) -> Report:
    plan = {c: (d, s) for c, d, s in store.plan(conn)}
    by_name: dict[str, Community] = {c: Community(c, s, d) for c, (d, s) in plan.items()}
    trusts = all_trust(conn)
    current = {t.current.package.id: t for t in trusts.values() if t.current is not None}
    for name, t in trusts.items():
        c = by_name.setdefault(name, Community(name))
        c.packages = len(t.states)
        c.key_status = t.key_status
        held = [s for s in t.states if s.status == QUARANTINED]
        c.key_flag = "；".join(
            ([f"{UNVERIFIED}：指纹 {t.provisional} 尚未与纸质交接单核对"] if t.provisional else [])
            + [f"隔离的报送包 {s.package.short_hash}：{s.reason}" for s in held])
    for p in store.package_rows(conn, list(current)):
        community_from_package(by_name[p.community], p)
    communities = sorted(by_name.values(), key=lambda c: (c.plan_date or "9999", c.community))
    previous: dict[tuple[str, str], dict[str, Decimal]] = {}
    dual_prev: Decimal | None = None
    for body, post, metric, value in store.previous(conn):
        d = rates.parse(value)
        if d is None:
            continue
        if metric == "dual_role_pct":
            dual_prev = d
        else:
            previous.setdefault((body, post), {})[metric] = d
    young = young_inclusive(conn)
    figures: dict[tuple[str, str], makeup.BodyFigures] = {}

    def group(body: str, post: str = "") -> makeup.BodyFigures:
        return figures.setdefault((body, post), makeup.BodyFigures(body, post, young))

    both = makeup.BodyFigures(makeup.TWO_COMMITTEES, "", young)
    for c in communities:
        for body, members in c.bodies.items():
            group(body).add(members)
            for post in sorted({p for m in members for p in m.posts} - {posts.MEMBER}):
                group(body, post).add(m for m in members if post in m.posts)
        both.add(makeup.two_committees(c.bodies))
    for (body, post), prev in previous.items():
        if body == makeup.TWO_COMMITTEES:
            both.previous = prev
        else:
            group(body, post).previous = prev
    rank = {p: i for i, p in enumerate(posts.POSTS)}
    ordered = sorted(figures.values(), key=lambda b: (makeup.body_rank(b.body),
                                                      rank.get(b.post, -1)))
    states = [s for t in trusts.values() for s in t.states]
    return Report(communities, [b for b in ordered if not b.post], dual_prev,
                  [s for s in states if s.status == QUARANTINED],
                  [s for s in states if s.status == EXCLUDED],
                  [b for b in ordered if b.post], both if both.members or both.previous else None,
                  young)


YOUNG_OPTION = "young_inclusive"


def young_inclusive(conn: sqlite3.Connection) -> bool:
    """35岁以下 counts those aged 35 (the default, 以下 includes the number) unless the district
    chose "under 35" (`pollday district option --under35 exclusive`)."""
    return store.option(conn, YOUNG_OPTION, "1") == "1"


def set_young_inclusive(conn: sqlite3.Connection, inclusive: bool) -> None:
    store.set_option(conn, YOUNG_OPTION, "1" if inclusive else "0")


def daily(report: Report, day: dt.date) -> dict[str, Any]:
    """日报: completed on `day`, cumulative to `day`, remaining, and per plan date (the rate a
    Decimal: `rates.jsonable` before writing JSON). ONE denominator, the communities of the
    report (those of the plan and those that sent a package, as the headline counts them):
    cumulative + remaining = communities and the rate is cumulative / communities (a rate of the
    planned ones beside a count of all read "累计完成 6 个（62.50%）" for 5 of 8). The plan's own
    figure is per plan date (`by_plan_date`) and `unplanned` names those not in the plan."""
    d = day.isoformat()
    done_list = [c for c in report.of_stage(COMPLETED) if c.done_date and c.done_date <= d]
    today = [c.community for c in done_list if c.done_date == d]
    done = {c.community for c in done_list}
    planned = report.planned
    by_date: dict[str, dict[str, Any]] = {}
    for c in planned:
        row = by_date.setdefault(c.plan_date or "", {"plan_date": c.plan_date, "planned": 0,
                                                     "completed": 0, "remaining": []})
        row["planned"] += 1
        if c.community in done:
            row["completed"] += 1
        else:
            row["remaining"].append(c.community)
    overdue = [c.community for c in planned
               if c.community not in done and c.plan_date is not None and c.plan_date < d]
    total = len(report.communities)
    return {"date": d, "completed_today": today, "completed_today_count": len(today),
            "communities": total, "cumulative": len(done), "planned": len(planned),
            "planned_completed": sum(1 for c in planned if c.community in done),
            "unplanned": [c.community for c in report.communities if c.plan_date is None],
            "remaining": total - len(done),
            "cumulative_rate": rates.percent(len(done), total),
            "overdue": overdue,
            "by_plan_date": [by_date[k] for k in sorted(by_date)]}
