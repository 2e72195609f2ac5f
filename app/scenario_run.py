"""Run a checked scenario through the counting core and render the output of
spec/scenario-format.md."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.rules.ballots import count_ballots
from app.rules.committee import judge_scenario
from app.rules.contest import ContestResult, decide_contest, meeting_quorum, one_pass_success
from app.rules.findings import Finding
from app.rules.quorum import QuorumResult
from app.scenario import Scenario


@dataclass(frozen=True, slots=True)
class ScenarioOutcome:
    name: str
    quorum: QuorumResult | None
    results: tuple[ContestResult, ...]
    one_pass_success: bool


def run_scenario(scenario: Scenario) -> ScenarioOutcome:
    quorum = meeting_quorum(scenario.meeting, scenario.options)
    decided = []
    for sc in scenario.contests:
        count = count_ballots(sc.contest.names, sc.contest.seats, sc.groups, scenario.options)
        decided.append(decide_contest(scenario.meeting, sc.contest, count, scenario.options, quorum))
    # rules.md §2.5: the scenario's contests are the meeting; the committee is judged as a whole.
    results = judge_scenario(scenario.meeting.rules, [sc.contest for sc in scenario.contests],
                             decided)
    return ScenarioOutcome(scenario.name, quorum, results, one_pass_success(results))


def _finding_json(f: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {"code": f.code.value, "severity": f.severity.value, "rule": f.rule_zh}
    if f.detail_zh:
        out["detail"] = f.detail_zh
    return out


def contest_json(r: ContestResult) -> dict[str, Any]:
    c = r.count
    out: dict[str, Any] = {
        "id": r.contest_id,
        "status": r.status.value,
        "ballots": {"issued": r.issued, "returned": c.returned, "valid": c.valid,
                    "invalid": c.invalid},
        "tally": [{"name": e.name, "approve": e.approve, "disapprove": e.disapprove,
                   "abstain": e.abstain, "write_in": e.write_in} for e in c.tally],
        "elected": list(r.elected),
    }
    if r.tie is not None:
        out["tie"] = {"seats": r.tie.seats, "names": list(r.tie.names)}
    if r.runoff is not None:
        out["runoff"] = {"seats": r.runoff.seats, "ranking": list(r.runoff.ranking)}
    out["findings"] = [_finding_json(f) for f in r.findings]
    if c.write_ins_for_candidates:
        # rules.md §6: a write-in of a listed candidate's name counted for that candidate.
        out["notes"] = [{"code": "WRITE_IN_IS_CANDIDATE", "name": name, "ballots": n}
                        for name, n in c.write_ins_for_candidates]
    return out


def outcome_json(outcome: ScenarioOutcome) -> dict[str, Any]:
    q = outcome.quorum
    return {
        "name": outcome.name,
        "quorum": None if q is None else {"expected": q.expected, "present": q.present,
                                          "met": q.met},
        "contests": [contest_json(r) for r in outcome.results],
        "one_pass_success": outcome.one_pass_success,
    }
