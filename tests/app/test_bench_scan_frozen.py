"""`pollday bench` in the frozen app: the scanner metrics need the test generator (tests/, OpenCV),
which the bundle does not ship; each says "needs the source tree" in a row of its own, without an
error or a trace, and a run of them is not a miss."""

from __future__ import annotations

import sys

import pytest

from app.bench import REGISTRY, b_scan


def test_the_scanner_metrics_say_they_need_the_source_tree_when_frozen(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.cmd_bench import format_table, run_metric

    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setitem(sys.modules, "tests.app.scan.synth", None)   # the bundle has no tests/
    names = sorted(n for n, m in REGISTRY.items() if m.func.__module__ == b_scan.__name__)
    assert "scan_pages_per_min_300dpi" in names and "scan_silent_misreads" in names
    rows = [run_metric(REGISTRY[n]) for n in names]
    for row in rows:
        assert row.skipped.startswith("needs the source tree"), row
        assert not row.error and row.value is None
    table = format_table(rows)
    assert "skipped" in table and "ERROR" not in table
    assert "Error" not in table and ".py:" not in table and "Traceback" not in table
    assert "pip install -e .[test]" in table
