"""`pollday serve`: host mode, the laptop the sign-in desks share attendance through.

    pollday serve --db PATH --port N --pairing-out FILE [--bind ADDRESS] [--address A]
                  [--meeting CODE] [--mdns | --no-mdns] [--mdns-interface ADDRESS ...]

Listens only while it runs (until killed), on 127.0.0.1 unless --bind says otherwise (0.0.0.0 for
the venue network). TLS with a self-signed certificate made for this database the first time and
kept in it, so a restarted host is the same host to its desks. FILE receives the pairing code
(address, port, certificate SHA-256, secret, room, meeting) for `pollday desk --pairing` or a QR;
--address is what desks should type when the host listens on every interface (default: the best
of this machine's addresses, even on a LAN without a default gateway). --port 0 picks a free
port (written to FILE).

mDNS (desks find the host by its certificate when the code's address is stale) is on unless
--no-mdns: on the bound address's interface (127.0.0.1: loopback only, nothing leaves the
machine), on every interface when bound to 0.0.0.0, or on each --mdns-interface given. It runs
off the host's event loop; if it fails, host mode goes on without it.

Standard output, one JSON line each: {"listening": ..., "mdns": "starting"|"off", ...} once
listening, then {"mdns": "on", "interfaces": ...} or {"mdns": "failed", "error": WORDS}.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.sync.discovery import Advert
    from app.sync.pairing import Pairing

COMMANDS = ("serve",)

log = logging.getLogger(__name__)


def register(sub: Any) -> None:
    p = sub.add_parser("serve", help="host mode for several sign-in desks, 主机", description=__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", required=True, type=Path, metavar="PATH")
    p.add_argument("--port", required=True, type=int, metavar="N")
    p.add_argument("--pairing-out", required=True, type=Path, metavar="FILE")
    p.add_argument("--bind", default="127.0.0.1", metavar="ADDRESS")
    p.add_argument("--address", default=None, metavar="A", help="address desks type")
    p.add_argument("--meeting", default=None, metavar="CODE")
    p.add_argument("--operator", default="", metavar="NAME",
                   help="who starts host mode (a staff list: the 主持人, PIN from POLLDAY_PIN)")
    p.add_argument("--mdns", dest="mdns", action="store_true", default=True,
                   help="advertise by mDNS (the default)")
    p.add_argument("--no-mdns", dest="mdns", action="store_false")
    p.add_argument("--mdns-interface", dest="mdns_interfaces", action="append", default=None,
                   metavar="ADDRESS", help="advertise on this interface only (repeatable)")
    p.set_defaults(func=run)


def _say(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


async def _advertise(pairing: Pairing, bind: str, chosen: list[str] | None) -> Advert | None:
    """Start mDNS off the loop; say how it went (one JSON line). Never raises."""
    from app.sync.discovery import advert_interfaces, advertise_off_loop

    try:
        got = await advertise_off_loop(pairing, advert_interfaces(bind, chosen))
    except Exception as exc:   # noqa: BLE001 (even an import failure must not end host mode)
        log.warning("mDNS failed", exc_info=True)
        got = f"会场网络广播（mDNS）未能开启：{exc!r}"
    if isinstance(got, str):
        _say({"mdns": "failed", "error": got})
        return None
    _say({"mdns": "on", "interfaces": got.where()})
    return got


async def _serve(args: argparse.Namespace) -> int:
    import asyncio

    from app.cli.signon import resolve_operators
    from app.fileio import write_atomic
    from app.sync.host import Host, HostRefused, lan_address, wildcard

    refused = resolve_operators(args)   # a staff list: --operator signs on (POLLDAY_PIN)
    if refused:
        print(f"无法作为主机运行：{refused}", file=sys.stderr)
        return 1
    try:   # Host checks --operator (host mode is the 主持人's where a staff list exists)
        host = Host(args.db, args.meeting, actor=args.operator)
    except HostRefused as no:
        print(f"无法作为主机运行：{no.message}", file=sys.stderr)
        return 1
    except (FileNotFoundError, ValueError) as exc:
        print(f"无法作为主机运行 / cannot serve: {exc}", file=sys.stderr)
        return 2
    try:
        port = await host.start(args.bind, args.port)
    except OSError as exc:
        print(f"无法监听 / cannot listen on {args.bind}:{args.port}: {exc}", file=sys.stderr)
        host.close()
        return 2
    address = args.address or (lan_address() if wildcard(args.bind) else args.bind)
    pairing = host.pairing(address)
    write_atomic(args.pairing_out, pairing.code() + "\n", private=True)   # holds the secret
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):   # Windows: Ctrl+C ends the loop
            loop.add_signal_handler(sig, stop.set)
    _say({"listening": f"{args.bind}:{port}", "address": address, "port": port,
          "fingerprint": pairing.fingerprint, "pairing": str(args.pairing_out),
          "mdns": "starting" if args.mdns else "off"})
    advert_task = (asyncio.create_task(_advertise(pairing, args.bind, args.mdns_interfaces))
                   if args.mdns else None)
    try:
        await stop.wait()
    finally:
        if advert_task is not None:
            from app.sync.discovery import withdraw_off_loop

            await withdraw_off_loop(await advert_task)
        await host.stop()
        host.close()
    return 0


def run(args: argparse.Namespace) -> int:
    import asyncio

    return asyncio.run(_serve(args))


if __name__ == "__main__":
    # `python -m app.cli.cmd_serve`: this command alone, without loading every other command's
    # modules (a desk laptop starts faster; the e2e tests start many desks).
    _parser = argparse.ArgumentParser(prog="pollday")
    register(_parser.add_subparsers(dest="command"))
    _args = _parser.parse_args(["serve", *sys.argv[1:]])
    raise SystemExit(int(_args.func(_args)))
