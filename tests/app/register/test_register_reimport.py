"""Re-import of an updated register: the diff shown first, applied in one transaction."""

from __future__ import annotations

from pathlib import Path

from app.bench.data import register_rows, write_csv
from app.register.diff import apply_diff, plan_reimport
from app.register.importer import ImportStatus, import_register
from app.search import search
from db import persons
from db.connection import connect
from db.tx import transaction

NOW = "2026-11-22T08:00:00+08:00"


def test_diff_added_changed_missing_then_apply(db_path, tmp_path: Path) -> None:
    conn = connect(db_path)
    rows = register_rows(30)
    assert import_register(conn, write_csv(rows, tmp_path / "v1.csv"), now=NOW).count == 30
    tokens = {p.id: p.token for p in persons.list_persons(conn)}
    new = [dict(r) for r in rows]
    new[2]["姓名"] = "曾改名"
    new[2]["居民小组"] = "第99居民小组"
    new[5]["人员类别"] = "正式党员"
    new[5]["所在党支部"] = "第1党支部"
    gone = new.pop(7)
    extra = register_rows(31)[30]
    new.append(extra)
    plan = plan_reimport(conn, write_csv(new, tmp_path / "v2.csv"), now=NOW)
    assert plan.status is ImportStatus.IMPORTED and plan.diff is not None
    d = plan.diff
    assert [(row, rec.name) for row, rec in d.added] == [(31, extra["姓名"])]
    assert [p.name for p in d.missing] == [gone["姓名"]]
    assert d.unchanged == 27
    by_row = {c.row: c for c in d.changed}
    assert set(by_row) == {4, 7}
    assert [(x.field, x.old, x.new) for x in by_row[4].changes] == [
        ("name", rows[2]["姓名"], "曾改名"), ("resident_group", rows[2]["居民小组"], "第99居民小组")]
    assert str(by_row[4].changes[1]) == f"居民小组：{rows[2]['居民小组']} → 第99居民小组"
    status_change = [x for x in by_row[7].changes if x.field == "party_status"][0]
    assert "人员类别" in str(status_change) and "正式党员" in str(status_change)
    text = "\n".join(d.lines())
    assert "新增 1 人，变更 2 人，文件中没有 1 人，未变 27 人" in text
    assert persons.count_persons(conn) == 30  # nothing written yet

    result = apply_diff(conn, d, now=NOW)
    assert result.ok and len(result.added_ids) == 1 and result.changed == 2
    assert persons.count_persons(conn) == 31  # the missing person stays
    changed = persons.get_person(conn, by_row[4].person_id)
    assert changed is not None and changed.name == "曾改名" and changed.pinyin.startswith("zeng")
    assert changed.token == tokens[changed.id]  # the printed QR code still works
    assert [p.name for p in search(conn, "zenggaiming")] == ["曾改名"]
    assert search(conn, rows[2]["姓名"]) == [] or all(
        p.id != changed.id for p in search(conn, rows[2]["姓名"]))
    again = plan_reimport(conn, tmp_path / "v2.csv", now=NOW)
    assert again.diff is not None and again.diff.is_empty


def test_apply_refused_when_register_changed_since_diff(db_path, tmp_path: Path) -> None:
    conn = connect(db_path)
    rows = register_rows(5)
    import_register(conn, write_csv(rows, tmp_path / "v1.csv"), now=NOW)
    new = [dict(r) for r in rows]
    new[0]["文化程度"] = "博士研究生" if rows[0]["文化程度"] != "博士研究生" else "小学"
    plan = plan_reimport(conn, write_csv(new, tmp_path / "v2.csv"), now=NOW)
    assert plan.diff is not None and len(plan.diff.changed) == 1
    pid = plan.diff.changed[0].person_id
    with transaction(conn):
        persons.update_person(conn, pid, {"education": "中专"})
    result = apply_diff(conn, plan.diff, now=NOW)
    assert not result.ok and "已被修改" in result.reason
    p = persons.get_person(conn, pid)
    assert p is not None and p.education == "中专"


def test_columns_missing_from_file_change_nothing(db_path, tmp_path: Path) -> None:
    conn = connect(db_path)
    rows = register_rows(5)
    import_register(conn, write_csv(rows, tmp_path / "v1.csv"), now=NOW)
    slim = tmp_path / "slim.csv"
    slim.write_text("姓名,公民身份号码\r\n" + "".join(
        f"{r['姓名']},{r['公民身份号码']}\r\n" for r in rows), encoding="utf-8")
    plan = plan_reimport(conn, slim, now=NOW)
    assert plan.diff is not None and plan.diff.is_empty and plan.diff.unchanged == 5


def test_bad_rows_block_the_plan(db_path, tmp_path: Path) -> None:
    conn = connect(db_path)
    rows = register_rows(6)
    import_register(conn, write_csv(rows, tmp_path / "v1.csv"), now=NOW)
    new = [dict(r) for r in rows]
    new[1]["是否选民"] = "大概"
    plan = plan_reimport(conn, write_csv(new, tmp_path / "v2.csv"), now=NOW)
    assert plan.status is ImportStatus.BAD_ROWS and plan.diff is None
    assert [(p.row, p.column) for p in plan.problems] == [(3, "是否选民")]


def test_rows_matched_by_id_number_and_cancel(db_path, tmp_path: Path) -> None:
    conn = connect(db_path)
    rows = [r for r in register_rows(60) if r["党员编号"]][:2]
    assert len(rows) == 2
    import_register(conn, write_csv(rows, tmp_path / "v1.csv"), now=NOW)
    swapped = [dict(r) for r in rows]
    for col in ("公民身份号码", "出生日期", "性别"):
        swapped[0][col], swapped[1][col] = rows[1][col], rows[0][col]
    # matched by ID number: each row now describes the other person -> names etc. change
    plan = plan_reimport(conn, write_csv(swapped, tmp_path / "v2.csv"), now=NOW)
    assert plan.diff is not None and len(plan.diff.changed) == 2
    cancelled = apply_diff(conn, plan.diff, now=NOW, cancel=lambda: True)
    assert not cancelled.ok and "取消" in cancelled.reason
    assert {p.name for p in persons.list_persons(conn)} == {r["姓名"] for r in rows}
    result = apply_diff(conn, plan.diff, now=NOW)
    assert result.ok, result.reason
    got = {p.id_number: p.name for p in persons.list_persons(conn)}
    assert got == {rows[1]["公民身份号码"]: rows[0]["姓名"], rows[0]["公民身份号码"]: rows[1]["姓名"]}


def test_namesakes_without_id_numbers_match_by_birth_month(db_path, tmp_path: Path) -> None:
    conn = connect(db_path)
    v1 = tmp_path / "v1.csv"
    v1.write_text("姓名,出生年月,居民小组\r\n张伟,1975.03,一组\r\n张伟,1988.11,二组\r\n李娜,,三组\r\n",
                  encoding="utf-8")
    assert import_register(conn, v1, now=NOW).count == 3
    v2 = tmp_path / "v2.csv"
    v2.write_text("姓名,出生年月,居民小组\r\n张伟,1988.11,五组\r\n张伟,1975.03,一组\r\n"
                  "李娜,1990.01,三组\r\n王芳,1970.01,一组\r\n", encoding="utf-8")
    plan = plan_reimport(conn, v2, now=NOW)
    assert plan.diff is not None
    d = plan.diff
    assert [rec.name for _, rec in d.added] == ["王芳"] and d.missing == []
    assert sorted((c.row, [(x.field, x.new) for x in c.changes]) for c in d.changed) == [
        (2, [("resident_group", "五组")]), (4, [("birth_date", "1990-01")])]
    assert d.unchanged == 1
