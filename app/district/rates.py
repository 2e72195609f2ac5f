"""Exact arithmetic for the published figures.

Every rate and share is computed as an exact fraction of integers and rounded ONCE, half up
(四舍五入, `ROUND_HALF_UP`): rates (按期换届率, 一次性选举成功率, 出席率) to 2 decimals of a percent,
make-up shares and the average age to 1 decimal. Differences from the previous term are taken
between the published (rounded) figures, as a reader of both reports would compute them.
Figures travel as strings ("93.04") so JSON never turns them into floats.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

RATE_PLACES = Decimal("0.01")
SHARE_PLACES = Decimal("0.1")


def _round(value: Fraction, places: Decimal) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    # Decimal division is exact to 28 digits; the quantize rounds half up once.
    return exact.quantize(places, rounding=ROUND_HALF_UP)


def percent(part: int, whole: int, places: Decimal = RATE_PLACES) -> Decimal | None:
    """100 × part / whole rounded half up, None when whole is 0 (no denominator, no rate)."""
    if whole <= 0:
        return None
    return _round(Fraction(100 * part, whole), places)


def share(part: int, whole: int) -> Decimal | None:
    return percent(part, whole, SHARE_PLACES)


def mean(total: int, n: int) -> Decimal | None:
    if n <= 0:
        return None
    return _round(Fraction(total, n), SHARE_PLACES)


def text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def parse(value: object) -> Decimal | None:
    """A figure typed in a spreadsheet: 46.3, "46.3", "46.3%", "" (none)."""
    if value is None:
        return None
    s = str(value).strip().rstrip("%").strip()
    if not s:
        return None
    try:
        return Decimal(s)
    except ArithmeticError:
        return None
