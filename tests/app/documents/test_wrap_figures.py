"""PDF text never breaks a figure across lines (issue 16, item 9: "女性 60.7%" broke after "6")."""

from __future__ import annotations

import re

from app.documents.page import wrap

TEXT = ("党组织委员会：122人，平均年龄 57.75岁，大专及以上 68人，占比 55.74%；本科及以上 32人，"
        "占比 26.23%；35岁以下 15人，占比 12.30%；女性 74人，占比 60.66%；与上届相比：平均年龄"
        "下降0.82岁，女性 60.7%，出席率 80.00%（3999/4999），第06社区（69CB-00FA-33EF-DC45）")
FIGURE = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-]*(?:[.,:/][A-Za-z0-9\-]+)*%?")


def test_no_figure_is_broken_at_any_width() -> None:
    figures = FIGURE.findall(TEXT)
    for width in range(130, 520, 3):     # from where the widest figure fits on a line
        lines = wrap(TEXT, float(width), 10.5)
        assert "".join(lines) == TEXT
        for line in lines:
            for f in FIGURE.findall(line):
                assert f in figures, (width, line, f)   # a piece of a figure is not a figure


def test_no_line_starts_with_closing_punctuation() -> None:
    for width in range(130, 520, 3):
        lines = wrap(TEXT, float(width), 10.5)
        assert "".join(lines) == TEXT
        assert not any(line[:1] in "，。；：、）" for line in lines[1:]), (width, lines)
