"""Regressions from the independent review against oracle.py, and the readings it pinned down.

Fixed: a missing contest `round` was taken as "first" (the spec lists missing fields as bad input,
and the round decides the margin and the threshold); JSON nested too deeply or holding an integer
beyond Python's digit limit crashed `scenario run` with a traceback instead of exiting 2.
"""

from __future__ import annotations

import copy
import subprocess
from pathlib import Path
from typing import Any

import pytest
from oracle import oracle
from pdtest import pollday_cmd
from scenario_dicts import (
    codes,
    collective,
    contest,
    group,
    only,
    party,
    problem,
    residents,
    run,
    tally,
)

from app.scenario import InputProblem, read_scenario

A, B, C, D = "王建国", "刘芳", "李明", "张伟"


def good() -> dict[str, Any]:
    return party(10, [contest(3, [A, B, C, D], [group(8, [A, B]), group(2, None, [C])])])


def test_missing_round_is_bad_input() -> None:
    data = good()
    del data["contests"][0]["round"]
    p = problem(data)
    assert (p.path, p.problem) == ("contests[0].round", "missing")


@pytest.mark.parametrize("text", ["[" * 100_000 + "]" * 100_000,
                                  '{"name": "x", "meeting": {"eligible": ' + "9" * 5000 + "}}"],
                         ids=["deep", "long-integer"])
def test_unparsable_json_is_bad_input(tmp_path: Path, text: str) -> None:
    path = tmp_path / "nasty.json"
    path.write_text(text, encoding="utf-8")
    p = read_scenario(path)
    assert isinstance(p, InputProblem) and p.path == "(file)" and p.problem.startswith("not JSON")
    done = subprocess.run([*pollday_cmd(), "scenario", "run", str(path)], capture_output=True,
                          text=True, encoding="utf-8", timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and "nasty: (file): not JSON" in done.stderr


@pytest.mark.parametrize(("field", "value", "path"), [
    ("count", True, "contests[0].ballot_groups[0].count"),      # JSON true is a bool, not 1
    ("count", 3.0, "contests[0].ballot_groups[0].count"),       # counts are integers
    ("seats", True, "contests[0].seats"),
    ("seats", 0, "contests[0].seats"),
    ("issued", "10", "contests[0].ballots.issued"),
])
def test_non_integers_are_bad_input(field: str, value: object, path: str) -> None:
    data = good()
    c = data["contests"][0]
    if field == "count":
        c["ballot_groups"][0]["count"] = value
    elif field == "issued":
        c["ballots"]["issued"] = value
    else:
        c[field] = value
    assert problem(data).path == path


def test_write_in_of_a_candidate_also_approved_is_one_approval() -> None:
    # 2 seats: A and B approved and A written in again is 2 persons, not 3 (over-marked).
    data = party(10, [contest(2, [A, B, C], [group(6, [A, B], write_in=[A]), group(4, [C])])])
    c = only(run(data))
    assert c["ballots"]["valid"] == 10
    assert tally(c)[A] == [6, 0, 4]
    assert set(c["elected"]) == {A, B}
    want = oracle(data)["contests"][0]
    assert c["tally"] == want["tally"]


def test_write_in_of_a_candidate_marked_x_counts_as_approval() -> None:
    # rules.md §6 default: the written ○ is the voter's explicit mark for that person.
    data = party(10, [contest(2, [A, B, C], [group(6, [B], [A], write_in=[A]), group(4, [C])])])
    c = only(run(data))
    assert tally(c)[A] == [6, 0, 4]
    assert [n["code"] for n in c["notes"]] == ["WRITE_IN_IS_CANDIDATE"]
    assert set(c["elected"]) == {A, B}


def test_name_both_approved_and_disapproved_is_bad_input() -> None:
    data = party(10, [contest(2, [A, B, C], [group(10, [A], [A])])])
    assert problem(data).path == "contests[0].ballot_groups[0].disapprove[0]"


def test_duplicate_candidate_is_bad_input() -> None:
    data = party(10, [contest(2, [A, B, A], [group(10, [A])])])
    assert problem(data).path == "contests[0].candidates[2].name"


def test_tie_revote_margin() -> None:
    # A re-vote among the tied needs more persons than seats (committee) or as many (leader);
    # the 20% rule of a first round would wrongly block a re-vote of 7 tied for 6 seats.
    names = ["王建国", "刘芳", "李明", "张伟", "陈静", "赵磊", "孙丽"]
    ballots = [group(10, names[:6])]
    data = party(10, [contest(6, names, ballots, round_="tie_revote")])
    assert "INSUFFICIENT_MARGIN" not in codes(only(run(data)))
    data = party(10, [contest(1, [A], [group(10, [A])], round_="tie_revote", kind="leader")])
    assert only(run(data))["status"] == "elected"


def test_empty_candidates() -> None:
    # Party: no candidates is a setup error; collective sets no margin, so write-ins can win.
    data = party(10, [contest(1, [], [group(10)], kind="leader")])
    assert only(run(data))["status"] == "setup_invalid"
    data = collective(6, 6, [contest(1, [], [group(5, write_in=["赵六"]), group(1)])])
    c = only(run(data))
    assert (c["status"], c["elected"]) == ("elected", ["赵六"])


def test_residents_present_is_ignored() -> None:
    # §2.3 counts the ballots returned, not a sign-in figure.
    data = residents(10, [contest(1, [A, B], [group(6, [A])])])
    with_present = copy.deepcopy(data)
    with_present["meeting"]["present"] = 2
    assert run(data)["contests"] == run(with_present)["contests"]
