"""留任 / 新提拔 add up to the members (walk finding: "居委会主任 3名…其中留任 0名，新提拔 2名",
and a 居委会 of 24 with 留任 0 + 新进 2): the persons of whom nothing is known of the previous
term are said ("另有 N名无上届资料"); one wording 本科及以上 in the paragraph as in the tables."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from app.district import makeup, text
from tests.app.district.conftest import cli

SENTENCE = re.compile(r"(\d+)[名人]，平均年龄[^。\n]*?留任 (\d+)[名人]，(?:新提拔|新进) (\d+)[名人]"
                      r"(?:（另有 (\d+)[名人]无上届资料）)?")


def test_a_post_with_an_unknown_previous_term_adds_up() -> None:
    b = makeup.BodyFigures(makeup.RESIDENTS, "主任", members=3, fresh=2)
    s = text._group_sentence(b, b.label, "35岁以下")
    assert "其中留任 0名，新提拔 2名（另有 1名无上届资料）" in s
    line = text.group_line(b, "35岁以下")
    assert "留任 0人，新提拔 2人（另有 1人无上届资料）" in line
    body = makeup.BodyFigures(makeup.RESIDENTS, members=24, fresh=2)
    assert "其中上届班子成员留任 0名，新进 2名（另有 22名无上届资料）" in text._group_sentence(
        body, "新一届社区居委会成员", "35岁以下")
    assert body.data()["previous_unknown"] == 22
    none_known = makeup.BodyFigures(makeup.RESIDENTS, "副主任", members=14)
    assert "；14名均无上届资料，留任、新提拔未统计" in text._group_sentence(none_known, "x", "35岁以下")
    known = makeup.BodyFigures(makeup.PARTY, members=3, retained=1, fresh=2)
    assert "无上届资料" not in text._group_sentence(known, "x", "35岁以下")


def test_a_body_not_set_counts_neither_retained_nor_new() -> None:
    other = makeup.BodyFigures(makeup.body_type(""))
    member = makeup.Member(("k",), "甲", "M", 1970, "本科", 56, 1, False,
                           frozenset({("党组织委员会", "委员")}), frozenset({"委员"}))
    other.add([member])
    assert (other.members, other.retained, other.fresh, other.unknown_previous) == (1, 0, 0, 1)
    party = makeup.BodyFigures(makeup.PARTY)
    party.add([member])
    assert (party.retained, party.fresh) == (1, 0)


def test_every_figure_of_the_demo_district_adds_up(report_json: dict[str, Any],
                                                   imported_db: Path) -> None:
    groups = [*report_json["makeup"], *report_json["posts"]]
    if report_json.get("two_committees"):
        groups.append(report_json["two_committees"])
    assert groups
    for g in groups:
        assert g["retained"] + g["new"] + g["previous_unknown"] == g["members"], g["label"]
    words = cli("district", "report", "--db", imported_db, "--date",
                dt.date(2026, 12, 31).isoformat())
    paragraph = words.split("换届工作情况", 1)[1]
    assert "本科以上" not in words
    said = SENTENCE.findall(words)
    assert said, paragraph
    for members, retained, new, unknown in said:
        assert int(retained) + int(new) + int(unknown or 0) == int(members), (members, retained,
                                                                              new, unknown)


def test_the_xlsx_sheet_has_a_column_for_the_unknown_so_every_row_adds_up(
        imported_db: Path, tmp_path: Path) -> None:
    """Walk finding: the 班子结构 sheet had 留任 and 新提拔/新进 only (居委会 43: 1 + 5, the other 37
    nowhere); the paper said "另有37人无上届资料". A 无上届资料 column, and every row adds up."""
    from openpyxl import load_workbook

    out = tmp_path / "report.xlsx"
    cli("district", "report", "--db", imported_db, "--date", "2026-12-31", "--out", out)
    rows = list(load_workbook(out)["班子结构"].iter_rows(values_only=True))
    header = list(rows[0])
    assert "无上届资料(人)" in header
    cols = [header.index(h) for h in ("人数", "留任(人)", "新提拔/新进(人)", "无上届资料(人)")]
    assert len(rows) > 1
    unknown_somewhere = False
    for r in rows[1:]:
        members, retained, new, unknown = (r[i] for i in cols)
        assert retained + new + unknown == members, r[0]
        unknown_somewhere |= unknown > 0
    assert unknown_somewhere, "the demo has no member without a previous term: not exercised"
