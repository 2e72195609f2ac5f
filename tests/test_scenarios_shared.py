"""Every shared conformance scenario through `pollday scenario run` in a subprocess, compared by
the shared checker (the comparison rules of scenario-format.md). New files are picked up.
The project's own scenarios (tests/fixtures/scenarios, expectations worked out by hand from
rules.md) run the same way."""

from __future__ import annotations

import importlib.util
import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pdtest import SHARED, pollday_cmd

SHARED_SCENARIOS = sorted((SHARED / "scenarios").glob("*.json"))
OWN_SCENARIOS = sorted((Path(__file__).parent / "fixtures" / "scenarios").glob("*.json"))
SCENARIOS = SHARED_SCENARIOS + OWN_SCENARIOS


def _checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_expect", SHARED / "tools" / "check_expect.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def runs() -> dict[Path, subprocess.CompletedProcess[str]]:
    """All scenarios at once, a few processes in parallel (start-up dominates)."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        procs = pool.map(lambda p: subprocess.run(
            [*pollday_cmd(), "scenario", "run", str(p)], capture_output=True, text=True,
            encoding="utf-8", timeout=120), SCENARIOS)
        return dict(zip(SCENARIOS, procs, strict=True))


def test_the_shared_scenarios_are_there() -> None:
    assert len(SHARED_SCENARIOS) >= 10, f"no shared scenarios under {SHARED}"
    assert len(OWN_SCENARIOS) >= 8


@pytest.mark.parametrize("path", SCENARIOS, ids=[("own-" if p in OWN_SCENARIOS else "") + p.stem
                                                  for p in SCENARIOS])
def test_shared_scenario(path: Path, runs: dict[Path, subprocess.CompletedProcess[str]]) -> None:
    scenario: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    expect = scenario["expect"]
    proc = runs[path]
    want_status = expect.get("exit_status", 0)
    assert proc.returncode == want_status, proc.stderr
    if want_status != 0:
        assert proc.stdout == ""
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and scenario["name"] in lines[0], proc.stderr
        return
    out = json.loads(proc.stdout)
    assert _checker().differences(expect, out) == []
