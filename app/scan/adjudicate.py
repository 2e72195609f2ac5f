"""Adjudication of flagged ballots, counting the scanned ballots into the round, reconciliation.

A flagged ballot (a doubtful mark, a mark over a box edge, both boxes, an overvote, a write-in, a
blank ballot) counts only after a human decision, recorded beside the machine's reading. Deciding
a doubtful ballot or declaring one invalid names two people (总监票人 and 监票人, or two 监票人);
confirming a blank ballot or typing a write-in name needs one.

Counting: once no flag of the round is pending, the scanned ballots become the round's entry A
(the scanner is one of the two clerks, clerk name SCANNER), in scan order, so the existing
double-entry comparison, validation and lock work on them as on keyboard entry. Pages refused by
the reader are entered by keyboard into entry A (`pollday ballot enter --clerk A`); the
reconciliation is 收回 = ballots read + ballots entered by keyboard."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from app.clock import Clock, iso
from app.meetings import Refusal
from app.rules import APPROVE, Ballot
from app.scan.read import TWO_PEOPLE
from app.scan.setup import KnownLayout, known_layouts
from db import scan as q
from db import voting as vq
from db.audit import append
from db.tx import transaction

SCANNER = "扫描计票"


@dataclass(frozen=True, slots=True)
class ScannedPage:
    id: int
    batch: int
    position: int
    file: str
    page: int
    status: str
    reason: str
    layout_code: int | None
    marks: str
    written: tuple[int, ...]
    flags: tuple[tuple[str, str], ...]
    scores_json: str             # parsed only when asked for (as_json): thousands of pages
    decision: Ballot | None
    decided_by: tuple[str, ...]
    decision_parts: tuple[Ballot, ...] = ()   # a page of several contests: each contest's
    replaced: str = ""   # returned by decide: the earlier decision it changed, in words
    # A page of several contests: the block each flag is about (None: a page read before the
    # flags named their block, or a single-contest page).
    flag_blocks: tuple[int | None, ...] = ()

    @property
    def pending(self) -> bool:
        return self.status == "flagged" and self.decision is None

    def pending_for(self, block: int | None) -> bool:
        """Waiting for a human as far as the contest of `block` is concerned: a flag about that
        block, or a flag that names no block (cautious: it may be about any). A voter who left
        one contest of a shared page blank cast a blank ballot of that contest only (rules.md
        §1.4; app/scan/read.py BLANK_FLAG): the other contests count from the reading."""
        return self.pending and self.flagged_for(block)

    def flagged_for(self, block: int | None) -> bool:
        """The reader sent the page to a human for the contest of `block` (decided since or
        not); a page flagged only about another contest was machine-read for this one."""
        if self.status != "flagged":
            return False
        if block is None or not self.flag_blocks:
            return True
        return any(b is None or b == block for b in self.flag_blocks)

    @property
    def needs_two(self) -> bool:
        return any(code in TWO_PEOPLE for code, _ in self.flags)

    def machine(self) -> Ballot | None:
        return Ballot(self.marks) if self.status == "read" else None

    def as_json(self) -> dict[str, Any]:
        d = self.decision
        return {"page_id": self.id, "batch": self.batch, "position": self.position,
                "file": self.file, "page": self.page, "status": self.status,
                "reason": self.reason, "layout": self.layout_code, "machine": self.marks,
                "write_in_rows": list(self.written),
                "flags": [{"code": c, "text": t} for c, t in self.flags],
                "two_people": self.needs_two, "scores": json.loads(self.scores_json),
                "decision": None if d is None else {
                    "marks": d.marks, "write_ins": list(d.write_ins),
                    "invalid": d.declared_invalid, "reason": d.reason,
                    "by": list(self.decided_by),
                    **({"contests": [{"marks": b.marks, "write_ins": list(b.write_ins),
                                      "invalid": b.declared_invalid, "reason": b.reason}
                                     for b in self.decision_parts]}
                       if self.decision_parts else {})}}

    def ballots(self) -> tuple[Ballot, ...]:
        """The ballot of each contest on the page (one on a single-contest page): the human
        decision where there is one, else the machine's reading."""
        from app.scan.multi import PART_SEP

        if self.decision_parts:
            return self.decision_parts
        if self.decision is not None:
            return (self.decision,)
        return tuple(Ballot(run) for run in self.marks.split(PART_SEP))


def _pages(conn: sqlite3.Connection, rows: Sequence[Sequence[Any]]) -> list[ScannedPage]:
    names = q.file_names(conn)
    decided = q.decisions(conn, [int(r[0]) for r in rows])
    out = []
    for r in rows:
        (pid, batch, pos, file_id, page, status, reason, code, _dpi, _res, _up, marks, written,
         scores, flags) = r
        d = decided.get(int(pid))
        ballot = None
        by: tuple[str, ...] = ()
        parts: tuple[Ballot, ...] = ()
        if d is not None:
            from app.scan.multi import stored_parts

            parts = stored_parts(str(d[2]), str(d[3])) or ()
            ballot = Ballot(str(d[2]), () if parts else tuple(json.loads(str(d[3]))),
                            bool(d[4]), str(d[5]))
            by = tuple(x for x in (str(d[6]), str(d[7])) if x)
        doc = json.loads(str(flags))
        out.append(ScannedPage(int(pid), int(batch), int(pos), names[int(file_id)], int(page),
                               str(status), str(reason), None if code is None else int(code),
                               str(marks), tuple(json.loads(str(written))),
                               tuple((f["code"], f["text"]) for f in doc),
                               str(scores), ballot, by, parts,
                               flag_blocks=tuple(f.get("block") for f in doc)))
    return out


def all_pages(conn: sqlite3.Connection, batch_id: int | None = None) -> list[ScannedPage]:
    return _pages(conn, q.pages(conn, batch_id=batch_id))


def pending(conn: sqlite3.Connection) -> list[ScannedPage]:
    """Flagged ballots waiting for a human; test-deck pages are judged, never decided."""
    from db.scan_check import test_layout_codes

    tests = test_layout_codes(conn)
    return [p for p in all_pages(conn) if p.pending and p.layout_code not in tests]


def decide(conn: sqlite3.Connection, page_id: int, marks: str, *, write_ins: Sequence[str] = (),
           invalid: bool = False, reason: str = "", first: str, second: str = "",
           note: str = "", no_write_in: bool = False, clock: Clock, check_only: bool = False
           ) -> ScannedPage | Refusal:
    """Record the human reading of a flagged ballot. `marks`: one of o x - per candidate, or
    the keys of ballot entry (1 赞成, 2 不赞成, 0 弃权); an invalid ballot needs only its
    reason (no marks given: none recorded). A ballot with writing in its 另选他人
    rows needs the name written there, or `no_write_in` (the people deciding count none: not a
    name, cannot be read). Deciding again changes the decision: the returned page's `replaced`
    says what it was, and the audit keeps both. `check_only`: every check that needs no second
    person (the reading, the first person's right to decide), nothing recorded: the desk asks
    for the second person's PIN only after this passes."""
    from app.voting.entry import KeyProblem, parse_keys

    row = q.page(conn, page_id)
    if row is None:
        return Refusal("NO_SUCH_PAGE", f"没有编号为{page_id}的扫描选票")
    page = _pages(conn, [row])[0]
    if page.status != "flagged":
        return Refusal("NOT_FLAGGED", f"第{page.batch}批第{page.position}张"
                       + ("被拒读，须键盘录入" if page.status == "refused" else "不需要人工认定"))
    assert page.layout_code is not None
    known = known_layouts(conn)[page.layout_code]
    counted = _counted_blocks(conn, page_id, known.layout)
    if counted is None:
        return Refusal("ALREADY_COUNTED", f"第{page.batch}批第{page.position}张已计入录入组A："
                       "如需更正，请在逐张录入中更正该序号（写明原因）")
    if known.test_deck:
        return Refusal("TEST_DECK", f"第{page.batch}批第{page.position}张是扫描测试选票（不计票），"
                       "不须认定：其结果见 pollday scan testdeck")
    layout = known.layout
    first, second = first.strip(), second.strip()
    if not _a_name(first):
        return Refusal("WHO_MISSING", "须填写认定人姓名（先在顶部填写值班人，或由工作人员登录）："
                       f"“{first}”不是姓名" if first else "须填写认定人姓名（先在顶部填写值班人，"
                       "或由工作人员登录）")
    if second and not _a_name(second):
        return Refusal("WHO_MISSING", f"第二认定人“{second}”不是姓名")
    if (page.needs_two or invalid) and (second or not check_only) and (
            not second or second == first):
        what = "认定无效票" if invalid else "认定存疑选票"
        return Refusal("TWO_PEOPLE", f"{what}须由不同的两人共同认定（总监票人和监票人，或两名监票人）："
                       + (f"认定人和第二认定人都是“{first}”，须为两个不同的人" if second
                          else "请填写第二位认定人"))
    if invalid and not reason.strip():
        return Refusal("REASON_MISSING", "认定无效票须写明原因")
    replaced = "" if page.decision is None else _in_words(page.decision, page.decided_by)
    names_json = ""
    if invalid and not marks.strip():   # an invalid ballot: its reason, no marks
        from app.scan.multi import PART_SEP

        marks = PART_SEP.join("-" * len(b.candidates) for b in layout.blocks()) \
            if layout.multi else "-" * len(layout.candidates)
    if layout.multi:   # a page of several contests: one run of marks per contest
        from app.scan.multi import decision_for_page

        made = decision_for_page(layout, marks, write_ins, invalid, reason)
        if isinstance(made, Refusal):
            return made
        marks, names_json, invalid, reason = made
        changed = _counted_changed(page, layout, counted, marks, names_json)
        if changed:
            return changed
    elif not set(marks) <= {"o", "x", "-"}:
        parsed = parse_keys(marks, len(layout.candidates))
        if isinstance(parsed, KeyProblem):
            return Refusal("KEYS_INVALID", parsed.message)
        marks = parsed
    if not layout.multi and len(marks) != len(layout.candidates):
        return Refusal("MARKS_INVALID", f"须为{len(layout.candidates)}位（每名候选人一位）")
    from app.scan.read import WRITE_IN_FLAG

    names = [w.strip() for w in write_ins if w.strip()]
    if names and no_write_in:
        return Refusal("WRITE_IN_CONFLICT", "填写了另选他人的姓名，又选择了“另选他人不计”：只能选一种")
    if (any(c == WRITE_IN_FLAG for c, _ in page.flags) and not invalid and not names
            and not no_write_in):
        return Refusal("WRITE_IN_MISSING", f"第{page.batch}批第{page.position}张的另选他人栏有书写或标记："
                       "请填写所写的姓名，或明确选择“另选他人不计”（不是姓名、无法辨认）")
    from app.permissions import check, check_two

    # Where a staff list exists: 监票人 decide; two of them (or the 总监票人 and one) where two
    # people must (app.permissions).
    denied = (check_two(conn, "adjudicate_ballot", first, second)
              if (page.needs_two or invalid or second) and not check_only
              else check(conn, "adjudicate_ballot", first))
    if denied is not None:
        return Refusal("NOT_ALLOWED", denied.message)
    unnamed = _not_named(conn, page, known, [first, second] if second else [first])
    if unnamed is not None:
        return unnamed
    if check_only:
        return page
    at = iso(clock.now())
    with transaction(conn):
        q.insert_decision(conn, page_id, marks,
                          names_json or json.dumps(names, ensure_ascii=False),
                          int(invalid), reason.strip(), first, second, note.strip(), at)
        append(conn, at=at, actor=first, action="scan_decision",
               detail={"page": page_id, "batch": page.batch, "position": page.position,
                       "machine": page.marks, "flags": [c for c, _ in page.flags],
                       "decided": marks, "write_ins": names, "invalid": invalid,
                       "reason": reason.strip(), "second": second,
                       **({"write_in_not_counted": True} if no_write_in else {}),
                       **({"replaced": replaced} if replaced else {})})
    return replace(_pages(conn, [q.page(conn, page_id) or row])[0], replaced=replaced)


def deciders(conn: sqlite3.Connection, page_id: int, *, but: str = "") -> list[str]:
    """Where a staff list exists, the members who may decide this flagged page (the 监票人 the
    round names and the 总监票人; a round naming none: every 监票人), `but` left out: the names
    the desk offers for the second person. Empty in open mode or for no such page."""
    from app.permissions import enforced, who_may

    row = q.page(conn, page_id)
    if row is None or not enforced(conn):
        return []
    page = _pages(conn, [row])[0]
    known = known_layouts(conn).get(page.layout_code or 0)
    if known is None:
        return []
    return [n for n in who_may(conn, "adjudicate_ballot", but=but)
            if _not_named(conn, page, known, [n]) is None]


def _not_named(conn: sqlite3.Connection, page: ScannedPage, known: KnownLayout,
               people: Sequence[str]) -> Refusal | None:
    """Where a staff list exists and the ballot's round names its 监票人 from it, the people
    deciding are among them (the 总监票人 too: doubtful ballots are decided by the 总监票人 and
    监票人 together), as for resolving entry differences (app.voting.guard.not_named); a round
    naming none: any 监票人 (app.permissions). A page of several contests: the rounds of the
    contests its flags are about."""
    from app.permissions import enforced
    from app.voting.guard import named_officials
    from db import staff as qs

    if not enforced(conn):
        return None
    blocks = known.layout.blocks()
    if known.layout.multi:
        about = sorted({b for b in page.flag_blocks if b is not None})
        if not about or None in page.flag_blocks:
            about = list(range(len(blocks)))
        rounds = [(blocks[k].contest_id, blocks[k].round_no, blocks[k].heading) for k in about]
    else:
        rounds = [(known.contest_id, known.round_no, known.layout.heading)]
    chiefs = [row.name for row in qs.active(conn) if row.chief]
    for contest_id, number, heading in rounds:
        rid = next((int(row[0]) for row in vq.select_rounds_of_contest(conn, contest_id)
                    if int(row[3]) == number), None)
        named = [] if rid is None else named_officials(conn, rid, "scrutineers")
        if not named:
            continue
        bad = [str(p) for p in people if str(p) not in named and str(p) not in chiefs]
        if bad:
            who = "、".join(named) + (f"，以及总监票人{'、'.join(chiefs)}" if chiefs else "")
            how = ("须由其中两人共同认定（总监票人和一名监票人，或两名监票人）" if len(people) > 1
                   else "须由其中一人认定")
            title = heading.split("（")[0].removesuffix("选举选票").removesuffix("选票")
            return Refusal("NOT_NAMED", f"{title}第{number}轮指定的监票人是{who}：这张扫描选票{how}；"
                           f"{'、'.join(bad)} 不是本轮指定的监票人（如需换人，请主持人在"
                           "“监票人/计票人”中修改）")
    return None


def _counted_blocks(conn: sqlite3.Connection, page_id: int, layout: Any) -> list[int] | None:
    """The blocks of the page already counted into their contest's round (a page of several
    contests: one contest may count while another's flag waits), None when nothing of the page
    may be decided any more (a single-contest page counted, or every block of a page)."""
    from app.scan.multi import block_of
    from app.voting import load_round

    rounds = q.counted_rounds(conn, page_id)
    if not rounds:
        return []
    if not layout.multi:
        return None
    blocks = []
    for rid in rounds:
        r = load_round(conn, rid)
        k = None if r is None else block_of(layout, r.contest_id, r.number)
        if k is not None:
            blocks.append(k)
    return None if len(set(blocks)) >= len(layout.blocks()) else blocks


def _counted_changed(page: ScannedPage, layout: Any, counted: list[int], marks: str,
                     names_json: str) -> Refusal | None:
    """A decision on a page of several contests must leave a block already counted as it was
    counted (its machine reading): entry A holds it; a correction is made there."""
    from app.scan.multi import stored_parts

    parts = stored_parts(marks, names_json) or ()
    was = page.ballots()
    for k in counted:
        if k < len(parts) and parts[k] != was[k]:
            head = layout.blocks()[k].heading
            return Refusal("ALREADY_COUNTED", f"第{page.batch}批第{page.position}张的第{k + 1}项"
                           f"（{head}）已按机读结果（{was[k].marks}）计入该项录入组A，认定须与之相同；"
                           "如需更正，请在该项的逐张录入中更正该序号（写明原因）")
    return None


def _in_words(d: Ballot, by: Sequence[str]) -> str:
    """An earlier decision, for "已更改此前的认定（原为…）"."""
    what = f"无效：{d.reason}" if d.declared_invalid else d.marks
    if d.write_ins:
        what += "，另选他人：" + "、".join(d.write_ins)
    return what + ("，" + "、".join(by) + "认定" if by else "")


def _a_name(text: str) -> bool:
    """A person's name: not empty and not the words shown while nobody wrote one."""
    from app.session import UNNAMED

    return bool(text) and text != UNNAMED and "未填写" not in text


@dataclass(frozen=True, slots=True)
class RoundScan:
    """The scan of one round, for status and counting."""

    codes: tuple[int, ...]
    pages: tuple[ScannedPage, ...]
    counted: frozenset[int]
    blocks: dict[int, int | None] = field(default_factory=dict)   # code -> the round's block

    @property
    def pending(self) -> tuple[ScannedPage, ...]:
        """The round's ballots waiting for a human: on a page of several contests, those with
        a flag about the round's contest (ScannedPage.pending_for)."""
        return tuple(p for p in self.pages
                     if p.pending_for(self.blocks.get(p.layout_code or 0)))


def _round_layouts(conn: sqlite3.Connection, contest_id: int, number: int
                   ) -> dict[int, KnownLayout]:
    from app.scan.multi import block_of

    return {c: k for c, k in known_layouts(conn).items() if not k.test_deck and (
        block_of(k.layout, contest_id, number) is not None if k.layout.multi
        else k.contest_id == contest_id and k.round_no == number)}


def round_scan(conn: sqlite3.Connection, round_id: int) -> RoundScan | Refusal:
    from app.voting import load_round

    r = load_round(conn, round_id)
    if r is None:
        return Refusal("NO_SUCH_ROUND", f"轮次 {round_id} 不存在")
    from app.scan.multi import block_of

    known = _round_layouts(conn, r.contest_id, r.number)
    codes = tuple(sorted(known))
    rows = q.pages(conn, layout_codes=codes) if codes else []
    blocks = {c: block_of(k.layout, r.contest_id, r.number) if k.layout.multi else None
              for c, k in known.items()}
    return RoundScan(codes, tuple(_pages(conn, rows)), frozenset(q.counted_pages(conn, r.id)),
                     blocks)


def count_round(conn: sqlite3.Connection, round_id: int, *, operator: str,
                clock: Clock) -> int | Refusal:
    """Enter the round's scanned ballots not yet counted into entry A; refused while a flag of
    the round is pending. Returns how many were entered."""
    from app.voting import load_round
    from app.voting.entry import enter_ballots
    from app.voting.guard import refused

    r = load_round(conn, round_id)
    if r is None:
        return Refusal("NO_SUCH_ROUND", f"轮次 {round_id} 不存在")
    denied = refused(conn, "enter_ballots", operator)   # a 计票人 counts the scans into A
    if denied is not None:
        return denied
    scan = round_scan(conn, round_id)
    if isinstance(scan, Refusal):
        return scan
    if scan.pending:
        shown = "、".join(f"第{p.batch}批第{p.position}张" for p in scan.pending[:10])
        more = f"等{len(scan.pending)}张" if len(scan.pending) > 10 else ""
        return Refusal("FLAGS_PENDING", f"{r.label}：还有须人工认定的选票（{shown}{more}），"
                       "全部认定之前不计票")
    layouts = known_layouts(conn)
    # layout code -> the round's contest block on its page (found by round_scan)
    block = {code: scan.blocks.get(code) or 0 for code in scan.codes}
    for code in scan.codes:
        if layouts[code].layout.blocks()[block[code]].candidates != r.names:
            return Refusal("LAYOUT_MISMATCH", f"版式{code}的候选人与{r.label}的候选人不同，"
                           "这些选票须键盘录入")
    todo = [p for p in scan.pages if p.status != "refused" and p.id not in scan.counted]
    ballots = []
    for p in todo:
        assert p.layout_code is not None
        ballots.append(p.ballots()[block[p.layout_code]])
    if not ballots:
        return 0
    at = iso(clock.now())
    with transaction(conn):
        start = vq.max_seq(conn, round_id, "A")
        entered = enter_ballots(conn, round_id, "A", ballots, clerk=SCANNER, clock=clock,
                                operator=operator)
        if isinstance(entered, Refusal):
            return entered
        q.insert_counted(conn, [(p.id, round_id, "A", start + i, at)
                                for i, p in enumerate(todo, 1)])
        append(conn, at=at, actor=operator, action="scan_count", meeting_id=r.meeting_id,
               detail={"round_id": round_id, "ballots": len(ballots), "first_seq": start + 1,
                       "approvals": sum(b.marks.count(APPROVE) for b in ballots)})
    return len(ballots)


def reconciliation(conn: sqlite3.Connection, round_id: int) -> dict[str, Any] | Refusal:
    """收回 = ballots read by the scanner + ballots entered by keyboard (entry A)."""
    from app.voting import load_round

    r = load_round(conn, round_id)
    if r is None:
        return Refusal("NO_SUCH_ROUND", f"轮次 {round_id} 不存在")
    scan = round_scan(conn, round_id)
    if isinstance(scan, Refusal):
        return scan
    standing = vq.select_standing_entries(conn, round_id, "A")
    scanned = sum(1 for row in standing if row[5] and str(row[12]) == SCANNER)
    keyboard = sum(1 for row in standing if row[5] and str(row[12]) != SCANNER)
    not_counted = sum(1 for p in scan.pages if p.status != "refused" and p.id not in scan.counted)
    return {"round": r.label, "returned": r.returned, "scanned_pages": len(scan.pages),
            "pending": len(scan.pending), "not_counted": not_counted,
            "counted_from_scan": scanned, "entered_by_keyboard": keyboard,
            "balanced": bool(r.boxes) and not not_counted
            and r.returned == scanned + keyboard}


def batch_summary(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    from db.scan_check import test_layout_codes

    tests = test_layout_codes(conn)   # test-deck pages are judged, never waiting
    out = []
    for bid, hand, source, operator, at in q.batches(conn):
        pages = all_pages(conn, int(bid))
        out.append({"batch": int(bid), "hand_count": int(hand), "pages": len(pages),
                    "read": sum(1 for p in pages if p.status == "read"),
                    "flagged": sum(1 for p in pages if p.status == "flagged"),
                    "pending": sum(1 for p in pages if p.pending
                                   and p.layout_code not in tests),
                    "test_deck": sum(1 for p in pages if p.layout_code in tests),
                    "refused": [{"file": p.file, "page": p.page, "position": p.position,
                                 "reason": p.reason} for p in pages if p.status == "refused"],
                    "source": str(source), "operator": str(operator), "at": str(at)})
    return out


def refused_words(conn: sqlite3.Connection, shown: int = 6) -> str:
    """The pages the reader refused, in words, for the whole scan: a refused page tells no
    layout, so no contest; it is said once, never under each contest's figures. "" for none."""
    pages = [p for p in all_pages(conn) if p.status == "refused"]
    if not pages:
        return ""
    listed = "；".join(f"第{p.batch}批第{p.position}张（{p.file} 第{p.page}页）：{p.reason}"
                      for p in pages[:shown])
    # The app cannot tell a refused page from its later rescan (a new batch, no link between
    # them): the words never order keying a ballot that may already be counted.
    return (f"拒读 {len(pages)} 张（读不出是哪一项选举）：{listed}"
            + (f"；等共{len(pages)}张" if len(pages) > shown else "")
            + "。如已把该张重新扫描并导入（见后面的批次），无需录入；否则按原票键盘录入其所属的每一项")
