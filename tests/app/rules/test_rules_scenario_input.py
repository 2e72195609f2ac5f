"""Bad scenario input: exit 2, one line naming the scenario, the field path and the problem."""

from __future__ import annotations

import argparse
import copy
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pdtest import pollday_cmd
from scenario_dicts import contest, group, party, problem, residents, run

from app.cli import cmd_scenario

A, B, C, D = "王建国", "刘芳", "李明", "张伟"


def good() -> dict[str, Any]:
    return party(10, [contest(3, [A, B, C, D], [group(8, [A, B]), group(2, None, [C])])])


def test_good_is_good() -> None:
    assert run(good())["contests"][0]["ballots"]["returned"] == 10


def _set(data: dict[str, Any], path: tuple[object, ...], value: object) -> dict[str, Any]:
    d = copy.deepcopy(data)
    target: Any = d
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return d


_DELETE = object()
G0 = ("contests", 0, "ballot_groups", 0)


@pytest.mark.parametrize(("path", "value", "where", "words"), [
    (("rules",), "party-2021", "rules", "unknown rule set"),
    (("rules",), _DELETE, "rules", "missing"),
    (("meeting", "form"), "all", "meeting.form", "unknown form"),
    (("meeting", "form"), "plenum", "meeting.form", "unknown form"),
    (("meeting", "present"), _DELETE, "meeting.present", "missing"),
    (("meeting", "present"), "10", "meeting.present", "integer"),
    (("meeting", "present"), 10.0, "meeting.present", "integer"),
    (("meeting", "eligible"), True, "meeting.eligible", "integer"),
    (("meeting", "eligible"), -1, "meeting.eligible", "negative"),
    (("meeting", "excluded"), 11, "meeting.excluded", "exceeds"),
    (("meeting",), [], "meeting", "object"),
    (("contests",), [], "contests", "non-empty"),
    (("contests", 0, "seats"), 0, "contests[0].seats", "at least 1"),
    (("contests", 0, "kind"), "member", "contests[0].kind", "unknown contest kind"),
    (("contests", 0, "round"), "second", "contests[0].round", "unknown round"),
    (("contests", 0, "ballots"), _DELETE, "contests[0].ballots", "missing"),
    (("contests", 0, "ballots", "issued"), _DELETE, "contests[0].ballots.issued", "missing"),
    (("contests", 0, "ballots", "returned"), 11, "contests[0].ballots.returned", "sum to 10"),
    (("contests", 0, "ballot_groups"), {}, "contests[0].ballot_groups", "list"),
    (("contests", 0, "candidates", 1, "name"), A, "contests[0].candidates[1].name", "twice"),
    (("contests", 0, "candidates", 1, "gender"), "女", "contests[0].candidates[1].gender", "M or F"),
    ((*G0, "count"), -2, "contests[0].ballot_groups[0].count", "negative"),
    ((*G0, "count"), "8", "contests[0].ballot_groups[0].count", "integer"),
    ((*G0, "approve"), [A, "不存在"], "contests[0].ballot_groups[0].approve[1]", "not a candidate"),
    ((*G0, "approve"), A, "contests[0].ballot_groups[0].approve", "list"),
    ((*G0, "approve"), [A, A], "contests[0].ballot_groups[0].approve[1]", "twice"),
    ((*G0, "disapprove"), ["无名"], "contests[0].ballot_groups[0].disapprove[0]", "not a candidate"),
    ((*G0, "disapprove"), [B], "contests[0].ballot_groups[0].disapprove[0]", "both"),
    ((*G0, "write_in"), [""], "contests[0].ballot_groups[0].write_in[0]", "non-empty"),
    ((*G0, "invalid"), "yes", "contests[0].ballot_groups[0].invalid", "true or false"),
    ((*G0, "aprove"), [A], "contests[0].ballot_groups[0].aprove", "unknown key"),
    (("options",), {"quorum_inclusiv": True}, "options.quorum_inclusiv", "unknown option"),
    (("options",), {"quorum_inclusive": 1}, "options.quorum_inclusive", "true or false"),
])
def test_bad_input_names_the_field(path: tuple[object, ...], value: object, where: str,
                                   words: str) -> None:
    p = problem(_set(good(), path, value))
    assert p.scenario == "t"
    assert p.path == where
    assert words in p.problem


def test_duplicate_contest_ids() -> None:
    data = good()
    data["contests"].append(copy.deepcopy(data["contests"][0]))
    assert problem(data).path == "contests[1].id"


def test_exclusions_only_in_party_rules() -> None:
    data = residents(30, [contest(1, [A, B], [group(20, [A])])])
    data["meeting"]["excluded"] = 2
    assert problem(data).path == "meeting.excluded"


def test_not_an_object_and_no_name() -> None:
    assert problem([1, 2]).line() == "fallback: (root): must be an object, got list"
    data = good()
    del data["name"]
    p = problem(data)
    assert (p.scenario, p.path, p.problem) == ("fallback", "name", "missing")


# --- the command line (in-process; tests/test_scenarios_shared.py runs the real `pollday`) ---

Run = tuple[int, str, str]


def _cli(path: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    parser = argparse.ArgumentParser(prog="pollday")
    cmd_scenario.register(parser.add_subparsers())
    args = parser.parse_args(["scenario", "run", str(path)])
    status = args.func(args)
    out, err = capsys.readouterr()
    return status, out, err


def _assert_bad(run_: Run, *words: str) -> None:
    status, out, err = run_
    assert status == 2
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    for w in words:
        assert w in lines[0]


def test_cli_bad_inputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = _set(good(), (*G0, "approve"), ["不存在"])
    (tmp_path / "unknown.json").write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    _assert_bad(_cli(tmp_path / "unknown.json", capsys), "t:",
                "contests[0].ballot_groups[0].approve[0]", "不存在")
    (tmp_path / "broken.json").write_text('{"name": "x", ', encoding="utf-8")
    _assert_bad(_cli(tmp_path / "broken.json", capsys), "broken", "not JSON")
    _assert_bad(_cli(tmp_path / "absent.json", capsys), "absent", "cannot read")
    _assert_bad(_cli(tmp_path, capsys), "cannot read")  # a folder
    (tmp_path / "latin1.json").write_bytes('{"name": "é"}'.encode("latin-1"))
    _assert_bad(_cli(tmp_path / "latin1.json", capsys), "latin1", "cannot read")


def test_cli_good_input_prints_json_and_exits_0(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "ok.json").write_text(json.dumps(good(), ensure_ascii=False), encoding="utf-8")
    status, out, err = _cli(tmp_path / "ok.json", capsys)
    assert status == 0 and err == ""
    assert "王建国" in out  # ensure_ascii=False: names print as given
    data = json.loads(out)
    assert data["name"] == "t" and data["contests"][0]["status"] == "runoff_needed"


def test_pollday_scenario_run_bad_input(tmp_path: Path) -> None:
    (tmp_path / "neg.json").write_text(json.dumps(_set(good(), (*G0, "count"), -1)),
                                       encoding="utf-8")
    proc = subprocess.run([*pollday_cmd(), "scenario", "run", str(tmp_path / "neg.json")],
                          capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr.strip() == "t: contests[0].ballot_groups[0].count: must not be negative"
