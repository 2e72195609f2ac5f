"""`pollday serve`: host mode, the laptop the sign-in desks share attendance through.

    pollday serve --db PATH --port N --pairing-out FILE [--bind ADDRESS] [--address A]
                  [--meeting CODE] [--mdns | --no-mdns]

Listens only while it runs (until killed), on 127.0.0.1 unless --bind says otherwise (0.0.0.0 for
the venue network). TLS with a self-signed certificate made for this database the first time and
kept in it, so a restarted host is the same host to its desks. FILE receives the pairing code
(address, port, certificate SHA-256, secret, room, meeting) for `pollday desk --pairing` or a QR;
--address is what desks should type when the host listens on every interface. Prints one JSON
line once listening. --port 0 picks a free port (written to FILE).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

from app.sync.host import Host, lan_address, wildcard


def register(sub: Any) -> None:
    p = sub.add_parser("serve", help="host mode for several sign-in desks, 主机", description=__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", required=True, type=Path, metavar="PATH")
    p.add_argument("--port", required=True, type=int, metavar="N")
    p.add_argument("--pairing-out", required=True, type=Path, metavar="FILE")
    p.add_argument("--bind", default="127.0.0.1", metavar="ADDRESS")
    p.add_argument("--address", default=None, metavar="A", help="address desks type")
    p.add_argument("--meeting", default=None, metavar="CODE")
    p.add_argument("--mdns", dest="mdns", action="store_true", default=None,
                   help="advertise on the venue network (default: when not bound to loopback)")
    p.add_argument("--no-mdns", dest="mdns", action="store_false")
    p.set_defaults(func=run)


def write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    # the code holds the room's secret: readable by this user only
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with open(fd, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


async def _serve(args: argparse.Namespace) -> int:
    try:
        host = Host(args.db, args.meeting)
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
    write_atomically(args.pairing_out, pairing.code() + "\n")
    advert = None
    if args.mdns or (args.mdns is None and not address.startswith("127.")):
        from app.sync.discovery import advertise

        advert = advertise(pairing)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):   # Windows: Ctrl+C ends the loop
            loop.add_signal_handler(sig, stop.set)
    sys.stdout.write(json.dumps({"listening": f"{args.bind}:{port}", "address": address,
                                 "port": port, "fingerprint": pairing.fingerprint,
                                 "pairing": str(args.pairing_out),
                                 "mdns": advert is not None}, ensure_ascii=False) + "\n")
    sys.stdout.flush()
    try:
        await stop.wait()
    finally:
        if advert is not None:
            advert.close()
        await host.stop()
        host.close()
    return 0


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_serve(args))


if __name__ == "__main__":
    # `python -m app.cli.cmd_serve`: this command alone, without loading every other command's
    # modules (a desk laptop starts faster; the e2e tests start many desks).
    _parser = argparse.ArgumentParser(prog="pollday")
    register(_parser.add_subparsers(dest="command"))
    _args = _parser.parse_args(["serve", *sys.argv[1:]])
    raise SystemExit(int(_args.func(_args)))
