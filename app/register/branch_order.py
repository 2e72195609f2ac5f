"""Branches and residents' groups in their natural order: 第一、第二…第十、第十一…, then the others
(离退休党支部, 机关党支部) by name. A plain string sort puts 第十一 before 第二."""

from __future__ import annotations

import re

_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
           "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_ORDINAL = re.compile(r"第?([〇零一二两三四五六七八九十百千]+|[0-9０-９]+)")


def chinese_number(text: str) -> int | None:
    """一 → 1, 十 → 10, 十一 → 11, 二十三 → 23, 一百零五 → 105, 12 → 12; None if not a number."""
    if text.isdigit():
        return int(text)
    total, digit = 0, None
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            total += (1 if digit is None else digit) * _UNITS[ch]
            digit = None
        else:
            return None
    return total + (digit or 0)


def branch_sort_key(name: str) -> tuple[int, str, int, str]:
    """Sort key: numbered names (第三党支部, 第12居民小组, 一组) by their number within the same
    kind (the text after the number), others after them by name."""
    m = _ORDINAL.match(name.strip())
    if m:
        number = chinese_number(m.group(1))
        if number is not None:
            return (0, name.strip()[m.end():], number, name)
    return (1, name, 0, name)


def sorted_branches(names: list[str]) -> list[str]:
    return sorted(names, key=branch_sort_key)
