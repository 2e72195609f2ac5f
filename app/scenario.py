"""Conformance scenarios (spec/scenario-format.md): read and check the input.

`parse_scenario` turns the decoded JSON into core dataclasses or returns an `InputProblem`
naming the scenario, the field path (e.g. `contests[0].ballot_groups[2].approve`) and the
problem. Bad input is an expected outcome here, so it is a returned value. Unknown keys are
ignored except inside a ballot group, where a misspelt key would silently change votes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.model import FORMS_OF_RULES, ContestKind, Form, RuleSet
from app.rules.ballots import ABSTAIN, APPROVE, DISAPPROVE, Ballot
from app.rules.contest import Candidate, Contest, Meeting
from app.rules.options import RuleOptions, RunoffMargin
from app.rules.thresholds import Round

GROUP_KEYS = frozenset({"count", "approve", "disapprove", "write_in", "invalid", "reason"})


@dataclass(frozen=True, slots=True)
class InputProblem:
    scenario: str
    path: str
    problem: str

    def line(self) -> str:
        return f"{self.scenario}: {self.path}: {self.problem}"


@dataclass(frozen=True, slots=True)
class ScenarioContest:
    contest: Contest
    groups: tuple[tuple[Ballot, int], ...]
    returned: int


@dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    meeting: Meeting
    options: RuleOptions
    contests: tuple[ScenarioContest, ...]


class _Bad(Exception):
    def __init__(self, path: str, problem: str) -> None:
        super().__init__(path, problem)
        self.path = path
        self.problem = problem


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _type_name(value: object) -> str:
    return {bool: "boolean", int: "integer", float: "number", str: "string", list: "list",
            dict: "object", type(None): "null"}.get(type(value), type(value).__name__)


def _obj(value: object, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Bad(path or "(root)", f"must be an object, got {_type_name(value)}")
    return value


def _get(d: dict[str, Any], key: str, path: str) -> object:
    if key not in d:
        raise _Bad(_join(path, key), "missing")
    return d[key]


def _int(value: object, path: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Bad(path, f"must be an integer, got {_type_name(value)}")
    if value < minimum:
        raise _Bad(path, "must not be negative" if minimum == 0 else f"must be at least {minimum}")
    return value


def _str(value: object, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _Bad(path, f"must be a non-empty string, got {_type_name(value)}")
    return value.strip()


def _bool(value: object, path: str) -> bool:
    if not isinstance(value, bool):
        raise _Bad(path, f"must be true or false, got {_type_name(value)}")
    return value


def _names(value: object, path: str) -> list[str]:
    if not isinstance(value, list):
        raise _Bad(path, f"must be a list of names, got {_type_name(value)}")
    names: list[str] = []
    for i, item in enumerate(value):
        name = _str(item, _join(path, i))
        if name in names:
            raise _Bad(_join(path, i), f"'{name}' is listed twice")
        names.append(name)
    return names


def _enum(value: object, path: str, allowed: tuple[str, ...], what: str) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise _Bad(path, f"unknown {what} {json.dumps(value, ensure_ascii=False)}; "
                         f"expected one of {', '.join(allowed)}")
    return value


def _options(d: dict[str, Any]) -> RuleOptions:
    if "options" not in d or d["options"] is None:
        return RuleOptions()
    raw = _obj(d["options"], "options")
    known = RuleOptions.field_names()
    for key, value in raw.items():
        if key not in known:
            raise _Bad(_join("options", key), f"unknown option; known: {', '.join(known)}")
        if key == "runoff_margin":
            _enum(value, _join("options", key), tuple(m.value for m in RunoffMargin),
                  "runoff margin")
        else:
            _bool(value, _join("options", key))
    return RuleOptions.from_mapping(raw)


def _meeting(d: dict[str, Any], rules: RuleSet) -> Meeting:
    m = _obj(_get(d, "meeting", ""), "meeting")
    forms = tuple(f.value for f in FORMS_OF_RULES[rules])
    form = Form(_enum(_get(m, "form", "meeting"), "meeting.form", forms, f"form for {rules.value}"))
    eligible = _int(_get(m, "eligible", "meeting"), "meeting.eligible")
    excluded = _int(m.get("excluded", 0), "meeting.excluded")
    if rules is not RuleSet.PARTY and excluded:
        raise _Bad("meeting.excluded", f"exclusions exist only under party-2020 (got {excluded})")
    if excluded > eligible:
        raise _Bad("meeting.excluded", f"{excluded} exceeds eligible {eligible}")
    present: int | None = None
    if rules is RuleSet.RESIDENTS:
        if m.get("present") is not None:
            present = _int(m["present"], "meeting.present")
    else:
        present = _int(_get(m, "present", "meeting"), "meeting.present")
    return Meeting(rules, form, eligible, excluded, present)


def _candidates(c: dict[str, Any], path: str) -> tuple[Candidate, ...]:
    raw = _get(c, "candidates", path)
    cpath = _join(path, "candidates")
    if not isinstance(raw, list):
        raise _Bad(cpath, f"must be a list, got {_type_name(raw)}")
    out: list[Candidate] = []
    for i, item in enumerate(raw):
        ipath = _join(cpath, i)
        entry = _obj(item, ipath)
        name = _str(_get(entry, "name", ipath), _join(ipath, "name"))
        if any(x.name == name for x in out):
            raise _Bad(_join(ipath, "name"), f"candidate '{name}' is listed twice")
        gender = entry.get("gender")
        if gender is not None and gender not in ("M", "F"):
            raise _Bad(_join(ipath, "gender"), f"must be M or F, got {json.dumps(gender, ensure_ascii=False)}")
        raw_eligible = entry.get("eligible")
        eligible = True if raw_eligible is None else _bool(raw_eligible, _join(ipath, "eligible"))
        out.append(Candidate(name, gender, eligible))
    return tuple(out)


def _group(g: dict[str, Any], path: str, names: tuple[str, ...]) -> tuple[Ballot, int]:
    for key in g:
        if key not in GROUP_KEYS:
            raise _Bad(_join(path, key), f"unknown key; expected {', '.join(sorted(GROUP_KEYS))}")
    count = _int(_get(g, "count", path), _join(path, "count"))
    marks = dict.fromkeys(names, ABSTAIN)
    for key, mark in (("approve", APPROVE), ("disapprove", DISAPPROVE)):
        for i, name in enumerate(_names(g.get(key, []), _join(path, key))):
            if name not in marks:
                raise _Bad(_join(_join(path, key), i),
                           f"'{name}' is not a candidate of this contest (write-ins go in write_in)")
            if marks[name] != ABSTAIN:
                raise _Bad(_join(_join(path, key), i), f"'{name}' is both approved and disapproved")
            marks[name] = mark
    write_ins = tuple(_names(g.get("write_in", []), _join(path, "write_in")))
    invalid = _bool(g.get("invalid", False), _join(path, "invalid"))
    reason = g.get("reason", "")
    if not isinstance(reason, str):
        raise _Bad(_join(path, "reason"), f"must be a string, got {_type_name(reason)}")
    return Ballot("".join(marks.values()), write_ins, invalid, reason.strip()), count


def _contest(c: dict[str, Any], path: str, ids: set[str]) -> ScenarioContest:
    cid = _str(_get(c, "id", path), _join(path, "id"))
    if cid in ids:
        raise _Bad(_join(path, "id"), f"contest id '{cid}' is used twice")
    ids.add(cid)
    title = c.get("title", cid)
    if not isinstance(title, str):
        raise _Bad(_join(path, "title"), f"must be a string, got {_type_name(title)}")
    kind = ContestKind(_enum(_get(c, "kind", path), _join(path, "kind"),
                             tuple(k.value for k in ContestKind), "contest kind"))
    # Required: the round decides the margin and the threshold (a runoff's 1/3 rule), so a
    # missing one is bad input, never silently taken as "first".
    round_ = Round(_enum(_get(c, "round", path), _join(path, "round"),
                         tuple(r.value for r in Round), "round"))
    seats = _int(_get(c, "seats", path), _join(path, "seats"), minimum=1)
    candidates = _candidates(c, path)
    bpath = _join(path, "ballots")
    b = _obj(_get(c, "ballots", path), bpath)
    issued = _int(_get(b, "issued", bpath), _join(bpath, "issued"))
    gpath = _join(path, "ballot_groups")
    raw_groups = _get(c, "ballot_groups", path)
    if not isinstance(raw_groups, list):
        raise _Bad(gpath, f"must be a list, got {_type_name(raw_groups)}")
    names = tuple(x.name for x in candidates)
    groups = tuple(_group(_obj(g, _join(gpath, i)), _join(gpath, i), names)
                   for i, g in enumerate(raw_groups))
    total = sum(n for _, n in groups)
    returned = total
    if b.get("returned") is not None:
        returned = _int(b["returned"], _join(bpath, "returned"))
        if returned != total:
            raise _Bad(_join(bpath, "returned"),
                       f"{returned} does not match the ballot groups, which sum to {total}")
    contest = Contest(cid, title, kind, round_, seats, candidates, issued)
    return ScenarioContest(contest, groups, returned)


def _scenario(data: object) -> Scenario:
    d = _obj(data, "")
    name = _str(_get(d, "name", ""), "name")
    rules = RuleSet(_enum(_get(d, "rules", ""), "rules", tuple(r.value for r in RuleSet),
                          "rule set"))
    options = _options(d)
    meeting = _meeting(d, rules)
    raw = _get(d, "contests", "")
    if not isinstance(raw, list) or not raw:
        raise _Bad("contests", "must be a non-empty list of contests")
    ids: set[str] = set()
    contests = tuple(_contest(_obj(c, _join("contests", i)), _join("contests", i), ids)
                     for i, c in enumerate(raw))
    return Scenario(name, meeting, options, contests)


def scenario_label(data: object, fallback: str) -> str:
    if isinstance(data, dict) and isinstance(data.get("name"), str) and data["name"].strip():
        return str(data["name"]).strip()
    return fallback


def parse_scenario(data: object, fallback_name: str = "scenario") -> Scenario | InputProblem:
    """Check a decoded scenario; `fallback_name` names it in problems when it has no name."""
    try:
        return _scenario(data)
    except _Bad as bad:
        return InputProblem(scenario_label(data, fallback_name), bad.path, bad.problem)


def read_scenario(path: Path) -> Scenario | InputProblem:
    """Read and check a scenario file; unreadable files and non-JSON are problems too."""
    label = path.stem or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return InputProblem(label, "(file)", f"cannot read {path}: {exc}")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        # ValueError: JSONDecodeError, and integers beyond Python's digit limit for str → int;
        # RecursionError: absurdly deep nesting. Both are bad input (exit 2), not a crash.
        return InputProblem(label, "(file)", f"not JSON: {exc}")
    return parse_scenario(data, label)
