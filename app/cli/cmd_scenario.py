"""`pollday scenario run FILE.json`: one conformance scenario through the counting core.

Prints the outcome JSON (spec/scenario-format.md) and exits 0; bad input exits 2 with one line
on standard error naming the scenario, the field and the problem, and prints nothing else.
`pollday scenario export --db PATH --contest ID_OR_CODE --round N` writes a recorded round as a
scenario file (app/results.py) that `scenario run` recounts independently.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

COMMANDS = ("scenario",)

EXIT_BAD_INPUT = 2


def register(sub: Any) -> None:
    parser = sub.add_parser("scenario", help="conformance scenarios (run one through the rules)")
    actions = parser.add_subparsers(dest="scenario_command", metavar="ACTION")
    run_parser = actions.add_parser("run", help="run FILE.json and print the outcome as JSON")
    run_parser.add_argument("file", type=Path, metavar="FILE.json")
    run_parser.set_defaults(func=run)
    export_parser = actions.add_parser(
        "export", help="a recorded round as a scenario JSON (recounts with `scenario run`)")
    export_parser.add_argument("--db", required=True, type=Path, metavar="PATH")
    export_parser.add_argument("--meeting", metavar="CODE", help="meeting code (default: current)")
    export_parser.add_argument("--contest", required=True, metavar="ID_OR_CODE")
    export_parser.add_argument("--round", required=True, type=int, metavar="N")
    export_parser.add_argument("--out", type=Path, metavar="FILE.json",
                               help="write here instead of standard output")
    export_parser.set_defaults(func=export)
    parser.set_defaults(func=lambda _args: _usage(parser))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_usage(sys.stderr)
    return EXIT_BAD_INPUT


def export(args: argparse.Namespace) -> int:
    """`scenario export`: the counted stack of a recorded round as a scenario file."""
    from app.meetings import Refusal, resolve_meeting
    from app.results import export_contest_round
    from db.connection import connect

    if not args.db.exists():
        print(f"scenario export: 数据库文件不存在：{args.db}", file=sys.stderr)
        return 1
    conn = connect(args.db, create=False)
    try:
        meeting = resolve_meeting(conn, args.meeting)
        doc = (meeting if isinstance(meeting, Refusal)
               else export_contest_round(conn, meeting, args.contest, args.round))
    finally:
        conn.close()
    if isinstance(doc, Refusal):
        print(f"scenario export: {doc.message}", file=sys.stderr)
        return 1
    text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    if args.out is not None:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def run(args: argparse.Namespace) -> int:
    from app.scenario import InputProblem, read_scenario
    from app.scenario_run import outcome_json, run_scenario

    scenario = read_scenario(args.file)
    if isinstance(scenario, InputProblem):
        print(scenario.line().replace("\n", " "), file=sys.stderr)
        return EXIT_BAD_INPUT
    outcome = outcome_json(run_scenario(scenario))
    sys.stdout.write(json.dumps(outcome, ensure_ascii=False, indent=2) + "\n")
    return 0
