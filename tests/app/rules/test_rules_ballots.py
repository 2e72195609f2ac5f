"""The per-ballot check a clerk's entry form calls, and the weighted count."""

from __future__ import annotations

import pytest

from app.rules import Ballot, RuleOptions, aggregate, check_ballot, count_ballots

NAMES = ("王建国", "刘芳", "李明", "张伟")


def test_blank_ballot_is_valid() -> None:
    check = check_ballot(Ballot("----"), NAMES, 2)
    assert check.valid and check.approvals == 0 and check.reason == ""


def test_approvals_up_to_the_seats_are_valid() -> None:
    assert check_ballot(Ballot("oox-"), NAMES, 2).valid
    check = check_ballot(Ballot("ooo-"), NAMES, 2)
    assert not check.valid and check.approvals == 3
    assert "所选人数多于应选人数" in check.reason and "应选2名" in check.reason


def test_write_ins_marked_count_towards_the_seats() -> None:
    assert check_ballot(Ballot("ox--", ("钱进",)), NAMES, 2).valid
    assert not check_ballot(Ballot("ox--", ("钱进", "孙丽")), NAMES, 2).valid
    # the same write-in twice is one person
    assert check_ballot(Ballot("ox--", ("钱进", "钱进")), NAMES, 2).approvals == 2


def test_write_in_without_circle_is_not_a_vote() -> None:
    ballot = Ballot("oo--", unmarked_write_ins=("钱进", "孙丽"))
    check = check_ballot(ballot, NAMES, 2)
    assert check.valid and check.approvals == 2
    count = count_ballots(NAMES, 2, [(ballot, 3)])
    assert "钱进" not in count.approvals() and count.valid == 3


def test_write_in_of_listed_candidate() -> None:
    ballot = Ballot("o---", ("刘芳",))
    check = check_ballot(ballot, NAMES, 2)
    assert check.valid and check.approvals == 2 and check.write_ins_for_candidates == ("刘芳",)
    off = RuleOptions(write_in_counts_for_candidate=False)
    count = count_ballots(NAMES, 2, [(ballot, 1)], off)
    assert [(e.name, e.approve, e.write_in) for e in count.tally if e.name == "刘芳"] == [
        ("刘芳", 1, True), ("刘芳", 0, False)]


def test_declared_invalid_keeps_the_reason() -> None:
    check = check_ballot(Ballot("o---", declared_invalid=True, reason="字迹无法辨认"), NAMES, 2)
    assert not check.valid and check.reason == "字迹无法辨认"
    assert check_ballot(Ballot("----", declared_invalid=True), NAMES, 2).reason == "监票人认定无效"


@pytest.mark.parametrize("marks", ["ooo", "ooo--", "oo?-"])
def test_marks_must_fit_the_candidates(marks: str) -> None:
    with pytest.raises(ValueError):
        check_ballot(Ballot(marks), NAMES, 2)
    with pytest.raises(ValueError):
        count_ballots(NAMES, 2, [(Ballot(marks), 1)])


def test_count_sums_weights_and_reasons() -> None:
    ballots = [Ballot("oox-")] * 5 + [Ballot("ooo-")] * 2 + [Ballot("----", (), True, "污损")]
    count = count_ballots(NAMES, 2, aggregate(ballots).items())
    assert (count.returned, count.valid, count.invalid) == (8, 5, 3)
    assert count.invalid_reasons == (("所选人数多于应选人数", 2), ("污损", 1))
    by_name = {e.name: (e.approve, e.disapprove, e.abstain) for e in count.tally}
    assert by_name == {"王建国": (5, 0, 0), "刘芳": (5, 0, 0), "李明": (0, 5, 0), "张伟": (0, 0, 5)}


def test_zero_weight_is_ignored_and_negative_refused() -> None:
    assert count_ballots(NAMES, 2, [(Ballot("o---"), 0)]).returned == 0
    with pytest.raises(ValueError):
        count_ballots(NAMES, 2, [(Ballot("o---"), -1)])
