"""What the result documents print, as plain values: a ballot, a box record, a contest's rounds
with their tally, and the meeting's result with its short hash and the installation key's
fingerprint. The renderers (ballots, tally_record, count_report, notice, certificates) draw these;
app/documents/results_source.py reads them from a database. Keeping the renderers on plain values
lets them be tested, benchmarked and looked at without a whole election behind them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from reportlab.lib.units import mm

from app.documents import fonts
from app.documents.page import CONTENT_W, MARGIN, Column, Flow
from app.model import RuleSet
from app.posts import printed_body


@dataclass(frozen=True, slots=True)
class TallyRow:
    name: str
    approve: int
    disapprove: int
    abstain: int
    write_in: bool = False
    elected: bool = False


@dataclass(frozen=True, slots=True)
class BoxDoc:
    """发票/收票 of one box; None where the figure is still to be written by hand."""
    name: str
    mobile: bool = False
    printed: int | None = None
    issued: int | None = None
    returned: int | None = None
    spoiled: int | None = None


@dataclass(frozen=True, slots=True)
class RoundDoc:
    number: int
    label: str                      # 第一轮选举 / 另行选举 / 重新投票
    seats: int
    candidates: tuple[str, ...]     # ballot order (stroke order)
    expected: int                   # 应到 (party, collective) / registered base (residents)
    present: int                    # 实到 at the round's snapshot
    issued: int
    returned: int
    valid: int
    invalid: int
    tally: tuple[TallyRow, ...]
    elected: tuple[str, ...]
    outcome_zh: str = ""
    threshold_zh: str = ""
    invalid_reasons: tuple[tuple[str, int], ...] = ()
    boxes: tuple[BoxDoc, ...] = ()
    scrutineers: tuple[str, ...] = ()
    counters: tuple[str, ...] = ()
    result_hash: str = ""           # the round's lock hash (short)
    locked: bool = False
    kind: str = "first"             # first / runoff / tie_revote
    # The supervising office's decision recorded at the lock (app.voting LockInfo.decision),
    # who locked with it and when: printed beside the result (decision_line).
    decision: str = ""
    decided_by: tuple[str, ...] = ()
    decided_at: str = ""            # ISO time of the lock


@dataclass(frozen=True, slots=True)
class ContestDoc:
    code: str
    title: str                      # 委员 / 书记 / 主任
    body: str                       # 中共XX社区委员会
    seats: int
    candidates: tuple[str, ...]     # the contest's candidates, stroke order
    rounds: tuple[RoundDoc, ...] = ()

    @property
    def post(self) -> str:
        """中共XX社区委员会委员: what an elected person became."""
        return f"{printed_body(self.body)}{self.title}"

    @property
    def heading(self) -> str:
        return f"{self.post}选举"

    def elected(self) -> Iterator[tuple[str, RoundDoc]]:
        """Elected persons with the round that elected them, round by round."""
        for r in self.rounds:
            for name in r.elected:
                yield name, r


@dataclass(frozen=True, slots=True)
class ResultDoc:
    community: str
    meeting_code: str
    meeting_title: str
    rules: RuleSet
    date: str                       # YYYY-MM-DD of the meeting
    venue: str
    issuer: str                     # who issues the notice and the certificates
    contests: tuple[ContestDoc, ...]
    result_hash: str = ""           # short hash of the locked result (ties paper to file)
    key_fp: str = ""                # installation key fingerprint
    locked: bool = False
    term: str = "五年"
    number: str = "第1号"            # notice number

    @property
    def first_round(self) -> RoundDoc | None:
        for c in self.contests:
            if c.rounds:
                return c.rounds[0]
        return None

    def names(self) -> Iterator[tuple[str, str]]:
        """(who, text) pairs of every name printed, for fonts.check_names."""
        for c in self.contests:
            for n in c.candidates:
                yield f"{n}（{c.title}候选人）", n
            for r in c.rounds:
                for row in r.tally:
                    yield f"{row.name}（{c.title}{r.label}得票人）", row.name
                for n in (*r.scrutineers, *r.counters):
                    yield f"{n}（监票人/计票人）", n


@dataclass(frozen=True, slots=True)
class BallotDoc:
    heading: str                    # 中共XX社区委员会委员选举选票
    seats: int
    candidates: tuple[str, ...]     # stroke order
    round_label: str = ""           # "" for a first round, else 另行选举 / 重新投票
    count: int = 1                  # identical copies: no serial number, no batch mark
    write_ins: int = field(default=-1)  # write-in rows; -1: as many as seats

    @property
    def write_in_rows(self) -> int:
        return self.seats if self.write_ins < 0 else self.write_ins


def check_result_names(doc: ResultDoc) -> None:
    fonts.check_names(doc.names())


LEGAL_BASIS: dict[RuleSet, str] = {
    RuleSet.PARTY: "《中国共产党基层组织选举工作条例》",
    RuleSet.RESIDENTS: "《中华人民共和国城市居民委员会组织法》和本省居民委员会选举办法",
    RuleSet.COLLECTIVE: "《中华人民共和国农村集体经济组织法》和本组织章程",
}

EXPECTED_ZH: dict[RuleSet, tuple[str, str]] = {
    RuleSet.PARTY: ("应到会有选举权的党员", "实到会有选举权的党员"),
    RuleSet.RESIDENTS: ("登记选民", "参加投票的选民"),
    RuleSet.COLLECTIVE: ("应到会成员（代表）", "实到会成员（代表）"),
}


def chinese_date(iso_date: str) -> str:
    """2026-11-22 -> 2026年11月22日 (digits, as notices are usually typed)."""
    y, m, d = iso_date[:10].split("-")
    return f"{int(y)}年{int(m)}月{int(d)}日"


def result_footer(doc: ResultDoc, printed_at: str) -> str:
    """The footer that ties paper to file: the result's short hash and the key fingerprint."""
    hash_part = f"结果校验码 {doc.result_hash}" if doc.result_hash else "结果未锁定"
    fp_part = f"　密钥指纹 {doc.key_fp}" if doc.key_fp else ""
    return f"{hash_part}{fp_part}　打印时间 {printed_at}"


ORDINALS = "一二三四五六七八九十"


def ordinal(i: int) -> str:
    """0 -> 一, 1 -> 二 ... (section numbers of a notice)."""
    return ORDINALS[i] if i < len(ORDINALS) else str(i + 1)


_NO_LINE_START = frozenset("，。、；：！？）》”’%")


def _tokens(text: str) -> list[str]:
    """Characters, with runs of digits/Latin kept whole (1060 never splits as 10 / 60)."""
    out: list[str] = []
    for ch in text:
        if out and ch.isascii() and ch.isalnum() and out[-1][-1].isascii() \
                and out[-1][-1].isalnum():
            out[-1] += ch
        else:
            out.append(ch)
    return out


def wrap_paragraph(text: str, width: float, size: float,
                   stack: tuple[str, ...] = fonts.SANS_STACK) -> list[str]:
    """Line breaks for Chinese prose: numbers kept whole, no line starting with 、，。：
    (such a mark stays at the end of the previous line, a little past the margin)."""
    lines: list[str] = []
    line = ""
    for tok in _tokens(text):
        if line and tok not in _NO_LINE_START \
                and fonts.text_width(line + tok, size, stack) > width:
            lines.append(line)
            line = ""
        line += tok
    if line:
        lines.append(line)
    return lines


def decision_line(r: RoundDoc) -> str:
    """The line the notice and the count report print under a round locked on the supervising
    office's decision (a person elected to two posts of one body: the rules are silent); ""
    for a round without one."""
    words = r.decision.strip()
    if not words:
        return ""
    if "指导机构" not in words:
        words = f"街道（乡镇）选举工作指导机构意见：{words}"
    who = "、".join(x for x in r.decided_by if x)
    when = r.decided_at.replace("T", " ")[:16]
    tail = "，".join(x for x in (f"记录人 {who}" if who else "", when) if x)
    return f"本轮结果依据：{words}" + (f"（{tail}）" if tail else "")


def para(flow: Flow, text: str, size: float = 10.5, *,
         stack: tuple[str, ...] = fonts.SANS_STACK, gap: float = 1.6) -> None:
    """A paragraph on the flow, wrapped by `wrap_paragraph`."""
    for line in wrap_paragraph(text, CONTENT_W, size, stack):
        flow.text(line, size, stack=stack, gap=gap, width=CONTENT_W + 1.2 * size)


def compact_table(flow: Flow, columns: Sequence[Column], rows: Sequence[Sequence[str]], *,
                  size: float = 9.5, who: Sequence[str] | None = None) -> None:
    """A ruled table of one-line cells (names, figures), tighter than Flow.table so that a
    contest's figures, tally and signatures fit one page; the header repeats after a break.
    A cell too wide for its column is drawn smaller (never cut)."""
    h = size * 1.9
    pad = 1.6 * mm

    def row(cells: Sequence[str], stack: tuple[str, ...], person: str) -> None:
        c = flow.c
        x = MARGIN
        c.setLineWidth(0.6)
        for cell, col in zip(cells, columns, strict=True):
            c.rect(x, flow.y - h, col.width, h, stroke=1, fill=0)
            ax = {"left": x + pad, "center": x + col.width / 2,
                  "right": x + col.width - pad}[col.align]
            fonts.draw_text(c, ax, flow.y - h / 2 - size * 0.35, cell, size, stack,
                            align=col.align, who=person, max_width=col.width - 2 * pad)
            x += col.width
        flow.y -= h

    def header() -> None:
        flow.need(2 * h)
        row([col.title for col in columns], fonts.HEADING_STACK, "")

    header()
    for i, cells in enumerate(rows):
        if flow.need(h):
            header()
        row(cells, fonts.SANS_STACK, who[i] if who else "")
