"""`pollday demo-district --dir DIR --communities N [--seed S]`: N communities' 报送包 for the
district dashboard (varied: runoffs, in progress, late, 一肩挑 or not), one tampered package, one
community that resubmitted, plan.xlsx and previous.xlsx (app/district/demo.py says how)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

COMMANDS = ("demo-district",)

SEED = 20261201


def register(sub: Any) -> None:
    parser = sub.add_parser("demo-district", help="demo packages for the district office, 演示报送包",
                            description=__doc__,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", required=True, type=Path, metavar="DIR")
    parser.add_argument("--communities", type=int, default=12, metavar="N")
    parser.add_argument("--seed", type=int, default=SEED, help=argparse.SUPPRESS)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from app.district.demo import build_demo_district

    if args.communities < 1:
        print("demo-district: --communities 至少为 1", file=sys.stderr)
        return 2
    started = time.perf_counter()
    d = build_demo_district(args.dir, args.communities, seed=args.seed)
    print(f"演示报送包已写入 {args.dir}：{len(d.packages)} 个报送包（{args.communities} 个社区，"
          f"{d.resubmitted or '无'} 重新报送），被改动的包 {d.tampered.name if d.tampered else '无'}，"
          f"计划表 {d.plan.name if d.plan else ''}，上届班子结构 {d.previous.name if d.previous else ''}，"
          f"用时 {time.perf_counter() - started:.1f} 秒")
    return 0
