"""The scanner is one of the two clerks: its reading (entry A, `pollday scan count`) is checked
against a clerk's keyboard entry (entry B), chosen per round:

- full: entry B keys every ballot; the double-entry comparison (app/voting/compare.py) as today.
- sample: after scanning, the app draws at random (the operating system's secrets-grade
  generator; the draw recorded and audited) at least 5 % of the round's unflagged scanned
  ballots, at least 100 of them (all when fewer); the ballots the reader refused, keyed into
  entry A by a person, are all keyed into entry B as well. Each is named by batch and position in the
  batch: the clerk pulls it from the stack kept in scan order and keys it blind (the list never
  shows the machine's reading) as entry B under the same number. Only the drawn ballots are
  compared. A difference is resolved by a third person as today; one the paper explains (the
  clerk mistyped: the resolution keeps the scan's reading) stands, but a scan misread (the
  resolution differs from the scan's reading) requires full entry: the round cannot be closed
  until entry B holds every ballot and every difference is resolved.

Flagged ballots are not drawn: a person has already decided each of them."""

from __future__ import annotations

import math
import secrets
import sqlite3
from dataclasses import dataclass
from typing import Any

from app.clock import Clock, iso
from app.meetings import Refusal
from app.voting.model import Mode, State, VotingRound
from db import scan_check as q
from db import voting as vq
from db.audit import append
from db.tx import transaction

FULL, SAMPLE = "full", "sample"
MODE_ZH = {FULL: "全部键盘录入比对", SAMPLE: "随机抽查键盘录入比对"}
SAMPLE_PERCENT = 5
SAMPLE_MIN = 100


def sample_size(population: int) -> int:
    """At least 5 % (rounded up), at least 100, all of them when fewer."""
    if population <= SAMPLE_MIN:
        return population
    return max(SAMPLE_MIN, math.ceil(population * SAMPLE_PERCENT / 100))


@dataclass(frozen=True, slots=True)
class SampleItem:
    seq: int            # the ballot's number in entries A and B
    page_id: int
    batch: int
    position: int       # in the batch: where the clerk pulls it from the stack
    file: str
    page: int
    keyed: bool         # entry B holds it

    def as_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "page_id": self.page_id, "batch": self.batch,
                "position": self.position, "file": self.file, "page": self.page,
                "keyed": self.keyed}

    @property
    def words(self) -> str:
        if not self.batch:
            return f"录入序号{self.seq}（拒读后键盘录入的选票）"
        return f"第{self.batch}批第{self.position}张（录入序号{self.seq}）"


@dataclass(frozen=True, slots=True)
class CheckState:
    """Where the round's check of the scanner stands."""

    mode: str | None                 # None: not chosen (a double-entry round is then full)
    items: tuple[SampleItem, ...]    # sample mode: the ballots drawn, in scan order
    undrawn: int                     # unflagged scanned ballots no draw covers yet
    misread: tuple[int, ...]         # sample numbers whose resolution differs from the scan
    pending: tuple[int, ...]         # sample numbers where A and B differ, not resolved
    a_count: int
    b_count: int

    @property
    def full_required(self) -> bool:
        return bool(self.misread)

    @property
    def missing(self) -> tuple[SampleItem, ...]:
        return tuple(i for i in self.items if not i.keyed)

    @property
    def seqs(self) -> frozenset[int]:
        return frozenset(i.seq for i in self.items)

    def blocking(self, label: str) -> Refusal | None:
        """Why the round's count cannot stand yet (sample mode only)."""
        if self.mode != SAMPLE:
            return None
        if self.full_required:
            if self.b_count < self.a_count:
                shown = "、".join(str(s) for s in self.misread[:10])
                return Refusal("FULL_ENTRY_REQUIRED",
                               f"{label}：抽查中第{shown}张扫描读错（经核对原票，与扫描读数不同），"
                               f"须全部键盘录入：录入组B已录入{self.b_count}张，共{self.a_count}张；"
                               "录完并处理全部差异后才能结束计票")
            return None
        if self.undrawn:
            return Refusal("SAMPLE_NOT_DRAWN", f"{label}：还有{self.undrawn}张扫描选票未经抽样，"
                           "请先随机抽取抽查选票（pollday scan check --draw）")
        if self.missing:
            shown = "、".join(i.words for i in self.missing[:10])
            more = f"等{len(self.missing)}张" if len(self.missing) > 10 else ""
            return Refusal("SAMPLE_NOT_KEYED", f"{label}：抽查选票尚未键盘录入（录入组B）：{shown}{more}")
        return None

    def words(self) -> str:
        if self.mode is None:
            return "未选择核对方式（双人录入时须全部键盘录入比对）"
        if self.mode == FULL:
            return "全部键盘录入比对：录入组B逐张录入全部选票"
        if self.full_required:
            return (f"抽查发现扫描读错{len(self.misread)}张：须全部键盘录入"
                    f"（录入组B {self.b_count}/{self.a_count}）")
        if not self.items and not self.undrawn:
            return "随机抽查：尚无可抽取的扫描选票（请先把扫描选票计入录入组A）"
        keyed = len(self.items) - len(self.missing)
        drawn = sum(1 for i in self.items if i.batch)
        keyboard = len(self.items) - drawn
        return (f"随机抽查：已抽{drawn}张"
                + (f"（另有拒读后键盘录入的{keyboard}张，须全部录入）" if keyboard else "")
                + f"，已录入{keyed}张"
                + (f"；A、B 不一致{len(self.pending)}张，待第三人核对原票处理（双录比对）"
                   if self.pending else "")
                + (f"；还有{self.undrawn}张未经抽样" if self.undrawn else ""))


def _reading_keys(conn: sqlite3.Connection, round_id: int, entry: str
                  ) -> dict[int, tuple[object, ...] | None]:
    """seq -> what counts of its standing reading (None: withdrawn), as compare.py compares."""
    out: dict[int, tuple[object, ...] | None] = {}
    for seq, present, marks, write_ins, _un, invalid, _reason, _choice in vq.select_readings(
            conn, round_id, entry):
        out[int(seq)] = (str(marks), str(write_ins), int(invalid)) if present else None
    return out


def unflagged(conn: sqlite3.Connection, round_id: int) -> list[tuple[Any, ...]]:
    """(seq in entry A, page id, batch, position) of the round's scanned ballots counted into
    entry A that the machine read without a flag about the round's contest, in entry order: on
    a page of several contests, a flag about another contest leaves this one machine-read, so
    it is among the ballots the blind sample checks."""
    from app.scan.adjudicate import round_scan

    rows = q.scanned_unflagged(conn, round_id)
    scan = round_scan(conn, round_id)
    if isinstance(scan, Refusal) or not any(b is not None for b in scan.blocks.values()):
        return rows
    machine = {p.id for p in scan.pages if p.status == "read" or (
        p.status == "flagged" and not p.flagged_for(scan.blocks.get(p.layout_code or 0)))}
    return [(seq, pid, batch, pos) for seq, pid, batch, pos, _f, _p in q.scanned_all(conn, round_id)
            if int(pid) in machine]


def check_state(conn: sqlite3.Connection, r: VotingRound) -> CheckState:
    mode = q.mode(conn, r.id)
    if mode != SAMPLE:   # one query: every double-entry round's count comes through here
        return CheckState(mode, (), 0, (), (), 0, 0)
    a = _reading_keys(conn, r.id, "A")
    b = _reading_keys(conn, r.id, "B")
    a_count = sum(1 for v in a.values() if v is not None)
    b_count = sum(1 for v in b.values() if v is not None)
    res = _reading_keys(conn, r.id, "R")
    drawn = q.sample(conn, r.id)
    items = tuple(SampleItem(int(seq), int(pid), int(batch), int(pos), str(name), int(page),
                             b.get(int(seq)) is not None)
                  for seq, pid, batch, pos, name, page, _d in drawn)
    # Ballots the reader refused were keyed by a person into entry A: no machine checks them,
    # so entry B keys every one of them too (batch 0), after the drawn ones.
    scanned = {int(row[0]) for row in q.scanned_all(conn, r.id)}
    items += tuple(SampleItem(seq, 0, 0, 0, "", 0, b.get(seq) is not None)
                   for seq in sorted(a) if a[seq] is not None and seq not in scanned)
    covered = q.drawn_up_to(conn, r.id)
    undrawn = sum(1 for row in unflagged(conn, r.id) if int(row[0]) > covered)
    misread, pending = [], []
    for i in sorted(items, key=lambda i: i.seq):
        if not i.keyed or a.get(i.seq) == b.get(i.seq):
            continue
        if i.seq not in res:
            pending.append(i.seq)
        elif res[i.seq] != a.get(i.seq) and i.batch:   # a keyboard slip is no scan misread
            misread.append(i.seq)
    return CheckState(mode, items, undrawn, tuple(misread), tuple(pending), a_count, b_count)


def compared_seqs(conn: sqlite3.Connection, r: VotingRound) -> frozenset[int] | None:
    """The entry numbers the double-entry comparison looks at: the sample in sample mode
    (until a scan misread requires full entry); None: every number."""
    if q.mode(conn, r.id) != SAMPLE:
        return None
    st = check_state(conn, r)
    return None if st.full_required else st.seqs


def set_mode(conn: sqlite3.Connection, round_id: int, mode: str, *, actor: str,
             clock: Clock) -> CheckState | Refusal:
    """Choose how the round's scanned ballots are checked (audited)."""
    from app.permissions import check
    from app.voting import load_round

    if mode not in (FULL, SAMPLE):
        return Refusal("MODE_INVALID", "核对方式须为 full（全部键盘录入）或 sample（随机抽查）")
    r = load_round(conn, round_id)
    if r is None:
        return Refusal("NO_SUCH_ROUND", f"轮次 {round_id} 不存在")
    if r.mode is not Mode.BALLOTS or not r.double_entry:
        return Refusal("SINGLE_ENTRY", f"{r.label} 不是逐张双人录入：扫描须与一名计票员的键盘录入"
                       "（录入组B）比对，请按双人录入开始本轮投票")
    if r.state is not State.OPEN:
        return Refusal("NOT_OPEN", f"{r.label} 已结束计票，不能再改核对方式")
    denied = check(conn, "round_manage", actor)
    if denied is not None:
        return Refusal("NOT_ALLOWED", denied.message)
    now = q.mode(conn, round_id)
    if now == FULL and mode == SAMPLE and vq.max_seq(conn, round_id, "B"):
        return Refusal("B_STARTED", f"{r.label} 已开始全部键盘录入（录入组B），不能改为抽查")
    if now == SAMPLE and mode == FULL:
        pass   # always allowed: more checking, never less
    if now == mode:
        return check_state(conn, r)
    at = iso(clock.now())
    with transaction(conn):
        q.insert_mode(conn, round_id, mode, actor, at)
        append(conn, at=at, actor=actor, action="scan_check_mode", meeting_id=r.meeting_id,
               detail={"round_id": round_id, "mode": mode, "was": now,
                       "words": MODE_ZH[mode]})
    return check_state(conn, r)


@dataclass(frozen=True, slots=True)
class Draw:
    draw_id: int
    population: int
    items: tuple[SampleItem, ...]

    def as_json(self) -> dict[str, Any]:
        return {"draw": self.draw_id, "population": self.population, "size": len(self.items),
                "sample": [i.as_json() for i in self.items]}


def draw_sample(conn: sqlite3.Connection, round_id: int, *, actor: str,
                clock: Clock) -> Draw | Refusal:
    """Draw the blind sample from the round's unflagged scanned ballots no draw covers yet
    (after scanning: every flag settled and every read ballot counted into entry A)."""
    from app.scan.adjudicate import round_scan
    from app.voting import load_round

    r = load_round(conn, round_id)
    if r is None:
        return Refusal("NO_SUCH_ROUND", f"轮次 {round_id} 不存在")
    if q.mode(conn, round_id) != SAMPLE:
        return Refusal("NOT_SAMPLE_MODE", f"{r.label} 未选择随机抽查（pollday scan check --mode sample）")
    from app.permissions import check

    denied = check(conn, "round_manage", actor)
    if denied is not None:
        return Refusal("NOT_ALLOWED", denied.message)
    if r.state is not State.OPEN:
        return Refusal("NOT_OPEN", f"{r.label} 已结束计票")
    scan = round_scan(conn, round_id)
    if isinstance(scan, Refusal):
        return scan
    if scan.pending:
        return Refusal("FLAGS_PENDING", f"{r.label}：还有{len(scan.pending)}张须人工认定的选票，"
                       "全部认定并计入录入组A之后再抽取")
    if any(p.status != "refused" and p.id not in scan.counted for p in scan.pages):
        return Refusal("NOT_COUNTED", f"{r.label}：扫描选票尚未全部计入录入组A（pollday scan count），"
                       "计入之后再抽取")
    covered = q.drawn_up_to(conn, round_id)
    population = [row for row in unflagged(conn, round_id) if int(row[0]) > covered]
    if not population:
        return Refusal("NOTHING_TO_DRAW", f"{r.label}：没有尚未抽样的扫描选票")
    size = sample_size(len(population))
    chosen = secrets.SystemRandom().sample(population, size)
    at = iso(clock.now())
    with transaction(conn):
        last = max(int(row[0]) for row in population)
        draw_id = q.insert_draw(conn, round_id, len(population), size, last, actor, at)
        q.insert_sample(conn, [(draw_id, int(seq), int(pid)) for seq, pid, _b, _p in chosen])
        append(conn, at=at, actor=actor, action="scan_sample_drawn", meeting_id=r.meeting_id,
               detail={"round_id": round_id, "draw": draw_id, "population": len(population),
                       "size": size, "last_seq": last, "seqs": sorted(int(row[0]) for row in chosen)})
    mine = {int(row[0]) for row in chosen}
    st = check_state(conn, r)
    return Draw(draw_id, len(population), tuple(i for i in st.items if i.seq in mine))


def full_list(conn: sqlite3.Connection, r: VotingRound) -> list[SampleItem]:
    """Every ballot of entry A with where it lies (full entry: what clerk B keys): the scanned
    ones in scan order, then those entered by keyboard (pages the reader refused; batch 0)."""
    a = _reading_keys(conn, r.id, "A")
    b = _reading_keys(conn, r.id, "B")
    out = [SampleItem(int(seq), int(pid), int(batch), int(pos), str(name), int(page),
                      b.get(int(seq)) is not None)
           for seq, pid, batch, pos, name, page in q.scanned_all(conn, r.id)
           if a.get(int(seq)) is not None]
    out.sort(key=lambda i: (i.batch, i.position))
    scanned = {i.seq for i in out}
    out += [SampleItem(seq, 0, 0, 0, "", 0, b.get(seq) is not None)
            for seq in sorted(a) if a[seq] is not None and seq not in scanned]
    return out


def to_key(conn: sqlite3.Connection, r: VotingRound) -> list[SampleItem]:
    """What clerk B keys next, in the order of the stack: the drawn ballots not keyed yet, or,
    once a scan misread requires full entry (or the round is checked in full), every ballot of
    entry A not keyed yet."""
    st = check_state(conn, r)
    if st.mode == SAMPLE and not st.full_required:
        return list(st.missing)
    return [i for i in full_list(conn, r) if not i.keyed]


def enter_sample(conn: sqlite3.Connection, round_id: int, ballots: list[Any], *, clerk: str,
                 clock: Clock) -> list[SampleItem] | Refusal:
    """Key the next ballots of `to_key`, in its order (scan order), into entry B under their
    numbers; all or nothing."""
    from app.voting import load_round
    from app.voting.entry import enter_ballot

    r = load_round(conn, round_id)
    if r is None:
        return Refusal("NO_SUCH_ROUND", f"轮次 {round_id} 不存在")
    if q.mode(conn, round_id) is None:
        return Refusal("NO_CHECK_MODE", f"{r.label} 尚未选择扫描核对方式（full 或 sample）")
    todo = to_key(conn, r)
    if len(ballots) > len(todo):
        return Refusal("TOO_MANY", f"{r.label}：还有{len(todo)}张待录入（录入组B），"
                       f"给出了{len(ballots)}张")
    done: list[SampleItem] = []
    try:
        with transaction(conn):
            for item, ballot in zip(todo, ballots, strict=False):
                got = enter_ballot(conn, round_id, "B", ballot, clerk=clerk, clock=clock,
                                   seq=item.seq)
                if isinstance(got, Refusal):
                    raise _Abort(Refusal(got.code, f"{item.words}：{got.message}"))
                done.append(item)
    except _Abort as abort:
        return abort.refusal
    return done


class _Abort(Exception):
    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


def scan_words(conn: sqlite3.Connection, r: VotingRound) -> str:
    """One line for the count report: how the round was counted from the scanner and checked,
    and the test deck's result ("" when nothing of the round was scanned)."""
    from app.scan.adjudicate import reconciliation, round_scan
    from app.scan.testdeck import deck_summary

    scan = round_scan(conn, r.id)
    if isinstance(scan, Refusal) or not scan.pages:
        return ""
    recon = reconciliation(conn, r.id)
    if isinstance(recon, Refusal):
        return ""
    decided = sum(1 for p in scan.pages if p.decision is not None)
    st = check_state(conn, r)
    if st.mode == SAMPLE:
        drawn = sum(int(d[1]) for d in q.draws(conn, r.id))
        how = (f"随机抽查{sum(1 for i in st.items if i.batch)}张（抽自{drawn}张），"
               f"扫描读错{len(st.misread)}张"
               + ("，因此全部键盘录入比对" if st.full_required else ""))
    elif st.mode == FULL or r.double_entry:
        how = "全部键盘录入比对"
    else:
        how = "未与键盘录入比对（单人录入）"
    deck = deck_summary(conn, r.contest_id, r.number)    # the same words as the 扫描核对 tab
    if not deck.printed:
        tested = "未做扫描测试"
    elif not deck.results:
        tested = "测试选票已打印，未扫描"
    else:
        tested = deck.words()
    return (f"扫描计票：扫描计入{recon['counted_from_scan']}张（其中人工认定{decided}张），"
            f"键盘录入{recon['entered_by_keyboard']}张；核对：{how}；{tested}")
