"""`pollday bench`: run the registered performance metrics and compare them with their targets.

Metrics are registered with `app.bench.metric` in modules `b_*.py` of `app.bench` (Qt-free) and
`ui.bench` (GUI metrics, which get the application with `QApplication.instance()` or create one).
This command lives in ui/ only because it discovers ui.bench too; it imports no Qt itself.

Each metric runs in its own scratch folder (also the working directory while it runs), which is
removed afterwards. A metric that raises, or a metric module that fails to import, becomes an
error row; errors and missed targets make the exit status 1.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import pkgutil
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from app.bench import REGISTRY, Metric, NeedsSourceTree

COMMANDS = ("bench",)

PACKAGES = ("app.bench", "ui.bench")
COMPARISON = {"lt": "<", "le": "<=", "gt": ">"}  # as app.bench.Metric.passed compares


@dataclass(frozen=True)
class Row:
    metric: str
    value: float | None
    unit: str
    target: float | None
    better: str
    passed: bool
    seconds: float = 0.0
    error: str = ""
    skipped: str = ""     # why the metric cannot run here (app.bench.NeedsSourceTree)

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {"metric": self.metric, "value": self.value, "unit": self.unit,
                                  "target": self.target, "passed": self.passed,
                                  "better": self.better}
        if self.error:
            out["error"] = self.error
        if self.skipped:
            out["skipped"] = self.skipped
        return out


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]  # argparse's private generic
    p = sub.add_parser("bench", help="运行性能基准并与目标比较 (run performance benchmarks)")
    p.add_argument("--json", action="store_true", help="print a JSON list instead of a table")
    p.add_argument("--only", nargs="+", action="extend", metavar="NAME", default=[],
                   help="run only these metrics (repeatable)")
    p.add_argument("--list", action="store_true", help="list the metrics and targets, run nothing")
    p.add_argument("--import", dest="modules", action="append", default=[], metavar="MODULE",
                   help="also import MODULE to register extra metrics (for trying a new metric)")
    p.set_defaults(func=run)


def discover(packages: tuple[str, ...], extra: list[str]) -> list[Row]:
    """Import every metric module; return an error row for each module that failed to import."""
    errors: list[Row] = []
    names: list[str] = []
    for package in packages:
        try:
            pkg = importlib.import_module(package)
        except ModuleNotFoundError as exc:
            if exc.name == package:  # the package does not exist (yet): no metrics from it
                continue
            raise
        names += [f"{package}.{m.name}" for m in pkgutil.iter_modules(pkg.__path__)
                  if m.name.startswith("b_")]
    for name in [*names, *extra]:
        try:
            importlib.import_module(name)
        except Exception as exc:  # a broken metric module is a failed benchmark, not a crash
            errors.append(Row(name, None, "", None, "", False, error=_describe(exc)))
    return errors


def _describe(exc: BaseException) -> str:
    last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    where = f" ({Path(last[0].filename).name}:{last[0].lineno})" if last else ""
    return f"{type(exc).__name__}: {exc}{where}"


def run_metric(m: Metric) -> Row:
    cwd = os.getcwd()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f"pollday-bench-{m.name}-") as tmp:
        try:
            os.chdir(tmp)
            value = float(m.func(Path(tmp)))
            if math.isnan(value):
                raise ValueError("metric returned NaN")
        except NeedsSourceTree as exc:   # said plainly, not as an error with a trace
            return Row(m.name, None, m.unit, m.target, m.better, False,
                       time.perf_counter() - start, skipped=str(exc))
        except Exception as exc:  # reported as an error row; the other metrics still run
            return Row(m.name, None, m.unit, m.target, m.better, False,
                       time.perf_counter() - start, _describe(exc))
        finally:
            os.chdir(cwd)
    return Row(m.name, value, m.unit, m.target, m.better, m.passed(value),
               time.perf_counter() - start)


def format_value(v: float | None) -> str:
    if v is None:
        return "-"
    return f"{v:.3g}" if abs(v) < 1000 else f"{v:.0f}"


def format_table(rows: list[Row]) -> str:
    header = ("metric", "value", "unit", "target", "result")
    lines = [header]
    for r in rows:
        target = f"{COMPARISON.get(r.better, r.better)} {format_value(r.target)}" if r.target is not None else "-"
        result = "pass" if r.passed else ("ERROR" if r.error else
                                          "skipped" if r.skipped else "FAIL")
        lines.append((r.metric, format_value(r.value), r.unit, target, result))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    text = ["  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
            for line in lines]
    text.insert(1, "  ".join("-" * w for w in widths))
    text += [f"{r.metric}: {r.error or r.skipped}" for r in rows if r.error or r.skipped]
    return "\n".join(text)


def run(args: argparse.Namespace) -> int:
    errors = discover(PACKAGES, args.modules)
    unknown = [n for n in args.only if n not in REGISTRY]
    if unknown:
        print(f"pollday bench: unknown metric(s): {', '.join(unknown)}; "
              f"known: {', '.join(sorted(REGISTRY)) or '(none)'}", file=sys.stderr)
        for e in errors:  # the metric may live in a module that failed to import
            print(f"pollday bench: {e.metric}: {e.error}", file=sys.stderr)
        return 2
    if args.only:
        # A broken module elsewhere does not fail a run of chosen metrics; it is still said.
        for e in errors:
            print(f"pollday bench: warning: {e.metric}: {e.error}", file=sys.stderr)
        errors = []
    selected = [REGISTRY[n] for n in (args.only or sorted(REGISTRY))]
    if args.list:
        for m in selected:
            print(f"{m.name}\t{m.unit}\t{COMPARISON.get(m.better, m.better)} {format_value(m.target)}"
                  + (f"\t{m.issue}" if m.issue else ""))
        for e in errors:
            print(f"pollday bench: {e.metric}: {e.error}", file=sys.stderr)
        return 1 if errors else 0
    rows = list(errors)
    for i, m in enumerate(selected, 1):
        if sys.stderr.isatty():  # a full run takes minutes: say what is running
            print(f"[{i}/{len(selected)}] {m.name} …", file=sys.stderr, flush=True)
        rows.append(run_metric(m))
    if args.json:
        print(json.dumps([r.as_json() for r in rows], ensure_ascii=False, indent=1))
    elif rows:
        print(format_table(rows))
    else:
        print("no metrics registered")
    return 0 if all(r.passed or r.skipped for r in rows) else 1
