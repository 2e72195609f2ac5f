"""`pollday desk`: a sign-in desk that shares its attendance with the host over the venue network.

    pollday desk --db DESK_DB --pairing FILE --desk NAME [--operator X] [--sync-timeout S]
                 [--connect-timeout S] [--discover] [--mdns-interface ADDRESS ...]
                 [--report-merges] [PERSON... | -]

The first time (DESK_DB does not exist) the desk joins the host: the meeting and the register
are copied into DESK_DB. Then it connects (waiting up to --connect-timeout for what the other
desks already have, so an online desk refuses a person signed in elsewhere, and for the host's
register when it changed since: a person added there is known here), signs in each PERSON
exactly like `pollday sign-in` (one JSON line each, after the LOCAL durable commit; `-` reads
persons from standard input), shares, and exits when everything is shared or --sync-timeout
passes. Offline it keeps signing in; the events go to the host on the next run or reconnection.
The last line on standard error is the sync status as JSON ({"shared", "unshared", ...}).
--report-merges prints {"ready": true, ...} once connected (or given up waiting) and
{"merged": [desk:seq...], "at_ns": ...} when others' events arrive.
--discover: when the code's address does not answer, look for the host with the code's
certificate by mDNS (every interface, or only each --mdns-interface given, which implies
--discover; 127.0.0.1 keeps the search on this machine) and use the address it answers on.
FILE is the pairing file of `pollday serve` (or the code itself). Exit status as `pollday
sign-in`; 2 also when joining failed or the host refused the desk.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.sync import Pairing

COMMANDS = ("desk",)
EXIT_REFUSED = 1
EXIT_USAGE = 2
DISCOVER_S = 5.0
_OUT = threading.Lock()


def register(sub: Any) -> None:
    p = sub.add_parser("desk", help="a sign-in desk sharing with the host, 联网签到台",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", required=True, type=Path, metavar="DESK_DB")
    p.add_argument("--pairing", required=True, metavar="FILE")
    p.add_argument("--desk", required=True, metavar="NAME")
    p.add_argument("--operator", default="", metavar="X")
    p.add_argument("--sync-timeout", type=float, default=10.0, metavar="S")
    p.add_argument("--connect-timeout", type=float, default=3.0, metavar="S")
    p.add_argument("--discover", action="store_true",
                   help="look for the host by mDNS when its address does not answer")
    p.add_argument("--mdns-interface", dest="mdns_interfaces", action="append", default=None,
                   metavar="ADDRESS", help="look by mDNS on this interface only (repeatable)")
    p.add_argument("--report-merges", action="store_true")
    p.add_argument("persons", nargs="*", metavar="PERSON")
    p.set_defaults(func=run)


def _line(obj: dict[str, Any], stream: Any = None) -> None:
    with _OUT:
        out = stream or sys.stdout
        out.write(json.dumps(obj, ensure_ascii=False) + "\n")
        out.flush()


def _pairing(ref: str) -> Pairing:
    from app.sync import parse

    path = Path(ref)
    return parse(path.read_text(encoding="utf-8") if path.exists() else ref)


def _discovered(pairing: Pairing, interfaces: list[str] | None) -> Pairing:
    """The pairing with the address and port its host answers on now (mDNS, by certificate);
    unchanged when the code's address answers or the host is not found (said on stderr)."""
    import dataclasses
    import socket

    from app.sync.discovery import DiscoveryError, discover

    try:
        socket.create_connection((pairing.address, pairing.port), timeout=1.0).close()
        return pairing
    except OSError:
        pass
    try:
        found = discover(pairing.fingerprint, DISCOVER_S, interfaces=interfaces)
    except DiscoveryError as exc:
        print(f"{exc}；仍用配对码里的地址 {pairing.address}:{pairing.port}", file=sys.stderr)
        return pairing
    if found is None:
        print(f"会场网络上没有找到配对码的主机（mDNS，{DISCOVER_S:.0f} 秒）；"
              f"仍用配对码里的地址 {pairing.address}:{pairing.port}", file=sys.stderr)
        return pairing
    print(f"已在会场网络找到主机 {found[0]}:{found[1]}（mDNS，证书相符）", file=sys.stderr)
    return dataclasses.replace(pairing, address=found[0], port=found[1])


def run(args: argparse.Namespace) -> int:
    import asyncio
    import sqlite3

    from app import attendance as att
    from app.cli.cmd_signin import _FINE, _persons
    from app.clock import SystemClock
    from app.meetings import Refusal, resolve_meeting
    from app.sync import BadPairing, DeskService, Refused, join, shared
    from app.sync.joining import join_problem
    from db import sync as q
    from db.connection import connect

    desk = args.desk.strip()
    if not desk or ":" in desk:
        print("签到台名称不能为空，也不能含“:” / bad desk name", file=sys.stderr)
        return EXIT_USAGE
    try:
        pairing = _pairing(args.pairing)
    except (BadPairing, OSError) as exc:
        print(f"配对码无法读取 / bad pairing: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.discover or args.mdns_interfaces:
        pairing = _discovered(pairing, args.mdns_interfaces)
    if not args.db.exists():
        try:
            asyncio.run(join(args.db, pairing, desk, timeout=max(args.sync_timeout, 5.0)))
        except Refused as exc:
            print(f"{join_problem(exc, pairing, args.db)} / refused", file=sys.stderr)
            return EXIT_USAGE
        except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError,
                sqlite3.Error) as exc:
            print(f"无法加入主机 / cannot join the host: {join_problem(exc, pairing, args.db)}"
                  f" ({exc!r})", file=sys.stderr)
            return EXIT_USAGE
    conn = connect(args.db, create=False)
    peer = q.select_peer(conn)
    if peer is None or peer[2] != desk:
        print(f"{args.db} 是{'签到台 ' + peer[2] if peer else '未加入主机'}的数据库，不是 {desk}",
              file=sys.stderr)
        conn.close()
        return EXIT_USAGE
    meeting = resolve_meeting(conn, peer[1])
    if isinstance(meeting, Refusal):
        print(meeting.message, file=sys.stderr)
        conn.close()
        return EXIT_USAGE
    on_merged = ((lambda keys: _line({"merged": keys, "at_ns": time.time_ns()}))
                 if args.report_merges else None)
    service = DeskService(args.db, pairing, on_merged=on_merged).start()
    try:
        # connected, caught up and holding the host's register (a person added there since)
        service.wait(lambda s: (s.caught_up and not s.register_pending) or bool(s.refused),
                     args.connect_timeout)
        if service.status().refused:
            print(f"主机拒绝 / refused: {service.status().banner()}", file=sys.stderr)
            _line(service.status().as_json(), sys.stderr)
            return EXIT_USAGE
        from app.cli.signon import resolve_operators

        refused = resolve_operators(args)   # the staff list arrived with the host's register
        if refused:
            print(f"未执行：{refused}", file=sys.stderr)
            return EXIT_REFUSED
        att.attendance_summary(conn, meeting)   # the desk's first look, before the queue
        if args.report_merges:
            _line({"ready": True, **service.status().as_json()})
        status = 0
        clock = SystemClock()
        for ref in _persons(args.persons):
            result = att.sign_in(conn, meeting, ref, desk, args.operator, clock)
            line = result.as_json()
            line["ref"] = ref
            if result.event is not None:
                line["event"] = result.event.key
            _line(line)
            service.notify()
            if result.outcome not in _FINE:
                status = EXIT_REFUSED
        service.wait(shared, args.sync_timeout)
        _line(service.status().as_json(), sys.stderr)
        return status
    finally:
        service.stop()
        att.forget(conn)
        conn.close()


if __name__ == "__main__":
    # `python -m app.cli.cmd_desk`: this command alone, without loading every other command's
    # modules (a desk laptop starts faster; the e2e tests start many desks).
    _parser = argparse.ArgumentParser(prog="pollday")
    register(_parser.add_subparsers(dest="command"))
    _args = _parser.parse_args(["desk", *sys.argv[1:]])
    raise SystemExit(int(_args.func(_args)))
