"""The district's counting rules on small hand-made inputs: rounding, education levels, body
types, 一肩挑, the phrasing of changes, the plan and previous-term sheets."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from app.district import makeup, rates, sheets


def test_rounding_is_half_up_once() -> None:
    assert rates.percent(2, 3) == Decimal("66.67")
    assert rates.percent(1, 8) == Decimal("12.50")
    assert rates.percent(1, 800) == Decimal("0.13")        # 0.125: half up, not to even
    assert rates.share(1, 8) == Decimal("12.50")
    assert rates.share(1, 16) == Decimal("6.25")           # two decimals, like the rates
    assert rates.mean(85, 2) == Decimal("42.50")
    assert rates.mean(1, 200) == Decimal("0.01")           # 0.005 -> 0.01
    assert rates.percent(1, 0) is None and rates.mean(0, 0) is None
    assert rates.parse("46.3%") == Decimal("46.3") and rates.parse("") is None


def test_education_levels() -> None:
    for e in ("大专", "大学专科", "专科", "本科", "大学本科", "研究生", "硕士研究生", "博士"):
        assert makeup.has_college(e), e
    for e in ("中专", "中等专科", "中等专科毕业", "高中/中专", "初中及以下", "", "MBA"):
        assert not makeup.has_college(e), e
    assert makeup.has_bachelor("大学本科") and not makeup.has_bachelor("大学专科")
    # 大学 is 专科 or 本科: 大专及以上 for certain, 本科 not known (tests/app/test_education.py).
    assert makeup.has_college("大学") and not makeup.has_bachelor("大学")


def test_body_types() -> None:
    assert makeup.body_type("中共新华街道翠湖社区委员会") == makeup.PARTY
    assert makeup.body_type("中共新华街道翠湖社区总支部委员会") == makeup.PARTY
    assert makeup.body_type("中共新华街道翠湖社区纪律检查委员会") == makeup.DISCIPLINE
    assert makeup.body_type("新华街道翠湖社区居民委员会") == makeup.RESIDENTS
    assert makeup.body_type("翠湖社区居务监督委员会") == makeup.SUPERVISORY
    assert makeup.body_type("翠湖股份经济合作社理事会") == makeup.COOP_BOARD
    assert makeup.body_type("翠湖股份经济合作社监事会") == makeup.COOP_SUPERVISORS


def _elected(secretary: dict[str, object], director: dict[str, object]) -> dict[str, object]:
    return {"meetings": [
        {"meeting": "plenary", "contests": [{"title": "书记", "body": "中共某社区委员会",
                                             "elected": [secretary]}]},
        {"meeting": "residents", "contests": [{"title": "主任", "body": "某社区居民委员会",
                                               "elected": [director]}]}]}


def test_dual_role_by_person_id_or_name_birth_year_gender() -> None:
    a = {"name": "王芳", "person_id": 7, "gender": "F", "birth_year": 1980}
    assert makeup.dual_role(_elected(a, dict(a))) is True
    assert makeup.dual_role(_elected(a, dict(a, person_id=8))) is False
    no_id = dict(a, person_id=None)
    assert makeup.dual_role(_elected(a, no_id)) is True
    assert makeup.dual_role(_elected(a, dict(no_id, birth_year=1981))) is False
    assert makeup.dual_role({"meetings": []}) is None


def test_members_once_per_body_and_age_at_election() -> None:
    person = {"name": "李强", "person_id": 3, "gender": "M", "birth_year": 1992,
              "education": "大学本科"}
    elected = {"meetings": [
        {"meeting": "party", "contests": [{"title": "委员", "body": "中共某社区委员会",
                                           "elected": [person]}]},
        {"meeting": "plenary", "contests": [{"title": "书记", "body": "中共某社区委员会",
                                             "elected": [person]}]}]}
    bodies = makeup.community_bodies(elected, {"party": "2026-11-29", "plenary": "2026-11-29"})
    [member] = bodies[makeup.PARTY]
    assert member.age == 34
    fig = makeup.BodyFigures(makeup.PARTY)
    fig.add(bodies[makeup.PARTY])
    out = fig.figures()
    assert out["members"] == 1 and out["under35_pct"] == Decimal("100.0")
    assert out["bachelor_pct"] == Decimal("100.0") and out["women_pct"] == Decimal("0.0")


def test_change_phrases() -> None:
    assert makeup.change_phrase("average_age", Decimal("46.4"), Decimal("48.6")) == \
        "平均年龄下降2.2岁"
    assert makeup.change_phrase("bachelor_pct", Decimal("46.1"), Decimal("40.3")) == \
        "本科及以上提高5.8个百分点"
    assert makeup.change_phrase("women_pct", Decimal("38.5"), Decimal("38.5")) == "女性占比持平"
    assert makeup.change_phrase("members", Decimal("50"), Decimal("56")) == "人数减少6人"


def test_plan_sheet_problems_and_dates(tmp_path: Path) -> None:
    good = tmp_path / "plan.xlsx"
    sheets.write_sheet(good, ("序号", "社区名称", "计划换届日期"), [
        (1, "甲社区", "2026/11/29"), (2, "乙社区", "2026年12月1日")], "计划")
    assert sheets.read_plan(good) == [("甲社区", "2026-11-29", ""), ("乙社区", "2026-12-01", "")]
    bad = tmp_path / "bad.xlsx"
    sheets.write_sheet(bad, ("社区", "计划日期"), [
        ("甲社区", "下周"), ("", "2026-11-29"), ("乙社区", "2026-11-30"),
        ("乙社区", "2026-12-01")], "计划")
    got = sheets.read_plan(bad)
    assert isinstance(got, sheets.SheetProblems)
    assert [m[:3] for m in got.messages] == ["第2行", "第3行", "第5行"]
