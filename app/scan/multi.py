"""A scannable page of several contests of one round (issue 17 item 1): its layout recorded
before printing, and each contest's ballot on a scanned page of it.

The page's layout row (scan_layout) names its first contest and round; its geometry lists every
block with its contest and round (app/scan/layout.py build_page_layout). A page read from the
scanner is adjudicated as one ballot paper (every flag of every block settled together, each
flag naming its contest) and counted into each contest's round (scan_counted, one row per page
and round)."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Sequence
from typing import Any

from app.meetings import Refusal
from app.rules import Ballot
from app.scan.layout import Layout, PartSpec, build_page_layout, layout_from_json

PART_SEP = "|"
_NUMBERED = re.compile(r"^\s*(\d+)\s*[:：]\s*(.*)$", re.S)


def layout_for_page(conn: sqlite3.Connection, heading: str, specs: Sequence[PartSpec], *,
                    qr: bool, actor: str, at: str) -> Layout | Refusal:
    """The layout of this page of several contests: the one already printed, else a new code.
    Refused, with the reason, when the contests do not fit one A4 page."""
    from app.scan.setup import layout_code

    probe = build_page_layout(1, heading, tuple(specs))
    if isinstance(probe, str):
        return Refusal("NOT_SCANNABLE", f"{heading}：{probe}")
    geometry = probe.geometry_json()
    first = specs[0]
    got = layout_code(conn, first.contest_id, first.round_no, first.format, geometry, qr=qr,
                      actor=actor, at=at)
    if isinstance(got, Refusal):
        return got
    return layout_from_json(got[0], geometry)


def block_of(layout: Layout, contest_id: int, round_no: int) -> int | None:
    """The index of the contest's block on the page, None when the page does not hold it."""
    for k, part in enumerate(layout.blocks()):
        if part.contest_id == contest_id and part.round_no == round_no:
            return k
    return None


def decision_for_page(layout: Layout, marks: str, write_ins: Sequence[str], invalid: bool,
                      reason: str) -> tuple[str, str, bool, str] | Refusal:
    """A human decision on a page of several contests, as stored: (marks of every block joined
    by |, JSON of each block's write-ins, invalid and reason, any block invalid, the reasons
    in words). `marks`: one run per block, separated by |, each in ballot-entry keys or o x -;
    a write-in name or an invalid reason may start with the block's number ("2:姓名")."""
    from app.voting.entry import KeyProblem, parse_keys

    parts = layout.blocks()
    runs = marks.split(PART_SEP)
    if len(runs) != len(parts):
        return Refusal("MARKS_INVALID", f"本页有{len(parts)}项选举（" + "、".join(
            p.heading for p in parts) + f"）：须给出{len(parts)}段，用 | 分开，例如 "
            + PART_SEP.join("1" * len(p.candidates) for p in parts))
    out_marks = []
    for part, run in zip(parts, runs, strict=True):
        run = run.strip()
        if not set(run) <= {"o", "x", "-"} or not run:
            parsed = parse_keys(run or "0", len(part.candidates))
            if isinstance(parsed, KeyProblem):
                return Refusal("KEYS_INVALID", f"{part.heading}：{parsed.message}")
            run = parsed
        if len(run) != len(part.candidates):
            return Refusal("MARKS_INVALID", f"{part.heading}：须为{len(part.candidates)}位"
                           "（每名候选人一位）")
        out_marks.append(run)
    names: list[list[str]] = [[] for _ in parts]
    with_rows = [k for k, p in enumerate(parts) if p.write_ins]
    for w in write_ins:
        if not w.strip():
            continue
        m = _NUMBERED.match(w)
        if m:
            k = int(m.group(1)) - 1
            if not 0 <= k < len(parts) or not parts[k].write_ins:
                return Refusal("WRITE_IN_BLOCK", f"另选他人“{w}”：本页第{k + 1}项没有另选他人栏")
            names[k].append(m.group(2).strip())
        elif len(with_rows) == 1:
            names[with_rows[0]].append(w.strip())
        else:
            return Refusal("WRITE_IN_BLOCK", f"另选他人“{w.strip()}”：本页有几项选举，请在姓名前写"
                           "项号，如 2:姓名")
    bad = [False] * len(parts)
    why = [""] * len(parts)
    if invalid:
        m = _NUMBERED.match(reason)
        if m and 1 <= int(m.group(1)) <= len(parts):
            k = int(m.group(1)) - 1
            bad[k], why[k] = True, m.group(2).strip()
        else:
            bad, why = [True] * len(parts), [reason.strip()] * len(parts)
        if not all(why[k] for k in range(len(parts)) if bad[k]):
            return Refusal("REASON_MISSING", "认定无效票须写明原因")
    doc = [{"write_ins": names[k], "invalid": bad[k], "reason": why[k]}
           for k in range(len(parts))]
    words = "；".join(f"【{parts[k].heading}】{why[k]}" for k in range(len(parts)) if bad[k])
    return (PART_SEP.join(out_marks), json.dumps(doc, ensure_ascii=False), any(bad), words)


def stored_parts(marks: str, write_ins_json: str) -> tuple[Ballot, ...] | None:
    """The per-contest ballots of a stored decision on a page of several contests, None for
    a decision on a single-contest page."""
    if PART_SEP not in marks:
        return None
    doc: Any = json.loads(write_ins_json)
    if not isinstance(doc, list) or not all(isinstance(d, dict) for d in doc):
        return None
    return tuple(Ballot(run, tuple(str(n) for n in d["write_ins"]), bool(d["invalid"]),
                        str(d["reason"]))
                 for run, d in zip(marks.split(PART_SEP), doc, strict=True))


def keys_of_reading(marks: str) -> str:
    """The ballot-entry keys that type a machine reading, one run per contest on a page of
    several contests ("ox|o-" -> "12|1"): what the adjudication line starts from."""
    from app.voting.entry import keys_for

    return PART_SEP.join(keys_for(run) or "0" for run in marks.split(PART_SEP))
