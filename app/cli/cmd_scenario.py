"""`pollday scenario run FILE.json`: one conformance scenario through the counting core.

Prints the outcome JSON (spec/scenario-format.md) and exits 0; bad input exits 2 with one line
on standard error naming the scenario, the field and the problem, and prints nothing else.
Further sub-commands (e.g. `scenario export`) are added to the same sub-parser.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from app.scenario import InputProblem, read_scenario
from app.scenario_run import outcome_json, run_scenario

EXIT_BAD_INPUT = 2


def register(sub: Any) -> None:
    parser = sub.add_parser("scenario", help="conformance scenarios (run one through the rules)")
    actions = parser.add_subparsers(dest="scenario_command", metavar="ACTION")
    run_parser = actions.add_parser("run", help="run FILE.json and print the outcome as JSON")
    run_parser.add_argument("file", type=Path, metavar="FILE.json")
    run_parser.set_defaults(func=run)
    parser.set_defaults(func=lambda _args: _usage(parser))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_usage(sys.stderr)
    return EXIT_BAD_INPUT


def run(args: argparse.Namespace) -> int:
    scenario = read_scenario(args.file)
    if isinstance(scenario, InputProblem):
        print(scenario.line().replace("\n", " "), file=sys.stderr)
        return EXIT_BAD_INPUT
    outcome = outcome_json(run_scenario(scenario))
    sys.stdout.write(json.dumps(outcome, ensure_ascii=False, indent=2) + "\n")
    return 0
