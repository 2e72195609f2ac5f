"""`pollday sign-in` and `pollday attendance`: the sign-in desk and the live quorum from a shell.

    pollday sign-in --db PATH --desk NAME [--operator X] [--meeting CODE] PERSON...
    pollday sign-in --db PATH --desk NAME --action undo --reason 误签 PERSON
    pollday sign-in --db PATH --desk NAME --action revoke-proxy --reason 本人到会 PERSON
    (both take --at TIME: the time recorded, ISO 8601, for a scripted day; default now)
    pollday attendance --db PATH [--meeting CODE] [--json] [--open-voting ROUND]

When the meeting has 签到台 set up, --desk must name one of them (a joined desk: its own name);
an unknown desk is refused with the known desks listed. A person the desk does not serve (another
branch's desk) is refused with the desk's own words, as at the 签到台 screen; --here-anyway signs
them in here all the same, audited (the screen's 仍在本台签到, F9).

PERSON is a register id, the QR token or the ID number (tokens never begin with "-"; a register
made before that rule may hold such tokens: put `--` before the persons); `-` alone reads one per
line from standard input (a scanner). For each person, after the event is durably committed, one JSON line
{"person", "name", "result", "present", "message", ...} is written and flushed. Exit status: 0
when every person was signed in, was already signed in or attends without a vote; 1 when any was
unknown, excluded, delegated (委托 stands: no ballot) or refused; 2 for a missing database or
meeting.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app import attendance as att
    from app.clock import Clock

COMMANDS = ("sign-in", "attendance")
EXIT_REFUSED = 1
EXIT_USAGE = 2

AT_HELP = "time recorded (ISO 8601, e.g. 2026-11-22T09:00:00+08:00); default now"
ACTIONS = ("sign-in", "undo", "sign-out", "return", "lift-exclusion", "revoke-proxy")
# The outcomes (app.attendance.Outcome values, a StrEnum) that leave the exit status 0.
_FINE = {"signed_in", "already_signed_in", "no_vote", "undone", "signed_out", "returned",
         "lifted"}


def register(sub: Any) -> None:
    p = sub.add_parser("sign-in", help="sign persons in at a desk, 签到", description=__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", required=True, type=Path, metavar="PATH")
    p.add_argument("--desk", required=True, metavar="NAME", help="desk name, 签到台")
    p.add_argument("--operator", default="", metavar="X", help="clerk, 签到员")
    p.add_argument("--at", default=None, metavar="TIME", help=AT_HELP)
    p.add_argument("--meeting", default=None, metavar="CODE", help="another meeting than the current")
    p.add_argument("--action", choices=ACTIONS, default="sign-in")
    p.add_argument("--here-anyway", action="store_true",
                   help="sign in a person another desk serves here all the same (audited), "
                        "仍在本台签到")
    p.add_argument("--reason", default="",
                   help="reason (undo, lift-exclusion and revoke-proxy need one)")
    p.add_argument("persons", nargs="+", metavar="PERSON", help="id, QR token or ID number; - = stdin")
    p.set_defaults(func=run_sign_in)

    a = sub.add_parser("attendance", help="应到/实到/出席率 and the quorum, 出席情况")
    a.add_argument("--db", required=True, type=Path, metavar="PATH")
    a.add_argument("--meeting", default=None, metavar="CODE")
    a.add_argument("--json", action="store_true", help="print JSON")
    a.add_argument("--open-voting", default=None, metavar="ROUND",
                   help="freeze 实到 for a round (开始投票)")
    a.add_argument("--operator", default="", metavar="X")
    a.add_argument("--at", default=None, metavar="TIME", help=AT_HELP)
    a.set_defaults(func=run_attendance)


def _persons(refs: list[str]) -> Iterator[str]:
    for ref in refs:
        if ref == "-":
            for line in sys.stdin:
                if line.strip():
                    yield line.strip()
        else:
            yield ref


def _act(args: argparse.Namespace, conn: Any, meeting: Any, ref: str, clock: Clock) -> att.Result:
    from app import attendance as att

    common = (conn, meeting, ref, args.desk, args.operator, clock)
    action = args.action
    if action == "undo":
        return att.undo_sign_in(*common, args.reason)
    if action == "sign-out":
        return att.sign_out(*common, args.reason)
    if action == "return":
        return att.return_(*common)
    if action == "lift-exclusion":
        return att.lift_exclusion(*common, args.reason)
    if action == "revoke-proxy":  # the principal came before the holder: 撤销委托, then sign in
        return att.revoke_proxy_and_sign_in(*common, args.reason)
    return att.sign_in(*common, check_scope=True, outside_ok=args.here_anyway)


def _unknown_desk(conn: Any, meeting: Any, desk: str) -> str | None:
    """Words when the meeting has desks set up and `desk` is none of them (on a joined desk: not
    its own name); None when `desk` may be used."""
    from app.meetings import list_desks
    from db import sync as db_sync

    peer = db_sync.select_peer(conn)
    known = [str(peer[2])] if peer is not None else [d.name for d in list_desks(conn, meeting.id)]
    if not known or desk.strip() in known:
        return None
    return (f"没有签到台“{desk.strip()}”：本会议的签到台为 " + "、".join(known)
            + f" / unknown desk; known desks: {', '.join(known)}")


def run_sign_in(args: argparse.Namespace) -> int:
    from app.cli.opening import open_meeting_at

    if not args.desk.strip() or ":" in args.desk:
        print("签到台名称不能为空，也不能含“:” / bad desk name", file=sys.stderr)
        return EXIT_USAGE
    opened = open_meeting_at(args)
    if opened is None:
        return EXIT_USAGE
    clock, conn, meeting = opened
    unknown = _unknown_desk(conn, meeting, args.desk)
    if unknown is not None:
        print(unknown, file=sys.stderr)
        conn.close()
        return EXIT_REFUSED
    status = 0
    for ref in _persons(args.persons):
        result = _act(args, conn, meeting, ref, clock)
        if result.outcome == "other_desk":
            print(f"{result.message}；仍在本台签到请加 --here-anyway（记入审计日志）",
                  file=sys.stderr)
        line = result.as_json()
        line["ref"] = ref
        sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
        sys.stdout.flush()
        if result.outcome not in _FINE:
            status = EXIT_REFUSED
    conn.close()
    return status


def run_attendance(args: argparse.Namespace) -> int:
    from app import attendance as att
    from app.cli.opening import open_meeting_at
    from app.meetings import Refusal

    opened = open_meeting_at(args)
    if opened is None:
        return EXIT_USAGE
    clock, conn, meeting = opened
    if args.open_voting:
        snap = att.open_voting(conn, meeting, args.open_voting, args.operator, clock)
        if isinstance(snap, Refusal):
            print(snap.message, file=sys.stderr)
            return EXIT_REFUSED
    s = att.attendance_summary(conn, meeting)
    out = s.as_json()
    _add_sync_desks(conn, out)
    taken = att.snapshots(conn, meeting)
    last = taken[-1] if taken else None
    late = len(s.present_ids - frozenset(last.person_ids)) if last is not None else 0
    if last is not None:   # voting opened: 实到 of that vote is the frozen figure
        out["frozen"] = {"round": last.round_label, "at": last.taken_at,
                         "expected": last.expected, "present": last.present, "late": late}
    conn.close()
    if args.json:
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
        return 0
    met = "符合" if s.quorum_met else f"不符合（还差 {s.quorum.missing} 人）"
    lines = [
        f"{meeting.title}（{meeting.code}）",
        f"应到 {s.expected} 人，实到 {s.present} 人，出席率 {s.rate}",
        f"不计入应到 {s.excluded} 人，请假 {s.leave} 人，中途退场 {s.signed_out} 人，列席 {s.attending} 人",
        f"{s.rule}：{met}",
    ]
    if s.represented:
        lines.insert(2, f"受委托代表 {s.represented} 人，计入参加投票 {s.counted} 人")
    if last is not None:
        lines.insert(1, f"{last.round_label}（{last.taken_at[11:16]} 开始投票）冻结：应到 "
                        f"{last.expected} 人，实到 {last.present} 人（实到、出席率按此）"
                        + (f"；冻结后到会 {late} 人，不计入该次实到" if late else ""))
    if s.duplicates:
        lines.append(f"重复签到待处理 {len(s.duplicates)} 起：" + "、".join(
            f"{d.name}（{d.duplicate.key}）" for d in s.duplicates))
    print("\n".join(lines))
    return 0


def _add_sync_desks(conn: Any, out: dict[str, Any]) -> None:
    """On the host (pollday serve), each desk also shows its link: connected, last contact, the
    events it has said it wrote that the host has not received. Desks that connected but have
    no sign-in yet are listed too; `refused` counts the connection attempts the host refused."""
    from app.sync import host_status, is_host, refused_total

    if not is_host(conn):
        return
    desks = {d["desk"]: d for d in out["desks"]}
    for link in host_status(conn):
        entry = desks.setdefault(link.desk, {"desk": link.desk, "signed_in": 0})
        entry.update({k: v for k, v in link.as_json().items() if k != "desk"})
    out["desks"] = [desks[k] for k in sorted(desks)]
    out["host"] = True
    out["refused"] = refused_total(conn)
