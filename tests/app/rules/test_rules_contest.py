"""Every rule and boundary of rules.md as scenario dicts run through the counting core."""

from __future__ import annotations

import pytest
from scenario_dicts import (
    NAMES6,
    codes,
    collective,
    contest,
    group,
    only,
    party,
    residents,
    run,
    tally,
)

from app.names import sort_names

A, B, C, D, E = "王建国", "刘芳", "李明", "张伟", "陈静"


# --- quorum (§1.2, §3) -------------------------------------------------------------------

def _three_of_four(n: int) -> dict[str, object]:
    return contest(3, [A, B, C, D], [group(n, [A, B, C])])


def test_party_exactly_four_fifths_is_not_a_quorum() -> None:
    out = run(party(80, [_three_of_four(80)], eligible=100))
    assert out["quorum"] == {"expected": 100, "present": 80, "met": False}
    c = only(out)
    assert c["status"] == "quorum_not_met" and c["elected"] == []
    assert codes(c) == {"QUORUM_NOT_MET"}
    assert out["one_pass_success"] is False


def test_party_quorum_inclusive_option_accepts_exactly_four_fifths() -> None:
    out = run(party(80, [_three_of_four(80)], eligible=100, options={"quorum_inclusive": True}))
    assert out["quorum"]["met"] is True
    assert only(out)["status"] == "elected"
    assert out["one_pass_success"] is True


def test_party_exclusions_lower_expected() -> None:
    out = run(party(81, [_three_of_four(81)], eligible=105, excluded=5))
    assert out["quorum"] == {"expected": 100, "present": 81, "met": True}


@pytest.mark.parametrize(("present", "met"), [(20, True), (19, False)])
def test_collective_quorum_two_thirds_inclusive(present: int, met: bool) -> None:
    out = run(collective(30, present, [contest(1, [A, B], [group(present, [A])])]))
    assert out["quorum"] == {"expected": 30, "present": present, "met": met}
    assert only(out)["status"] == ("elected" if met else "quorum_not_met")


# --- residents' turnout per form (§2.3) ----------------------------------------------------

@pytest.mark.parametrize(("form", "base", "voted", "ok"), [
    ("all", 1000, 500, False), ("all", 1000, 501, True),
    ("household", 400, 200, False), ("household", 400, 201, True),
    ("representative", 30, 20, False), ("representative", 30, 21, True),
])
def test_residents_turnout_per_form(form: str, base: int, voted: int, ok: bool) -> None:
    out = run(residents(base, [contest(1, [A, B], [group(voted, [A])])], form=form))
    assert out["quorum"] is None
    c = only(out)
    assert c["status"] == ("elected" if ok else "turnout_insufficient")
    assert codes(c) == (set() if ok else {"TURNOUT_INSUFFICIENT"})
    assert c["elected"] == ([A] if ok else [])


# --- thresholds (§1.6, §2.5, §3) -----------------------------------------------------------

@pytest.mark.parametrize(("approve", "elected"), [(5, False), (6, True)])
def test_party_needs_more_than_half_of_present(approve: int, elected: bool) -> None:
    c = only(run(party(10, [contest(1, [A], [group(approve, [A]), group(10 - approve, None, [A])],
                                     kind="leader")])))
    assert c["elected"] == ([A] if elected else [])
    assert c["status"] == ("elected" if elected else "runoff_needed")


def test_party_base_is_present_not_valid_ballots() -> None:
    # 6 of 10 present approve but 4 ballots are invalid: 6 of 6 valid is not enough when 2*5 = 10.
    groups = [group(5, [A]), group(5, invalid=True)]
    c = only(run(party(10, [contest(1, [A], groups, kind="leader")])))
    assert c["ballots"] == {"issued": 10, "returned": 10, "valid": 5, "invalid": 5}
    assert c["elected"] == [] and c["runoff"] == {"seats": 1, "ranking": [A]}


@pytest.mark.parametrize(("a", "b", "elected"), [(30, 30, []), (31, 29, [A])])
def test_residents_first_round_needs_more_than_half_of_voted(a: int, b: int,
                                                            elected: list[str]) -> None:
    c = only(run(residents(100, [contest(1, [A, B], [group(a, [A]), group(b, [B])])])))
    assert c["elected"] == elected
    if not elected:
        assert c["runoff"] == {"seats": 1, "ranking": sort_names([A, B])}


@pytest.mark.parametrize(("a", "elected"), [(20, True), (19, False)])
def test_residents_runoff_needs_one_third_of_voted(a: int, elected: bool) -> None:
    groups = [group(a, [A]), group(18, [B]), group(60 - a - 18)]
    c = only(run(residents(100, [contest(1, [A, B], groups, round_="runoff")])))
    assert c["status"] == ("elected" if elected else "runoff_needed")
    assert c["elected"] == ([A] if elected else [])


def test_residents_runoff_checks_turnout_again_by_default() -> None:
    groups = [group(20, [A]), group(40)]
    data = residents(200, [contest(1, [A, B], groups, round_="runoff")])
    assert only(run(data))["status"] == "turnout_insufficient"
    data["options"] = {"runoff_turnout_required": False}
    c = only(run(data))
    assert c["status"] == "elected" and c["elected"] == [A]


def test_residents_runoff_round_is_not_one_pass_success() -> None:
    out = run(residents(100, [contest(1, [A, B], [group(60, [A])], round_="runoff")]))
    assert only(out)["status"] == "elected" and out["one_pass_success"] is False


@pytest.mark.parametrize(("a", "elected"), [(20, True), (19, False)])
def test_collective_needs_two_thirds_of_all_not_of_present(a: int, elected: bool) -> None:
    c = only(run(collective(30, 27, [contest(1, [A, B], [group(a, [A]), group(27 - a, [B])])])))
    assert c["elected"] == ([A] if elected else [])


# --- candidate margins (§1.3, §2.4) --------------------------------------------------------

def _blank(seats: int, n: int, present: int = 20, **kw: object) -> dict[str, object]:
    names = [f"候选{i:02d}" for i in range(n)]
    return contest(seats, names, [group(present)], **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(("seats", "cands", "ok"), [
    (3, 4, True), (3, 3, False), (5, 6, True), (5, 5, False), (7, 9, True), (7, 8, False),
    (9, 11, True), (9, 10, False), (1, 2, True), (1, 1, False), (10, 12, True), (10, 11, False),
])
def test_party_committee_margin_twenty_percent(seats: int, cands: int, ok: bool) -> None:
    c = only(run(party(20, [_blank(seats, cands)])))
    assert ("INSUFFICIENT_MARGIN" not in codes(c)) is ok
    assert (c["status"] == "setup_invalid") is not ok


@pytest.mark.parametrize(("seats", "cands", "ok"), [(1, 1, True), (2, 1, False), (2, 2, True)])
def test_party_leader_may_be_uncontested(seats: int, cands: int, ok: bool) -> None:
    c = only(run(party(20, [_blank(seats, cands, kind="leader")])))
    assert (c["status"] != "setup_invalid") is ok


@pytest.mark.parametrize(("round_", "seats", "cands", "ok"), [
    ("runoff", 2, 2, False), ("runoff", 2, 3, True), ("runoff", 5, 6, True),
    ("tie_revote", 1, 2, True), ("tie_revote", 1, 1, True),  # §1.3: no margin check at all
])
def test_party_later_rounds_need_more_candidates_than_seats(round_: str, seats: int, cands: int,
                                                            ok: bool) -> None:
    c = only(run(party(20, [_blank(seats, cands, round_=round_)])))
    assert (c["status"] != "setup_invalid") is ok


@pytest.mark.parametrize(("seats", "cands", "ok"), [(5, 5, False), (5, 6, True), (1, 1, False)])
def test_residents_committee_needs_more_candidates_than_seats(seats: int, cands: int,
                                                              ok: bool) -> None:
    c = only(run(residents(30, [_blank(seats, cands)])))
    assert (c["status"] != "setup_invalid") is ok


def test_residents_leader_uncontested_only_warns() -> None:
    c = only(run(residents(30, [contest(1, [A], [group(20, [A])], kind="leader")])))
    assert c["status"] == "elected" and c["elected"] == [A]
    assert [(f["code"], f["severity"]) for f in c["findings"]] == [("INSUFFICIENT_MARGIN", "warning")]


def test_collective_has_no_margin_rule() -> None:
    c = only(run(collective(30, 30, [contest(3, [A, B, C], [group(30, [A, B, C])])])))
    assert c["status"] == "elected" and set(c["elected"]) == {A, B, C}


# --- ballots (§1.4) ------------------------------------------------------------------------

def test_write_ins_count_towards_over_marking() -> None:
    groups = [group(6, [A], write_in=["钱进", "孙丽"]), group(4, [A], write_in=["钱进"])]
    c = only(run(party(10, [contest(2, [A, B, C], groups)])))
    assert c["ballots"] == {"issued": 10, "returned": 10, "valid": 4, "invalid": 6}
    assert tally(c)["钱进"] == [4, 0, 0]
    assert "孙丽" not in tally(c)
    assert [e["write_in"] for e in c["tally"] if e["name"] == "钱进"] == [True]
    assert tally(c)[B] == [0, 0, 4]


@pytest.mark.parametrize("votes", [5, 6])
def test_write_in_can_be_elected(votes: int) -> None:
    groups = [group(votes, [A], [B], write_in=["钱进"]), group(10 - votes, [A])]
    c = only(run(party(10, [contest(2, [A, B, C], groups)])))
    if votes == 6:
        assert c["status"] == "elected" and c["elected"] == [A, "钱进"]
    else:
        assert c["elected"] == [A] and c["runoff"] == {"seats": 1, "ranking": ["钱进"]}


def test_declared_invalid_and_blank_ballots() -> None:
    c = only(run(party(10, [contest(1, [A, B], [group(3, [A], invalid=True), group(2),
                                              group(5, [A], [B])])])))
    assert c["ballots"] == {"issued": 10, "returned": 10, "valid": 7, "invalid": 3}
    assert tally(c) == {A: [5, 0, 2], B: [0, 5, 2]}


def test_write_in_of_a_listed_candidate_counts_for_them_and_is_noted() -> None:
    groups = [group(4, [A, B], write_in=[B]), group(3, None, [B], write_in=[B]), group(3, [A])]
    c = only(run(party(10, [contest(2, [A, B, C], groups)])))
    assert c["ballots"]["valid"] == 10            # a duplicate approval is one person, not two
    assert tally(c)[B] == [7, 0, 3]               # the write-in ○ wins over the × beside the name
    assert c["notes"] == [{"code": "WRITE_IN_IS_CANDIDATE", "name": B, "ballots": 7}]
    assert all(not e["write_in"] for e in c["tally"])


def test_write_in_of_a_listed_name_as_another_person_when_option_off() -> None:
    groups = [group(4, [A], write_in=[B]), group(6, [A])]
    c = only(run(party(10, [contest(2, [A, B, C], groups)],
                       options={"write_in_counts_for_candidate": False})))
    entries = [(e["name"], e["approve"], e["write_in"]) for e in c["tally"] if e["name"] == B]
    assert sorted(entries) == [(B, 0, False), (B, 4, True)]
    assert "notes" not in c


# --- validity of the round (§1.5) ----------------------------------------------------------

def test_returned_exceeding_issued_voids_the_round() -> None:
    c = only(run(party(10, [contest(1, [A, B], [group(11, [A])], issued=10)])))
    assert c["status"] == "void_revote" and c["elected"] == []
    assert codes(c) == {"RETURNED_EXCEEDS_ISSUED"}
    assert c["ballots"] == {"issued": 10, "returned": 11, "valid": 11, "invalid": 0}


def test_fewer_returned_than_issued_is_fine() -> None:
    c = only(run(party(10, [contest(1, [A, B], [group(9, [A])], issued=10)])))
    assert c["status"] == "elected" and codes(c) == set()


@pytest.mark.parametrize("maker", ["party", "collective"])
def test_issued_not_equal_present_is_a_warning(maker: str) -> None:
    cont = contest(1, [A, B], [group(10, [A])], issued=11)
    data = party(10, [cont]) if maker == "party" else collective(12, 10, [cont])
    out = run(data)
    c = only(out)
    assert c["status"] == "elected"
    assert [(f["code"], f["severity"]) for f in c["findings"]] == [("ISSUED_NOT_EQUAL_PRESENT", "warning")]
    assert out["one_pass_success"] is True


def test_residents_have_no_issued_present_check() -> None:
    c = only(run(residents(15, [contest(1, [A, B], [group(10, [A])], issued=12)], present=11)))
    assert codes(c) == set()


# --- surplus, ties and shortfall (§1.6) ----------------------------------------------------

TIE_BALLOTS = [group(4, [A, B, C]), group(4, [A, B, D]), group(4, [A, C, D])]


def test_three_tied_for_two_remaining_seats() -> None:
    out = run(party(12, [contest(3, [A, B, C, D, E], TIE_BALLOTS)]))
    c = only(out)
    assert c["status"] == "tie_revote" and c["elected"] == [A]
    assert c["tie"]["seats"] == 2 and set(c["tie"]["names"]) == {B, C, D}
    assert codes(c) == {"TIE_AT_LAST_SEAT"}
    assert "runoff" not in c and out["one_pass_success"] is False


def test_tied_persons_who_all_fit_are_all_elected() -> None:
    c = only(run(party(12, [contest(4, [A, B, C, D, E], TIE_BALLOTS)])))
    assert c["status"] == "elected" and set(c["elected"]) == {A, B, C, D}
    assert "tie" not in c


def test_tie_for_every_seat() -> None:
    groups = [group(4, [A, B]), group(4, [A, C]), group(4, [B, C])]
    c = only(run(party(12, [contest(2, [A, B, C], groups)])))
    assert c["status"] == "tie_revote" and c["elected"] == []
    assert c["tie"]["seats"] == 2 and set(c["tie"]["names"]) == {A, B, C}


def test_surplus_takes_the_most_approvals() -> None:
    groups = [group(7, [A, B]), group(3, [A, C]), group(2, [B, C])]
    c = only(run(party(12, [contest(2, [A, B, C], groups)])))   # A 10, B 9, C 5
    assert c["status"] == "elected" and c["elected"] == [A, B]


def test_equal_votes_below_threshold_are_no_tie_but_a_runoff() -> None:
    groups = [group(6, [A, B]), group(6, [A, C])]
    c = only(run(party(12, [contest(2, [A, B, C], groups)])))
    assert c["status"] == "runoff_needed" and c["elected"] == [A]
    assert c["runoff"] == {"seats": 1, "ranking": sort_names([B, C])}
    assert codes(c) == {"SEATS_UNFILLED"}


def test_runoff_ranking_lists_everyone_not_elected_with_an_approval() -> None:
    groups = [group(4, [A, B]), group(3, [A, D]), group(2, [A]), group(1, [A], write_in=["钱进"])]
    c = only(run(party(10, [contest(3, [A, B, C, D, E], groups)])))
    assert c["elected"] == [A]
    assert c["runoff"] == {"seats": 2, "ranking": [B, D, "钱进"]}


def test_tie_revote_round_uses_the_same_threshold() -> None:
    out = run(party(12, [contest(1, [B, C], [group(7, [B]), group(5, [C])], round_="tie_revote")]))
    assert only(out)["elected"] == [B] and out["one_pass_success"] is False
    out = run(party(12, [contest(1, [B, C], [group(6, [B]), group(6, [C])], round_="tie_revote")]))
    assert only(out)["status"] == "runoff_needed"


# --- NO_WOMAN_ELECTED (§2.5) ---------------------------------------------------------------

def _gendered(genders: str, approve: list[str], rules: str = "residents",
              kind: str = "committee") -> dict[str, object]:
    cands: list[str | tuple[str, str]] = [n if g == "?" else (n, g) for n, g in zip(NAMES6, genders, strict=False)]
    cont = contest(2, cands, [group(30, approve)], kind=kind)
    return run(residents(40, [cont]) if rules == "residents" else party(30, [cont]))


def test_no_woman_elected_warning() -> None:
    c = only(_gendered("MMF", NAMES6[:2]))
    assert c["status"] == "elected"
    assert [(f["code"], f["severity"]) for f in c["findings"]] == [("NO_WOMAN_ELECTED", "warning")]


@pytest.mark.parametrize(("genders", "rules", "kind"), [
    ("MFM", "residents", "committee"),   # a woman is elected
    ("M?F", "residents", "committee"),   # genders of the elected not all known
    ("MMF", "party", "committee"),       # a residents' rule only
])
def test_no_woman_warning_not_raised(genders: str, rules: str, kind: str) -> None:
    assert codes(only(_gendered(genders, NAMES6[:2], rules, kind))) == set()


# --- status precedence, tally order, one pass ----------------------------------------------

def test_status_precedence_lists_every_finding() -> None:
    c = only(run(party(70, [contest(3, [A, B, C], [group(71, [A])], issued=70)], eligible=100)))
    assert c["status"] == "quorum_not_met" and c["elected"] == []
    assert codes(c) == {"QUORUM_NOT_MET", "INSUFFICIENT_MARGIN", "RETURNED_EXCEEDS_ISSUED"}
    c = only(run(party(10, [contest(3, [A, B, C], [group(11, [A])], issued=10)])))
    assert c["status"] == "setup_invalid"
    c = only(run(residents(100, [contest(1, [A, B], [group(41, [A])], issued=40)])))
    assert c["status"] == "void_revote"
    assert codes(c) == {"RETURNED_EXCEEDS_ISSUED", "TURNOUT_INSUFFICIENT"}


def test_tally_order_is_approvals_then_name_order() -> None:
    groups = [group(10, [E, D]), group(10, [C, B]), group(5, [A])]
    c = only(run(party(25, [contest(2, [A, B, C, D, E], groups)])))
    names = [e["name"] for e in c["tally"]]
    assert names == sort_names([B, C, D, E]) + [A]
    assert c["status"] == "runoff_needed"  # 10 of 25 is not a majority


def test_one_pass_success_needs_every_contest_elected() -> None:
    ok = contest(1, [A], [group(10, [A])], kind="leader", cid="secretary")
    bad = contest(1, [A], [group(10)], kind="leader", cid="deputy")
    assert run(party(10, [ok, dict(ok, id="other")]))["one_pass_success"] is True
    out = run(party(10, [ok, bad]))
    assert out["one_pass_success"] is False
    assert [c["status"] for c in out["contests"]] == ["elected", "runoff_needed"]
