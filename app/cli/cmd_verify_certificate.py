"""`pollday verify-certificate PAYLOAD [--db PATH]`: check a 当选证书's QR payload.

Without --db the payload's signature is checked against the public key it carries, and the
fingerprint it names. With --db the key must also be one the database recorded when it printed
certificates (or this installation's key), and the person must be elected in the locked result
of that meeting, contest and round, under the same result hash. Exit 0 and the details when
genuine; exit 1 with the reason otherwise. PAYLOAD "-" reads it from standard input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

COMMANDS = ("verify-certificate",)

EXIT_REJECTED = 1
EXIT_USAGE = 2


def register(sub: Any) -> None:
    p = sub.add_parser("verify-certificate", help="check a certificate's QR payload, 核验当选证书",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("payload", metavar="PAYLOAD", help="the decoded QR text (PD1....), or -")
    p.add_argument("--db", type=Path, default=None, metavar="PATH")
    p.set_defaults(func=run)


def _installation_fp() -> str | None:
    """This installation's key fingerprint, without creating a key to answer the question."""
    from app.keys import KEY_FILE, data_home, load_or_create

    if not (data_home() / KEY_FILE).exists():
        return None
    return load_or_create().fingerprint


def run(args: argparse.Namespace) -> int:
    from app.documents.certificate_payload import Rejected, check_in_db, describe, verify_payload

    text = sys.stdin.read() if args.payload == "-" else args.payload
    result = verify_payload(text)
    if isinstance(result, Rejected):
        print(f"核验未通过（{result.code}）：{result.reason}", file=sys.stderr)
        return EXIT_REJECTED
    if args.db is not None:
        from db.connection import connect

        try:
            conn = connect(args.db, create=False)
        except FileNotFoundError:
            print(f"数据库文件不存在 / database not found: {args.db}", file=sys.stderr)
            return EXIT_USAGE
        try:
            checked = check_in_db(conn, result, _installation_fp())
        finally:
            conn.close()
        if isinstance(checked, Rejected):
            print(f"核验未通过（{checked.code}）：{checked.reason}", file=sys.stderr)
            return EXIT_REJECTED
    where = "签名有效，且与数据库中锁定的结果一致" if args.db is not None else "签名有效"
    print(f"证书真实（{where}）")
    for line in describe(result.claims):
        print("  " + line)
    return 0
