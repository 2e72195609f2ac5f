"""One rounding rule (issue 16, item 5): half up once from the exact fraction, two decimals, the
same figure in the 出席情况报告, the package's summary.csv and the district report."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from app import rounding
from app.attendance import format_rate
from app.district import rates
from app.export.content import _rate
from app.model import Form, RuleSet
from app.rules.quorum import check_quorum


def test_one_rate_is_printed_alike_by_the_report_the_package_and_the_district() -> None:
    # 142/156 = 91.0256…%: the 出席情况报告 printed 91.02 (rounded down) where summary.csv and
    # the district printed 91.03.
    assert format_rate(142, 156) == "91.03%"
    assert _rate(156, 142) == "91.03%"
    assert rates.percent(142, 156) == Decimal("91.03")


def test_exact_ties_round_half_up_never_to_even_nor_by_float() -> None:
    # 116/128 = 90.625 exactly: float formatting gives 90.62 (binary half-even), half up 90.63.
    assert format_rate(116, 128) == "90.63%"
    assert _rate(128, 116) == "90.63%"
    assert rates.percent(116, 128) == Decimal("90.63")
    assert rates.share(1, 8) == Decimal("12.50")
    assert rates.share(1, 16) == Decimal("6.25")
    assert rates.share(1, 400) == Decimal("0.25")
    assert rates.share(1, 1600) == Decimal("0.06")      # 0.0625 -> 0.06
    assert rates.share(1, 800) == Decimal("0.13")       # 0.125 -> 0.13, not 0.12
    assert rates.mean(9, 8) == Decimal("1.13")          # 1.125 -> 1.13
    assert rates.mean(231, 4) == Decimal("57.75")


def test_a_rate_that_looks_like_it_meets_the_quorum_carries_its_fraction() -> None:
    q = check_quorum(RuleSet.PARTY, Form.ASSEMBLY, eligible=4999, present=3999)
    assert not q.met and q.threshold == Fraction(4, 5)
    assert rounding.rate_text(3999, 4999, q.threshold) == "80.00%（3999/4999）"
    met = check_quorum(RuleSet.PARTY, Form.ASSEMBLY, eligible=4999, present=4000)
    assert met.met
    assert rounding.rate_text(4000, 4999, met.threshold) == "80.02%"
    # Exactly four fifths is not "more than": 80.00% with nothing to add (it is exact).
    assert rounding.rate_text(4, 5, Fraction(4, 5)) == "80.00%"
    # 100001/200000 = 50.0005% prints 50.00%: looks like "not more than half", but is.
    assert rounding.rate_text(100001, 200000, Fraction(1, 2)) == "50.00%（100001/200000）"
