"""The one rounding rule of every figure PollDay prints (documents, screens, files).

A rate, share or average is an exact fraction of integers, rounded ONCE, half up (四舍五入,
`ROUND_HALF_UP`), to two decimals: 出席率 91.47%, 占比 55.74%, 平均年龄 57.75岁. Never float
arithmetic (100 * 9103 / 10000 is 91.02999… as a float) and never rounding twice. The
community's 出席情况报告, its package's summary.csv, the district report and every screen call
these functions, so one figure has one value everywhere.

Where the rounded rate would look as if it met a threshold it does not (79.996% shown as 80.00%
beside a failed four-fifths quorum), or missed one it meets, `rate_text` prints the fraction beside
it: "80.00%（3999/4999）".
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

PLACES = Decimal("0.01")


def rounded(value: Fraction, places: Decimal = PLACES) -> Decimal:
    """`value` rounded half up once to `places` (exact: Decimal division of the integers is exact
    to 28 significant digits, far beyond any count of people)."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(places, rounding=ROUND_HALF_UP)


def percent(part: int, whole: int, places: Decimal = PLACES) -> Decimal | None:
    """100 × part / whole rounded half up, None when whole is 0 (no denominator, no rate)."""
    if whole <= 0:
        return None
    return rounded(Fraction(100 * part, whole), places)


def mean(total: int, n: int, places: Decimal = PLACES) -> Decimal | None:
    if n <= 0:
        return None
    return rounded(Fraction(total, n), places)


def percent_text(part: int, whole: int) -> str:
    """"91.47%"; "0.00%" without a denominator (nobody expected)."""
    p = percent(part, whole)
    return "0.00%" if p is None else f"{p}%"


def misleading(part: int, whole: int, threshold: Fraction) -> bool:
    """True when the rounded percent sits on the other side of (or on) `threshold` than the exact
    fraction: 3999/4999 = 79.996% prints 80.00% against a four-fifths rule."""
    if whole <= 0:
        return False
    exact = Fraction(part, whole)
    shown = Fraction(percent(part, whole) or 0) / 100
    return (exact > threshold) != (shown > threshold) or (exact == threshold) != (
        shown == threshold)


def rate_text(part: int, whole: int, threshold: Fraction | None = None) -> str:
    """The percent, with "（part/whole）" beside it when it would mislead against `threshold`."""
    text = percent_text(part, whole)
    if threshold is not None and misleading(part, whole, threshold):
        text += f"（{part}/{whole}）"
    return text
