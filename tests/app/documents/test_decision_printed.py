"""A round locked on the supervising office's decision (one person elected to two posts of one
居委会: the rules are silent) printed its result on the 公告 and the 报告单 with no word of the
decision: a scrutineer re-checking from paper could not see that the result stands on it. Both
documents now print the decision, who recorded it and when, under that round (wrapped, never
cut); a round locked without one prints as before. Real SQLite file, real PDFs read back by
pdftotext."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from app.documents.count_report import render_report
from app.documents.notice import render_notice
from app.documents.results_doc import ResultDoc, decision_line
from app.documents.results_source import result_doc
from app.voting import lock_round
from tests.app.documents.pdf_tools import pdf_text, render_pages, squash
from tests.app.voting.test_two_posts_decision import DECISION, _second_post_round
from tests.app.voting.test_two_posts_one_body import _ok

AT = dt.datetime(2026, 11, 22, 17, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
LONG = ("街道选举工作指导机构意见：经街道选举工作指导组研究并报区选举工作领导小组同意，张静可兼任本届"
        "居民委员会副主任，其委员职务保留，由居民选举委员会在公告中说明，并于会后三日内将书面意见"
        "存档备查")


def _doc(tmp_path: Path, clock, decision: str) -> ResultDoc:  # type: ignore[no-untyped-def]
    s, r = _second_post_round(tmp_path, clock)
    _ok(lock_round(s.conn, r.id, actor="监票甲", second="监票乙", clock=clock,
                   decision=decision))
    doc = result_doc(s.conn, s.meeting, key_fp="AB12CD34")
    s.conn.close()
    assert isinstance(doc, ResultDoc) and doc.locked
    return doc


def test_notice_and_report_print_the_decision_under_its_round(tmp_path: Path,
                                                              fixed_clock) -> None:
    doc = _doc(tmp_path, fixed_clock, DECISION)
    first, second = (c.rounds[0] for c in doc.contests)
    assert decision_line(first) == ""
    line = decision_line(second)
    assert line.startswith(f"本轮结果依据：{DECISION}（记录人 监票甲、监票乙，2026-11-22 ")
    for render, name in ((render_notice, "notice.pdf"), (render_report, "report.pdf")):
        render(doc, tmp_path / name, AT)
        text = squash(pdf_text(tmp_path / name))
        assert text.count("本轮结果依据") == 1, name          # the decided round only
        assert squash(line) in text, name
        # after the decided round's figures, not the first contest's
        assert text.index("本轮结果依据") > text.index("副主任"), name
    assert render_pages(tmp_path / "notice.pdf", tmp_path / "png", dpi=70)


def test_a_long_decision_is_wrapped_never_cut(tmp_path: Path, fixed_clock) -> None:
    doc = _doc(tmp_path, fixed_clock, LONG)
    for render, name in ((render_notice, "notice.pdf"), (render_report, "report.pdf")):
        render(doc, tmp_path / name, AT)
        text = pdf_text(tmp_path / name)
        assert squash(LONG) in squash(text), name
        assert "存档备查（记录人" in squash(text), name
        # more than one printed line: wrapped, not drawn past the margin
        assert not any("本轮结果依据" in ln and "存档备查" in ln for ln in text.splitlines()), name


def test_a_round_without_a_decision_prints_as_before(tmp_path: Path, fixed_clock) -> None:
    doc = _doc(tmp_path, fixed_clock, DECISION)
    plain = replace(doc, contests=tuple(
        replace(c, rounds=tuple(replace(r, decision="", decided_by=(), decided_at="")
                                for r in c.rounds)) for c in doc.contests))
    for render, name in ((render_notice, "notice.pdf"), (render_report, "report.pdf")):
        render(plain, tmp_path / name, AT)
        assert "本轮结果依据" not in squash(pdf_text(tmp_path / name)), name
