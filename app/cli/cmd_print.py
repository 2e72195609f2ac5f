"""`pollday print KIND --db PATH --out FILE.pdf|DIR [--meeting CODE] [--at TIME]`: print documents
(into DIR/KIND.pdf when --out is a folder or does not end in .pdf).

KIND is one of the documents listed by `pollday print --help` (signin-sheets, ballots,
attendance-report, proxy-list, tally-record, count-report, notice, certificates). The PDF is written to a temporary name and
renamed when complete; when the earlier file stays open in another program (a PDF viewer on
Windows), it says so in words and exits 1. A name with a character no shipped font has is
refused, naming the person and the character (exit 1), and nothing is written.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

COMMANDS = ("print",)  # its register imports every printable kind: only for `pollday print`
EXIT_REFUSED = 1
EXIT_USAGE = 2


def register(sub: Any) -> None:
    from app.documents.kinds import discover

    parser = sub.add_parser("print", help="print documents (PDF), 打印", description=__doc__,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    kinds = parser.add_subparsers(dest="print_kind", metavar="KIND")
    for kind in sorted(discover().values(), key=lambda k: k.name):
        p = kinds.add_parser(kind.name, help=kind.help)
        p.add_argument("--db", required=True, type=Path, metavar="PATH")
        p.add_argument("--out", required=True, type=Path, metavar="FILE.pdf|DIR")
        p.add_argument("--meeting", default=None, metavar="CODE")
        p.add_argument("--at", default=None, metavar="TIME",
                       help="time printed on the paper (ISO 8601); default now")
        if kind.add_arguments is not None:
            kind.add_arguments(p)
        p.set_defaults(func=run)
    parser.set_defaults(func=lambda _a: (parser.print_usage(sys.stderr), EXIT_USAGE)[1])


def run(args: argparse.Namespace) -> int:
    from app.cli.opening import open_meeting
    from app.clock import SystemClock
    from app.documents.fonts import GlyphMissing
    from app.documents.kinds import Printed, discover
    from app.fileio import FileInUse, finish_atomic, temp_path
    from app.meetings import Refusal

    kind = discover()[args.print_kind]
    try:
        at = dt.datetime.fromisoformat(args.at) if args.at else SystemClock().now()
    except ValueError:
        print(f"时间格式无效 / bad --at: {args.at}", file=sys.stderr)
        return EXIT_USAGE
    opened = open_meeting(args.db, args.meeting)
    if opened is None:
        return EXIT_USAGE
    conn, meeting = opened
    try:
        out: Path = args.out
        if out.is_dir() or out.suffix.lower() != ".pdf":
            out = out / f"{kind.name}.pdf"  # --out DIR: the kind names the file
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = temp_path(out)
        try:
            result = kind.render(conn, meeting, tmp, at, args)
        except GlyphMissing as e:
            print(str(e), file=sys.stderr)
            return EXIT_REFUSED
        finally:
            if not tmp.exists() or tmp.stat().st_size == 0:
                tmp.unlink(missing_ok=True)
        if isinstance(result, Refusal):
            tmp.unlink(missing_ok=True)
            print(result.message, file=sys.stderr)
            return EXIT_REFUSED
        try:
            finish_atomic(tmp, out)
        except FileInUse as e:   # the earlier copy is open in a PDF viewer (Windows)
            print(f"{e}（新生成的文件没有保存）", file=sys.stderr)
            return EXIT_REFUSED
        assert isinstance(result, Printed)
        print(f"已生成 {out}：{result.pages} 页，{result.items} 项（{result.note}）")
        return 0
    finally:
        conn.close()
