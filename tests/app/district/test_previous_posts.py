"""Previous-term figures per body and per post, and the age rule (issue 16, items 6 and 7)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook

from app.district import makeup, sheets


def _sheet(path: Path, rows: list[tuple[object, ...]]) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for r in rows:
        ws.append(list(r))
    wb.save(path)
    return path


HEADER = ("班子", "职务", "人数", "平均年龄", "本科及以上(%)")


def test_rows_per_body_per_post_and_two_committees(tmp_path: Path) -> None:
    got = sheets.read_previous(_sheet(tmp_path / "p.xlsx", [
        HEADER, ("社区党组织", "", 120, 58.6, 20.1), ("党组织委员会", "书记", 18, 48.8, 40),
        ("两委", "", 500, 45.2, 30), ("居委会", "主任", 18, 44, 50)]))
    assert not isinstance(got, sheets.SheetProblems), got
    assert ("党组织委员会", "", "average_age", "58.6") in got
    assert ("党组织委员会", "书记", "members", "18") in got
    assert ("两委", "", "bachelor_pct", "30") in got
    assert ("居委会", "主任", "average_age", "44") in got


def test_a_post_typed_as_a_body_or_an_unknown_post_is_refused_with_its_row(tmp_path: Path) -> None:
    got = sheets.read_previous(_sheet(tmp_path / "p.xlsx", [
        HEADER, ("党组织委员会", "", 120, 58.6, 20.1), ("书记", "", 18, 48.8, 40),
        ("居委会", "组长", 3, 50, 10)]))
    assert isinstance(got, sheets.SheetProblems)
    first, second = got.messages
    assert first.startswith("第3行") and "“书记”是职务" in first and "整张表未导入" in first
    assert second.startswith("第4行") and "职务“组长”无法识别" in second


def test_completed_age_on_the_election_day() -> None:
    day = dt.date(2026, 11, 22)
    assert makeup.completed_age(1991, 11, day) == 35     # born 1 Nov (assumed): 35 already
    assert makeup.completed_age(1991, 12, day) == 34     # birthday still to come
    assert makeup.completed_age(1991, None, day) == 35   # an old package: year difference
    member = makeup.Member(("id", 1), "甲", "M", 1991, "本科", 35)
    inclusive = makeup.BodyFigures(makeup.PARTY)
    inclusive.add([member])
    under = makeup.BodyFigures(makeup.PARTY, young_inclusive=False)
    under.add([member])
    assert (inclusive.young, under.young) == (1, 0)       # 35岁以下 includes 35 by default
