"""Re-importing an updated register: what would change, shown before it is applied.

    plan = plan_reimport(conn, "名册-更新.xlsx", now=...)
    plan.status is ImportStatus.IMPORTED → plan.diff.lines() for the user, then
    apply_diff(conn, plan.diff, now=...)   # one transaction

Rows are matched to persons on the register by ID number, else by member number, else by a
name that is unique in both. Only the columns the file has are compared (a file without
联系电话 changes nobody's phone). Persons missing from the file are listed, never deleted: they
may have signed in or be referred to by a meeting; the election officer decides.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from app.model import PARTY_STATUS_ZH, PartyStatus, Person
from app.register.fields import FIELD_LABELS
from app.register.importer import ImportStatus, ParsedRegister, Problem, read_register
from app.register.sheets import Cancel, Progress
from app.register.store import PersonRecord, insert_records
from app.search import display_pinyin
from db import audit
from db import persons as db_persons
from db.tx import transaction


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    old: object
    new: object

    def __str__(self) -> str:
        return f"{FIELD_LABELS[self.field]}：{shown(self.old)} → {shown(self.new)}"


@dataclass(frozen=True, slots=True)
class Changed:
    person_id: int
    row: int
    name: str
    changes: tuple[FieldChange, ...]


@dataclass
class RegisterDiff:
    file: str
    added: list[tuple[int, PersonRecord]] = field(default_factory=list)  # (row, record)
    changed: list[Changed] = field(default_factory=list)
    missing: list[Person] = field(default_factory=list)
    unchanged: int = 0

    @property
    def is_empty(self) -> bool:
        return not self.added and not self.changed

    def lines(self) -> list[str]:
        """The diff in words, for the confirmation step."""
        out = [f"新增 {len(self.added)} 人，变更 {len(self.changed)} 人，"
               f"文件中没有 {len(self.missing)} 人，未变 {self.unchanged} 人"]
        out += [f"新增 第{row}行 {rec.name}" for row, rec in self.added]
        for c in self.changed:
            out.append(f"变更 第{c.row}行 {c.name}：" + "；".join(str(x) for x in c.changes))
        out += [f"文件中没有 {p.name}（名册编号 {p.id}），将保留在名册中" for p in self.missing]
        return out


@dataclass
class ReimportPlan:
    status: ImportStatus
    file: str
    diff: RegisterDiff | None = None
    problems: list[Problem] = field(default_factory=list)
    unknown_headers: list[str] = field(default_factory=list)
    mapping: dict[str, str | None] = field(default_factory=dict)
    notes: list[Problem] = field(default_factory=list)  # told, not blocking (学历 not in the table)
    merged: list[Problem] = field(default_factory=list)  # merged ranges filled in: told
    sheet_choices: list[str] = field(default_factory=list)  # several registers: ask which
    sheet: str = ""  # XLSX: the sheet read


@dataclass
class ApplyResult:
    ok: bool
    added_ids: list[int] = field(default_factory=list)
    changed: int = 0
    reason: str = ""


def shown(v: object) -> str:
    if v is None or v == "":
        return "（空）"
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, PartyStatus):
        return PARTY_STATUS_ZH[v]
    if v in ("M", "F"):
        return "男" if v == "M" else "女"
    return str(v)


def current_records(conn: db_persons.Conn) -> dict[int, PersonRecord]:
    """Everyone on the register as import records, by person id."""
    out: dict[int, PersonRecord] = {}
    cols = db_persons.DATA_COLUMNS
    for row in db_persons.data_rows(conn):
        v = dict(zip(cols, row[1:], strict=True))
        out[int(row[0])] = PersonRecord(
            name=str(v["name"]), gender=_opt(v["gender"]), birth_date=_opt(v["birth_date"]),
            id_number=_opt(v["id_number"]), education=str(v["education"]),
            branch=str(v["branch"]), resident_group=str(v["resident_group"]),
            household=str(v["household"]), member_no=str(v["member_no"]),
            party_status=PartyStatus(str(v["party_status"])),
            resident_voter=bool(v["resident_voter"]), household_rep=bool(v["household_rep"]),
            resident_rep=bool(v["resident_rep"]), collective_member=bool(v["collective_member"]),
            collective_delegate=bool(v["collective_delegate"]), phone=str(v["phone"]),
            note=str(v["note"]))
    return out


def _opt(v: object) -> str | None:
    return None if v is None else str(v)


def match_keys(rec: PersonRecord) -> list[tuple[str, str]]:
    """Keys a row may be matched on, the surest first: ID number, member number, name with
    birth date, name."""
    keys = []
    if rec.id_number:
        keys.append(("id", rec.id_number))
    if rec.member_no:
        keys.append(("member_no", rec.member_no))
    if rec.birth_date:
        keys.append(("name_born", f"{rec.name}|{rec.birth_date[:7]}"))
    keys.append(("name", rec.name))
    return keys


def _unique_index(records: Mapping[int, PersonRecord]) -> dict[tuple[str, str], int]:
    """Key -> the one record having it (keys shared by several records are left out)."""
    count = Counter(k for rec in records.values() for k in match_keys(rec))
    return {k: i for i, rec in records.items() for k in match_keys(rec) if count[k] == 1}


def _compatible(old: PersonRecord, new: PersonRecord) -> bool:
    """Two different ID numbers are two different persons, whatever their names."""
    return not (old.id_number and new.id_number and old.id_number != new.id_number)


def compute_diff(current: Mapping[int, PersonRecord], parsed: ParsedRegister,
                 persons: Mapping[int, Person]) -> RegisterDiff:
    """Match each row to at most one person on a key unique on both sides (see match_keys);
    unmatched rows are added, unmatched persons are missing."""
    diff = RegisterDiff(parsed.file)
    on_register = _unique_index(current)
    in_file = Counter(k for _, rec in parsed.rows for k in match_keys(rec))
    seen: set[int] = set()
    compared = [c for c in db_persons.DATA_COLUMNS if c in parsed.fields_present]
    for row, rec in parsed.rows:
        pid = next((on_register[k] for k in match_keys(rec)
                    if in_file[k] == 1 and k in on_register and on_register[k] not in seen
                    and _compatible(current[on_register[k]], rec)), None)
        if pid is None:
            diff.added.append((row, rec))
            continue
        seen.add(pid)
        old = current[pid]
        changes = tuple(FieldChange(c, getattr(old, c), getattr(rec, c)) for c in compared
                        if getattr(old, c) != getattr(rec, c))
        if changes:
            diff.changed.append(Changed(pid, row, old.name, changes))
        else:
            diff.unchanged += 1
    diff.missing = [persons[k] for k in current if k not in seen and k in persons]
    return diff


def plan_reimport(conn: db_persons.Conn, path: str | Path, *, now: str,
                  mapping: Mapping[str, str | None] | None = None,
                  progress: Progress | None = None, cancel: Cancel | None = None,
                  sheet: str | None = None) -> ReimportPlan:
    """Read and check the file, then compare it with the register. Nothing is written."""
    try:
        today = dt.date.fromisoformat(now[:10])
    except ValueError:
        today = dt.date.today()
    parsed = read_register(path, today=today, mapping=mapping, progress=progress, cancel=cancel,
                           sheet=sheet)
    plan = ReimportPlan(parsed.status, parsed.file, None, list(parsed.problems),
                        list(parsed.unknown_headers), dict(parsed.mapping), list(parsed.notes),
                        list(parsed.merged), list(parsed.sheet_choices), parsed.sheet)
    if parsed.status is not ImportStatus.IMPORTED:
        return plan
    persons = {p.id: p for p in db_persons.list_persons(conn)}
    current = current_records(conn)
    diff = compute_diff(current, parsed, persons)
    # A new or changed ID number may belong to someone else on the register.
    taken = {r.id_number: pid for pid, r in current.items() if r.id_number}
    id_col = next((h for h, t in parsed.mapping.items() if t == "id_number"), "")
    claims: list[tuple[int, int | None, object]] = [
        (row, None, rec.id_number) for row, rec in diff.added]
    claims += [(c.row, c.person_id, ch.new) for c in diff.changed for ch in c.changes
               if ch.field == "id_number"]
    for row, pid, number in claims:
        if isinstance(number, str) and number in taken and taken[number] != pid:
            plan.problems.append(Problem(parsed.file, row, id_col,
                                         f"身份证号 {number} 已属于名册中的另一人"))
    if plan.problems:
        plan.status = ImportStatus.BAD_ROWS
        plan.problems.sort(key=lambda p: p.row or 0)
        return plan
    plan.diff = diff
    return plan


def apply_diff(conn: db_persons.Conn, diff: RegisterDiff, *, now: str, actor: str = "system",
               progress: Progress | None = None, cancel: Cancel | None = None) -> ApplyResult:
    """Apply a planned diff in one transaction. Refused (nothing written) when the register has
    changed since the diff was made, when an ID number is taken meanwhile, or when cancelled."""
    from app.permissions import check

    raw = db_persons.raw(conn)
    denied = check(raw, "setup", actor)   # the 主持人's where a staff list exists
    if denied is not None:
        return ApplyResult(False, reason=denied.message)
    total = len(diff.changed) + len(diff.added)

    class _Refused(Exception):
        pass

    def step(done: int) -> None:
        if done % 500 == 1:
            if cancel is not None and cancel():
                raise _Refused("已取消，名册未作任何修改")
            if progress is not None:
                progress(done, total)

    try:
        with transaction(raw):
            current = current_records(raw)
            for c in diff.changed:
                rec = current.get(c.person_id)
                if rec is None or any(getattr(rec, ch.field) != ch.old for ch in c.changes):
                    raise _Refused(f"名册中 {c.name} 的信息在比较之后已被修改，请重新比较")
            # ID numbers that move between persons (a corrected swap) are freed first.
            for c in diff.changed:
                if any(ch.field == "id_number" for ch in c.changes):
                    db_persons.update_person(raw, c.person_id, {"id_number": None})
            for i, c in enumerate(diff.changed, start=1):
                step(i)
                new_values = {ch.field: _stored(ch.new) for ch in c.changes}
                new_fields: dict[str, Any] = {ch.field: ch.new for ch in c.changes}
                new_rec = replace(current[c.person_id], **new_fields)
                db_persons.update_person(raw, c.person_id, new_values,
                                         pinyin=display_pinyin(new_rec.name))
                db_persons.replace_keys(raw, c.person_id, new_rec.keys())
            done = len(diff.changed)

            def added() -> Iterator[PersonRecord]:
                for i, (_row, rec) in enumerate(diff.added, start=1):
                    step(done + i)
                    yield rec

            ids = insert_records(raw, added(), now)
            audit.append(raw, at=now, actor=actor, action="register.reimport",
                         detail={"file": diff.file, "added": len(ids),
                                 "changed": len(diff.changed), "missing": len(diff.missing),
                                 "changed_ids": [c.person_id for c in diff.changed]})
    except _Refused as e:
        return ApplyResult(False, reason=str(e))
    except sqlite3.IntegrityError as e:
        return ApplyResult(False, reason=f"名册在比较之后已被修改（{e}），请重新比较")
    if progress is not None:
        progress(total, total)
    return ApplyResult(True, ids, len(diff.changed))


def _stored(v: object) -> object:
    if isinstance(v, PartyStatus):
        return v.value
    if isinstance(v, bool):
        return int(v)
    return v
