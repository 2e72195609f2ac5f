"""`pollday export`, `pollday verify`, `pollday backup`: the 报送包 for the district office.

    pollday export --db PATH --to DIR [--meeting CODE] [--at TIME] [--slip FILE.pdf]
        builds the package (app/export/format.py), writes it to DIR through a temporary name,
        reads it back and verifies it; prints the package path, short hash and key fingerprint;
        --slip also prints the 报送包交接单 (app/export/handover.py) for the scrutineers to sign.
    pollday verify PACKAGE [--expect-key FINGERPRINT ...] [--json]
        exit 0 with a summary when the package is intact and signed (by an expected key, when
        --expect-key is given); exit 1 naming each problem.
    pollday backup --db PATH --to DIR [--at TIME]
        a checked copy of the whole database in DIR.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

COMMANDS = ("export", "verify", "backup")

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def register(sub: Any) -> None:
    common = {"description": __doc__, "formatter_class": argparse.RawDescriptionHelpFormatter}
    p = sub.add_parser("export", help="write the 报送包 for the district, 导出报送包", **common)
    p.add_argument("--db", required=True, type=Path, metavar="PATH")
    p.add_argument("--to", required=True, type=Path, metavar="DIR",
                   help="folder to write to (the USB stick)")
    p.add_argument("--meeting", default=None, metavar="CODE",
                   help="only this meeting (default: every meeting of the database)")
    p.add_argument("--at", default=None, metavar="TIME", help="export time (ISO 8601); default now")
    p.add_argument("--slip", default=None, type=Path, metavar="FILE.pdf",
                   help="also write the hand-over slip 交接单 (package short hash, key fingerprint,"
                        " result hashes, signature lines)")
    p.add_argument("--operator", default="", metavar="NAME",
                   help="who exports (a staff list: the 主持人, PIN from POLLDAY_PIN)")
    p.set_defaults(func=run_export)

    v = sub.add_parser("verify", help="check a 报送包: hashes, signature, format, 验证报送包", **common)
    v.add_argument("package", type=Path, metavar="PACKAGE")
    v.add_argument("--expect-key", action="append", default=None, metavar="FINGERPRINT",
                   help="the signing key must be this one (repeatable)")
    v.add_argument("--json", action="store_true", help="print the result as JSON")
    v.set_defaults(func=run_verify)

    b = sub.add_parser("backup", help="copy the database to a folder or stick, 备份数据库", **common)
    b.add_argument("--db", required=True, type=Path, metavar="PATH")
    b.add_argument("--to", required=True, type=Path, metavar="DIR")
    b.add_argument("--at", default=None, metavar="TIME", help=argparse.SUPPRESS)
    b.add_argument("--operator", default="", metavar="NAME",
                   help="who backs up (a staff list: the 主持人, PIN from POLLDAY_PIN)")
    b.set_defaults(func=run_backup)


def _time(text: str | None) -> dt.datetime | None:
    from app.clock import SystemClock

    if not text:
        return SystemClock().now()
    try:
        t = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return t if t.tzinfo is not None else t.astimezone()


def _at_and_db(args: argparse.Namespace, command: str) -> dt.datetime | None:
    """The --at time of export and backup, or None (said on stderr) when it is not a time or
    --db does not exist."""
    at = _time(args.at)
    if at is None:
        print(f"时间格式无效 / bad --at: {args.at}", file=sys.stderr)
        return None
    if not args.db.exists():
        print(f"{command}: 数据库文件不存在：{args.db}", file=sys.stderr)
        return None
    return at


def run_export(args: argparse.Namespace) -> int:
    from app.export.build import build_package, record_export_or_words
    from app.export.stick import StickWriteError, write_package
    from app.keys import load_or_create
    from app.meetings import Refusal

    at = _at_and_db(args, "export")
    if at is None:
        return EXIT_USAGE
    key = load_or_create()
    built = build_package(args.db, key=key, at=at, meeting_code=args.meeting,
                          actor=args.operator)
    if isinstance(built, Refusal):
        print(f"export: {built.message}", file=sys.stderr)
        return EXIT_FAILED
    try:
        written = write_package(built, args.to)
    except StickWriteError as e:
        print(f"export: {e}", file=sys.stderr)
        return EXIT_FAILED
    assert not isinstance(written, Refusal)  # no cancel on the command line
    print(written.path)
    sys.stdout.flush()
    unrecorded = record_export_or_words(args.db, built, file=written.path.name, at=at,
                                        actor=args.operator or "选举工作人员")
    if args.slip is not None:
        from app.export.handover import render_slip, slip_of

        slip = slip_of(built.manifest, file_name=written.path.name, size=written.size,
                       sha256=written.sha256, short_hash=built.short_hash,
                       fingerprint=built.fingerprint)
        try:
            render_slip(slip, args.slip, at)
        except OSError as e:
            print(f"export: 报送包已写好，但交接单无法写入 {args.slip}：{e.strerror or e}",
                  file=sys.stderr)
            return EXIT_FAILED
        print(f"交接单 {args.slip}", file=sys.stderr)
    print(f"包校验码 {built.short_hash}  密钥指纹 {built.fingerprint}  {written.size} 字节",
          file=sys.stderr)
    for code, missing in built.missing_documents.items():
        for kind, why in missing.items():
            print(f"  未包含 {code}/{kind}：{why}", file=sys.stderr)
    if unrecorded:
        print(f"export: 报送包已写好并核对无误，但没能记入数据库：{unrecorded}"
              "（下次导出前本机不会显示这次的包校验码，请抄下上面的包校验码和密钥指纹）",
              file=sys.stderr)
    return EXIT_OK


def run_verify(args: argparse.Namespace) -> int:
    from app.export.verify import verify_package

    v = verify_package(args.package, known_keys=args.expect_key)
    if args.json:
        doc = {"ok": v.ok, "path": str(v.path), "short_hash": v.short_hash,
               "fingerprint": v.fingerprint, "signed": v.signed, "community": v.community,
               "exported_at": v.exported_at,
               "meetings": [m.get("code") for m in v.meetings],
               "result_hashes": v.result_hashes(), "files": len(v.files),
               "problems": [{"code": p.code, "path": p.path, "message": p.message}
                            for p in v.problems]}
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    else:
        out = sys.stdout if v.ok else sys.stderr
        print("\n".join(v.summary_lines()), file=out)
    return EXIT_OK if v.ok else EXIT_FAILED


def run_backup(args: argparse.Namespace) -> int:
    from app.export.backup import backup_database
    from app.export.stick import StickWriteError
    from app.permissions import Denied

    at = _at_and_db(args, "backup")
    if at is None:
        return EXIT_USAGE
    try:   # a backup by hand: the use case checks --operator (the 主持人 with a staff list)
        b = backup_database(args.db, args.to, at=at, actor=args.operator)
    except StickWriteError as e:
        print(f"backup: {e}", file=sys.stderr)
        return EXIT_FAILED
    if isinstance(b, Denied):
        print(f"backup: {b.message}", file=sys.stderr)
        return EXIT_FAILED
    print(b.path)
    if b.scans:
        print(b.scans)
    if b.audit_broken:   # backed up all the same (never lose data), named for what it is
        from app.audit_log import RESTORE_ADVICE

        print(f"backup: 注意：{b.audit_broken}，这个数据库在本程序之外被修改过；"
              f"此备份文件名已标明“审计不完整”，不能用它恢复。{RESTORE_ADVICE}。", file=sys.stderr)
    return EXIT_OK
