"""`pollday proxy`: record the written proxies (委托) of a residents' election before the day.

    pollday proxy --db PATH [--meeting CODE] add PRINCIPAL PROXY [--document REF] [--operator X]
    pollday proxy --db PATH [--meeting CODE] revoke PRINCIPAL --reason WHY [--operator X]
    pollday proxy --db PATH [--meeting CODE] list [--json]

PRINCIPAL (委托人) and PROXY (受托人) are a register id, the QR token or the ID number. The rules of
委托投票 are checked on entry (only in a 居民委员会 election by all voters or by household
representatives; both registered voters; a proxy holds at most 3 appointments and is never a
candidate) and again at sign-in. A refusal is
printed with its code; exit status 1. The printable list: `pollday print proxy-list`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.meetings import Refusal

COMMANDS = ("proxy",)
EXIT_REFUSED = 1
EXIT_USAGE = 2


def register(sub: Any) -> None:
    p = sub.add_parser("proxy", help="委托投票: add, revoke, list (residents' elections)",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", required=True, type=Path, metavar="PATH")
    p.add_argument("--meeting", default=None, metavar="CODE", help="another meeting than the current")
    p.add_argument("--operator", default="", metavar="X", help="who records it (audit)")
    acts = p.add_subparsers(dest="proxy_action", metavar="ACTION", required=True)
    add = acts.add_parser("add", help="record a written proxy")
    add.add_argument("principal", metavar="PRINCIPAL", help="委托人: id, QR token or ID number")
    add.add_argument("proxy", metavar="PROXY", help="受托人: id, QR token or ID number")
    add.add_argument("--document", default="", metavar="REF", help="委托书编号")
    rev = acts.add_parser("revoke", help="withdraw a proxy (reason required)")
    rev.add_argument("principal", metavar="PRINCIPAL")
    rev.add_argument("--reason", default="", help="撤销原因")
    lst = acts.add_parser("list", help="the recorded proxies")
    lst.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def _person(conn: Any, ref: str, role: str) -> Any:
    from app.attendance import find_person

    person = find_person(conn, ref)
    if person is None:
        print(f"名册中没有此人（{role}）/ unknown person: {ref}", file=sys.stderr)
    return person


def _refused(r: Refusal) -> int:
    print(f"{r.code}: {r.message}", file=sys.stderr)
    return EXIT_REFUSED


def run(args: argparse.Namespace) -> int:
    from app import proxies
    from app.cli.opening import open_meeting
    from app.clock import SystemClock
    from app.meetings import Refusal

    opened = open_meeting(args.db, args.meeting)
    if opened is None:
        return EXIT_USAGE
    conn, meeting = opened
    try:
        if args.proxy_action == "list":
            rows = proxies.list_proxies(conn, meeting)
            if args.json:
                print(json.dumps([{"principal": x.principal.name, "principal_id": x.principal.id,
                                   "proxy": x.proxy.name, "proxy_id": x.proxy.id,
                                   "document": x.document_ref} for x in rows],
                                 ensure_ascii=False, indent=1))
            else:
                for x in rows:
                    print(f"{x.principal.name} → {x.proxy.name}  {x.document_ref}")
            return 0
        principal = _person(conn, args.principal, "委托人")
        if principal is None:
            return EXIT_REFUSED
        actor = args.operator or "选举工作人员"
        if args.proxy_action == "revoke":
            done = proxies.revoke_proxy(conn, meeting, principal, why=args.reason,
                                        clock=SystemClock(), actor=actor)
            if isinstance(done, Refusal):
                return _refused(done)
            print(f"已撤销：{done.principal.name} 委托 {done.proxy.name}")
            return 0
        holder = _person(conn, args.proxy, "受托人")
        if holder is None:
            return EXIT_REFUSED
        got = proxies.add_proxy(conn, meeting, principal, holder, document_ref=args.document,
                                clock=SystemClock(), actor=actor)
        if isinstance(got, Refusal):
            return _refused(got)
        print(f"已登记：{got.principal.name} 委托 {got.proxy.name}  {got.document_ref}")
        return 0
    finally:
        conn.close()
