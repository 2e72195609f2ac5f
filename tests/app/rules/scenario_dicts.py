"""Build scenario dicts (spec/scenario-format.md) and run them through the core in-process."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.scenario import InputProblem, parse_scenario
from app.scenario_run import outcome_json, run_scenario

NAMES6 = ["王建国", "刘芳", "李明", "张伟", "陈静", "赵磊"]


def group(count: int, approve: list[str] | None = None, disapprove: list[str] | None = None,
          write_in: list[str] | None = None, invalid: bool = False) -> dict[str, Any]:
    g: dict[str, Any] = {"count": count}
    if approve:
        g["approve"] = approve
    if disapprove:
        g["disapprove"] = disapprove
    if write_in:
        g["write_in"] = write_in
    if invalid:
        g["invalid"] = True
    return g


def contest(seats: int, candidates: Sequence[str | tuple[str, str]], groups: list[dict[str, Any]],
            *, issued: int | None = None, returned: int | None = None, kind: str = "committee",
            round_: str = "first", cid: str = "c") -> dict[str, Any]:
    total = sum(g["count"] for g in groups)
    cands = [{"name": c} if isinstance(c, str) else {"name": c[0], "gender": c[1]}
             for c in candidates]
    return {"id": cid, "title": cid, "kind": kind, "round": round_, "seats": seats,
            "candidates": cands,
            "ballots": {"issued": total if issued is None else issued,
                        "returned": total if returned is None else returned},
            "ballot_groups": groups}


def scenario(rules: str, form: str, eligible: int, contests: list[dict[str, Any]], *,
             present: int | None = None, excluded: int = 0,
             options: dict[str, bool] | None = None) -> dict[str, Any]:
    meeting: dict[str, Any] = {"form": form, "eligible": eligible}
    if rules == "party-2020":
        meeting["excluded"] = excluded
    if present is not None:
        meeting["present"] = present
    s: dict[str, Any] = {"name": "t", "rules": rules, "meeting": meeting, "contests": contests}
    if options is not None:
        s["options"] = options
    return s


def party(present: int, contests: list[dict[str, Any]], *, eligible: int | None = None,
          form: str = "assembly", **kw: Any) -> dict[str, Any]:
    return scenario("party-2020", form, present if eligible is None else eligible, contests,
                    present=present, **kw)


def residents(eligible: int, contests: list[dict[str, Any]], *, form: str = "all",
              **kw: Any) -> dict[str, Any]:
    return scenario("residents-2025", form, eligible, contests, **kw)


def collective(eligible: int, present: int, contests: list[dict[str, Any]], *,
               form: str = "members", **kw: Any) -> dict[str, Any]:
    return scenario("collective-2025", form, eligible, contests, present=present, **kw)


def run(data: dict[str, Any]) -> dict[str, Any]:
    parsed = parse_scenario(data)
    assert not isinstance(parsed, InputProblem), parsed.line()
    return outcome_json(run_scenario(parsed))


def only(out: dict[str, Any]) -> dict[str, Any]:
    assert len(out["contests"]) == 1
    c: dict[str, Any] = out["contests"][0]
    return c


def codes(c: dict[str, Any]) -> set[str]:
    return {f["code"] for f in c["findings"]}


def tally(c: dict[str, Any]) -> dict[str, list[int]]:
    return {e["name"]: [e["approve"], e["disapprove"], e["abstain"]] for e in c["tally"]}


def problem(data: object) -> InputProblem:
    parsed = parse_scenario(data, "fallback")
    assert isinstance(parsed, InputProblem), "expected bad input"
    return parsed
