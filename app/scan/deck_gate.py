"""The scanner is not trusted without its test (issue 17 item 7, README 扫描计票): a round whose
ballots were scanned has a finding in the validation while no test deck of the round's scannable
ballot has passed (every page scanned and read as meant, or sent to a human where meant). It
blocks the lock, with one way out that never traps a clerk: the 总监票人 records, in words, that
the count is accepted without a passed test (the scanner could not be tested, the blind sample
or the full keyboard entry stands for it). The acknowledgement is audited
(scan_testdeck_acknowledged); the finding then stays in the validation and the package with the
acknowledgement named, and no longer blocks.

Used by app/voting/validate.py (one call), the 扫描认定 tab (a warning at import and count) and
the 扫描核对 tab (the acknowledgement)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.clock import Clock, iso
from app.meetings import Refusal
from db.audit import append
from db.audit import rows as audit_rows
from db.tx import transaction

if TYPE_CHECKING:
    from app.scan.adjudicate import RoundScan

CODE = "SCAN_TEST_DECK_NOT_PASSED"
ACTION = "scan_testdeck_acknowledged"
WHY_MIN = 4   # characters of the 总监票人's words, at least


@dataclass(frozen=True, slots=True)
class DeckGate:
    scanned: int        # the round's scanned ballots (not the refused pages)
    passed: bool        # a test deck of the round's ballot passed
    deck_words: str     # the test deck's state, in words (DeckSummary.words)
    acknowledged: str   # the 总监票人's acknowledgement in words ("" when none)

    @property
    def open(self) -> bool:
        """Scanned ballots, no passed test deck: the scan count is not yet to be trusted."""
        return self.scanned > 0 and not self.passed

    def warning(self) -> str:
        """For the 扫描认定 tab: "" when nothing is to be said."""
        if not self.open:
            return ""
        short = self.deck_words.split("（")[0]   # without where to print it (said below)
        if self.acknowledged:
            return f"注意：{short}；总监票人已确认未经测试计入：{self.acknowledged}"
        return (f"注意：{short}，测试通过前扫描计票不可信赖：请在“扫描核对”页打印并扫描测试选票，"
                "或由总监票人在该页确认未经测试计入")


def gate(conn: sqlite3.Connection, round_id: int, scan: RoundScan | None = None
         ) -> DeckGate | None:
    """The round's scanned ballots against its test deck; None for a round without scans.
    `scan`: the round's RoundScan when the caller has just read it (not read again)."""
    from app.scan.adjudicate import round_scan
    from app.scan.testdeck import deck_summary
    from app.voting import load_round

    r = load_round(conn, round_id)
    if r is None:
        return None
    if scan is None:
        got = round_scan(conn, round_id)
        if isinstance(got, Refusal):
            return None
        scan = got
    scanned = sum(1 for p in scan.pages if p.status != "refused")
    if not scanned:
        return None
    deck = deck_summary(conn, r.contest_id, r.number)
    if deck.passed:
        return DeckGate(scanned, True, deck.words(), "")
    return DeckGate(scanned, False, deck.words(), _acknowledged(conn, round_id))


def _acknowledged(conn: sqlite3.Connection, round_id: int) -> str:
    said = ""
    for row in audit_rows(conn):
        d = row["detail"]
        if row["action"] == ACTION and isinstance(d, dict) and d.get("round_id") == round_id:
            said = f"{d.get('why', '')}（{row['actor']}，{row['at'][:16].replace('T', ' ')}）"
    return said


def problems(conn: sqlite3.Connection, round_id: int) -> list[tuple[str, str, str]]:
    """[(code, message, acknowledgement)] for the validation (app.voting.validate.Problem);
    empty when the round has no scans or its test deck passed. The acknowledgement ("" when
    none) is what lets the lock pass."""
    g = gate(conn, round_id)
    if g is None or not g.open:
        return []
    text = (f"本轮{g.scanned}张选票由扫描读出，但扫描测试选票未通过（{g.deck_words}）：扫描计票在"
            "测试通过前不可信赖")
    if g.acknowledged:
        return [(CODE, text + f"。总监票人确认未经测试计入：{g.acknowledged}", g.acknowledged)]
    return [(CODE, text + ("：请在“扫描核对”页打印、标记并扫描测试选票直至合格；或由总监票人在该页"
                           "“确认未经测试计入…”写明原因后锁定（命令行：pollday scan testdeck --contest 代码 "
                           "--acknowledge-untested 原因 --operator 总监票人）"), "")]


def acknowledge(conn: sqlite3.Connection, round_id: int, *, why: str, actor: str,
                clock: Clock) -> DeckGate | Refusal:
    """The 总监票人 accepts the round's scan count without a passed test deck, in words
    (at least WHY_MIN characters); audited. In open mode (no staff list) the person at the
    desk records it under their name."""
    from app import permissions

    words = why.strip()
    if len(words) < WHY_MIN:
        return Refusal("REASON_MISSING", f"请写明为何未经测试计入（至少 {WHY_MIN} 个字），"
                       "例如：扫描仪无法测试，已全部键盘录入核对")
    if permissions.enforced(conn):
        # The 总监票人 (the permission held by the 总监票人 alone; its own words name the unlock).
        denied = permissions.check(conn, "unlock_result", actor)
        if denied is not None:
            return Refusal("NOT_ALLOWED", "只有总监票人可以确认未经测试计入扫描选票："
                           "请总监票人选择本人姓名并输入PIN登录")
    with transaction(conn):
        g = gate(conn, round_id)
        if g is None:
            return Refusal("NO_SCANS", "本轮没有扫描导入的选票：无须确认")
        if g.passed:
            return Refusal("DECK_PASSED", "本轮扫描测试选票已合格：无须确认")
        from app.voting import load_round

        r = load_round(conn, round_id)
        assert r is not None
        append(conn, at=iso(clock.now()), actor=str(actor), action=ACTION,
               meeting_id=r.meeting_id,
               detail={"round_id": round_id, "contest": r.contest_code, "number": r.number,
                       "why": words, "scanned": g.scanned, "deck": g.deck_words})
    got = gate(conn, round_id)
    assert got is not None
    return got
