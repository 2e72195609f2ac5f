"""Exact arithmetic for the published figures.

Every rate and share is computed as an exact fraction of integers and rounded ONCE, half up
(四舍五入, `ROUND_HALF_UP`), to 2 decimals: rates (按期换届率, 一次性选举成功率, 出席率), make-up shares
and the average age alike, as the published district reports print them (91.47%, 55.74%,
57.75岁). The rule itself is app.rounding, shared with every community document. Differences from the previous term are taken
between the published (rounded) figures, as a reader of both reports would compute them.

Inside the app the figures are `Decimal`s (exact, "50.00" keeps its places for the XLSX and the
paper). In JSON (`pollday district report --json`, `daily --json`) every figure is a JSON NUMBER
in the unit named by the report's `units` block: rates and shares are percents (0-100), e.g.
71.43 for 5/7, never strings like "71.43%". `jsonable` turns each Decimal into the float whose
shortest repr is the published figure (a 2-decimal percent round-trips exactly), so a reader's
`json.loads` gets 71.43 and the rounding stays the one done here, half up, from the fraction.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app import rounding

RATE_PLACES = rounding.PLACES
SHARE_PLACES = rounding.PLACES
# The unit of each figure of the report JSON (its `units` block).
UNITS = {
    "*_rate": "percent (0-100), 2 decimals, rounded half up once from the exact fraction",
    "*_pct": "percent (0-100), 2 decimals, rounded half up once from the exact fraction",
    "average_age": "years, 2 decimals, rounded half up once from the exact fraction",
}


def percent(part: int, whole: int, places: Decimal = RATE_PLACES) -> Decimal | None:
    """100 × part / whole rounded half up, None when whole is 0 (no denominator, no rate)."""
    return rounding.percent(part, whole, places)


def share(part: int, whole: int) -> Decimal | None:
    return rounding.percent(part, whole, SHARE_PLACES)


def mean(total: int, n: int) -> Decimal | None:
    return rounding.mean(total, n, SHARE_PLACES)


def text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def jsonable(value: Any) -> Any:
    """`value` with every Decimal (recursively, in dicts, lists and tuples) a JSON number."""
    if isinstance(value, Decimal):
        # A count typed in a sheet ("84") stays an integer; a figure is a number with decimals.
        exponent = value.as_tuple().exponent
        return int(value) if isinstance(exponent, int) and exponent >= 0 else float(value)
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


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
