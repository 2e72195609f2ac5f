"""`pollday verify-certificate PAYLOAD [--db PATH] [--district-db PATH] [--expect-key FP]`:
check a 当选证书's QR payload.

The payload carries its own public key, so a valid signature alone proves only that the text was
not changed since SOME key signed it: anyone can make a key. The certificate is genuine only
against a KNOWN key:
  --db PATH           the election database: the key is one it recorded when it printed
                      certificates (or this installation's), and the person is elected in the
                      locked result of that meeting, contest and round under the same result hash;
  --district-db PATH  the district's database: the key is registered for the community;
  --expect-key FP     a fingerprint from paper (the notice's footer, the hand-over slip);
                      repeatable; any case, with or without dashes;
  or this installation's own key (the computer that printed the certificates).
Exit 0: genuine. Exit 3: the signature is intact but the issuer is unverified (no known key was
given); the fingerprint to compare with the notice is printed. Exit 1: broken, altered, or signed
by another key than the known ones. Exit 2: usage (a database missing, a fingerprint mistyped).
PAYLOAD "-" reads it from standard input.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

COMMANDS = ("verify-certificate",)

EXIT_REJECTED = 1
EXIT_USAGE = 2
EXIT_UNVERIFIED = 3


def register(sub: Any) -> None:
    p = sub.add_parser("verify-certificate", help="check a certificate's QR payload, 核验当选证书",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("payload", metavar="PAYLOAD", help="the decoded QR text (PD1....), or -")
    p.add_argument("--db", type=Path, default=None, metavar="PATH", help="the election database")
    p.add_argument("--district-db", type=Path, default=None, metavar="PATH",
                   help="the district's database (registered community keys)")
    p.add_argument("--expect-key", action="append", default=[], metavar="FP",
                   help="a key fingerprint from paper, e.g. 994F-AAAB-FC9C-B86E (repeatable)")
    p.set_defaults(func=run)


def _installation_fp() -> str | None:
    """This installation's key fingerprint, without creating a key to answer the question."""
    from app.keys import KEY_FILE, data_home, load_or_create

    if not (data_home() / KEY_FILE).exists():
        return None
    return load_or_create().fingerprint


def _refuse(code: str, reason: str) -> int:
    print(f"核验未通过（{code}）：{reason}", file=sys.stderr)
    return EXIT_REJECTED


def _missing(path: Path) -> int:
    print(f"数据库文件不存在：{path}", file=sys.stderr)
    return EXIT_USAGE


def run(args: argparse.Namespace) -> int:
    from app.documents.certificate_payload import (
        Rejected,
        check_expected,
        describe,
        normalise_fingerprint,
        verify_payload,
    )

    expected: set[str] = set()
    for typed in args.expect_key:
        fp = normalise_fingerprint(typed)
        if fp is None:
            print(f"--expect-key {typed}：不是密钥指纹（应为16位十六进制，如 994F-AAAB-FC9C-B86E）",
                  file=sys.stderr)
            return EXIT_USAGE
        expected.add(fp)
    text = sys.stdin.read() if args.payload == "-" else args.payload
    result = verify_payload(text)
    if isinstance(result, Rejected):
        return _refuse(result.code, result.reason)
    known_by: list[str] = []
    if expected:
        checked = check_expected(result, expected)
        if isinstance(checked, Rejected):
            return _refuse(checked.code, checked.reason)
        known_by.append("签发密钥与所给指纹一致")
    if args.db is not None:
        status = _check_election_db(args.db, result)
        if status is not None:
            return status
        known_by.append("签发密钥为选举数据库所记录，且与其中锁定的结果一致")
    if args.district_db is not None:
        status = _check_district_db(args.district_db, result)
        if status is not None:
            return status
        known_by.append("签发密钥为汇总数据库登记的该社区密钥")
    if not known_by and result.fingerprint == _installation_fp():
        known_by.append("签发密钥是本机密钥")
    if not known_by:
        print("签名完好，但签发者未核实：证书内容自签名后未被改动，但任何人都能生成密钥签名，"
              "仅凭签名不能认定是真证书。")
        print(f"  签发密钥指纹：{result.fingerprint}")
        print("  请与选举结果公告、选举结果报告单页脚或报送包交接单上的密钥指纹核对，"
              "或用 --expect-key 指纹、--db 选举数据库、--district-db 汇总数据库核验。")
        for line in describe(result.claims):
            print("  " + line)
        return EXIT_UNVERIFIED
    print(f"证书真实（签名有效；{'；'.join(known_by)}）")
    for line in describe(result.claims):
        print("  " + line)
    return 0


def _check_election_db(path: Path, v: Any) -> int | None:
    from app.documents.certificate_payload import Rejected, check_in_db
    from db.connection import connect

    try:
        conn = connect(path, create=False)
    except FileNotFoundError:
        return _missing(path)
    try:
        checked = check_in_db(conn, v, _installation_fp())
    finally:
        conn.close()
    return _refuse(checked.code, checked.reason) if isinstance(checked, Rejected) else None


def _check_district_db(path: Path, v: Any) -> int | None:
    from app.documents.certificate_payload import Rejected, check_in_district
    from db import district

    if not path.exists():
        return _missing(path)
    try:
        conn = district.connect(path, create=False)
    except district.NotADistrictDatabase as e:
        print(str(e), file=sys.stderr)
        return EXIT_USAGE
    try:
        checked = check_in_district(conn, v)
    finally:
        conn.close()
    return _refuse(checked.code, checked.reason) if isinstance(checked, Rejected) else None
