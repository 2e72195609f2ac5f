"""公民身份号码 (GB 11643-1999): the ISO 7064 MOD 11-2 check digit, the birth date and gender it
carries. Pure functions; a wrong number is a returned reason, not an exception."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from operator import mul

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_WEIGHTED_ZEROS = 48 * sum(WEIGHTS)  # what the weights make of "0" (code 48) in every place


def check_digit(first17: str) -> str:
    """The 18th character for the first 17 digits (ISO 7064 MOD 11-2)."""
    if len(first17) != 17:
        raise ValueError("17 digits expected")
    if first17.isascii():  # the usual case: each byte is the character's code
        return CHECK_CHARS[(sum(map(mul, WEIGHTS, first17.encode())) - _WEIGHTED_ZEROS) % 11]
    d = [ord(c) - 48 for c in first17]
    total = (7 * d[0] + 9 * d[1] + 10 * d[2] + 5 * d[3] + 8 * d[4] + 4 * d[5] + 2 * d[6]
             + d[7] + 6 * d[8] + 3 * d[9] + 7 * d[10] + 9 * d[11] + 10 * d[12] + 5 * d[13]
             + 8 * d[14] + 4 * d[15] + 2 * d[16])
    return CHECK_CHARS[total % 11]


@dataclass(frozen=True, slots=True)
class IdInfo:
    number: str      # 18 characters, upper-case X
    birth_date: str  # YYYY-MM-DD
    gender: str      # 'M' or 'F'


def normalise(raw: str) -> str:
    """Full-width digits folded, spaces and hyphens removed, x upper-cased."""
    if len(raw) == 18 and raw.isascii() and raw[:17].isdigit():
        return raw.upper()
    s = unicodedata.normalize("NFKC", raw)
    return "".join(c for c in s if not c.isspace() and c not in "-\u200b\u200c\u200d\ufeff").upper()


def parse_id_number(raw: str, today: dt.date | None = None) -> IdInfo | str:
    """The number's details, or the reason (in Chinese) it is not a valid 公民身份号码.
    A 15-digit first-generation number is upgraded to 18 digits (19yy, check digit computed)."""
    s = normalise(raw)
    if len(s) == 15 and s.isdigit():
        s17 = s[:6] + "19" + s[6:]
        s = s17 + check_digit(s17)
    elif len(s) != 18:
        return f"身份证号应为18位，实际为{len(s)}位"
    head, last = s[:17], s[17]
    if not head.isdigit() or not (last.isdigit() or last == "X"):
        return "身份证号只能由数字组成（最后一位可以是X）"
    try:
        born = dt.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        return f"身份证号中的出生日期 {s[6:10]}-{s[10:12]}-{s[12:14]} 不存在"
    if born.year < 1900 or (today is not None and born > today):
        return f"身份证号中的出生日期 {born.isoformat()} 不合理"
    expected = check_digit(head)
    if last != expected:
        return f"身份证号校验位错误（最后一位应为 {expected}），请核对号码"
    gender = "M" if int(s[16]) % 2 == 1 else "F"
    return IdInfo(s, born.isoformat(), gender)


def is_valid(raw: str) -> bool:
    return isinstance(parse_id_number(raw), IdInfo)


def make_id_number(area: str, born: dt.date, seq: int, gender: str) -> str:
    """A valid 18-digit number: 6-digit area code, birth date, then a sequence (0-499, distinct
    numbers for distinct seq) whose last digit is odd for men. For demo and test data."""
    if len(area) != 6 or not area.isdigit():
        raise ValueError(f"area code must be 6 digits: {area!r}")
    if not 0 <= seq < 500:
        raise ValueError(f"seq must be 0-499: {seq}")
    g = 2 * (seq % 5) + (1 if gender == "M" else 0)
    first17 = f"{area}{born:%Y%m%d}{seq // 5:02d}{g}"
    return first17 + check_digit(first17)
