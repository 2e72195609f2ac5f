"""The work behind the import dialog, run in worker threads (no Qt here).

An empty register is filled by app.register.importer (progress and cancel all the way); a
register that already has people is compared with the file by app.register.diff and the changes
are shown before they are applied. Each function opens its own connection: it runs in a worker
thread."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from app.register.diff import ApplyResult, RegisterDiff, apply_diff, plan_reimport
from app.register.importer import (
    ImportResult,
    ImportStatus,
    ParsedRegister,
    Problem,
    import_register,
    read_register,
)
from app.register.sheets import Cancelled as ReadCancelled
from app.register.sheets import Table, read_table
from db import persons as db_persons
from db.connection import connect
from ui.pages.register_model import GENDER_ZH, category, mask_id_number
from ui.tasks import CancelToken, ProgressFn

PREVIEW_ROWS = 50
PREVIEW_HEADERS = ("行号", "姓名", "性别", "出生日期", "身份证号", "学历", "支部", "居民小组", "户号",
                   "类别")
DIFF_HEADERS = ("", "行号", "姓名", "内容")


@dataclass
class Checked:
    """What the check of a file found: a new register (`parsed`) or changes (`diff`)."""

    status: ImportStatus
    problems: list[Problem] = field(default_factory=list)
    unknown_headers: list[str] = field(default_factory=list)
    mapping: dict[str, str | None] = field(default_factory=dict)
    parsed: ParsedRegister | None = None
    diff: RegisterDiff | None = None
    headers: list[str] = field(default_factory=list)  # in file order (mapping step)
    samples: dict[str, str] = field(default_factory=dict)  # header -> first non-empty value
    notes: list[Problem] = field(default_factory=list)  # 学历 texts not placed: told, not refused
    merged: list[Problem] = field(default_factory=list)  # merged ranges filled in: told
    sheet_choices: list[str] = field(default_factory=list)  # several registers: ask which


def check_file(db_path: Path, path: Path, mapping: dict[str, str | None] | None, now: dt.datetime,
               progress: ProgressFn, cancel: CancelToken, sheet: str | None = None) -> Checked:
    conn = connect(db_path, create=False)
    try:
        if db_persons.count_persons(conn) == 0:
            parsed = read_register(path, today=now.date(), mapping=mapping, progress=progress,
                                   cancel=cancel, sheet=sheet)
            out = Checked(parsed.status, list(parsed.problems), list(parsed.unknown_headers),
                          dict(parsed.mapping), parsed=parsed, notes=list(parsed.notes),
                          merged=list(parsed.merged), sheet_choices=list(parsed.sheet_choices))
        else:
            plan = plan_reimport(conn, path, now=now.isoformat(), mapping=mapping,
                                 progress=progress, cancel=cancel, sheet=sheet)
            out = Checked(plan.status, plan.problems, plan.unknown_headers, plan.mapping,
                          diff=plan.diff, notes=list(plan.notes), merged=list(plan.merged),
                          sheet_choices=list(plan.sheet_choices))
    finally:
        conn.close()
    if out.status is ImportStatus.NEEDS_MAPPING:
        add_samples(out, path, cancel, sheet)
    return out


def add_samples(out: Checked, path: Path, cancel: CancelToken, sheet: str | None = None) -> None:
    """The file's headers in order and a sample value of each, for the mapping step."""
    try:
        table = read_table(path, cancel, sheet)
    except ReadCancelled:
        return
    if isinstance(table, Table):
        out.headers = [h for h in table.headers if h.strip()]
        for _n, cells in table.rows[:50]:
            for h, v in zip(table.headers, cells, strict=False):
                if h.strip() and v.strip() and h not in out.samples:
                    out.samples[h] = v.strip()


def write_new(db_path: Path, path: Path, mapping: dict[str, str | None] | None, now: str,
              actor: str, progress: ProgressFn, cancel: CancelToken, sheet: str | None = None
              ) -> ImportResult:
    conn = connect(db_path, create=False)
    try:
        return import_register(conn, path, now=now, mapping=mapping, progress=progress,
                               cancel=cancel, actor=actor, sheet=sheet)
    finally:
        conn.close()


def apply_changes(db_path: Path, diff: RegisterDiff, now: str, actor: str) -> ApplyResult:
    conn = connect(db_path, create=False)
    try:
        return apply_diff(conn, diff, now=now, actor=actor)
    finally:
        conn.close()


def problem_rows(problems: list[Problem]) -> list[tuple[object, ...]]:
    return [(p.row if p.row is not None else "整个文件", p.column or "—", p.reason)
            for p in problems]


def preview_rows(parsed: ParsedRegister) -> list[tuple[object, ...]]:
    return [(row_no, r.name, GENDER_ZH.get(r.gender or "", ""), r.birth_date or "",
             mask_id_number(r.id_number), r.education, r.branch, r.resident_group, r.household,
             category(r)) for row_no, r in parsed.rows[:PREVIEW_ROWS]]


def diff_rows(diff: RegisterDiff) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = [
        ("新增", row, r.name, f"{mask_id_number(r.id_number)} {r.branch or r.resident_group}")
        for row, r in diff.added]
    rows += [("变更", c.row, c.name, "；".join(str(x) for x in c.changes)) for c in diff.changed]
    rows += [("文件中没有", "", p.name, "保留在名册中，如需删除请另行处理") for p in diff.missing]
    return rows


def diff_summary(diff: RegisterDiff) -> str:
    return (f"与现有名册比较：新增 {len(diff.added)} 人，变更 {len(diff.changed)} 人，"
            f"文件中没有 {len(diff.missing)} 人（保留在名册中），未变 {diff.unchanged} 人。")
