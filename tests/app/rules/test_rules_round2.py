"""Round 2 of the rules (rules.md §1.3, §2.4, §2.5, §4, §6), each case worked out by hand from the
text of rules.md and run as a scenario through the counting core (`pollday scenario run`'s path).

- §2.5 NO_WOMAN_ELECTED over the whole committee: every contest of the residents' meeting, once,
  on the kind-committee contest, only when all are elected and all genders known; a woman 主任
  satisfies Art. 8; a runoff or re-vote round alone is not judged.
- §1.3 margins: first round 20 %; committee runoff `c > s` (option `runoff_margin`); a tie
  re-vote has no margin check; the runoff finding cites rules.md §1.3, not the 条例.
- §1.3 被选举权: a candidate with `"eligible": false` makes the contest setup_invalid.
- §2.4/§4 INSUFFICIENT_MARGIN is a warning for a residents' leader contest; §6 notes a write-in
  of a listed candidate's exact name.
"""

from __future__ import annotations

from typing import Any

import pytest
from scenario_dicts import codes, contest, group, only, party, problem, residents, run

# Men and women of a residents' committee (gender given in the scenario).
M1, M2, M3, M4, M5, M6 = "孙强", "周刚", "吴斌", "郑军", "冯伟", "陈勇"
F1, F2 = "何静", "林芳"


def _line(cid: str, kind: str, seats: int, cands: list[tuple[str, str] | str],
          approve: list[str], voters: int = 30, round_: str = "first",
          rest: list[str] | None = None) -> dict[str, Any]:
    """One contest where `voters` ballots approve `approve` (each elected: 30 of 30) and, when
    given, 10 more approve `rest` (10 of 40 voted: nobody in `rest` reaches the majority)."""
    groups = [group(voters, approve)]
    if rest:
        groups.append(group(10, rest))
    return contest(seats, cands, groups, kind=kind, cid=cid, round_=round_)


def _no_woman(out: dict[str, Any]) -> list[str]:
    """Ids of the contests carrying NO_WOMAN_ELECTED, one entry per finding."""
    return [c["id"] for c in out["contests"] for f in c["findings"]
            if f["code"] == "NO_WOMAN_ELECTED"]


# --- §2.5 NO_WOMAN_ELECTED over the whole committee ----------------------------------------

def test_a_woman_elected_director_satisfies_article_8() -> None:
    # 主任 F1 elected; the four 委员 are all men: the committee has a woman.
    director = _line("director", "leader", 1, [(F1, "F"), (M6, "M")], [F1])
    members = _line("members", "committee", 4, [(n, "M") for n in (M1, M2, M3, M4, M5)],
                    [M1, M2, M3, M4])
    out = run(residents(50, [director, members]))
    assert [c["status"] for c in out["contests"]] == ["elected", "elected"]
    assert _no_woman(out) == []
    assert out["one_pass_success"] is True


def test_all_men_over_three_lines_is_reported_once_on_the_committee_contest() -> None:
    director = _line("director", "leader", 1, [(M6, "M"), (F2, "F")], [M6])
    deputy = _line("deputy", "leader", 1, [(M5, "M"), (F1, "F")], [M5])
    members = _line("members", "committee", 3, [(M1, "M"), (M2, "M"), (M3, "M"), (M4, "M")],
                    [M1, M2, M3])
    out = run(residents(50, [director, deputy, members]))
    assert _no_woman(out) == ["members"]
    (f,) = [f for f in out["contests"][2]["findings"] if f["code"] == "NO_WOMAN_ELECTED"]
    assert f["severity"] == "warning" and "第八条" in f["rule"]
    assert out["one_pass_success"] is True          # a warning does not spoil one pass


def test_the_committee_contest_carries_it_wherever_it_is_listed() -> None:
    members = _line("members", "committee", 2, [(M1, "M"), (M2, "M"), (F1, "F")], [M1, M2])
    director = _line("director", "leader", 1, [(M6, "M"), (F2, "F")], [M6])
    out = run(residents(50, [director, members]))
    assert _no_woman(out) == ["members"]


def test_women_only_on_the_leader_line_but_not_elected_still_warns() -> None:
    # F2 stood for 主任 and lost: the elected committee is all men.
    director = _line("director", "leader", 1, [(M6, "M"), (F2, "F")], [M6], rest=[F2])
    members = _line("members", "committee", 2, [(M1, "M"), (M2, "M"), (M3, "M")], [M1, M2],
                    rest=[M3])
    out = run(residents(70, [director, members]))
    assert [c["status"] for c in out["contests"]] == ["elected", "elected"]
    assert _no_woman(out) == ["members"]


def test_not_judged_while_another_contest_is_not_elected() -> None:
    # 委员 all men elected, but 主任 needs a runoff (10 of 40 is not a majority).
    director = contest(1, [(M6, "M"), (F2, "F")], [group(10, [M6]), group(10, [F2]),
                                                   group(20)], kind="leader", cid="director")
    members = _line("members", "committee", 2, [(M1, "M"), (M2, "M"), (M3, "M")], [M1, M2],
                    voters=40)
    out = run(residents(70, [director, members]))
    assert out["contests"][0]["status"] == "runoff_needed"
    assert out["contests"][1]["status"] == "elected"
    assert _no_woman(out) == []


def test_not_judged_while_a_tie_stands_on_another_line() -> None:
    # 副主任, 2 seats, 44 voted: 陈勇 40, 周刚 and 吴斌 24 each (2*24 > 44): tie for the last seat.
    deputies = contest(2, [(M6, "M"), (M2, "M"), (M3, "M")],
                       [group(20, [M6, M2]), group(20, [M6, M3]), group(4, [M2, M3])],
                       kind="leader", cid="deputies")
    members = _line("members", "committee", 2, [(M1, "M"), (M4, "M"), (M5, "M")], [M1, M4],
                    voters=40)
    out = run(residents(70, [deputies, members]))
    assert out["contests"][0]["status"] == "tie_revote"
    assert out["contests"][0]["elected"] == [M6]
    assert _no_woman(out) == []


def test_not_judged_when_a_leader_s_gender_is_unknown() -> None:
    director = _line("director", "leader", 1, [M6, (F2, "F")], [M6])  # M6: gender not given
    members = _line("members", "committee", 2, [(M1, "M"), (M2, "M"), (M3, "M")], [M1, M2])
    out = run(residents(50, [director, members]))
    assert _no_woman(out) == []


def test_an_elected_write_in_has_no_known_gender() -> None:
    groups = [group(30, [M1], write_in=["钱进"])]
    members = contest(2, [(M1, "M"), (M2, "M"), (M3, "M")], groups, cid="members")
    out = run(residents(50, [members]))
    assert set(out["contests"][0]["elected"]) == {M1, "钱进"}
    assert _no_woman(out) == []


@pytest.mark.parametrize("round_", ["runoff", "tie_revote"])
def test_a_runoff_or_revote_round_alone_is_not_judged(round_: str) -> None:
    members = _line("members", "committee", 1, [(M1, "M"), (M2, "M")], [M1], round_=round_)
    out = run(residents(50, [members]))
    assert out["contests"][0]["status"] == "elected"
    assert _no_woman(out) == []


def test_a_later_round_with_first_round_lines_is_not_the_whole_committee() -> None:
    # The 委员 runoff elects men, but the 委员 of its first round are not in this scenario.
    director = _line("director", "leader", 1, [(M6, "M"), (F2, "F")], [M6])
    runoff = _line("members", "committee", 1, [(M1, "M"), (M2, "M")], [M1], round_="runoff")
    assert _no_woman(run(residents(50, [director, runoff]))) == []


def test_a_single_first_round_committee_of_men_is_the_whole_committee() -> None:
    members = _line("members", "committee", 3, [(M1, "M"), (M2, "M"), (M3, "M"), (F1, "F")],
                    [M1, M2, M3])
    assert _no_woman(run(residents(50, [members]))) == ["members"]


def test_leader_lines_alone_have_no_committee_line_to_report_on() -> None:
    director = _line("director", "leader", 1, [(M6, "M"), (F2, "F")], [M6])
    deputy = _line("deputy", "leader", 1, [(M5, "M"), (F1, "F")], [M5])
    assert _no_woman(run(residents(50, [director, deputy]))) == []


def test_party_and_collective_meetings_are_never_judged() -> None:
    members = _line("members", "committee", 2, [(M1, "M"), (M2, "M"), (M3, "M")], [M1, M2])
    assert _no_woman(run(party(30, [members]))) == []


# --- §1.3 margins by round ----------------------------------------------------------------

def _blank(seats: int, n: int, **kw: Any) -> dict[str, Any]:
    return contest(seats, [f"候选{i:02d}" for i in range(n)], [group(20)], **kw)


@pytest.mark.parametrize(("seats", "cands", "margin", "ok"), [
    # default "more": c > s
    (1, 2, None, True), (2, 2, None, False), (3, 4, None, True), (5, 6, None, True),
    (6, 7, None, True), (10, 11, None, True), (4, 3, None, False), (3, 3, "more", False),
    # "twenty_percent": 5*(c - s) >= s, i.e. s + ceil(s/5)
    (5, 6, "twenty_percent", True),    # 5*1 >= 5
    (6, 7, "twenty_percent", False),   # 5*1 <  6
    (6, 8, "twenty_percent", True),    # 5*2 >= 6
    (10, 12, "twenty_percent", True),  # 5*2 >= 10
    (10, 11, "twenty_percent", False),
    (1, 2, "twenty_percent", True),
    (2, 2, "twenty_percent", False),
])
def test_party_committee_runoff_margin(seats: int, cands: int, margin: str | None,
                                       ok: bool) -> None:
    options = {"runoff_margin": margin} if margin else None
    c = only(run(party(20, [_blank(seats, cands, round_="runoff")], options=options)))
    assert ("INSUFFICIENT_MARGIN" not in codes(c)) is ok
    assert (c["status"] == "setup_invalid") is (not ok)


def test_runoff_margin_finding_cites_rules_paragraph_not_an_article() -> None:
    for options in (None, {"runoff_margin": "twenty_percent"}):
        c = only(run(party(20, [_blank(3, 3, round_="runoff")], options=options)))
        (f,) = c["findings"]
        assert f["code"] == "INSUFFICIENT_MARGIN" and f["severity"] == "error"
        assert "§1.3" in f["rule"] and "第" not in f["rule"].split("§1.3")[0], f["rule"]


@pytest.mark.parametrize(("seats", "cands", "ok"), [(5, 6, True), (6, 7, False), (3, 3, False)])
def test_first_round_keeps_twenty_percent_whatever_the_runoff_option(seats: int, cands: int,
                                                                     ok: bool) -> None:
    for options in (None, {"runoff_margin": "more"}):
        c = only(run(party(20, [_blank(seats, cands)], options=options)))
        assert ("INSUFFICIENT_MARGIN" not in codes(c)) is ok


@pytest.mark.parametrize(("rules", "kind", "seats", "cands"), [
    ("party", "committee", 10, 11),   # 20 % would fail
    ("party", "committee", 1, 1),     # even "more" would fail
    ("party", "committee", 3, 2),
    ("party", "leader", 2, 1),
    ("residents", "committee", 2, 2),
    ("residents", "leader", 1, 1),
])
def test_tie_revote_has_no_margin_check(rules: str, kind: str, seats: int, cands: int) -> None:
    opts = {"runoff_margin": "twenty_percent"}
    c = _blank(seats, cands, round_="tie_revote", kind=kind)
    out = run(party(20, [c], options=opts) if rules == "party" else residents(30, [c]))
    assert "INSUFFICIENT_MARGIN" not in codes(only(out))
    assert only(out)["status"] != "setup_invalid"


@pytest.mark.parametrize(("kind", "seats", "cands", "ok"), [
    ("leader", 1, 1, True), ("leader", 2, 1, False), ("leader", 2, 2, True),
])
def test_party_leader_runoff_may_be_uncontested(kind: str, seats: int, cands: int,
                                                ok: bool) -> None:
    c = only(run(party(20, [_blank(seats, cands, round_="runoff", kind=kind)],
                       options={"runoff_margin": "twenty_percent"})))
    assert ("INSUFFICIENT_MARGIN" not in codes(c)) is ok


@pytest.mark.parametrize(("seats", "cands", "ok"), [(5, 6, True), (2, 2, False), (6, 7, True)])
def test_residents_runoff_keeps_more_candidates_than_seats(seats: int, cands: int,
                                                            ok: bool) -> None:
    # The option is §1.3 (party); a residents' runoff needs c > s (§2.4) either way.
    c = only(run(residents(30, [_blank(seats, cands, round_="runoff")],
                           options={"runoff_margin": "twenty_percent"})))
    assert (c["status"] != "setup_invalid") is ok


@pytest.mark.parametrize("value", ["less", "20%", "More", True, 0, None])
def test_runoff_margin_values_are_checked(value: object) -> None:
    data = party(20, [_blank(3, 4)], options={"runoff_margin": value})  # type: ignore[dict-item]
    assert problem(data).path == "options.runoff_margin"


# --- §1.3 被选举权 -----------------------------------------------------------------------

def _eligible(flags: list[bool | None], **kw: Any) -> dict[str, Any]:
    c = contest(2, ["王建国", "刘芳", "李明"], [group(20, ["王建国", "刘芳"])], **kw)
    for cand, flag in zip(c["candidates"], flags, strict=True):
        if flag is not None:
            cand["eligible"] = flag
    return c


@pytest.mark.parametrize("rules", ["party", "residents"])
def test_a_candidate_without_the_right_to_stand_makes_the_contest_setup_invalid(
        rules: str) -> None:
    c = _eligible([True, None, False])
    out = run(party(20, [c]) if rules == "party" else residents(30, [c]))
    got = only(out)
    assert got["status"] == "setup_invalid" and got["elected"] == []
    (f,) = [f for f in got["findings"] if f["code"] == "CANDIDATE_NOT_ELIGIBLE"]
    assert f["severity"] == "error" and "李明" in f["detail"]
    assert out["one_pass_success"] is False
    assert got["tally"]  # counted all the same


def test_every_candidate_eligible_by_default_or_explicitly() -> None:
    c = only(run(party(20, [_eligible([None, True, None])])))
    assert c["status"] == "elected" and "CANDIDATE_NOT_ELIGIBLE" not in codes(c)


def test_eligibility_with_other_blocking_findings() -> None:
    # Quorum not met (20 of 30) comes first; the margin (3 for 3) and eligibility are listed.
    c = contest(3, ["王建国", "刘芳", "李明"], [group(20)])
    c["candidates"][0]["eligible"] = False
    got = only(run(party(20, [c], eligible=30)))
    assert got["status"] == "quorum_not_met"
    assert codes(got) == {"QUORUM_NOT_MET", "INSUFFICIENT_MARGIN", "CANDIDATE_NOT_ELIGIBLE"}


@pytest.mark.parametrize("round_", ["runoff", "tie_revote"])
def test_eligibility_is_checked_in_later_rounds_too(round_: str) -> None:
    got = only(run(party(20, [_eligible([False, None, None], round_=round_)])))
    assert got["status"] == "setup_invalid"


@pytest.mark.parametrize("value", ["no", 0, 1, "false"])
def test_eligible_must_be_true_or_false(value: object) -> None:
    c = _eligible([None, None, None])
    c["candidates"][1]["eligible"] = value
    assert problem(party(20, [c])).path == "contests[0].candidates[1].eligible"


# --- §2.4 / §4 residents' leader margin, §6 write-in notes ------------------------------------

@pytest.mark.parametrize("round_", ["first", "runoff"])
def test_residents_leader_margin_is_only_a_warning(round_: str) -> None:
    c = contest(2, ["王建国", "刘芳"], [group(20, ["王建国", "刘芳"])], kind="leader",
                round_=round_)
    out = run(residents(30, [c]))
    got = only(out)
    assert got["status"] == "elected" and set(got["elected"]) == {"王建国", "刘芳"}
    assert [(f["code"], f["severity"]) for f in got["findings"]] == [
        ("INSUFFICIENT_MARGIN", "warning")]
    assert out["one_pass_success"] is (round_ == "first")


def test_residents_committee_margin_stays_an_error() -> None:
    c = contest(2, ["王建国", "刘芳"], [group(20, ["王建国", "刘芳"])])
    got = only(run(residents(30, [c])))
    assert got["status"] == "setup_invalid"
    assert [(f["code"], f["severity"]) for f in got["findings"]] == [
        ("INSUFFICIENT_MARGIN", "error")]


def test_write_in_of_a_candidate_s_exact_name_is_a_note_not_a_finding() -> None:
    # 5 ballots write 张伟 in with ○ (one of them also marks ○ beside 张伟: still one approval);
    # 2 over-marked ballots writing him in are invalid and not counted or noted.
    groups = [group(4, ["王建国"], write_in=["张伟"]), group(1, ["张伟"], write_in=["张伟"]),
              group(2, ["王建国", "刘芳"], write_in=["张伟"]), group(10, ["王建国", "刘芳"])]
    c = contest(2, ["王建国", "刘芳", "张伟"], groups)
    got = only(run(party(17, [c])))
    assert got["notes"] == [{"code": "WRITE_IN_IS_CANDIDATE", "name": "张伟", "ballots": 5}]
    assert {e["name"]: e["approve"] for e in got["tally"]}["张伟"] == 5
    assert got["ballots"]["invalid"] == 2
    assert "WRITE_IN_IS_CANDIDATE" not in codes(got)
    assert not any(e["write_in"] for e in got["tally"])


def test_no_notes_without_such_write_ins_or_with_the_option_off() -> None:
    c = contest(1, ["王建国", "刘芳"], [group(10, write_in=["王建国"])])
    assert "notes" not in only(run(party(10, [contest(1, ["王建国", "刘芳"],
                                                       [group(10, ["王建国"])])])))
    off = only(run(party(10, [c], options={"write_in_counts_for_candidate": False})))
    assert "notes" not in off
    assert [(e["name"], e["write_in"]) for e in off["tally"] if e["approve"]] == [("王建国", True)]
