"""The plain text of ballots for `pollday ballot enter` and `pollday resolve --reading`: one
ballot per line, typed with the keys of the GUI's entry line (app.voting.entry):

    1201 12        one key per candidate in ballot order: 1 = ○ 赞成, 2 = × 不赞成,
                   0 or space = 弃权; blanks at the end may be left out
    0              a blank ballot (every candidate 弃权)
    11 +张三        then a write-in, 另选他人 marked ○ (one + per name; ＋ too)
                   (full-width digits ０１２ and the ideographic space count as keys)
    +张三 +李四     write-ins only
    !无法辨认选票意图  the scrutineers declare the whole ballot invalid, with the reason (！ too)
    # a comment    skipped, and so are empty lines

The keys end where the first + or ! begins; the same write-in twice on a line counts once, as in
the GUI. A line of spaces only is refused (write 0 for a blank ballot). Whether a ballot is valid
(over-marked, …) is decided by the counting core, not here: such a ballot is entered as read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_ITEM = re.compile(r"([+＋!！])([^+＋!！]*)")
WRITE_IN_MARKS = "+＋"
_FULL_WIDTH_KEYS = str.maketrans("０１２３４５６７８９\u3000", "0123456789 ")


@dataclass(frozen=True, slots=True)
class Line:
    """One ballot as written: the keys (as the GUI's parse_keys takes them), the write-ins and,
    when declared invalid, the reason (None: not declared invalid)."""

    keys: str
    write_ins: tuple[str, ...]
    invalid_reason: str | None


def parse_line(text: str) -> Line | str:
    """The ballot of one line (without its line ending), or what is wrong with it."""
    start = len(text)
    for mark in "+＋!！":
        i = text.find(mark)
        if i >= 0:
            start = min(start, i)
    # Full-width digits and the ideographic space (a Chinese input method's) are the same keys.
    keys = text[:start].rstrip().translate(_FULL_WIDTH_KEYS)
    # A name typed without its +: the core would only say the key is wrong (other wrong keys,
    # a 3 or an x, are left to its words, the GUI's).
    at = next((i for i, ch in enumerate(keys, 1) if not ch.isascii()), None)
    if at is not None:
        return (f"第{at}位“{keys[at - 1]}”无效：1=赞成○，2=不赞成×，0或空格=弃权；"
                "另选他人的姓名前须写 +，如：11 +张三")
    write_ins: list[str] = []
    reason: str | None = None
    for m in _ITEM.finditer(text, start):
        value = m.group(2).strip()
        if m.group(1) in WRITE_IN_MARKS:
            if not value:
                return "“+”后须写另选他人的姓名"
            if any(ch.isspace() for ch in value):
                return f"另选他人“{value}”含空格：每个姓名前各写一个 +"
            if value not in write_ins:
                write_ins.append(value)
        else:
            if not value:
                return "“!”后须写明无效的原因（如：!无法辨认选票意图）"
            if reason is not None:
                return "一行只能写一个“!原因”"
            reason = value
    return Line(keys, tuple(write_ins), reason)


def ballot_lines(text: str) -> Iterator[tuple[int, Line | str]]:
    """(line number from 1, the ballot or what is wrong) for each line that is not empty or a
    comment."""
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip("\r\n")
        if not line or line.lstrip().startswith("#"):
            continue
        if not line.strip():
            yield number, "只有空格：空白票（全部弃权）请写 0，空行请删去"
            continue
        yield number, parse_line(line)


def line_text(keys: str, write_ins: tuple[str, ...], invalid_reason: str | None) -> str:
    """The line that types a ballot back (`parse_line` of it gives the same ballot)."""
    parts = [keys or ("" if write_ins or invalid_reason else "0")]
    parts += [f"+{w}" for w in write_ins]
    if invalid_reason is not None:
        parts.append(f"!{invalid_reason}")
    return " ".join(p for p in parts if p)
