"""Walk findings on the district figures, with packages made by the app (the issue-16 builder):
- a community whose package carries the 党员大会 only (5 委员, no 书记, no 居委会) showed 已完成,
  一次性选举成功 "是", and the 日报 counted it "今日完成1个": it is 进行中 until both 两委 bodies
  are decided, and says which body it still lacks;
- two 出席率 in one report (88.69% headline over party members AND voters, 89.06% in the
  paragraph over party members) and a community row 应到 114 for a 60-person register: the party
  meetings' 出席率 and the residents' 参选率 are separate figures, never summed."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from tests.app.district.conftest import cli
from tests.e2e.district_communities import Built, build_community

pytestmark = [pytest.mark.slow, pytest.mark.needs_tool("pdftotext")]
FULL = 3          # communities 0..2 held both meetings; community 3 the 党员大会 only


def pct(part: int, whole: int) -> str:
    return str((Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP))


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Built], Path]:
    folder = tmp_path_factory.mktemp("walkb")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("POLLDAY_HOME", str(folder / "home"))
        built = [build_community(folder, i, cli) for i in range(FULL)]
        built.append(build_community(folder, FULL, cli, party_only=True))
        db = folder / "district.db"
        lines = [json.loads(x) for x in cli("district", "import", "--db", db,
                                            *[b.package for b in built]).splitlines()]
        assert [x["result"] for x in lines] == ["imported"] * len(built)
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.append(["社区", "计划日期"])
        for b in built:
            ws.append([b.name, "2026-11-30"])
        wb.save(folder / "plan.xlsx")
        cli("district", "plan", "--db", db, folder / "plan.xlsx")
    return db, built, folder


def test_a_package_of_the_party_meeting_only_is_in_progress(
        district: tuple[Path, list[Built], Path]) -> None:
    db, built, folder = district
    partial = built[FULL]
    report = json.loads(cli("district", "report", "--db", db, "--json"))
    per = {c["community"]: c for c in report["per_community"]}
    got = per[partial.name]
    assert got["stage"] == "进行中", got
    assert got["one_pass"] is None and got["done_date"] is None
    assert got["missing_bodies"] == ["居委会"] and got["covers"] == ["党组织委员会"]
    assert all(per[b.name]["stage"] == "已完成" for b in built[:FULL])
    assert report["completed"] == FULL and report["one_pass"] <= FULL
    # The 日报 of its meeting day does not count it.
    d = json.loads(cli("district", "daily", "--db", db, "--date", partial.date, "--json"))
    assert partial.name not in d["completed_today"]
    assert d["cumulative"] == FULL
    text = cli("district", "report", "--db", db, "--date", "2026-11-30")
    line = next(x for x in text.splitlines() if x.strip().startswith(partial.name + "："))
    assert "进行中（已报党组织委员会，未报居委会）" in line, line
    xlsx = folder / "report.xlsx"
    cli("district", "report", "--db", db, "--date", "2026-11-30", "--out", xlsx)
    rows = list(load_workbook(xlsx)["各社区"].iter_rows(values_only=True))
    head = list(rows[0])
    row = next(r for r in rows[1:] if r[head.index("社区")] == partial.name)
    assert row[head.index("进度")] == "进行中"
    assert row[head.index("一次性选举成功")] == "—"
    assert "未报居委会" in str(row[head.index("备注")])


def test_party_attendance_and_voter_turnout_are_separate_figures(
        district: tuple[Path, list[Built], Path]) -> None:
    from tests.app.documents.pdf_tools import pdf_text

    db, built, folder = district
    pe = sum(b.party_expected for b in built)
    pp = sum(b.party_present for b in built)
    ve = sum(b.res_expected for b in built)
    vp = sum(b.res_present for b in built)
    assert ve and pe
    report = json.loads(cli("district", "report", "--db", db, "--json"))
    assert (report["party_expected"], report["party_present"]) == (pe, pp)
    assert (report["voter_expected"], report["voter_present"]) == (ve, vp)
    assert f"{report['party_attendance_rate']:.2f}" == pct(pp, pe)
    assert f"{report['voter_turnout_rate']:.2f}" == pct(vp, ve)
    assert "attendance_rate" not in report          # no figure over both electorates
    per = {c["community"]: c for c in report["per_community"]}
    for b in built:    # a 30-person register: 30 party members, 30 voters, never 60
        c = per[b.name]
        assert (c["party_expected"], c["voter_expected"]) == (b.party_expected, b.res_expected)
        assert "expected" not in c
    text = cli("district", "report", "--db", db, "--date", "2026-11-30")
    head = f"党员大会出席率 {pct(pp, pe)}%（实际到会 {pp} 人 / 应到会党员 {pe} 人）"
    paragraph = f"应到会党员 {pe}人，实际到会 {pp}人，出席率达到 {pct(pp, pe)}%"
    voters = f"选民参选率 {pct(vp, ve)}%（参加投票 {vp} 人 / 登记选民 {ve} 人）"
    assert head in text and paragraph in text and voters in text, text
    mixed = pct(pp + vp, pe + ve)
    assert mixed not in {pct(pp, pe), pct(vp, ve)}, "the data cannot tell a sum from a rate"
    assert f"{mixed}%" not in text
    xlsx = folder / "report-att.xlsx"
    pdf = folder / "report-att.pdf"
    cli("district", "report", "--db", db, "--date", "2026-11-30", "--out", xlsx)
    cli("district", "report", "--db", db, "--date", "2026-11-30", "--out", pdf)
    wb = load_workbook(xlsx)
    summary = {r[0]: r[1] for r in wb["汇总"].iter_rows(values_only=True) if r[0]}
    assert summary["应到会党员"] == pe and summary["登记选民"] == ve
    assert f"{summary['党员大会出席率(%)']:.2f}" == pct(pp, pe)
    assert f"{summary['选民参选率(%)']:.2f}" == pct(vp, ve)
    rows = list(wb["各社区"].iter_rows(values_only=True))
    h = list(rows[0])
    for r in rows[1:]:
        b = next(x for x in built if x.name == r[h.index("社区")])
        assert r[h.index("应到会党员")] == b.party_expected
        assert r[h.index("登记选民")] == (b.res_expected or 0)
    flat = "".join(pdf_text(pdf).split())
    assert "".join(head.split()) in flat and "".join(paragraph.split()) in flat
    assert f"{mixed}%" not in flat


def test_the_dashboard_shows_both_rates_and_the_partial_community_in_progress(
        qtbot, district: tuple[Path, list[Built], Path]) -> None:
    from tests.gui.conftest import SHOTS
    from tests.gui.test_district_page import _page

    db, built, _folder = district
    window, page = _page(qtbot, db)
    h = page.report.headline()
    assert page.rate_tiles["party_attendance_rate"].value.text() == f"{h['party_attendance_rate']}%"
    assert page.rate_tiles["voter_turnout_rate"].value.text() == f"{h['voter_turnout_rate']}%"
    heads = [page.table.horizontalHeaderItem(c).text() for c in range(page.table.columnCount())]
    row = next(r for r in range(page.table.rowCount())
               if page.table.item(r, 0).text() == built[FULL].name)
    assert page.table.item(row, heads.index("进度")).text() == "进行中"
    assert page.table.item(row, heads.index("一次性选举成功")).text() == "—"
    assert "未报居委会" in page.table.item(row, heads.index("备注")).text()
    assert page.tiles["已完成"].value.text() == str(FULL)
    window.resize(1366, 768)
    qtbot.wait(50)
    SHOTS.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(SHOTS / "district-walkb.png"))


def test_summary_csv_names_both_codes_as_the_paper_does(
        district: tuple[Path, list[Built], Path]) -> None:
    """Walk finding: summary.csv's "结果校验码" column held the rounds' 本轮锁定校验码, while the
    公告 footer, the window and `verify` call the meeting's code the 结果校验码. Both columns, each
    with the paper's name: 结果校验码 = the manifest's (and the notice's) result_hash of the
    meeting, 本轮锁定校验码 = the rounds' lock codes (the certificates')."""
    import csv
    import io
    import zipfile

    from app.export import verify_package
    from tests.app.documents.pdf_tools import pdf_text

    _db, built, folder = district
    b = built[0]
    with zipfile.ZipFile(b.package) as zf:
        rows = list(csv.reader(io.StringIO(zf.read("summary.csv").decode("utf-8-sig"))))
        manifest = json.loads(zf.read("manifest.json"))
        notice = folder / "notice.pdf"
        notice.write_bytes(zf.read("documents/party/notice.pdf"))
    head = rows[0]
    assert "结果校验码" in head and "本轮锁定校验码" in head
    printed = {m["code"]: m["result_hash"] for m in manifest["meetings"]}
    locks = {m["code"]: set(m["result_hashes"]) for m in manifest["meetings"]}
    assert all(printed.values())
    verified = {m["code"]: m["result_hash"] for m in verify_package(b.package).result_hashes()}
    assert verified == printed
    assert printed["party"] in "".join(pdf_text(notice).split())
    for r in rows[1:]:
        code = r[head.index("会议代码")]
        assert r[head.index("结果校验码")] == printed[code], r
        got = set(r[head.index("本轮锁定校验码")].split("、"))
        assert got and got <= locks[code] and printed[code] not in got, r
