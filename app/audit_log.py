"""The audit log as people read it: every row in words (app.audit_catalogue), filters by person,
action, meeting and time, and the chain check in words (intact, or the first row that does not
verify, and whether the log matches a chain head printed on paper). Used by the 审计日志 page,
its PDF and XLSX, and `pollday audit list`."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.audit_catalogue import action_group, action_words, describe, operator_name, wall_time
from db import audit


@dataclass(frozen=True, slots=True)
class Entry:
    id: int
    at: str                 # as stored (ISO with the offset)
    actor: str              # as stored (old versions: gui:张三)
    action: str             # the code
    meeting_id: int | None
    meeting: str            # the meeting's title ("" when the row belongs to no meeting)
    meeting_code: str       # its code (short, for the printed table)
    detail: Any             # the stored JSON, parsed
    outcome: str
    hash: str
    operator: str = ""                 # who, as a person reads it (filled by `entry`)
    wall: dt.datetime | None = None    # the row's time on the hall's clock (for the filters)

    @property
    def time(self) -> str:
        return wall_time(self.at)

    @property
    def words(self) -> str:
        return action_words(self.action)

    @property
    def group(self) -> str:
        return action_group(self.action)

    @property
    def text(self) -> str:
        return describe(self.action, self.detail, self.outcome)

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "at": self.at, "actor": self.actor, "action": self.action,
                "meeting_id": self.meeting_id, "detail": self.detail, "outcome": self.outcome,
                "hash": self.hash, "time": self.time, "operator": self.operator,
                "action_words": self.words, "group": self.group, "meeting": self.meeting,
                "meeting_code": self.meeting_code,
                "text": self.text}


def meeting_names(conn: sqlite3.Connection) -> dict[int, tuple[str, str]]:
    """meeting id -> (code, title)."""
    from app.meetings import list_meetings

    try:
        return {m.id: (m.code, m.title) for m in list_meetings(conn)}
    except (sqlite3.Error, ValueError, KeyError):  # an odd file: rows still show, untitled
        return {}


def read_entries(conn: sqlite3.Connection) -> list[Entry]:
    """Every audit row, oldest first."""
    names = meeting_names(conn)
    out = []
    for r in audit.rows(conn):
        mid = r["meeting_id"]
        code, title = ("", "") if mid is None else names.get(mid, (str(mid), f"会议 {mid}"))
        at, actor = str(r["at"]), str(r["actor"] or "")
        out.append(Entry(int(r["id"]), at, actor, str(r["action"]), mid, title, code,
                         r["detail"], str(r["outcome"]), str(r["hash"]), operator_name(actor),
                         row_time(at)))
    return out


NO_MEETING = 0   # the meeting filter's value for rows that belong to no meeting


@dataclass(frozen=True, slots=True)
class Filter:
    person: str = ""                    # the operator as shown; "" = everyone
    exact_person: bool = True           # False: a part of the name (the command line)
    action: str = ""                    # an action code; "" = every action
    meeting_id: int | None = None       # None = all; NO_MEETING = rows of no meeting
    since: dt.datetime | None = None    # wall time, inclusive
    until: dt.datetime | None = None    # wall time, inclusive

    def describe(self, titles: dict[int, str] | None = None) -> str:
        """The filter in words for the top of a printout ("全部记录" when none)."""
        parts = []
        if self.person:
            parts.append(f"人员：{self.person}")
        if self.action:
            parts.append(f"动作：{action_words(self.action)}")
        if self.meeting_id is not None:
            parts.append("会议：不属于某个会议" if self.meeting_id == NO_MEETING else
                         f"会议：{(titles or {}).get(self.meeting_id, self.meeting_id)}")
        if self.since is not None:
            parts.append(f"从 {self.since:%Y-%m-%d %H:%M}")
        if self.until is not None:
            parts.append(f"到 {self.until:%Y-%m-%d %H:%M:%S}" if self.until.second not in (0, 59)
                         else f"到 {self.until:%Y-%m-%d %H:%M}")
        return "；".join(parts) if parts else "全部记录"


def row_time(at: str) -> dt.datetime | None:
    """The row's wall time (the offset dropped, as the hall's clock showed it)."""
    try:
        return dt.datetime.fromisoformat(at).replace(tzinfo=None)
    except ValueError:
        return None


# Detail fields that name the people a row is about besides its operator: the second signer of
# a two-person action, the officials registered, the staff member concerned.
_NAMED_KEYS = ("second", "scrutineers", "counters")


def named(e: Entry) -> list[str]:
    """The people a row names besides its operator (a 监票人 who co-signed a lock, the officials
    registered for a round, the staff member a 工作人员 row is about)."""
    d = e.detail if isinstance(e.detail, dict) else {}
    out: list[str] = []
    keys = [*_NAMED_KEYS, *(["name"] if e.action.startswith("staff_") else [])]
    for key in keys:
        v = d.get(key)
        for n in (v if isinstance(v, list) else [v]):
            if isinstance(n, str) and n.strip() and n.strip() not in out:
                out.append(n.strip())
    return out


def matches(e: Entry, f: Filter) -> bool:
    if f.person:
        who = [e.operator, e.actor, *named(e)]
        if f.exact_person:
            if f.person not in who:
                return False
        elif not any(f.person.casefold() in w.casefold() for w in who):
            return False
    if f.action and e.action != f.action:
        return False
    if f.meeting_id is not None and (e.meeting_id or NO_MEETING) != f.meeting_id:
        return False
    if f.since is not None or f.until is not None:
        t = e.wall
        if t is None:
            return False
        if f.since is not None and t < f.since:
            return False
        if f.until is not None and t > f.until:
            return False
    return True


def filter_entries(entries: Iterable[Entry], f: Filter) -> list[Entry]:
    return [e for e in entries if matches(e, f)]


def people(entries: Sequence[Entry]) -> list[str]:
    """The operators who appear, and the people rows name (a second signer, the officials), in
    order of first appearance."""
    return list(dict.fromkeys(n for e in entries for n in (e.operator, *named(e))))


def actions(entries: Sequence[Entry]) -> list[str]:
    """The action codes that appear, in order of first appearance."""
    return list(dict.fromkeys(e.action for e in entries))


@dataclass(frozen=True, slots=True)
class ChainCheck:
    rows: int
    head: audit.Head
    broken_at: int | None          # the first row that does not verify
    broken_kind: str               # "content" (edited) / "link" (a row before removed) / ""
    broken_entry: Entry | None
    previous_id: int | None        # the row before the broken one (for "link")
    printed: str | None = None     # a head printed on paper, as 64 hex digits
    printed_row: int | None = None  # the row whose hash it is (None: no row has it)
    printed_problem: bool = False  # a row up to the printed one does not verify
    breaks: tuple[tuple[int, str], ...] = ()   # EVERY row that does not verify: (id, kind)
    described: tuple[tuple[int, str], ...] = ()  # (id, "时间，人员，动作") of those rows

    @property
    def intact(self) -> bool:
        return self.broken_at is None

    @property
    def printed_matches(self) -> bool | None:
        if self.printed is None:
            return None
        return self.printed_row is not None and not self.printed_problem

    @property
    def ok(self) -> bool:
        return self.intact and self.printed_matches is not False

    def headline(self) -> str:
        if self.broken_at is None:
            return f"审计记录完整（共 {self.rows} 条）"
        if len(self.breaks) > 1:
            return (f"审计记录不完整：{len(self.breaks)} 条记录无法核实（"
                    f"{self.rows_text()}），第 {self.broken_at} 条起不可信")
        return f"审计记录不完整：第 {self.broken_at} 条起无法核实"

    @property
    def broken_rows(self) -> list[int]:
        """Every row that does not verify (each edited or re-linked row, not only the first)."""
        return list(dict.fromkeys(rid for rid, _k in self.breaks)) or (
            [] if self.broken_at is None else [self.broken_at])

    def rows_text(self) -> str:
        """"第 5、34 条" """
        rows = self.broken_rows
        more = f" 等 {len(rows)} 条" if len(rows) > 20 else " 条"
        return "第 " + "、".join(str(r) for r in rows[:20]) + more

    def every_break_text(self, most: int = 10) -> str:
        """`every_break_words` joined, at most `most` of them (the rest counted)."""
        words = self.every_break_words()
        more = f"；……另有 {len(words) - most} 条" if len(words) > most else ""
        return "；".join(words[:most]) + more

    def every_break_words(self) -> list[str]:
        """One line per row that does not verify: which row (time, who, what) and how."""
        said = dict(self.described)
        out = []
        for rid, kind in self.breaks:
            who = said.get(rid)
            what = f"第 {rid} 条" + (f"（{who}）" if who else "")
            out.append(what + ("：内容与它的校验值不符，写入后被改动过" if kind == "content" else
                               "：记下的上一条校验值对不上，它之前的记录被删除或调换过"))
        return out

    def broken_words(self) -> str:
        if self.broken_at is None:
            return ""
        if len(self.breaks) > 1:
            return (self.every_break_text() + "。这些记录之后的内容也无法据此核实。")
        e = self.broken_entry
        what = f"第 {self.broken_at} 条" + (f"（{e.time}，{e.operator}，{e.words}）" if e else "")
        if self.broken_kind == "content":
            return (f"{what}的内容与它的校验值不符：这一条在写入后被改动过。"
                    "它之后的记录也无法据此核实。")
        before = (f"第 {self.previous_id} 条与第 {self.broken_at} 条之间"
                  if self.previous_id is not None else f"第 {self.broken_at} 条之前")
        return (f"{what}记下的上一条校验值对不上：{before}的记录被删除或调换过。"
                "它之后的记录也无法据此核实。")

    def printed_words(self) -> str:
        if self.printed is None:
            return ("链条完整只说明记录自洽，持有数据库文件的人可以重算整条链。"
                    "请输入公告、报告单或交接单上印的审计链头核对。") if self.intact else (
                "输入公告、报告单或交接单上印的审计链头，可核对打印时已有的记录是否未被改动。")
        shown = audit.grouped(self.printed)
        if self.printed_row is None:
            return (f"与纸面链头不符：没有任何一条记录的校验值是 {shown}。打印该链头之后，"
                    "它之前的记录被改写并重算过链条（或该链头属于另一个数据库）。")
        if self.printed_problem:
            return (f"纸面链头是第 {self.printed_row} 条的校验值，但到这一条为止有记录无法核实"
                    f"（第 {self.broken_at} 条）。")
        later = ("" if self.broken_at is None else
                 f"此后第 {self.broken_at} 条起无法核实。")
        return (f"与纸面链头一致：{shown} 是第 {self.printed_row} 条的校验值，"
                f"到这一条为止的记录未被改写。{later}")

    def lines(self) -> list[str]:
        """The check in words, headline first."""
        out = [self.headline()]
        if self.broken_at is not None:
            out.append(self.broken_words())
        else:
            out.append("每一条的校验值和前后衔接都重新核算无误。")
        out.append(f"当前链头（第 {self.head.row} 条）：{audit.grouped(self.head.hash)}")
        words = self.printed_words()
        if words:
            out.append(words)
        return out

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "intact": self.intact, "rows": self.rows,
                "head": self.head.hash, "head_row": self.head.row,
                "first_bad_row": self.broken_at, "first_bad_kind": self.broken_kind or None,
                "printed_head": self.printed, "printed_head_row": self.printed_row,
                "printed_head_matches": self.printed_matches,
                "bad_rows": [{"row": rid, "kind": kind} for rid, kind in self.breaks],
                "lines": self.lines()}


def check_chain(conn: sqlite3.Connection, printed: str | None = None,
                entries: Sequence[Entry] | None = None) -> ChainCheck:
    """Re-verify the whole chain; with `printed` (a head as typed or scanned, any grouping),
    also whether the log up to the row it names was rewritten. A printed text that is not a
    head raises ValueError."""
    head = audit.head(conn)
    every = audit.breaks(conn)
    broken = every[0] if every else None
    by_id = {e.id: e for e in entries} if entries is not None else {}
    if every and entries is None:
        by_id = {e.id: e for e in read_entries(conn)}
    entry = prev_id = None
    if broken is not None:
        entry = by_id.get(broken[0])
        ids = sorted(i for i in by_id if i < broken[0])
        prev_id = ids[-1] if ids else None
    bad = tuple(dict.fromkeys(r for r, _k in every))   # each row once (edited and re-linked)
    if bad:   # the head printed with the check (the audit report) says it proves nothing
        head = audit.Head(head.row, head.hash, head.rows, bad)
    described = tuple((rid, f"{e.time}，{e.operator}，{e.words}") for rid in bad
                      if (e := by_id.get(rid)) is not None)
    p_hex = p_row = None
    p_problem = False
    if printed is not None and printed.strip():
        p_hex = audit.normalise_head(printed)
        if p_hex is None:
            raise ValueError(f"“{printed.strip()}”不是审计链头（应为 64 位十六进制数字，可分组）")
        p_row, problems = audit.verify_to_head(conn, p_hex)
        p_problem = p_row is not None and bool(problems)
    return ChainCheck(head.rows, head, broken[0] if broken else None,
                      broken[1] if broken else "", entry, prev_id, p_hex, p_row, p_problem,
                      tuple(every), described)


BACKUP_MARK = "审计不完整"   # the end of a backup's file name made from a database like that

RESTORE_ADVICE = (
    "请不要继续使用这个数据库：用最后一份审计记录完整的备份恢复（U 盘上的 pollday-backup-…… 文件，"
    f"在“文件 → 打开”中打开它，先在“审计日志”页确认显示“审计记录完整”；文件名以“-{BACKUP_MARK}”"
    "结尾的备份是从已被改动的数据库复制的，不能用来恢复），再从那份数据库继续工作和导出；"
    "并把此事报告选举工作领导小组。如果没有审计记录完整的备份，请不要自行修补数据库：在“审计日志”页"
    "导出 PDF 打印（上面印有当前审计链头），交选举工作领导小组决定如何处理")


def broken_words(broken_at: int | None) -> str:
    """The short words for a chain that does not verify, everywhere (band, backup, command
    line): 第 N 条起无法核实 — not 被改动, which read as if every row from N on was altered."""
    return f"审计记录不完整（第 {broken_at} 条起无法核实）"


def band_text(broken_at: int) -> str:
    """The main window's red band for a chain that does not verify: the headline (which row)
    on the first line, what to do after it (the band shows the first line and keeps the
    advice in its tooltip; the 审计日志 page says it in full)."""
    return (broken_words(broken_at) + "：这个数据库在本程序之外被修改过。\n"
            + RESTORE_ADVICE + "。")


def cli_warning(path: Path) -> str | None:
    """The one line a command that writes to the election database at `path` prints on stderr
    when its audit chain does not verify (it never refuses: the day's data must not be lost);
    None when the chain verifies or the file is not an election database. The whole chain is
    re-verified (about 0.1 s for 20,000 rows, see `pollday bench`)."""
    try:
        conn = audit.open_for_check(path)
    except (OSError, sqlite3.Error):
        return None
    if conn is None:
        return None
    try:
        found = audit.breaks(conn)
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    if not found:
        return None
    return (f"警告：{path.name} 的" + broken_words(found[0][0]) + "，这个数据库在本程序之外被修改过；"
            "本次操作照常执行。处理办法见 pollday audit list 或窗口中“报送 → 审计日志”。")


def chain_band(conn: sqlite3.Connection) -> str | None:
    """Work for the main window's check when a database is opened (and after each backup):
    the band's text, or None when the chain verifies. Only the first broken row is named:
    the entries are not read and described as `check_chain` does for the 审计日志 page."""
    found = audit.first_break(conn)
    return None if found is None else band_text(found[0])
