"""`pollday sort-names [FILE]`: names, one a line, in stroke order (按姓氏笔画为序).

Reads UTF-8 (a byte-order mark is tolerated) from FILE or standard input and prints the same
lines, unchanged (annotations such as （女） kept), in order; blank lines are dropped. With
`--check` it prints nothing and exits 1 when the input is not already in order, naming the
first line out of place on standard error. `--explain` adds, after a TAB, what each name's place
rests on: each character's stroke count and stroke shapes (1 横 2 竖 3 撇 4 点 5 折), then after
a slash the finer kinds, one digit a stroke (1: 提, 竖钩 or 捺, which come after the plain 横, 竖
or 点 when the shapes are the same; ? where not known), ○ for the blank of a two-character name:
于明 → `于 3 112/001 | ○ | 明 8 25113511/00000000`. Input that is not UTF-8 exits 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

COMMANDS = ("sort-names",)

EXIT_NOT_SORTED = 1
EXIT_BAD_INPUT = 2


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "sort-names", help="sort names (one a line) by surname strokes, 按姓氏笔画为序",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", nargs="?", type=Path, metavar="FILE",
                        help="UTF-8 text file (default: standard input)")
    parser.add_argument("--check", action="store_true",
                        help="only check that the input is already in order (exit 1 if not)")
    parser.add_argument("--explain", action="store_true",
                        help="add each character's stroke count and stroke shapes after a TAB")
    parser.set_defaults(func=run)


def read_names(raw: bytes) -> list[str]:
    text = raw.decode("utf-8-sig")
    return [line for line in text.splitlines() if line.strip()]


def first_out_of_order(names: list[str]) -> int | None:
    from app.names import name_sort_key

    keys = [name_sort_key(n) for n in names]
    for i in range(1, len(keys)):
        if keys[i] < keys[i - 1]:
            return i
    return None


def run(args: argparse.Namespace) -> int:
    from app.names import explain, sort_names

    try:
        raw = args.file.read_bytes() if args.file else sys.stdin.buffer.read()
    except OSError as exc:
        print(f"sort-names: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        names = read_names(raw)
    except UnicodeDecodeError as exc:
        print(f"sort-names: input is not UTF-8 (byte {exc.start})", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.check:
        i = first_out_of_order(names)
        if i is None:
            return 0
        print(f"sort-names: name {i + 1} 「{names[i]}」 should come before 「{names[i - 1]}」",
              file=sys.stderr)
        return EXIT_NOT_SORTED
    ordered = sort_names(names)
    if args.explain:
        ordered = [f"{name}\t{explain(name, finer=True)}" for name in ordered]
    out = "".join(line + "\n" for line in ordered)
    sys.stdout.buffer.write(out.encode("utf-8"))
    sys.stdout.buffer.flush()
    return 0
