"""Importing a register file: columns mapped to fields, every row checked, all or nothing.

    result = import_register(conn, "名册.xlsx", now=iso(clock.now()))
    result.status is ImportStatus.NEEDS_MAPPING  → ask the user about result.unknown_headers and
                                                    call again with mapping={header: field|None}
    result.status is ImportStatus.BAD_ROWS       → show result.problems (every bad row), nothing written
    result.status is ImportStatus.IMPORTED       → result.ids

Problems name the file, the row number the user sees in the spreadsheet and the column header.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from operator import itemgetter
from pathlib import Path

from app.education import classify as classify_education
from app.model import PartyStatus
from app.register import fields as f
from app.register.idcard import IdInfo, parse_id_number
from app.register.limits import column_letter
from app.register.sheets import (
    Cancel,
    Cancelled,
    Progress,
    Table,
    Unreadable,
    read_table,
    unknown_headers,
)
from app.register.store import PersonRecord, insert_records
from db import audit
from db import persons as db_persons
from db.tx import transaction


class ImportStatus(StrEnum):
    IMPORTED = "imported"
    BAD_ROWS = "bad_rows"            # bad rows or a bad file layout: nothing written
    NEEDS_MAPPING = "needs_mapping"  # headers PollDay does not know: ask, then call again
    UNREADABLE = "unreadable"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    row: int | None   # as numbered in the spreadsheet; None = the file as a whole
    column: str       # the header as in the file; '' = the row as a whole
    reason: str

    def __str__(self) -> str:
        where = f"第{self.row}行" if self.row is not None else ""
        col = f"「{self.column}」" if self.column else ""
        sep = " " if where or col else ""
        return f"{self.file}{sep}{where}{col}：{self.reason}"


@dataclass
class ParsedRegister:
    """A file read and checked, before anything is written."""

    status: ImportStatus
    file: str
    encoding: str = ""
    sheet: str = ""
    mapping: dict[str, str | None] = field(default_factory=dict)  # header -> field (None: left out)
    unknown_headers: list[str] = field(default_factory=list)
    rows: list[tuple[int, PersonRecord]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    fields_present: frozenset[str] = frozenset()
    notes: list[Problem] = field(default_factory=list)  # told, not blocking (学历 not in the table)
    merged: list[Problem] = field(default_factory=list)  # merged ranges filled in: told
    sheet_choices: list[str] = field(default_factory=list)  # several registers: ask which


@dataclass
class ImportResult:
    status: ImportStatus
    file: str
    ids: list[int] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unknown_headers: list[str] = field(default_factory=list)
    mapping: dict[str, str | None] = field(default_factory=dict)
    encoding: str = ""
    notes: list[Problem] = field(default_factory=list)  # told, not blocking (学历 not in the table)
    sheet: str = ""  # XLSX: the sheet read
    merged: list[Problem] = field(default_factory=list)  # merged ranges filled in: told

    @property
    def count(self) -> int:
        return len(self.ids)


# --- mapping ------------------------------------------------------------------------------

def resolve_mapping(headers: list[str], explicit: Mapping[str, str | None] | None
                    ) -> tuple[dict[int, str], dict[str, str | None], list[str], list[str]]:
    """(column index -> field, header -> field for display, unknown headers, layout problems)."""
    explicit = dict(explicit or {})
    by_col: dict[int, str] = {}
    shown: dict[str, str | None] = {}
    unknown: list[str] = []
    problems: list[str] = []
    for target in explicit.values():
        if target and target not in f.FIELD_LABELS:
            problems.append(f"对应关系中的字段「{target}」不存在")
    unmapped = set(unknown_headers(headers))
    for i, h in enumerate(headers):
        if not h.strip():
            continue
        if h in explicit:
            target = explicit[h] or None
        elif h in unmapped:
            unknown.append(h)
            continue
        else:
            target = f.field_of(h)
        shown[h] = target
        if target is not None and target in f.FIELD_LABELS:
            by_col[i] = target
    first_header: dict[str, str] = {}
    for i, target in sorted(by_col.items()):
        if target in first_header:
            problems.append(f"列「{first_header[target]}」和「{headers[i]}」都是"
                            f"{f.FIELD_LABELS[target]}，请只保留一列或重新指定对应关系")
        else:
            first_header[target] = headers[i]
    if not unknown and "name" not in by_col.values():
        problems.append("找不到「姓名」列（表头应在表格的前20行内）")
    return by_col, shown, unknown, problems


# --- rows ---------------------------------------------------------------------------------

def _today(now: str) -> dt.date:
    try:
        return dt.date.fromisoformat(now[:10])
    except ValueError:
        return dt.date.today()


Parser = Callable[[str, bool], object]  # (cell text, cell was a lossy number) -> value | Bad


def _parser(name: str, today: dt.date) -> Parser:
    if name == "name":
        return lambda raw, _lossy: f.parse_name(raw)
    if name == "gender":
        return lambda raw, _lossy: f.parse_gender(raw)
    if name == "birth_date":
        return lambda raw, _lossy: f.parse_date(raw, today)
    if name == "id_number":
        return lambda raw, lossy: _parse_id(raw, today, lossy)
    if name == "party_status":
        return lambda raw, _lossy: f.parse_status(raw)
    if name in ("resident_voter", "household_rep", "resident_rep", "collective_member",
                "collective_delegate"):
        return lambda raw, _lossy: f.parse_flag(raw)
    if name in ("household", "member_no", "phone"):
        return lambda raw, _lossy: f.parse_code(raw)
    if name == "note":
        return lambda raw, _lossy: f.parse_text(raw, 500)
    return lambda raw, _lossy: f.parse_text(raw)


# Columns whose values repeat a lot (性别, 支部, 是/否 ...): each distinct text is parsed once.
_MISSING = object()
_REPEATING = frozenset({"gender", "birth_date", "education", "branch", "resident_group",
                        "party_status", "resident_voter", "household_rep", "resident_rep",
                        "collective_member", "collective_delegate", "note"})


@dataclass(frozen=True, slots=True)
class Columns:
    """The mapped columns of a table: (index, field, header, parser, cache). A column whose
    values repeat (性别, 支部, 是/否 ...) has a cache: each distinct text is parsed once."""

    items: tuple[tuple[int, str, str, Parser, dict[str, object] | None], ...]
    header_of: dict[str, str]

    @classmethod
    def of(cls, by_col: Mapping[int, str], headers: list[str], today: dt.date) -> Columns:
        items: tuple[tuple[int, str, str, Parser, dict[str, object] | None], ...] = tuple(
            (i, name, headers[i], _parser(name, today), {} if name in _REPEATING else None)
            for i, name in sorted(by_col.items()))
        return cls(items, {name: header for _i, name, header, _p, _c in items})


def parse_row(cells: list[str], columns: Columns, lossy_cols: set[int] | None = None
              ) -> tuple[PersonRecord | None, list[tuple[str, str]]]:
    """One data row -> (record, []) or (None, [(header, reason), ...])."""
    bad: list[tuple[str, str]] = []
    values: dict[str, object] = {}
    col_of = columns.header_of
    n_cells = len(cells)
    for i, name, header, parse, cache in columns.items:
        raw = cells[i] if i < n_cells else ""
        if cache is not None:
            parsed = cache.get(raw, _MISSING)
            if parsed is _MISSING:
                parsed = parse(raw, False)
                if len(cache) < 20000:
                    cache[raw] = parsed
        else:
            parsed = parse(raw, lossy_cols is not None and i in lossy_cols)
        if isinstance(parsed, f.Bad):
            bad.append((header, parsed.reason))
        else:
            values[name] = parsed
    info = values.get("id_number")
    if isinstance(info, IdInfo):
        values["id_number"] = info.number
        given_g = values.get("gender")
        if given_g is None:
            values["gender"] = info.gender
        elif given_g != info.gender:
            bad.append((col_of["gender"], f"性别为{'男' if given_g == 'M' else '女'}，但身份证号"
                        f"显示为{'男' if info.gender == 'M' else '女'}"))
        given_b = values.get("birth_date")
        if given_b is None:
            values["birth_date"] = info.birth_date
        elif isinstance(given_b, str) and not info.birth_date.startswith(given_b):
            bad.append((col_of["birth_date"], f"出生日期为 {given_b}，但身份证号显示为 {info.birth_date}"))
        else:
            values["birth_date"] = info.birth_date  # 出生年月 given: the ID number has the day
    if bad:
        return None, bad
    return PersonRecord(
        name=str(values["name"]),
        gender=_opt_str(values.get("gender")),
        birth_date=_opt_str(values.get("birth_date")),
        id_number=_opt_str(values.get("id_number")) or None,
        education=str(values.get("education", "")),
        branch=str(values.get("branch", "")),
        resident_group=str(values.get("resident_group", "")),
        household=str(values.get("household", "")),
        member_no=str(values.get("member_no", "")),
        party_status=_status(values.get("party_status")),
        resident_voter=bool(values.get("resident_voter", False)),
        household_rep=bool(values.get("household_rep", False)),
        resident_rep=bool(values.get("resident_rep", False)),
        collective_member=bool(values.get("collective_member", False)),
        collective_delegate=bool(values.get("collective_delegate", False)),
        phone=str(values.get("phone", "")),
        note=str(values.get("note", "")),
    ), []


def parse_rows(block: Sequence[tuple[int, list[str]]], columns: Columns,
               lossy_by_row: Mapping[int, set[int]]
               ) -> list[tuple[PersonRecord | None, list[tuple[str, str]]]]:
    """`parse_row` for each row of a block, the same results, parsed column by column: a
    repeating column's distinct texts are parsed once per block, and the per-row work is a few
    list lookups instead of a loop over the columns."""
    n = len(block)
    bad: list[list[tuple[str, str]] | None] = [None] * n
    vals: dict[str, list[object]] = {}
    width = max((i for i, *_rest in columns.items), default=-1) + 1
    # Short rows padded with empty cells (what parse_row reads past a row's end).
    table = [cells if len(cells) >= width else [*cells, *([""] * (width - len(cells)))]
             for _rn, cells in block]
    for i, name, header, parse, cache in columns.items:
        raws: list[str] = list(map(itemgetter(i), table))
        if cache is not None:
            got: dict[str, object] = {}
            for raw in set(raws):
                parsed = cache.get(raw, _MISSING)
                if parsed is _MISSING:
                    parsed = parse(raw, False)
                    if len(cache) < 20000:
                        cache[raw] = parsed
                got[raw] = parsed
            col = [got[r] for r in raws]
            any_bad = any(isinstance(v, f.Bad) for v in got.values())
        else:
            if lossy_by_row:
                col = [parse(raw, i in lossy_by_row.get(rn, ()))
                       for raw, (rn, _cells) in zip(raws, block, strict=True)]
            else:
                col = [parse(raw, False) for raw in raws]
            any_bad = True
        if any_bad:
            for k, v in enumerate(col):
                if isinstance(v, f.Bad):
                    row_bad = bad[k]
                    if row_bad is None:
                        row_bad = bad[k] = []
                    row_bad.append((header, v.reason))
                    col[k] = None  # a bad cell counts as not given (as in parse_row)
        vals[name] = col

    def column(name: str, default: object) -> list[object]:
        return vals.get(name) or [default] * n

    ids, genders, births = column("id_number", None), column("gender", None), column("birth_date", None)
    col_of = columns.header_of
    for k in range(n):
        info = ids[k]
        if isinstance(info, IdInfo):
            ids[k] = info.number
            given_g = genders[k]
            if given_g is None:
                genders[k] = info.gender
            elif given_g != info.gender:
                row_bad = bad[k]
                if row_bad is None:
                    row_bad = bad[k] = []
                row_bad.append((col_of["gender"], f"性别为{'男' if given_g == 'M' else '女'}，"
                                f"但身份证号显示为{'男' if info.gender == 'M' else '女'}"))
            given_b = births[k]
            if given_b is None:
                births[k] = info.birth_date
            elif isinstance(given_b, str) and not info.birth_date.startswith(given_b):
                row_bad = bad[k]
                if row_bad is None:
                    row_bad = bad[k] = []
                row_bad.append((col_of["birth_date"],
                                f"出生日期为 {given_b}，但身份证号显示为 {info.birth_date}"))
            else:
                births[k] = info.birth_date  # 出生年月 given: the ID number has the day
    # Text and yes/no columns converted whole (a bad row's values too: it is left out below).
    def text(name: str) -> list[str]:
        return list(map(str, column(name, "")))

    def flag(name: str) -> list[bool]:
        return list(map(bool, column(name, False)))

    out: list[tuple[PersonRecord | None, list[tuple[str, str]]]] = []
    for (row_bad, name, gender, birth, number, education, branch, group, household, member_no,
         status, voter, hh_rep, res_rep, coll_member, coll_delegate, phone, note) in zip(
            bad, text("name"), genders, births, ids, text("education"), text("branch"),
            text("resident_group"), text("household"), text("member_no"),
            column("party_status", None), flag("resident_voter"), flag("household_rep"),
            flag("resident_rep"), flag("collective_member"), flag("collective_delegate"),
            text("phone"), text("note"), strict=True):
        if row_bad is not None:
            out.append((None, row_bad))
            continue
        out.append((PersonRecord(
            name=name, gender=_opt_str(gender), birth_date=_opt_str(birth),
            id_number=_opt_str(number) or None, education=education, branch=branch,
            resident_group=group, household=household, member_no=member_no,
            party_status=_status(status), resident_voter=voter, household_rep=hh_rep,
            resident_rep=res_rep, collective_member=coll_member,
            collective_delegate=coll_delegate, phone=phone, note=note), []))
    return out


def _opt_str(v: object) -> str | None:
    return None if v is None else str(v)


def _status(v: object) -> PartyStatus:
    return v if isinstance(v, PartyStatus) else PartyStatus.NONE


def _parse_id(raw: str, today: dt.date, lossy: bool) -> IdInfo | None | f.Bad:
    if not raw[:1].isdigit() and not f.clean_text(raw):  # a digit first: not blank
        return None
    if lossy:
        return f.Bad("身份证号被表格存成了数字，后几位已丢失；请把该列设为“文本”格式后重新录入")
    got = parse_id_number(raw, today)
    return got if isinstance(got, IdInfo) else f.Bad(got)


_BLOCK = 500  # rows parsed at once (between two progress reports)


def parse_table(table: Table, *, mapping: Mapping[str, str | None] | None = None,
                today: dt.date, progress: Progress | None = None,
                cancel: Cancel | None = None) -> ParsedRegister:
    """Check every row of a table; duplicate ID numbers within the file are bad rows."""
    by_col, shown, unknown, layout = resolve_mapping(table.headers, mapping)
    out = ParsedRegister(ImportStatus.BAD_ROWS, table.file, table.encoding, table.sheet, shown,
                         unknown)
    if unknown:
        out.status = ImportStatus.NEEDS_MAPPING
        return out
    if layout:
        out.problems = [Problem(table.file, table.header_row, "", p) for p in layout]
        return out
    out.problems = error_problems(table)
    present = set(by_col.values())
    if "id_number" in present:
        present |= {"gender", "birth_date"}
    out.fields_present = frozenset(present)
    id_col = next((table.headers[i] for i, n in by_col.items() if n == "id_number"), "")
    lossy_by_row: dict[int, set[int]] = {}
    for rn, c in table.lossy:
        lossy_by_row.setdefault(rn, set()).add(c)
    first_row_of_id: dict[str, int] = {}
    columns = Columns.of(by_col, table.headers, today)
    total = len(table.rows)
    parsed: list[tuple[PersonRecord | None, list[tuple[str, str]]]] = []
    for done, (row_no, _cells) in enumerate(table.rows, start=1):
        if done % 500 == 0:
            if cancel is not None and cancel():
                out.status = ImportStatus.CANCELLED
                return out
            if progress is not None:
                progress(done, total)
        if done > len(parsed):  # the next block of rows, parsed column by column
            parsed += parse_rows(table.rows[done - 1:done - 1 + _BLOCK], columns, lossy_by_row)
        rec, bad = parsed[done - 1]
        if rec is None:
            out.problems.extend(Problem(table.file, row_no, h, r) for h, r in bad)
            continue
        if rec.id_number:
            first = first_row_of_id.setdefault(rec.id_number, row_no)
            if first != row_no:
                out.problems.append(Problem(table.file, row_no, id_col,
                                            f"身份证号 {rec.id_number} 与第{first}行重复"))
                continue
        out.rows.append((row_no, rec))
    if progress is not None:
        progress(total, total)
    out.merged = merged_notes(table)
    out.notes = education_notes(table.file, out.mapping, out.rows)
    if table.errors:  # an error cell is told once, as such (not also as a bad date)
        told = {(p.row, p.column) for p in out.problems[:len(table.errors)]}
        out.problems = out.problems[:len(table.errors)] + [
            p for p in out.problems[len(table.errors):] if (p.row, p.column) not in told]
    if not out.problems:
        out.status = ImportStatus.IMPORTED if out.rows else ImportStatus.BAD_ROWS
        if not out.rows:
            out.problems.append(Problem(table.file, None, "", "表格中只有表头，没有人员"))
    return out


def _column_name(table: Table, col: int) -> str:
    return table.headers[col] if col < len(table.headers) and table.headers[col] else \
        f"第{column_letter(col)}列"


def error_problems(table: Table) -> list[Problem]:
    """One problem per cell holding a spreadsheet error value: a failed formula is no person's
    name, branch or date."""
    return [Problem(table.file, row, _column_name(table, col),
                    f"单元格 {column_letter(col)}{row} 是表格的错误值 {text}（公式出错或引用失效），"
                    "请在表格中改正后再导入")
            for row, col, text in table.errors]


MAX_MERGED_NOTES = 20


def merged_notes(table: Table) -> list[Problem]:
    """What was filled from merged ranges (a range keeps its value in its top-left cell only)."""
    out = []
    for rng, value in table.merged[:MAX_MERGED_NOTES]:
        rows = f"第{rng.min_row}至{rng.max_row}行" if rng.max_row > rng.min_row else f"第{rng.min_row}行"
        out.append(Problem(table.file, None, _column_name(table, rng.min_col),
                           f"合并单元格 {rng.ref}：{rows}都按左上角的值「{value}」读入"))
    if len(table.merged) > MAX_MERGED_NOTES:
        out.append(Problem(table.file, None, "",
                           f"另有 {len(table.merged) - MAX_MERGED_NOTES} 处合并单元格也按左上角的值读入"))
    return out


def education_notes(file: str, mapping: Mapping[str, str | None],
                    rows: Sequence[tuple[int, PersonRecord]]) -> list[Problem]:
    """One note per 学历 text the table of levels (app.education) cannot place, naming its rows.
    The text is kept as written; the district counts it as neither 大专 nor 本科."""
    header = next((h for h, t in mapping.items() if t == "education"), "")
    if not header:
        return []
    rows_of: dict[str, list[int]] = {}
    for row_no, rec in rows:
        if rec.education:
            rows_of.setdefault(rec.education, []).append(row_no)
    out = []
    for text, row_nos in rows_of.items():
        got = classify_education(text)
        if got.known:
            continue
        if len(row_nos) == 1:
            out.append(Problem(file, row_nos[0], header, got.reason))
            continue
        shown = "、".join(f"第{n}行" for n in row_nos[:10])
        more = f"等{len(row_nos)}行" if len(row_nos) > 10 else ""
        out.append(Problem(file, None, header, f"{shown}{more}：{got.reason}"))
    return out


def read_register(path: str | Path, *, today: dt.date,
                  mapping: Mapping[str, str | None] | None = None,
                  progress: Progress | None = None, cancel: Cancel | None = None,
                  sheet: str | None = None) -> ParsedRegister:
    """Read and check a register file (XLSX: the sheet named, else the active visible one).
    status IMPORTED here means "ready to write"."""
    name = Path(path).name
    try:
        table = read_table(path, cancel, sheet)
    except Cancelled:
        return ParsedRegister(ImportStatus.CANCELLED, name)
    if isinstance(table, Unreadable):
        return ParsedRegister(ImportStatus.UNREADABLE, name,
                              problems=[Problem(name, None, "", table.reason)],
                              sheet_choices=list(table.choices))
    return parse_table(table, mapping=mapping, today=today, progress=progress, cancel=cancel)


def already_registered(conn: db_persons.Conn, parsed: ParsedRegister) -> list[Problem]:
    """Rows whose ID number is already on the register (one problem each)."""
    ids = [r.id_number for _, r in parsed.rows if r.id_number]
    found = db_persons.existing_id_numbers(conn, ids)
    if not found:
        return []
    id_col = next((h for h, t in parsed.mapping.items() if t == "id_number"), "")
    out = []
    for row_no, rec in parsed.rows:
        if rec.id_number and rec.id_number in found:
            person = db_persons.get_person(conn, found[rec.id_number])
            who = f"{person.name}" if person is not None else "某人"
            out.append(Problem(parsed.file, row_no, id_col,
                               f"身份证号 {rec.id_number} 已在名册中（{who}）；更新名册请用“重新导入”"))
    return out


@contextmanager
def _cycle_collection_paused() -> Iterator[None]:
    """Python's cycle collector off while a register is read and stored: the hundreds of
    thousands of rows, cells and keys made hold no cycles (reference counting frees them), yet
    each collection walks them all again: about 15 % of a 20,000-person import. Back on
    (when it was on) however the block ends."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def import_register(conn: db_persons.Conn, path: str | Path, *, now: str,
                    mapping: Mapping[str, str | None] | None = None,
                    progress: Progress | None = None, cancel: Cancel | None = None,
                    actor: str = "system", sheet: str | None = None) -> ImportResult:
    """Add everyone in the file to the register in one transaction, or nothing at all. Where
    the database has a staff list only the 主持人 imports (app.permissions; the refusal is a
    problem of the file as a whole, nothing read or written)."""
    with _cycle_collection_paused():
        return _import_register(conn, path, now=now, mapping=mapping, progress=progress,
                                cancel=cancel, actor=actor, sheet=sheet)


def _import_register(conn: db_persons.Conn, path: str | Path, *, now: str,
                     mapping: Mapping[str, str | None] | None, progress: Progress | None,
                     cancel: Cancel | None, actor: str, sheet: str | None) -> ImportResult:
    from app.permissions import check

    denied = check(db_persons.raw(conn), "setup", actor)
    if denied is not None:
        name = Path(path).name
        return ImportResult(ImportStatus.BAD_ROWS, name,
                            problems=[Problem(name, None, "", denied.message)])

    def half(done: int, total: int, offset: int = 0) -> None:
        if progress is not None:
            progress(offset + done, 2 * max(total, 1))

    parsed = read_register(path, today=_today(now), mapping=mapping, progress=half, cancel=cancel,
                           sheet=sheet)
    result = ImportResult(parsed.status, parsed.file, problems=list(parsed.problems),
                          unknown_headers=list(parsed.unknown_headers),
                          mapping=dict(parsed.mapping), encoding=parsed.encoding,
                          notes=list(parsed.notes), sheet=parsed.sheet,
                          merged=list(parsed.merged))
    if parsed.status not in (ImportStatus.IMPORTED, ImportStatus.BAD_ROWS):
        return result
    # Every bad row at once: rows already on the register count too.
    dupes = already_registered(conn, parsed)
    if dupes or parsed.status is ImportStatus.BAD_ROWS:
        result.status = ImportStatus.BAD_ROWS
        result.problems = sorted(parsed.problems + dupes, key=lambda p: p.row or 0)
        return result
    records = [rec for _, rec in parsed.rows]
    n = len(records)

    def tracked() -> Iterator[PersonRecord]:
        # Consumed while inserting: a cancel raises inside the transaction, which rolls back.
        for i, rec in enumerate(records, start=1):
            if i % 500 == 0:
                if cancel is not None and cancel():
                    raise Cancelled
                half(i, n, n)
            yield rec

    raw = db_persons.raw(conn)
    try:
        with transaction(raw):
            ids = insert_records(raw, tracked(), now)
            audit.append(raw, at=now, actor=actor, action="register.import",
                         detail={"file": parsed.file, "count": len(ids),
                                 "encoding": parsed.encoding, "sheet": parsed.sheet})
    except Cancelled:
        result.status = ImportStatus.CANCELLED
        return result
    half(n, n, n)
    result.ids = ids
    return result
