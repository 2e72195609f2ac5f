"""`pollday bench` through the real command line, with toy metrics registered from a module the
runner is asked to import (`--import`), so the real metrics of app.bench/ui.bench are not run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def pollday_cmd() -> list[str]:
    # Not imported from conftest: another folder's conftest.py may own that module name.
    exe = Path(sys.executable).parent / ("pollday.exe" if os.name == "nt" else "pollday")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "ui.launcher"]


TOY = '''
import os
from pathlib import Path

from app.bench import metric


@metric("toy.fast", unit="ms", target=5.0)
def fast(folder: Path) -> float:
    return 1.0


@metric("toy.slow", unit="ms", target=5.0)
def slow(folder: Path) -> float:
    return 10.0


@metric("toy.throughput", unit="names/s", target=100.0, better="gt")
def throughput(folder: Path) -> float:
    return 250.0


@metric("toy.broken", unit="ms", target=5.0)
def broken(folder: Path) -> float:
    raise RuntimeError("boom in toy metric")


@metric("toy.scratch", unit="files", target=0.5, better="lt")
def scratch(folder: Path) -> float:
    # Report where it ran; the folder must be empty, the working directory, and removed later.
    before = len(list(folder.iterdir()))
    (folder / "junk.bin").write_bytes(b"x" * 10)
    Path(os.environ["TOY_REPORT"]).write_text(f"{folder}\\n{Path.cwd()}", encoding="utf-8")
    return float(before)
'''


@pytest.fixture
def toy_env(tmp_path: Path) -> dict[str, str]:
    mods = tmp_path / "mods"
    mods.mkdir()
    (mods / "toy_metrics.py").write_text(TOY, encoding="utf-8")
    (mods / "toy_broken_module.py").write_text("raise ImportError('toy module cannot load')\n",
                                               encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(mods), str(ROOT)]),
               TOY_REPORT=str(tmp_path / "report.txt"))
    return env


def bench(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*pollday_cmd(), "bench", "--import", "toy_metrics", *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, encoding="utf-8",
                          timeout=120)


def test_json_row_of_a_passing_metric(toy_env: dict[str, str]) -> None:
    r = bench(toy_env, "--json", "--only", "toy.fast")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert len(rows) == 1
    assert {k: rows[0][k] for k in ("metric", "value", "unit", "target", "passed")} == {
        "metric": "toy.fast", "value": 1.0, "unit": "ms", "target": 5.0, "passed": True}


def test_missed_target_fails_the_run_and_the_table_says_which(toy_env: dict[str, str]) -> None:
    r = bench(toy_env, "--only", "toy.fast", "toy.slow", "--only", "toy.throughput")
    assert r.returncode == 1, r.stdout + r.stderr
    lines = {line.split()[0]: line for line in r.stdout.splitlines()[2:]}
    assert set(lines) == {"toy.fast", "toy.slow", "toy.throughput"}
    assert lines["toy.fast"].split()[1:] == ["1", "ms", "<", "5", "pass"]
    assert lines["toy.slow"].split()[1:] == ["10", "ms", "<", "5", "FAIL"]
    assert lines["toy.throughput"].split()[1:] == ["250", "names/s", ">", "100", "pass"]


def test_raising_metric_is_an_error_row_and_the_others_still_run(toy_env: dict[str, str]) -> None:
    r = bench(toy_env, "--json", "--only", "toy.broken", "toy.fast")
    assert r.returncode == 1
    rows = {row["metric"]: row for row in json.loads(r.stdout)}
    assert rows["toy.broken"]["passed"] is False
    assert rows["toy.broken"]["value"] is None
    assert "boom in toy metric" in rows["toy.broken"]["error"]
    assert rows["toy.fast"]["passed"] is True
    table = bench(toy_env, "--only", "toy.broken")
    assert table.returncode == 1
    assert "ERROR" in table.stdout and "RuntimeError: boom in toy metric" in table.stdout


def test_metric_runs_in_an_empty_scratch_folder_that_is_removed(toy_env: dict[str, str]) -> None:
    r = bench(toy_env, "--json", "--only", "toy.scratch")
    assert r.returncode == 0, r.stdout + r.stderr
    assert json.loads(r.stdout)[0]["value"] == 0.0
    folder, cwd = Path(toy_env["TOY_REPORT"]).read_text(encoding="utf-8").splitlines()
    assert Path(cwd).resolve() == Path(folder).resolve()
    assert Path(folder).resolve() != ROOT.resolve()
    assert not Path(folder).exists()


def test_list_runs_nothing(toy_env: dict[str, str]) -> None:
    r = bench(toy_env, "--list", "--only", "toy.broken", "toy.slow")
    assert r.returncode == 0, r.stderr
    assert [line.split("\t")[0] for line in r.stdout.splitlines()] == ["toy.broken", "toy.slow"]
    assert "toy.slow\tms\t< 5" in r.stdout
    assert not Path(toy_env["TOY_REPORT"]).exists()


def test_unknown_metric_is_a_usage_error(toy_env: dict[str, str]) -> None:
    r = bench(toy_env, "--only", "toy.nope")
    assert r.returncode == 2
    assert "toy.nope" in r.stderr


def test_module_that_fails_to_import_is_reported_not_a_crash(toy_env: dict[str, str]) -> None:
    r = bench(toy_env, "--list", "--import", "toy_broken_module")
    assert r.returncode == 1
    assert "toy_broken_module" in r.stderr and "toy module cannot load" in r.stderr
    assert "Traceback" not in r.stderr
    assert "toy.fast" in r.stdout
