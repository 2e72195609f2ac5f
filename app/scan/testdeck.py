"""The test deck (扫描测试选票): before counting, the venue prints ~20 pages of the round's scannable
ballot, each with its own TEST layout code in the corner markers (a test layout is never counted:
app/scan/adjudicate.py leaves test layouts out of every round), and on each page a printed
pattern telling the person what to mark by hand in which box: a tick in 赞成, a circle, a cross in
不赞成, nothing, a faint pencil tick, a tick outside the box, both boxes, a write-in name, more
approvals than seats. The marked deck goes through the venue's own scanner and `pollday scan
import` like a batch of ballots; every page is then judged against its pattern: it must read
exactly as meant, or be sent to a human where the pattern says a human must look (a faint mark
may be either). Refused pages and misreads fail. The result, page by page, is stored
(scan_testdeck_result), audited, shown on the 扫描核对 tab and printed by `pollday scan testdeck`.

Both formats: A (separate 赞成 / 不赞成 boxes: tick, circle, cross, nothing, faint pencil, outside
the box, both boxes, a write-in, an overvote) and B (one box for ○ / ×: ○, ×, nothing, √ — which
the reader must send to a human —, a faint pencil ○, a ○ outside the box, a write-in, an
overvote)."""

from __future__ import annotations

import datetime as dt
import json
import math
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.clock import Clock, iso
from app.meetings import Refusal
from app.rules import ABSTAIN, APPROVE, DISAPPROVE
from app.scan.layout import MAX_CODE, Layout, Part, layout_from_json
from app.scan.multi import PART_SEP
from db import scan as sq
from db import scan_check as q
from db.audit import append
from db.tx import transaction

PAGES = 20
# action -> (what the person is told, what the box means, how the reader must take it:
# "read" exactly, "flag" (a human must look) or "either" (read as meant or sent to a human))
ACTIONS: dict[str, tuple[str, str, str]] = {
    "tick_a": ("在“赞成”格内画 √", APPROVE, "read"),
    "circle_a": ("在“赞成”格内画 ○", APPROVE, "read"),
    "cross_d": ("在“不赞成”格内画 ×", DISAPPROVE, "read"),
    "circle_d": ("在“不赞成”格内画 ○", DISAPPROVE, "read"),
    "blank": ("两格都不画", ABSTAIN, "read"),
    "faint_a": ("在“赞成”格内用铅笔很轻地画 √", APPROVE, "either"),
    "outside_a": ("在“赞成”格外紧挨右边线画 √（不要画进格内）", "?", "flag"),
    "both": ("“赞成”“不赞成”两格都画 √", "?", "flag"),
    "write_in": ("在“另选他人”栏写一个姓名，并在其右边方格内画 √", "", "flag"),
    "wi_blank": ("另选他人栏不写", "", "read"),
    # Format B: one box per candidate, ○ 赞成, × 不赞成, nothing 弃权.
    "o_b": ("在方格内画 ○", APPROVE, "read"),
    "x_b": ("在方格内画 ×", DISAPPROVE, "read"),
    "blank_b": ("方格内不画", ABSTAIN, "read"),
    "tick_b": ("在方格内画 √（√ 须由监票人认定）", "?", "flag"),
    "faint_b": ("在方格内用铅笔很轻地画 ○", APPROVE, "either"),
    "outside_b": ("在方格外紧挨右边线画小 ○（不要画进格内）", "?", "flag"),
    "write_in_b": ("在“另选他人”栏写一个姓名，并在其右边方格内画 ○", "", "flag"),
}
# Printed small under each candidate's name on the deck page (never near a box).
SHORT = {"tick_a": "赞成格画√", "circle_a": "赞成格画○", "cross_d": "不赞成格画×",
         "circle_d": "不赞成格画○", "blank": "两格都不画", "faint_a": "赞成格铅笔轻画√",
         "outside_a": "赞成格外紧挨右边画√", "both": "两格都画√",
         "o_b": "格内画○", "x_b": "格内画×", "blank_b": "不画", "tick_b": "格内画√",
         "faint_b": "铅笔轻画○", "outside_b": "格外右边画小○"}
CLEAN = ("tick_a", "cross_d", "circle_a", "blank", "circle_d")
CLEAN_B = ("o_b", "x_b", "blank_b", "x_b", "o_b")


@dataclass(frozen=True, slots=True)
class _Kinds:
    """The deck's actions of one format."""

    clean: tuple[str, ...]
    blank: str
    approve: str
    disapprove: str
    faint: str
    outside: str
    write_in: str


KINDS = {"A": _Kinds(CLEAN, "blank", "tick_a", "cross_d", "faint_a", "outside_a", "write_in"),
         "B": _Kinds(CLEAN_B, "blank_b", "o_b", "x_b", "faint_b", "outside_b", "write_in_b")}
FLAG_ZH = "须送人工认定"


@dataclass(frozen=True, slots=True)
class PagePlan:
    actions: tuple[str, ...]        # per candidate, then per write-in row (every block's)
    expect: str                     # the marks meant, o x - per candidate ("?" where a human);
    #                                 a page of several contests: one run per block, | between
    must_flag: bool                 # the page must go to a human (overvote, blank, ...)
    why: str                        # what the page tests, in words
    parts: tuple[PagePlan, ...] = ()   # a page of several contests: each block's own plan

    def to_json(self) -> str:
        return json.dumps(self._doc(), ensure_ascii=False)

    def _doc(self) -> dict[str, Any]:
        d: dict[str, Any] = {"actions": list(self.actions), "expect": self.expect,
                             "must_flag": self.must_flag, "why": self.why}
        if self.parts:
            d["parts"] = [p._doc() for p in self.parts]
        return d

    @staticmethod
    def from_json(text: str) -> PagePlan:
        return PagePlan._of(json.loads(text))

    @staticmethod
    def _of(d: dict[str, Any]) -> PagePlan:
        return PagePlan(tuple(d["actions"]), str(d["expect"]), bool(d["must_flag"]),
                        str(d.get("why", "")), tuple(PagePlan._of(p) for p in d.get("parts", ())))

    def instructions(self, layout: Layout | Part) -> list[str]:
        if self.parts and isinstance(layout, Layout):
            return [f"【{part.heading}】{line}" for part, plan in zip(layout.blocks(), self.parts,
                                                                     strict=True)
                    for line in plan.instructions(part)]
        out = []
        for i, name in enumerate(layout.candidates):
            out.append(f"{name}：{ACTIONS[self.actions[i]][0]}")
        for k in range(layout.write_ins):
            act = self.actions[len(layout.candidates) + k]
            if act != "wi_blank":
                out.append(f"另选他人第{k + 1}栏：{ACTIONS[act][0]}")
        return out

    def write_in_instructions(self, layout: Layout) -> list[str]:
        """The lines of the write-in rows only (a page of several contests prints the rest
        under each name)."""
        return [line for line in self.instructions(layout) if "另选他人" in line]

    def expected_words(self) -> str:
        return self.expect + (f"（{FLAG_ZH}）" if self.must_flag else "")


def plans(layout: Layout, pages: int = PAGES) -> list[PagePlan]:
    """The deck's patterns: clean pages of every mark, and pages a human must see. A page of
    several contests: each block gets the patterns of its own format, block k starting k x
    (pages / blocks) pages later, so each block's special pages (blank, overvote, write-in...)
    fall where the other blocks are marked plainly: a flag must name the block it belongs to."""
    if not layout.multi:
        return _plans(layout, pages)
    blocks = layout.blocks()
    per = [_plans(part, pages) for part in blocks]
    step = max(1, pages // len(blocks))
    out = []
    for i in range(pages):
        mine = [per[k][(i - k * step) % pages] for k in range(len(blocks))]
        out.append(PagePlan(tuple(a for p in mine for a in p.actions),
                            PART_SEP.join(p.expect for p in mine), any(p.must_flag for p in mine),
                            "；".join(f"【{b.heading}】{p.why}" for b, p in zip(blocks, mine,
                                                                              strict=True)),
                            tuple(mine)))
    return out


def _plans(layout: Layout | Part, pages: int) -> list[PagePlan]:
    n, seats, w = len(layout.candidates), layout.seats, layout.write_ins
    kk = KINDS[layout.format]

    def clean(k: int) -> list[str]:
        acts, approvals = [], 0
        for i in range(n):
            a = kk.clean[(i + k) % len(kk.clean)]
            if ACTIONS[a][1] == APPROVE:
                if approvals >= seats:
                    a = kk.disapprove if (i + k) % 2 else kk.blank
                else:
                    approvals += 1
            acts.append(a)
        if all(a == kk.blank for a in acts):
            acts[0] = kk.disapprove
        return acts

    out: list[PagePlan] = []

    def add(acts: list[str], must: bool, why: str, wi: str = "wi_blank") -> None:
        expect = "".join(ACTIONS[a][1] for a in acts)
        out.append(PagePlan(tuple(acts) + (wi,) * w if wi == "wi_blank" else
                            tuple(acts) + (wi,) + ("wi_blank",) * (w - 1), expect, must, why))

    b = layout.format == "B"
    add([kk.blank] * n, True, "空白票：全部不画，须送人工确认")
    add([kk.approve if i < seats else kk.blank for i in range(n)], False,
        "方格内画 ○" if b else "赞成格画 √")
    add([kk.disapprove] * n, False, "方格内画 ×" if b else "不赞成格画 ×")
    faint = clean(3)
    faint[0] = kk.faint
    if sum(1 for a in faint if ACTIONS[a][1] == APPROVE) > seats:
        faint = [kk.faint] + [kk.disapprove] * (n - 1)
    add(faint, False, "铅笔轻画：读作赞成或送人工认定")
    outside = [kk.disapprove] * n
    outside[0] = kk.outside
    add(outside, True, "画在格外：须送人工认定")
    both = [kk.blank] * n
    both[-1] = "tick_b" if b else "both"
    add(both, True, "画 √：须送人工认定" if b else "两格都画：须送人工认定")
    if w:
        add(clean(1), True, "另选他人：须人工填写姓名", wi=kk.write_in)
    if n > seats:
        add([kk.approve] * (seats + 1) + [kk.blank] * (n - seats - 1), True,
            "多选（赞成多于应选名额）：须送人工认定")
    k = 0
    while len(out) < pages:
        add(clean(k), False, "常见标记")
        k += 1
    return out[:pages]


def round_layout(conn: sqlite3.Connection, contest_id: int, round_no: int,
                 page: Sequence[int] = ()) -> Layout | None:
    """The round's printed scannable layout (the latest printed), None when none was printed.
    `page` (contest ids, at least two): the page holding those contests of the round; else the
    contest's single-contest ballot where one was printed, else a page holding it."""
    rows = [r for r in sq.layouts(conn) if not int(r[6])]
    made = [layout_from_json(int(r[0]), str(r[4])) for r in rows]
    single = [lay for lay, r in zip(made, rows, strict=True) if not lay.multi
              and int(r[1]) == contest_id and int(r[2]) == round_no]
    mine = [lay for lay in made if lay.multi and (contest_id, round_no) in
            {(b.contest_id, b.round_no) for b in lay.blocks()}]
    if page:
        pages = [lay for lay in mine if {(b.contest_id, b.round_no) for b in lay.blocks()}
                 == {(c, round_no) for c in page}]
        return pages[-1] if pages else None
    if single:
        return single[-1]
    return mine[-1] if mine else None


@dataclass(frozen=True, slots=True)
class DeckPage:
    code: int
    deck: int
    page_no: int
    plan: PagePlan
    layout: Layout


def make_deck(conn: sqlite3.Connection, contest_id: int, round_no: int, *, pages: int = PAGES,
              page: Sequence[int] = (), actor: str, clock: Clock) -> list[DeckPage] | Refusal:
    """The round's test deck: the one made before for this ballot, else a new one whose pages
    each take a new test layout code. `page` (contest ids): the deck of the page holding those
    contests of the round (pollday print scan-ballot-page)."""
    from app.meetings.core import setup_refused

    denied = setup_refused(conn, actor)   # printing ballots (test ones too): the 主持人's setup
    if denied is not None:
        return denied
    base = round_layout(conn, contest_id, round_no, page)
    if base is None:
        return Refusal("NO_LAYOUT", ("本轮尚未把这几项选举印在一页可扫描选票上（pollday print "
                                     "scan-ballot-page）" if page else
                                     "本轮尚未打印可扫描选票（pollday print scan-ballots）")
                       + "：测试选票按本轮选票的版式印制")
    geometry = base.geometry_json()
    made = [p for p in deck_pages(conn) if p[1] == contest_id and p[2] == round_no
            and p[0].layout.geometry_json() == geometry]
    if made:
        deck = max(p[0].deck for p in made)
        return [p[0] for p in made if p[0].deck == deck]
    at = iso(clock.now())
    with transaction(conn):
        first = sq.next_layout_code(conn)
        if first + pages - 1 > MAX_CODE:
            return Refusal("LAYOUTS_EXHAUSTED", f"本数据库的可扫描版式编号只剩{MAX_CODE - first + 1}个，"
                           f"不够印{pages}页测试选票")
        deck = q.next_deck(conn)
        for k, plan in enumerate(plans(base, pages)):
            code = first + k
            # A page of several contests is stored as its layout is: under its first block
            q.insert_test_layout(conn, code, contest_id, round_no, base.blocks()[0].format,
                                 geometry, 0, actor, at)
            q.insert_testdeck_page(conn, code, deck, k + 1, plan.to_json())
        append(conn, at=at, actor=actor, action="scan_testdeck_printed",
               detail={"deck": deck, "pages": pages, "first_code": first,
                       "last_code": first + pages - 1, "contest_id": contest_id,
                       "round_no": round_no})
    return [p[0] for p in deck_pages(conn) if p[0].deck == deck]


def deck_pages(conn: sqlite3.Connection) -> list[tuple[DeckPage, int, int]]:
    """(page, contest id, round number) of every test-deck page printed."""
    return [(DeckPage(int(code), int(deck), int(no), PagePlan.from_json(str(plan)),
                      _layout(conn, int(code))), int(contest), int(rnd))
            for code, deck, no, plan, contest, rnd in q.testdeck_pages(conn)]


def _layout(conn: sqlite3.Connection, code: int) -> Layout:
    row = next(r for r in sq.layouts(conn) if int(r[0]) == code)
    return layout_from_json(code, str(row[4]))


def judge(plan: PagePlan, status: str, marks: str, flags: list[str], reason: str = "",
          flagged_blocks: frozenset[int] | None = None) -> tuple[bool, str, str]:
    """(passed, what was read in words, why it failed). A page of several contests is judged
    block by block; `flagged_blocks`: the blocks the reader's flags name (None when the flags
    do not say: the page's flag then stands for every block)."""
    if status == "refused":
        return False, "拒读", f"拒读：{reason}"
    flagged = status == "flagged"
    got = marks + (f"（{FLAG_ZH}）" if flagged else "")
    if not plan.parts:
        why = _judge_block(plan, marks, flagged, flags, "")
        return not why, got, why
    runs = marks.split(PART_SEP)
    if len(runs) != len(plan.parts):
        return False, got, f"应读出{len(plan.parts)}项选举，读出{len(runs)}项"
    for k, (part, run) in enumerate(zip(plan.parts, runs, strict=True)):
        mine = flagged if flagged_blocks is None else k in flagged_blocks
        why = _judge_block(part, run, mine, flags, f"第{k + 1}项", whole=flagged_blocks is None)
        if why:
            return False, got, why
    if flagged and flagged_blocks is None and not plan.must_flag and not any(
            ACTIONS[a][2] in ("either", "flag") for a in plan.actions):
        return False, got, "不应送人工认定：标记清楚的选票被送人工认定（" + "；".join(flags) + "）"
    return True, got, ""


def _judge_block(plan: PagePlan, marks: str, flagged: bool, flags: list[str], where: str,
                 whole: bool = False) -> str:
    """Why one block (or a single-contest page) fails its pattern, "" when it passes. `whole`:
    the flag is the page's, not this block's own (a clean block may then stand on a flagged
    page)."""
    for i, (want, have) in enumerate(zip(plan.expect, marks, strict=False)):
        how = ACTIONS[plan.actions[i]][2]
        if how == "read" and want != have:
            return f"{where}第{i + 1}名候选人应读作{want}，读作{have}"
        if how == "either" and want != have and not flagged:
            return f"{where}第{i + 1}名候选人应读作{want}或送人工认定，读作{have}"
    must = plan.must_flag or any(ACTIONS[a][2] == "flag" for a in plan.actions)
    if must and not flagged:
        return f"{where}应送人工认定，却直接读出（{plan.why}）"
    if flagged and not whole and not must and not any(
            ACTIONS[a][2] == "either" for a in plan.actions):
        return f"{where}不应送人工认定：标记清楚的选票被送人工认定（" + "；".join(flags) + "）"
    return ""


@dataclass(frozen=True, slots=True)
class DeckResult:
    page_id: int
    deck: int
    page_no: int
    code: int
    passed: bool
    expected: str
    got: str
    why: str
    batch: int
    position: int

    def as_json(self) -> dict[str, Any]:
        return {"page_id": self.page_id, "deck": self.deck, "page": self.page_no, "layout": self.code,
                "passed": self.passed, "expected": self.expected, "got": self.got,
                "why": self.why, "batch": self.batch, "position": self.position}


def judge_scanned(conn: sqlite3.Connection, *, actor: str, clock: Clock) -> list[DeckResult]:
    """Judge every scanned test-deck page not judged yet; store and audit the results."""
    todo = q.testdeck_scanned(conn)
    if not todo:
        return []
    plans_by_code = {p.code: p.plan for p, _c, _r in deck_pages(conn)}
    at = iso(clock.now())
    rows = []
    for pid, code, status, marks, flags, _b, _p in todo:
        plan = plans_by_code[int(code)]
        doc = json.loads(str(flags))
        fl = [str(f["code"]) for f in doc]
        # The blocks the flags name (a page of several contests read since flags say so).
        blocks = (frozenset(int(f["block"]) for f in doc)
                  if doc and all("block" in f for f in doc) else
                  frozenset() if not doc and plan.parts else None)
        passed, got, why = judge(plan, str(status), str(marks), fl, flagged_blocks=blocks)
        rows.append((int(pid), int(code), passed, plan.expected_words(), got, why))
    with transaction(conn):
        for pid, code, passed, expected, got, why in rows:
            q.insert_testdeck_result(conn, pid, code, passed, expected, got, why, at)
        failed = sum(1 for r in rows if not r[2])
        append(conn, at=at, actor=actor, action="scan_testdeck_judged",
               detail={"pages": len(rows), "passed": len(rows) - failed, "failed": failed,
                       "failures": [{"page_id": r[0], "layout": r[1], "why": r[5]}
                                    for r in rows if not r[2]]})
    return [r for r in results(conn) if r.page_id in {x[0] for x in rows}]


def results(conn: sqlite3.Connection) -> list[DeckResult]:
    return [DeckResult(int(pid), int(deck), int(no), int(code), bool(passed), str(exp), str(got), str(why),
                       int(batch), int(pos))
            for pid, code, deck, no, passed, exp, got, why, _at, batch, pos
            in q.testdeck_results(conn)]


@dataclass(frozen=True, slots=True)
class DeckSummary:
    printed: int                  # test-deck pages printed
    results: tuple[DeckResult, ...]
    decks: tuple[tuple[int, frozenset[int]], ...] = ()   # (deck number, its pages' layout codes)

    @property
    def standing(self) -> tuple[DeckResult, ...]:
        """The latest scan of each deck page (a page scanned again after a fix)."""
        latest: dict[int, DeckResult] = {}
        for r in sorted(self.results, key=lambda r: r.page_id):
            latest[r.code] = r
        return tuple(sorted(latest.values(), key=lambda r: (r.deck, r.page_no)))

    def _deck_words(self, codes: frozenset[int]) -> tuple[bool, str]:
        mine = [r for r in self.standing if r.code in codes]
        bad = [r for r in mine if not r.passed]
        missing = len(codes) - len(mine)
        if missing and not bad:
            return False, f"未完成：{missing}/{len(codes)} 页未导入（每一页都扫描并通过才合格）"
        head = f"{len(mine)}页，通过{len(mine) - len(bad)}页，未通过{len(bad)}页"
        if bad:
            return False, head + "：不合格，请查明原因（扫描设置、选票印制）后重新测试" + (
                f"；另有{missing}/{len(codes)} 页未导入" if missing else "")
        return True, head + "：合格"

    @property
    def passed(self) -> bool:
        """Every page of every deck scanned and passed."""
        return bool(self.decks) and all(self._deck_words(c)[0] for _d, c in self.decks)

    def words(self) -> str:
        if not self.printed:
            return "尚未打印扫描测试选票（“扫描核对”页的“打印扫描测试选票…”，或 pollday scan testdeck）"
        if not self.results:
            return f"扫描测试选票已打印{self.printed}页，尚未扫描导入"
        several = len(self.decks) > 1
        return "；".join(f"扫描测试{f'第{d}套' if several else ''}：{self._deck_words(c)[1]}"
                        for d, c in self.decks)

    def html(self) -> str:
        colour = "#1b7f3b" if self.passed else ("#c62828" if self.results else "#1b3550")
        lines = [f"<b style='color:{colour}'>{self.words()}</b>"]
        for r in self.standing:
            if not r.passed:
                lines.append(f"第{r.deck}套第{r.page_no}页（第{r.batch}批第{r.position}张）："
                             f"应为 {r.expected}，读作 {r.got}：{r.why}")
        return "<br>".join(lines[:8])

    def as_json(self) -> dict[str, Any]:
        return {"printed": self.printed, "passed": self.passed,
                "decks": [{"deck": d, "pages": len(c), "passed": self._deck_words(c)[0],
                           "words": self._deck_words(c)[1]} for d, c in self.decks],
                "pages": [r.as_json() for r in self.results]}


def deck_summary(conn: sqlite3.Connection, contest_id: int | None = None,
                 round_no: int | None = None) -> DeckSummary:
    """The test decks' result, per deck; only the decks of one contest (and round) when given."""
    decks: dict[int, set[int]] = {}
    for page, contest, number in deck_pages(conn):
        on = ({b.contest_id for b in page.layout.blocks()} if page.layout.multi else {contest})
        if (contest_id is None or contest_id in on) and (round_no is None or number == round_no):
            decks.setdefault(page.deck, set()).add(page.code)
    codes = {c for cs in decks.values() for c in cs}
    return DeckSummary(len(codes), tuple(r for r in results(conn) if r.code in codes),
                       tuple((d, frozenset(cs)) for d, cs in sorted(decks.items())))


def render_deck(pages: list[DeckPage], out: Path, at: dt.datetime, *, election: str) -> Any:
    """The deck's PDF: each page the round's ballot under its test layout code, with the pattern
    printed where the voting instructions stand, and 测试 in the heading. Never counted."""
    from reportlab.lib.units import mm

    from app.documents import fonts
    from app.documents.kinds import Printed
    from app.documents.page import PAGE_H, wrap
    from app.scan.layout import FORMAT_B, PAGE_W_MM, ROW_PITCH_B_MM, ROW_PITCH_MM
    from app.scan.printing import SEAL_X_MM as SEAL_LEFT_MM
    from app.scan.printing import draw_layout

    c = fonts.new_canvas(str(out))
    c.setTitle("扫描测试选票（不计票）")
    c.setCreator("PollDay")
    c.setSubject(f"打印时间 {iso(at)}")
    left, right = 27.0, PAGE_W_MM - 27.0
    total = len(pages)
    for p in pages:
        draw_layout(c, p.layout, election=election, qr=False)
        # The voting instructions give way to the pattern (white over them, then the text).
        c.saveState()
        c.setFillGray(1)
        c.setStrokeGray(1)
        c.rect(left * mm, PAGE_H - 88 * mm, (right - left) * mm, 28 * mm, stroke=0, fill=1)
        c.rect(left * mm, PAGE_H - 60 * mm, (SEAL_LEFT_MM - 2 - left) * mm, 12 * mm, stroke=0,
               fill=1)
        c.restoreState()
        # Between the bottom corner windows, far from every box: no page can pass for a ballot.
        fonts.draw_text(c, PAGE_W_MM / 2 * mm, PAGE_H - 270 * mm, "扫描测试选票 · 不计票", 16,
                        fonts.HEADING_STACK, align="center")
        fonts.draw_text(c, left * mm, PAGE_H - 55 * mm,
                        f"测试选票（不计票）第{p.page_no}/{total}页 · 测试版式 {p.code}", 11,
                        fonts.HEADING_STACK, max_width=(SEAL_LEFT_MM - 3 - left) * mm)
        y = 65.0
        if p.layout.multi:   # every name's own line would not fit: it is under the name
            text = "请按每名候选人姓名下的小字用笔手工标记" + "".join(
                "；" + line for line in p.plan.write_in_instructions(p.layout)) + "。"
        else:
            text = "请按以下要求用笔手工标记：" + "；".join(p.plan.instructions(p.layout)) + "。"
        size = 10.0
        lines = wrap(text, (right - left) * mm, size)
        if len(lines) > 4:       # many candidates: smaller, still above the table
            size = 8.0
            lines = wrap(text, (right - left) * mm, size)
        for line in lines[:5]:
            fonts.draw_text(c, left * mm, PAGE_H - y * mm, line, size)
            y += size * 0.5
        blocks = p.layout.blocks()
        for part, plan in zip(blocks, p.plan.parts or (p.plan,), strict=True):
            for e in part.entries:   # the candidate's own instruction under the name
                if not e.write_in:
                    n = e.name_rect
                    c.saveState()
                    c.setFillGray(0.3)
                    fonts.draw_text(c, (n.x + n.w / 2) * mm, PAGE_H - (n.y + n.h - 0.6) * mm,
                                    SHORT[plan.actions[e.index]], 7, align="center")
                    c.restoreState()
        # What does not fit above the table goes below it, above the footer (never near a box).
        last = blocks[-1]
        per_row, pitch = ((3, ROW_PITCH_B_MM) if last.format == FORMAT_B else
                          (2, ROW_PITCH_MM))
        y = last.top_mm + math.ceil(len(last.entries) / per_row) * pitch + 6
        for line in lines[5:]:
            if y > 262:
                raise ValueError("测试选票的标记要求过长，印不下")
            fonts.draw_text(c, left * mm, PAGE_H - y * mm, line, size)
            y += size * 0.5
        c.showPage()
    c.save()
    return Printed(out, total, total, f"扫描测试选票 {total} 页")
