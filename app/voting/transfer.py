"""Double entry on two laptops (录入组 B 用另一台电脑): clerk A enters the stack on the counting
laptop while clerk B enters the same stack on a second laptop holding a copy of the database
(文件 → 打开 a backup taken after the round was opened). B's entry leaves the second laptop as
an entry file (`.pollday-entry`, JSON with a SHA-256 of its content) on a USB stick and is
imported on the counting laptop, where the usual 双录比对 lists the differences.

The file holds the entry's rows exactly as written (enter / correct / withdraw, clerk, time,
note), so the comparison and every later audit see what clerk B did. Importing checks that the
file is whole, that it is the same meeting, contest, round, seats and candidates in the same
order, that the round is still open for entry, and that every reading has the round's shape;
then it appends the rows in one transaction. Importing the same file again changes nothing; a
later file of the same clerk appends only what is new (the rows already here must be the file's
first rows); anything else is refused with the first row that differs. Audited."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.clock import Clock, iso
from app.fileio import write_atomic
from app.meetings import Refusal
from app.model import Meeting
from app.rules import Ballot
from app.voting.entry import open_for_entry, shape_problem
from app.voting.guard import import_refused
from app.voting.model import ENTRIES, VotingRound
from app.voting.store import load_round, round_by_number
from db import voting as q
from db.audit import append
from db.tx import transaction

FORMAT = "pollday-entry"
FORMAT_VERSION = 1
EXTENSION = ".pollday-entry"
ROW_FIELDS = ("seq", "action", "present", "marks", "write_ins", "unmarked", "invalid", "reason",
              "choice", "clerk", "at", "note")
ACTIONS = ("enter", "correct", "withdraw")
MAX_BYTES = 64 << 20


@dataclass(frozen=True, slots=True)
class Imported:
    round_label: str
    entry: str
    added: int        # rows appended now
    already: int      # rows that were here before (an earlier import of the same entry)


def _round_part(meeting: Meeting, r: VotingRound) -> dict[str, Any]:
    return {"meeting": meeting.code, "contest": r.contest_code, "round": r.number,
            "round_label": r.label, "seats": r.seats, "candidates": list(r.names)}


def _digest(doc: dict[str, Any]) -> str:
    body = {k: v for k, v in doc.items() if k != "sha256"}
    text = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _row_dict(row: tuple[Any, ...]) -> dict[str, Any]:
    # ENTRY_COLUMNS: id, round_id, entry, then ROW_FIELDS
    out = dict(zip(ROW_FIELDS, row[3:], strict=True))
    out["write_ins"] = json.loads(out["write_ins"])
    out["unmarked"] = json.loads(out["unmarked"])
    return out


def export_entry(conn: sqlite3.Connection, meeting: Meeting, round_id: int, entry: str,
                 at: str) -> dict[str, Any] | Refusal:
    """The entry file's content for `entry` of the round (refused when it holds nothing)."""
    r = load_round(conn, round_id)
    if r is None or r.meeting_id != meeting.id:
        return Refusal("NO_SUCH_ROUND", f"轮次 {round_id} 不存在")
    if entry not in ENTRIES:
        return Refusal("ENTRY_INVALID", "录入组须为 A 或 B")
    rows = [_row_dict(row) for row in q.select_entry_log(conn, round_id, entry)]
    if not rows:
        return Refusal("ENTRY_EMPTY", f"{r.label} 录入组{entry}还没有录入任何选票")
    doc: dict[str, Any] = {"format": FORMAT, "format_version": FORMAT_VERSION,
                           **_round_part(meeting, r), "entry": entry, "exported_at": at,
                           "rows": rows}
    doc["sha256"] = _digest(doc)
    return doc


def write_entry_file(doc: dict[str, Any], path: Path) -> None:
    """Written whole or not at all: temporary name, flushed, renamed."""
    write_atomic(path, json.dumps(doc, ensure_ascii=False, indent=1))


def read_entry_file(path: Path) -> dict[str, Any] | Refusal:
    name = path.name
    try:
        if path.stat().st_size > MAX_BYTES:
            return Refusal("FILE_TOO_LARGE", f"{name}：文件过大，不是录入文件")
        doc = json.loads(path.read_bytes().decode("utf-8"))
    except OSError as exc:
        return Refusal("FILE_UNREADABLE", f"{name}：无法读取（{exc.strerror or exc}）")
    except (UnicodeDecodeError, ValueError):
        return Refusal("NOT_AN_ENTRY_FILE", f"{name}：不是 PollDay 录入文件（无法解析）")
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        return Refusal("NOT_AN_ENTRY_FILE", f"{name}：不是 PollDay 录入文件")
    if doc.get("format_version") != FORMAT_VERSION:
        return Refusal("VERSION", f"{name}：录入文件版本 {doc.get('format_version')} 不受支持")
    if doc.get("sha256") != _digest(doc):
        return Refusal("DAMAGED", f"{name}：内容与校验值不符（文件已损坏或被修改），未导入")
    return doc


def _row_values(round_id: int, entry: str, row: Any, n: int) -> tuple[Any, ...] | str:
    """The row as db.voting.EntryValues, or why it is not a row (row number n, from 1)."""
    if not isinstance(row, dict) or set(row) != set(ROW_FIELDS):
        return f"第 {n} 条记录字段不全"
    seq, action, present = row["seq"], row["action"], row["present"]
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        return f"第 {n} 条记录的序号无效"
    if action not in ACTIONS or present not in (0, 1) or row["invalid"] not in (0, 1):
        return f"第 {n} 条记录（第{seq}张）的操作或标记无效"
    texts = ("marks", "reason", "choice", "clerk", "at", "note")
    if any(not isinstance(row[k], str) for k in texts) or not all(
            isinstance(row[k], list) and all(isinstance(w, str) for w in row[k])
            for k in ("write_ins", "unmarked")):
        return f"第 {n} 条记录（第{seq}张）的内容无效"
    if action != "enter" and not row["note"].strip():
        return f"第 {n} 条记录（第{seq}张）更正或撤销没有写明原因"
    return (round_id, entry, seq, action, present, row["marks"],
            json.dumps(row["write_ins"], ensure_ascii=False),
            json.dumps(row["unmarked"], ensure_ascii=False), row["invalid"], row["reason"],
            row["choice"], row["clerk"], row["at"], row["note"])


def import_entry(conn: sqlite3.Connection, meeting: Meeting, doc: dict[str, Any], *,
                 file_name: str, actor: str, clock: Clock) -> Imported | Refusal:
    """Append the rows of an entry file (read_entry_file) to this database's round."""
    if doc.get("meeting") != meeting.code:
        return Refusal("OTHER_MEETING", f"{file_name}：是会议 {doc.get('meeting')} 的录入，"
                                        f"不是本会议（{meeting.code}）的")
    entry = doc.get("entry")
    rows = doc.get("rows")
    if entry not in ENTRIES or not isinstance(rows, list) or not rows:
        return Refusal("NOT_AN_ENTRY_FILE", f"{file_name}：没有录入组或选票记录")
    contest = next((c for c in _contests(conn, meeting) if c[1] == doc.get("contest")), None)
    r = (round_by_number(conn, contest[0], doc["round"])
         if contest is not None and isinstance(doc.get("round"), int) else None)
    if r is None:
        return Refusal("NO_SUCH_ROUND", f"{file_name}：本机没有{doc.get('round_label', '该轮次')}"
                                        "（另一台电脑的数据库须在开始投票之后复制）")
    if list(r.names) != doc.get("candidates") or r.seats != doc.get("seats"):
        return Refusal("OTHER_CANDIDATES", f"{file_name}：{r.label} 的候选人或应选人数与本机不同，未导入")
    with transaction(conn):
        opened = open_for_entry(conn, r.id, str(entry))
        if isinstance(opened, Refusal):
            return Refusal(opened.code, f"{file_name}：{opened.message}")
        values: list[tuple[Any, ...]] = []
        for n, row in enumerate(rows, 1):
            v = _row_values(r.id, str(entry), row, n)
            if isinstance(v, str):
                return Refusal("BAD_ROW", f"{file_name}：{v}，未导入")
            if v[4]:
                problem = shape_problem(r, Ballot(v[5], tuple(row["write_ins"]), bool(v[8]),
                                                   v[9], tuple(row["unmarked"])))
                if problem is not None:
                    return Refusal("BAD_ROW", f"{file_name}：第 {n} 条记录（第{v[2]}张）"
                                              f"{problem.message}，未导入")
            values.append(v)
        here = [tuple(row[1:]) for row in q.select_entry_log(conn, r.id, str(entry))]
        for n, (mine, theirs) in enumerate(zip(here, values, strict=False), 1):
            if mine != theirs:
                return Refusal("ENTRY_DIFFERS", f"{file_name}：本机{r.label} 录入组{entry}的第 {n} "
                                                f"条记录（第{mine[2]}张）与文件不同，未导入。"
                                                f"同一录入组只能在一台电脑上录入")
        if len(here) > len(values):
            return Refusal("ENTRY_DIFFERS", f"{file_name}：本机录入组{entry}已有 {len(here)} 条记录，"
                                            f"多于文件中的 {len(values)} 条，未导入")
        new = values[len(here):]
        denied = import_refused(conn, r.id, str(entry), actor, {str(v[11]) for v in new},
                                r.label)
        if denied is not None:
            return Refusal(denied.code, f"{file_name}：{denied.message}")
        if new:
            q.insert_entries(conn, new)
            append(conn, at=iso(clock.now()), actor=actor, action="ballot_entry_imported",
                   meeting_id=meeting.id,
                   detail={"round_id": r.id, "round": r.label, "entry": entry, "file": file_name,
                           "sha256": doc["sha256"], "added": len(new), "already": len(here),
                           "clerks": sorted({str(v[11]) for v in new})})
    return Imported(r.label, str(entry), len(new), len(here))


def _contests(conn: sqlite3.Connection, meeting: Meeting) -> list[tuple[int, str]]:
    from app.meetings import list_contests

    return [(c.id, c.code) for c in list_contests(conn, meeting.id)]


def summary(doc: dict[str, Any]) -> str:
    """One line for the person choosing the file."""
    rows = doc.get("rows") or []
    standing = {r["seq"]: r for r in rows if isinstance(r, dict) and "seq" in r}
    ballots = sum(1 for r in standing.values() if r.get("present"))
    return (f"{doc.get('round_label', '')} 录入组{doc.get('entry')}：{ballots} 张选票"
            f"（{len(rows)} 条记录，导出于 {str(doc.get('exported_at', ''))[:16].replace('T', ' ')}）")
