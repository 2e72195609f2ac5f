"""A rate that would mislead against the quorum rule carries its fraction (issue 16, item 5:
79.996% shows as 80.00% beside a failed four-fifths rule); on the big screen the fraction is a
smaller second line, so the 出席率 tile keeps the screen's width."""

from __future__ import annotations

from app import rounding
from app.model import Form, RuleSet
from app.rules.quorum import check_quorum
from ui.widgets.quorum_panel import TWO_ROWS, Figures, QuorumPanel


def test_misleading_rate_shows_its_fraction_and_fits_the_big_screen(qtbot) -> None:
    from ui.bigscreen import SCALE_PER_HEIGHT, SCALE_PER_WIDTH

    q = check_quorum(RuleSet.PARTY, Form.ASSEMBLY, eligible=4999, present=3999)
    rate = rounding.rate_text(3999, 4999, q.threshold)
    assert rate == "80.00%（3999/4999）" and not q.met
    scale = max(1.0, min(768 * SCALE_PER_HEIGHT, 1366 * SCALE_PER_WIDTH))
    panel = QuorumPanel(dark=True, rows=TWO_ROWS, scale=scale)
    qtbot.addWidget(panel)
    panel.set_figures(Figures(expected=4999, present=3999, leave=0, excluded=0, rate=rate,
                              met=False, missing=q.missing, rule_zh=q.rule_zh))
    text = panel.tiles["rate"].number.text()
    assert "80.00%" in text and "（3999/4999）" in text
    assert panel.minimumSizeHint().width() <= 1366
