"""Walk findings on the district figures (fresh eyes on a built district): the 日报's one
denominator, the two electorates' rates kept apart, 已完成 only when both 两委 bodies are
decided, and the codes of summary.csv named as the paper names them."""

from __future__ import annotations

import json
from pathlib import Path

from openpyxl import Workbook, load_workbook

from tests.app.district.conftest import cli, import_lines


def _plan_without(demo_dir: Path, folder: Path, left_out: str) -> Path:
    rows = list(load_workbook(demo_dir / "plan.xlsx").worksheets[0].iter_rows(values_only=True))
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for r in rows:
        if r[0] != left_out:
            ws.append(list(r))
    out = folder / "plan-short.xlsx"
    wb.save(out)
    return out


def test_daily_states_one_denominator(demo_dir: Path, tmp_path: Path) -> None:
    """Walk finding: "累计完成 6 个（62.50%），尚余 3 个" — 62.50% was 5/8 planned while the
    header said 6 of 9 (a community that sent a package is not in the plan)."""
    db = tmp_path / "district.db"
    import_lines(db, demo_dir)
    full = json.loads(cli("district", "report", "--db", db, "--json"))
    left_out = next(c["community"] for c in full["per_community"] if c["stage"] == "已完成")
    cli("district", "plan", "--db", db, _plan_without(demo_dir, tmp_path, left_out))
    day = "2026-12-31"
    report = json.loads(cli("district", "report", "--db", db, "--json"))
    d = json.loads(cli("district", "daily", "--db", db, "--date", day, "--json"))
    total, done = report["communities"], report["completed"]
    assert report["planned"] == total - 1 and done >= 2
    assert (d["communities"], d["cumulative"], d["remaining"]) == (total, done, total - done)
    want = f"{100 * done / total:.2f}"
    assert f"{d['cumulative_rate']:.2f}" == want
    line = cli("district", "daily", "--db", db, "--date", day).splitlines()[0]
    assert (f"累计完成 {done} 个（占全辖 {total} 个社区的 {want}%），尚余 {total - done} 个"
            in line), line
    assert left_out in line and "不在换届计划表内" in line
    xlsx = tmp_path / "daily.xlsx"
    cli("district", "daily", "--db", db, "--date", day, "--out", xlsx)
    first = str(next(load_workbook(xlsx)["日报"].iter_rows(values_only=True))[0])
    assert f"占全辖 {total} 个社区的 {want}%" in first


def test_a_community_in_progress_says_what_it_lacks() -> None:
    from app.district.figures import COMPLETED, IN_PROGRESS, Community

    partial = Community("甲社区", stage=IN_PROGRESS, package="abc", covers=["党组织委员会"])
    assert partial.covers_words() == "已报党组织委员会，未报居委会"
    both = Community("乙社区", stage=IN_PROGRESS, package="abc",
                     covers=["党组织委员会", "居委会"])
    assert both.covers_words() == "已报党组织委员会、居委会，尚有会议未完成"
    assert Community("丙社区", stage=COMPLETED, package="abc",
                     covers=["党组织委员会", "居委会"]).covers_words() == ""
