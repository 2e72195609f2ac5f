"""Benchmarks for `pollday bench`. Metrics are registered with `@metric` in modules named
`b_*.py` in this package (Qt-free) or in `ui/bench/` (GUI metrics); the runner discovers them.

A metric function takes a scratch folder and returns one figure (already a median or a p95 over
its own repeats, as its name says). Targets are compared with `better`: "lt" (<), "le" (<=),
"gt" (>)."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

MetricFunc = Callable[[Path], float]


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str
    target: float
    better: str
    func: MetricFunc
    issue: str = ""

    def passed(self, value: float) -> bool:
        if self.better == "lt":
            return value < self.target
        if self.better == "le":
            return value <= self.target
        return value > self.target


REGISTRY: dict[str, Metric] = {}


class NeedsSourceTree(RuntimeError):
    """Raised by a metric that runs only from the source tree (it needs the test generators and
    the test extras, which the frozen app does not ship): the runner says so in a row of its
    own, without a trace, and does not count it as a miss."""


def metric(name: str, unit: str, target: float, better: str = "lt",
           issue: str = "") -> Callable[[MetricFunc], MetricFunc]:
    def deco(func: MetricFunc) -> MetricFunc:
        REGISTRY[name] = Metric(name, unit, target, better, func, issue)
        return func

    return deco


def discover(packages: tuple[str, ...] = ("app.bench",)) -> dict[str, Metric]:
    for package in packages:
        try:
            pkg = importlib.import_module(package)
        except ImportError:
            continue
        for m in pkgutil.iter_modules(pkg.__path__):
            if m.name.startswith("b_"):
                importlib.import_module(f"{package}.{m.name}")
    return REGISTRY


def median(values: list[float]) -> float:
    s = sorted(values)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def p95(values: list[float]) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]
