"""Differential test: the counting core against the plain reference reading in oracle.py.

Hypothesis draws small valid scenarios for every rule set, form, contest kind and round kind, so
the boundaries of rules.md are hit often (exactly 4/5, half, 1/3, 2/3 of small bases; ties at the
last seat; shortfalls; over-marked ballots and write-ins; returned > issued; issued ≠ present; no
woman elected). The core runs in-process through the same functions as `pollday scenario run`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle import RULE_FORMS, OracleBadInput, oracle
from pdtest import SHARED

from app.scenario import InputProblem, parse_scenario
from app.scenario_run import outcome_json, run_scenario

# Names chosen so the stroke order matters: 单名 before 双名 (李强 < 李干杰, 王毅 < 王沪宁).
CANDIDATE_POOL = ["王沪宁", "李强", "王毅", "李干杰", "丁薛祥", "习近平", "王晨", "李希"]
WRITE_IN_POOL = ["赵乐际", "蔡奇", "王毅", "李强"]  # the last two are also candidates when drawn

SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def core(data: dict[str, Any]) -> dict[str, Any] | InputProblem:
    parsed = parse_scenario(data)
    if isinstance(parsed, InputProblem):
        return parsed
    return outcome_json(run_scenario(parsed))


def comparable(out: dict[str, Any]) -> dict[str, Any]:
    """The parts of the output the spec fixes; findings as (code, severity), sorted."""
    contests = []
    for c in out["contests"]:
        contests.append({
            "id": c["id"],
            "status": c["status"],
            "ballots": c["ballots"],
            "tally": [(e["name"], e["approve"], e["disapprove"], e["abstain"], e["write_in"])
                      for e in c["tally"]],
            "elected": list(c["elected"]),
            "tie": None if c.get("tie") is None else (c["tie"]["seats"], sorted(c["tie"]["names"])),
            "runoff": c.get("runoff"),
            "findings": sorted((f["code"], f["severity"]) for f in c["findings"]),
        })
    return {"quorum": out["quorum"], "contests": contests,
            "one_pass_success": out["one_pass_success"]}


def check_same(data: dict[str, Any]) -> None:
    try:
        want: dict[str, Any] | None = oracle(data)
    except OracleBadInput:
        want = None
    got = core(data)
    scenario = json.dumps(data, ensure_ascii=False)
    if want is None:
        assert isinstance(got, InputProblem), f"oracle: bad input; core ran it\n{scenario}"
        return
    assert not isinstance(got, InputProblem), f"core: {got.line()}\n{scenario}"
    g, w = comparable(got), comparable(want)
    if g != w:
        diff = [f"{k}: core {g[k]} / oracle {w[k]}" for k in ("quorum", "one_pass_success")
                if g[k] != w[k]]
        for gc, wc in zip(g["contests"], w["contests"], strict=True):
            diff += [f"{gc['id']}.{k}: core {gc[k]} / oracle {wc[k]}" for k in gc
                     if gc[k] != wc[k]]
        raise AssertionError("\n".join([scenario, *diff]))


@st.composite
def ballot_group(draw: st.DrawFn, candidates: list[str], seats: int) -> dict[str, Any]:
    g: dict[str, Any] = {"count": draw(st.integers(0, 4))}
    mode = draw(st.integers(0, 9))
    if mode == 0:
        g["invalid"] = True
        return g
    if mode <= 6:
        # Approvals concentrated on the first seats + 1 candidates: elections, shortfalls and
        # ties at the last seat come up often.
        k = draw(st.integers(max(0, seats - 1), seats))
        favourites = candidates[:seats + 1]
        approve = draw(st.lists(st.sampled_from(favourites), unique=True,
                                min_size=min(k, len(favourites)), max_size=k)
                       if favourites else st.just([]))
    else:
        # Anything, over-marked (seats + 1 approvals) included.
        approve = draw(st.lists(st.sampled_from(candidates), unique=True, max_size=seats + 1)
                       if candidates else st.just([]))
    rest = [n for n in candidates if n not in approve]
    disapprove = draw(st.lists(st.sampled_from(rest), unique=True) if rest else st.just([]))
    if approve:
        g["approve"] = approve
    if disapprove:
        g["disapprove"] = disapprove
    if draw(st.integers(0, 3)) == 0:
        # Write-ins: other people, or a listed candidate's name (even one marked × here).
        pool = WRITE_IN_POOL + candidates[:1]
        g["write_in"] = draw(st.lists(st.sampled_from(pool), unique=True, min_size=1,
                                      max_size=2))
    return g


@st.composite
def targeted_groups(draw: st.DrawFn, candidates: list[str], seats: int) -> list[dict[str, Any]]:
    """Ballots whose approvals hit chosen totals near the thresholds (1/3, 1/2, 2/3 of the
    ballots, level totals for ties), spread over the ballots by wrap-around so that no ballot
    approves more than `seats` persons. Sometimes a write-in takes part like a candidate."""
    voters = draw(st.integers(1, 12))
    persons = candidates + (["赵乐际"] if draw(st.booleans()) else [])
    levels = sorted({x for x in (1, voters // 3, (voters + 2) // 3, voters // 2, voters // 2 + 1,
                                 2 * voters // 3, (2 * voters + 2) // 3, voters - 1, voters)
                     if 0 <= x <= voters})
    totals = [draw(st.sampled_from(levels)) for _ in persons]
    if draw(st.booleans()):
        # Level totals around the last seat.
        fits = [x for x in levels if (seats + 1) * x <= seats * voters] or [0]
        level = draw(st.sampled_from(fits[len(fits) // 2:]))
        start = draw(st.integers(0, max(0, seats - 1)))
        for k in range(start, min(len(totals), seats + 1)):
            totals[k] = level
    ballots: list[list[str]] = [[] for _ in range(voters)]
    pos = 0
    for person, total in zip(persons, totals, strict=True):
        if pos + total > seats * voters:
            break
        for k in range(pos, pos + total):
            ballots[k % voters].append(person)
        pos += total
    groups: dict[tuple[str, ...], int] = {}
    for b in ballots:
        groups[tuple(b)] = groups.get(tuple(b), 0) + 1
    out = []
    for marked, count in groups.items():
        g: dict[str, Any] = {"count": count}
        approve = [n for n in marked if n in candidates]
        write_in = [n for n in marked if n not in candidates]
        if approve:
            g["approve"] = approve
        if write_in:
            g["write_in"] = write_in
        out.append(g)
    return out


@st.composite
def contest(draw: st.DrawFn, rules: str, index: int) -> dict[str, Any]:
    kind = draw(st.sampled_from(["committee", "leader"]))
    round_ = draw(st.sampled_from(["first", "first", "runoff", "tie_revote"]))
    seats = draw(st.integers(1, 4))
    # Mostly enough candidates; sometimes too few (INSUFFICIENT_MARGIN) or none at all.
    n_cands = min(len(CANDIDATE_POOL),
                  seats + draw(st.sampled_from([1, 1, 1, 2, 2, 3, 0, -1, -seats])))
    names = draw(st.permutations(CANDIDATE_POOL))[:n_cands]
    candidates = []
    for n in names:
        gender = draw(st.sampled_from(["M", "M", "F", None]))
        cand: dict[str, Any] = {"name": n} if gender is None else {"name": n, "gender": gender}
        eligible = draw(st.sampled_from([None] * 12 + [True, False]))
        if eligible is not None:
            cand["eligible"] = eligible  # 被选举权 (rules.md §1.3)
        candidates.append(cand)
    if draw(st.booleans()):
        groups = draw(targeted_groups(names, seats))
    else:
        groups = draw(st.lists(ballot_group(names, seats), min_size=1, max_size=4))
    if names and draw(st.integers(0, 3)) == 0:
        # A bloc voting for the first `seats` candidates: most seats get filled.
        groups.insert(0, {"count": draw(st.integers(1, 6)), "approve": names[:seats]})
    if draw(st.booleans()):
        # A mirror image of one group: the same ballots with the last approval moved to someone
        # else, so two persons end level (ties at the last seat).
        g = draw(st.sampled_from(groups))
        approve = list(g.get("approve", []))
        others = [n for n in names if n not in approve]
        if approve and others:
            approve[-1] = draw(st.sampled_from(others))
            groups.append({"count": g["count"], "approve": approve})
    returned = sum(g["count"] for g in groups)
    issued = max(0, returned + draw(st.sampled_from([0, 0, 0, 0, 0, 0, 1, -1])))
    ballots: dict[str, Any] = {"issued": issued}
    if draw(st.integers(0, 5)) != 0:
        ballots["returned"] = returned
    return {"id": f"c{index}", "title": f"c{index}", "kind": kind, "round": round_,
            "seats": seats, "candidates": candidates, "ballots": ballots,
            "ballot_groups": groups}


@st.composite
def scenario(draw: st.DrawFn, rules: str) -> dict[str, Any]:
    form = draw(st.sampled_from(RULE_FORMS[rules]))
    contests = [draw(contest(rules, i)) for i in range(draw(st.integers(1, 3)))]
    first_returned = sum(g["count"] for g in contests[0]["ballot_groups"])
    meeting: dict[str, Any] = {"form": form}
    data: dict[str, Any] = {"name": "hyp", "rules": rules, "meeting": meeting,
                            "contests": contests}
    if rules == "residents-2025":
        # Base around twice the turnout, so "exactly half" and "exactly 2/3" come up.
        base = {"all": 2, "household": 2, "representative": 1}[form]
        slack = draw(st.sampled_from([-3, -2, -1, -1, 0, 1]))
        meeting["eligible"] = max(0, base * first_returned + slack)
        if draw(st.booleans()):
            meeting["excluded"] = 0
        if draw(st.booleans()):
            meeting["present"] = draw(st.integers(0, 20))  # not used by §2.3
    else:
        present = max(0, first_returned + draw(st.sampled_from([0, 0, 0, 1, -1])))
        excluded = draw(st.integers(0, 2)) if rules == "party-2020" else 0
        meeting["present"] = present
        meeting["eligible"] = present + excluded + draw(st.sampled_from([0, 0, 0, 1, 1, 2, 3]))
        if rules == "party-2020" or draw(st.booleans()):
            meeting["excluded"] = excluded
        # Ballots issued usually equal 实到.
        for c in contests:
            if draw(st.booleans()):
                c["ballots"]["issued"] = present
    options: dict[str, Any] = {}
    for key in ("quorum_inclusive", "runoff_turnout_required", "write_in_counts_for_candidate"):
        value = draw(st.sampled_from([None, None, True, False]))
        if value is not None:
            options[key] = value
    margin = draw(st.sampled_from([None, None, "more", "twenty_percent"]))
    if margin is not None:
        options["runoff_margin"] = margin
    if options or draw(st.booleans()):
        data["options"] = options
    return data


@SETTINGS
@given(scenario("party-2020"))
def test_party_core_matches_oracle(data: dict[str, Any]) -> None:
    check_same(data)


@SETTINGS
@given(scenario("residents-2025"))
def test_residents_core_matches_oracle(data: dict[str, Any]) -> None:
    check_same(data)


@SETTINGS
@given(scenario("collective-2025"))
def test_collective_core_matches_oracle(data: dict[str, Any]) -> None:
    check_same(data)


OWN = Path(__file__).parents[2] / "fixtures" / "scenarios"


@pytest.mark.parametrize("path", sorted((SHARED / "scenarios").glob("*.json"))
                         + sorted(OWN.glob("*.json")), ids=lambda p: p.stem)
def test_shared_scenarios_core_matches_oracle(path: Any) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    check_same({k: v for k, v in data.items() if k != "expect"})


def _mutations(data: dict[str, Any]) -> list[tuple[str, Any]]:
    """(expected problem path, mutation) pairs that make `data` bad input (scenario-format.md)."""
    c0 = data["contests"][0]
    g0 = c0["ballot_groups"][0]

    def delete(*keys: Any) -> Any:
        def f(d: dict[str, Any]) -> None:
            t = d
            for k in keys[:-1]:
                t = t[k]
            del t[keys[-1]]
        return f

    def put(value: Any, *keys: Any) -> Any:
        def f(d: dict[str, Any]) -> None:
            t = d
            for k in keys[:-1]:
                t = t[k]
            t[keys[-1]] = value
        return f

    out: list[tuple[str, Any]] = [
        ("rules", put("party-2019", "rules")),
        ("meeting.form", put("congress", "meeting", "form")),
        ("meeting.eligible", delete("meeting", "eligible")),
        ("meeting.eligible", put(True, "meeting", "eligible")),
        ("meeting.eligible", put(-1, "meeting", "eligible")),
        ("contests[0].seats", put(0, "contests", 0, "seats")),
        ("contests[0].seats", put(2.0, "contests", 0, "seats")),
        ("contests[0].round", delete("contests", 0, "round")),
        ("contests[0].kind", put("chair", "contests", 0, "kind")),
        ("options.runoff_margin", put({"runoff_margin": "less"}, "options")),
        ("options.runoff_margin", put({"runoff_margin": True}, "options")),
        ("contests[0].ballots.issued", put("5", "contests", 0, "ballots", "issued")),
        ("contests[0].ballot_groups[0].count", put(True, "contests", 0, "ballot_groups", 0,
                                                   "count")),
        ("contests[0].ballot_groups[0].count", put(-1, "contests", 0, "ballot_groups", 0,
                                                   "count")),
        ("contests[0].ballot_groups[0].approve", put(["不存在"], "contests", 0, "ballot_groups",
                                                     0, "approve")),
        ("contests[0].ballots.returned", put(sum(g["count"] for g in c0["ballot_groups"]) + 1,
                                             "contests", 0, "ballots", "returned")),
    ]
    if data["rules"] != "residents-2025":
        out.append(("meeting.present", delete("meeting", "present")))
    if c0["candidates"]:
        name = c0["candidates"][0]["name"]
        out.append(("contests[0].candidates", put([*c0["candidates"], {"name": name}],
                                                  "contests", 0, "candidates")))
        out.append(("contests[0].candidates[0].eligible", put("no", "contests", 0, "candidates",
                                                              0, "eligible")))
        out.append(("contests[0].ballot_groups[0]", put({"count": g0["count"], "approve": [name],
                                                         "disapprove": [name]},
                                                        "contests", 0, "ballot_groups", 0)))
    return out


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.sampled_from(sorted(RULE_FORMS)).flatmap(scenario), st.data())
def test_bad_input_is_named_by_field(data: dict[str, Any], pick: st.DataObject) -> None:
    """Bad input never produces a result, and the problem names the field (path prefix)."""
    path, mutate = pick.draw(st.sampled_from(_mutations(data)))
    bad = json.loads(json.dumps(data))
    mutate(bad)
    with pytest.raises(OracleBadInput):
        oracle(bad)
    got = core(bad)
    assert isinstance(got, InputProblem), f"{path}: core ran it"
    assert got.path.startswith(path), (path, got.line())
    assert got.scenario == "hyp" and "\n" not in got.line()
