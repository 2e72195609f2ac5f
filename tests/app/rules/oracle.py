"""A plain, independent reading of spec/rules.md §0-§4 for the scenario format (test-only).

Written from the spec alone, to check the counting core against: one function, `oracle`, takes a
decoded scenario (spec/scenario-format.md) and returns the output JSON as a dict, or raises
`OracleBadInput(path)` for input the spec calls bad. Integers only, no shared code with app/rules
except the name order (app.names.name_sort_key, rules.md §5), which is its own module.

Readings where the spec leaves room (the core's documented choices, checked as reasonable):
- a write-in of a listed candidate's name counts as that candidate's approval (§6 default, option
  `write_in_counts_for_candidate`), even beside a × for them; a person listed ○ and written in
  on one ballot is one approval; a name both ○ and × on one ballot is bad input;
- the tally lists write-ins that got at least one approval on a valid ballot;
- nobody is elected with zero approvals;
- margin: party committee first round 5*(c-s) >= s, committee runoff c > s (option
  `runoff_margin` "twenty_percent": as the first round), leader c >= s; residents c > s (error
  for committee, warning for leader); collective none; a tie re-vote (among exactly the tied) is
  never checked;
- a candidate with `"eligible": false` makes the contest setup_invalid (CANDIDATE_NOT_ELIGIBLE);
- residents: a runoff uses the 1/3 rule (§2.5) and the turnout rule again (§6 default, option
  `runoff_turnout_required`); a tie re-vote uses the first-round majority;
- NO_WOMAN_ELECTED: the scenario's contests are the whole residents' committee: judged only when
  every contest is a first round with status `elected`, every elected person's gender is known
  and none is `F`; reported once, on the first contest of kind committee (none without one).
  A scenario holding a runoff or tie re-vote round does not show the whole committee.
"""

from __future__ import annotations

from typing import Any

from app.names import name_sort_key

RULE_FORMS = {
    "party-2020": ("assembly", "plenary"),
    "residents-2025": ("all", "household", "representative"),
    "collective-2025": ("members", "delegates"),
}
BLOCKING = ("quorum_not_met", "setup_invalid", "void_revote", "turnout_insufficient")


class OracleBadInput(Exception):
    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


def _int(v: Any, path: str, minimum: int = 0) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < minimum:
        raise OracleBadInput(path)
    return v


def _names(v: Any, path: str) -> list[str]:
    if v is None:
        return []
    if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
        raise OracleBadInput(path)
    return [x.strip() for x in v]


def _finding(code: str, severity: str = "error") -> dict[str, str]:
    return {"code": code, "severity": severity}


def _quorum(rules: str, meeting: dict[str, Any], inclusive: bool) -> dict[str, Any] | None:
    if rules == "residents-2025":
        return None
    present = meeting["present"]
    if rules == "party-2020":
        expected = meeting["eligible"] - meeting.get("excluded", 0)
        if inclusive:
            met = 5 * present >= 4 * expected
        else:
            met = 5 * present > 4 * expected
    else:
        expected = meeting["eligible"]
        met = 3 * present >= 2 * expected
    return {"expected": expected, "present": present, "met": met}


def _margin(rules: str, kind: str, round_: str, cands: int, seats: int,
            runoff_margin: str) -> str | None:
    """Severity of INSUFFICIENT_MARGIN, or None when the candidate list is fine."""
    if round_ == "tie_revote":
        return None
    if rules == "party-2020":
        if kind == "leader":
            ok = cands >= seats
        elif round_ == "first" or runoff_margin == "twenty_percent":
            ok = 5 * (cands - seats) >= seats
        else:
            ok = cands > seats
        return None if ok else "error"
    if rules == "residents-2025":
        if cands > seats:
            return None
        return "error" if kind == "committee" else "warning"
    return None


def _qualifies(rules: str, round_: str, approve: int, meeting: dict[str, Any],
               voted: int) -> bool:
    if approve <= 0:
        return False
    if rules == "party-2020":
        return 2 * approve > meeting["present"]
    if rules == "collective-2025":
        return 3 * approve >= 2 * meeting["eligible"]
    if round_ == "runoff":
        return 3 * approve >= voted
    return 2 * approve > voted


def _contest(rules: str, meeting: dict[str, Any], options: dict[str, Any],
             quorum: dict[str, Any] | None, c: dict[str, Any]) -> dict[str, Any]:
    seats = c["seats"]
    round_ = c["round"]
    cand_names = [x["name"] for x in c["candidates"]]
    genders = {x["name"]: x.get("gender") for x in c["candidates"]}
    fold = options.get("write_in_counts_for_candidate", True)
    approve = {n: 0 for n in cand_names}
    disapprove = {n: 0 for n in cand_names}
    write_ins: dict[str, int] = {}
    valid = invalid = 0
    for g in c["ballot_groups"]:
        n = g["count"]
        if g.get("invalid"):
            invalid += n
            continue
        persons = {("candidate", p) for p in g.get("approve") or []}
        for p in g.get("write_in") or []:
            persons.add(("candidate", p) if fold and p in approve else ("write-in", p))
        if len(persons) > seats:
            invalid += n
            continue
        valid += n
        for what, p in persons:
            if what == "candidate":
                approve[p] += n
            else:
                write_ins[p] = write_ins.get(p, 0) + n
        for p in g.get("disapprove") or []:
            if ("candidate", p) not in persons:  # a written-in ○ for them wins over the ×
                disapprove[p] += n
    rows = [{"name": p, "approve": approve[p], "disapprove": disapprove[p],
             "abstain": valid - approve[p] - disapprove[p], "write_in": False}
            for p in cand_names]
    rows += [{"name": p, "approve": a, "disapprove": 0, "abstain": 0, "write_in": True}
             for p, a in write_ins.items() if a > 0]
    rows.sort(key=lambda r: (-r["approve"], name_sort_key(r["name"]), r["write_in"]))

    issued = c["ballots"]["issued"]
    returned = c["ballots"].get("returned")
    if returned is None:
        returned = valid + invalid
    findings: list[dict[str, str]] = []
    blocked: list[str] = []
    if quorum is not None and not quorum["met"]:
        blocked.append("quorum_not_met")
        findings.append(_finding("QUORUM_NOT_MET"))
    severity = _margin(rules, c["kind"], round_, len(cand_names), seats,
                       options.get("runoff_margin", "more"))
    if severity is not None:
        findings.append(_finding("INSUFFICIENT_MARGIN", severity))
        if severity == "error":
            blocked.append("setup_invalid")
    if any(x.get("eligible") is False for x in c["candidates"]):
        findings.append(_finding("CANDIDATE_NOT_ELIGIBLE"))
        blocked.append("setup_invalid")
    if returned > issued:
        blocked.append("void_revote")
        findings.append(_finding("RETURNED_EXCEEDS_ISSUED"))
    if rules == "residents-2025" and (
            round_ != "runoff" or options.get("runoff_turnout_required", True)):
        base = meeting["eligible"]
        if meeting["form"] == "representative":
            turnout_ok = 3 * returned > 2 * base
        else:
            turnout_ok = 2 * returned > base
        if not turnout_ok:
            blocked.append("turnout_insufficient")
            findings.append(_finding("TURNOUT_INSUFFICIENT"))
    elif rules != "residents-2025":
        if issued != meeting["present"]:
            findings.append(_finding("ISSUED_NOT_EQUAL_PRESENT", "warning"))

    out: dict[str, Any] = {
        "id": c["id"],
        "ballots": {"issued": issued, "returned": returned, "valid": valid, "invalid": invalid},
        "tally": rows,
    }
    if blocked:
        status = min(blocked, key=BLOCKING.index)
        out.update(status=status, elected=[], findings=findings, elected_genders=[])
        return out

    qualified = [r for r in rows if _qualifies(rules, round_, r["approve"], meeting, returned)]
    elected: list[str]
    if len(qualified) > seats and qualified[seats - 1]["approve"] == qualified[seats]["approve"]:
        tied = qualified[seats - 1]["approve"]
        elected = [r["name"] for r in qualified if r["approve"] > tied]
        out["tie"] = {"seats": seats - len(elected),
                      "names": [r["name"] for r in qualified if r["approve"] == tied]}
        status = "tie_revote"
        findings.append(_finding("TIE_AT_LAST_SEAT"))
    elif len(qualified) >= seats:
        elected = [r["name"] for r in qualified[:seats]]
        status = "elected"
    else:
        elected = [r["name"] for r in qualified]
        out["runoff"] = {"seats": seats - len(elected),
                         "ranking": [r["name"] for r in rows
                                     if r not in qualified and r["approve"] > 0]}
        status = "runoff_needed"
        findings.append(_finding("SEATS_UNFILLED"))
    out.update(status=status, elected=elected, findings=findings,
               elected_genders=[genders.get(p) for p in elected])
    return out


def _whole_committee(rules: str, src: list[dict[str, Any]], out: list[dict[str, Any]]) -> None:
    """rules.md §2.5 over every contest of the scenario (which is the whole meeting)."""
    genders = [g for c in out for g in c.pop("elected_genders")]
    if rules != "residents-2025":
        return
    if any(c["round"] != "first" for c in src) or any(c["status"] != "elected" for c in out):
        return
    if not genders or any(g not in ("M", "F") for g in genders) or "F" in genders:
        return
    kinds = [c["kind"] for c in src]
    if "committee" not in kinds:
        return  # reported on the 委员 line; a meeting of 主任 lines alone has none
    out[kinds.index("committee")]["findings"].append(_finding("NO_WOMAN_ELECTED", "warning"))


def _check(data: Any) -> None:
    """Raise OracleBadInput for the spec's bad input (only the cases the test generates)."""
    if not isinstance(data, dict):
        raise OracleBadInput("")
    rules = data.get("rules")
    if rules not in RULE_FORMS:
        raise OracleBadInput("rules")
    meeting = data.get("meeting")
    if not isinstance(meeting, dict):
        raise OracleBadInput("meeting")
    if meeting.get("form") not in RULE_FORMS[rules]:
        raise OracleBadInput("meeting.form")
    _int(meeting.get("eligible"), "meeting.eligible")
    if rules != "residents-2025":
        _int(meeting.get("present"), "meeting.present")
    if "excluded" in meeting:
        _int(meeting["excluded"], "meeting.excluded")
    contests = data.get("contests")
    if not isinstance(contests, list):
        raise OracleBadInput("contests")
    options = data.get("options") or {}
    if options.get("runoff_margin", "more") not in ("more", "twenty_percent"):
        raise OracleBadInput("options.runoff_margin")
    for i, c in enumerate(contests):
        p = f"contests[{i}]"
        for j, x in enumerate(c.get("candidates", [])):
            if x.get("eligible") not in (None, True, False):
                raise OracleBadInput(f"{p}.candidates[{j}].eligible")
        if c.get("round") not in ("first", "runoff", "tie_revote"):
            raise OracleBadInput(f"{p}.round")
        if c.get("kind") not in ("committee", "leader"):
            raise OracleBadInput(f"{p}.kind")
        _int(c.get("seats"), f"{p}.seats", 1)
        names = [x.get("name") for x in c.get("candidates", [])]
        if len(set(names)) != len(names):
            raise OracleBadInput(f"{p}.candidates")
        _int(c["ballots"].get("issued"), f"{p}.ballots.issued")
        total = 0
        for j, g in enumerate(c.get("ballot_groups", [])):
            gp = f"{p}.ballot_groups[{j}]"
            total += _int(g.get("count"), f"{gp}.count")
            approve = _names(g.get("approve"), f"{gp}.approve")
            disapprove = _names(g.get("disapprove"), f"{gp}.disapprove")
            write_in = _names(g.get("write_in"), f"{gp}.write_in")
            for n in approve + disapprove:
                if n not in names:
                    raise OracleBadInput(gp)
            if set(approve) & set(disapprove):
                raise OracleBadInput(gp)
            if len(set(approve)) < len(approve) or len(set(write_in)) < len(write_in):
                raise OracleBadInput(gp)
        if "returned" in c["ballots"]:
            if _int(c["ballots"]["returned"], f"{p}.ballots.returned") != total:
                raise OracleBadInput(f"{p}.ballots.returned")


def oracle(data: Any) -> dict[str, Any]:
    _check(data)
    rules = data["rules"]
    meeting = dict(data["meeting"])
    options = data.get("options") or {}
    quorum = _quorum(rules, meeting, options.get("quorum_inclusive", False))
    contests = [_contest(rules, meeting, options, quorum, c) for c in data["contests"]]
    _whole_committee(rules, data["contests"], contests)
    one_pass = all(
        c["status"] == "elected" and src["round"] == "first"
        and not any(f["severity"] == "error" for f in c["findings"])
        for c, src in zip(contests, data["contests"], strict=True))
    return {"name": data.get("name"), "quorum": quorum, "contests": contests,
            "one_pass_success": one_pass}
