"""What the counting commands (ballot, tally, compare, resolve, round, unlock) share: the options
that name a round, the --at time, reading an input file, and finding the round (and closing it
after the command's work on it).

Only argparse and the standard library are imported at the top: the parser of every command is
built at start-up, the use cases are imported when a command runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable

    from app.cli.ballot_lines import Line
    from app.clock import Clock
    from app.model import Meeting
    from app.rules import Ballot
    from app.voting import VotingRound

EXIT_REFUSED = 1
EXIT_USAGE = 2
DEFAULT_OPERATOR = "选举工作人员"


def add_round_options(p: argparse.ArgumentParser, *, at: bool = True) -> None:
    p.add_argument("--db", required=True, type=Path, metavar="PATH", help="election database")
    p.add_argument("--meeting", default=None, metavar="CODE", help="meeting (default: current)")
    p.add_argument("--contest", required=True, metavar="CODE", help="contest code, 选举事项代码")
    p.add_argument("--round", type=int, default=None, metavar="N",
                   help="round number (default: the contest's latest round)")
    p.add_argument("--operator", default="", metavar="NAME",
                   help=f"who does it, recorded and audited (default: {DEFAULT_OPERATOR})")
    if at:
        p.add_argument("--at", default=None, metavar="TIME",
                       help="time recorded (ISO 8601, e.g. 2026-05-01T10:30:00+08:00); default now")


def operator(args: argparse.Namespace) -> str:
    return str(args.operator).strip() or DEFAULT_OPERATOR


def clock_at(text: str | None) -> Clock | None:
    """A clock standing at --at (a naive time is local time), the system clock without it;
    None, said on stderr, when the text is not a time."""
    from app.clock import FixedClock, SystemClock

    if not text:
        return SystemClock()
    try:
        t = dt.datetime.fromisoformat(text)
    except ValueError:
        print(f"时间格式无效 / bad --at: {text}（应如 2026-05-01T10:30:00+08:00）", file=sys.stderr)
        return None
    return FixedClock(t if t.tzinfo is not None else t.astimezone())


def read_text(source: str) -> tuple[str, str] | None:
    """(the text, the name to show) of FILE or of standard input for "-"; UTF-8 (with or without
    BOM) or GB18030 as Windows editors save it. None, said on stderr, when it cannot be read."""
    if source == "-":
        data, shown = sys.stdin.buffer.read(), "标准输入"
    else:
        path = Path(source)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            print(f"文件不存在：{path}", file=sys.stderr)
            return None
        except OSError as exc:
            print(f"无法读取 {path}：{exc.strerror or exc}", file=sys.stderr)
            return None
        shown = path.name
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding), shown
        except UnicodeDecodeError:
            continue
    print(f"{shown}：不是 UTF-8 或 GBK 编码的文本", file=sys.stderr)
    return None


def entry_ballot(r: VotingRound, line: Line | str) -> Ballot | str:
    """The ballot a line of `pollday ballot enter` (parsed by app.cli.ballot_lines) types for
    round r, or what is wrong with it: the parser's words or the keys' problem."""
    from app.voting.entry import KeyProblem, make_entry_ballot

    if isinstance(line, str):
        return line
    made = make_entry_ballot(r, line.keys, write_ins=line.write_ins,
                             invalid=line.invalid_reason is not None,
                             reason=line.invalid_reason or "")
    return made.message if isinstance(made, KeyProblem) else made


@dataclass
class Opened:
    conn: sqlite3.Connection
    meeting: Meeting
    round: VotingRound

    def close(self) -> None:
        self.conn.close()


def open_round(args: argparse.Namespace) -> Opened | int:
    """The database, meeting and round named by the options, or the exit status (the reason on
    stderr): 2 for a missing database, meeting or contest code, 1 when the contest has no such
    round yet."""
    from app.cli.opening import open_meeting
    from app.meetings import list_contests
    from app.voting import list_rounds

    opened = open_meeting(args.db, args.meeting)
    if opened is None:
        return EXIT_USAGE
    conn, meeting = opened
    contests = list_contests(conn, meeting.id)
    contest = next((c for c in contests if c.code == args.contest), None)
    if contest is None:
        conn.close()
        known = "、".join(c.code for c in contests) or "（尚无选举事项）"
        print(f"选举事项代码 {args.contest} 不存在于 {meeting.code}；已有：{known}", file=sys.stderr)
        return EXIT_USAGE
    rounds = list_rounds(conn, contest.id)
    if args.round is None:
        chosen = rounds[-1] if rounds else None
    else:
        chosen = next((r for r in rounds if r.number == args.round), None)
    if chosen is None:
        conn.close()
        which = f"第{args.round}轮" if args.round is not None else "任何一轮"
        print(f"{contest.title}（{contest.code}）尚无{which}投票，请先开始投票（pollday round open）",
              file=sys.stderr)
        return EXIT_REFUSED
    return Opened(conn, meeting, chosen)


def on_round(args: argparse.Namespace, act: Callable[[Opened], int]) -> int:
    """act's exit status on the round named by the options, closed after; open_round's status
    (the reason on stderr) when there is no such round."""
    opened = open_round(args)
    if isinstance(opened, int):
        return opened
    try:
        return act(opened)
    finally:
        opened.close()


def with_round(args: argparse.Namespace,
               act: Callable[[sqlite3.Connection, VotingRound, Clock], int]) -> int:
    """on_round with the clock of --at: act(conn, round, clock); 2 for a bad --at, checked
    before the database is opened."""
    clock = clock_at(args.at)
    if clock is None:
        return EXIT_USAGE
    return on_round(args, lambda opened: act(opened.conn, opened.round, clock))


def round_json(r: VotingRound) -> dict[str, object]:
    return {"contest": r.contest_code, "round": r.number, "kind": r.kind.value,
            "label": r.label, "state": r.state.value, "mode": r.mode.value,
            "double_entry": r.double_entry, "seats": r.seats, "candidates": list(r.names)}
