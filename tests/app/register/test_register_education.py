"""The register keeps 学历 as written and tells, without refusing the file, which texts the table of
education levels (app.education) cannot place, naming the rows; 中等专科 is placed (as 中专)."""

from __future__ import annotations

from pathlib import Path

from app.register.diff import plan_reimport
from app.register.importer import ImportStatus, import_register
from db import persons
from db.connection import connect

NOW = "2026-11-22T08:00:00+08:00"
ROWS = [
    ["姓名", "性别", "出生年月", "文化程度", "支部"],
    ["张一", "男", "1960.1", "中等专科", "第一支部"],      # row 2
    ["张二", "女", "1970.2", "MBA", "第一支部"],           # row 3
    ["张三", "男", "1980.3", "无", "第一支部"],            # row 4
    ["张四", "女", "1981.4", "大学", "第一支部"],          # row 5: a range, placed
    ["张五", "男", "1982.5", "无", "第二支部"],            # row 6
    ["张六", "女", "1983.6", "", "第二支部"],              # row 7: empty, not a note
    ["张七", "男", "1984.7", "在职本科", "第二支部"],      # row 8
    ["张八", "女", "1985.8", "本科肄业", "第二支部"],      # row 9
]


def _write(tmp_path: Path) -> Path:
    path = tmp_path / "名册.csv"
    path.write_text("\n".join(",".join(r) for r in ROWS), encoding="utf-8")
    return path


def test_unplaced_education_is_told_not_refused(db_path: Path, tmp_path: Path) -> None:
    conn = connect(db_path)
    r = import_register(conn, _write(tmp_path), now=NOW)
    assert r.status is ImportStatus.IMPORTED and r.count == 8, r.problems
    assert r.problems == []
    notes = [str(n) for n in r.notes]
    assert len(notes) == 3
    mba, none, dropped = notes
    assert mba.startswith("名册.csv 第3行「文化程度」：学历「MBA」不在学历表中")
    assert none.startswith("名册.csv 「文化程度」：第4行、第6行：学历「无」说不清是哪一级")
    assert dropped.startswith("名册.csv 第9行「文化程度」：学历「本科肄业」：肄业")
    assert all("按“不详”计" in n for n in notes)
    # Kept exactly as the register wrote it.
    got = {p.name: p.education for p in persons.list_persons(conn)}
    assert got == {"张一": "中等专科", "张二": "MBA", "张三": "无", "张四": "大学", "张五": "无",
                   "张六": "", "张七": "在职本科", "张八": "本科肄业"}
    # A re-import plan tells the same.
    plan = plan_reimport(conn, _write(tmp_path), now=NOW)
    assert [str(n) for n in plan.notes] == notes
    conn.close()


def test_no_education_column_no_notes(db_path: Path, tmp_path: Path) -> None:
    conn = connect(db_path)
    path = tmp_path / "名册.csv"
    path.write_text("姓名,性别\n李一,男\n", encoding="utf-8")
    r = import_register(conn, path, now=NOW)
    assert r.status is ImportStatus.IMPORTED and r.notes == []
    conn.close()
