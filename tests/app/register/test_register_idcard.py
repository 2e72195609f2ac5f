"""公民身份号码: ISO 7064 MOD 11-2 check digit, birth date, gender, 15-digit numbers."""

from __future__ import annotations

import datetime as dt

import pytest

from app.register.idcard import IdInfo, check_digit, make_id_number, parse_id_number

TODAY = dt.date(2026, 11, 22)


@pytest.mark.parametrize(("number", "born", "gender"), [
    ("11010519491231002X", "1949-12-31", "F"),   # the standard's example, check character X
    ("440524198001010013", "1980-01-01", "M"),
    ("110105194912310029"[:-1] + "X", "1949-12-31", "F"),
    ("11010519491231002x", "1949-12-31", "F"),   # lower-case x
    ("１１０１０５１９４９１２３１００２Ｘ", "1949-12-31", "F"),  # full-width
    (" 110105 19491231 002X ", "1949-12-31", "F"),
])
def test_valid_numbers(number: str, born: str, gender: str) -> None:
    got = parse_id_number(number, TODAY)
    assert isinstance(got, IdInfo)
    assert got == IdInfo("11010519491231002X" if born == "1949-12-31" else got.number, born, gender)
    assert got.number.isupper() or got.number.isdigit()


@pytest.mark.parametrize(("number", "reason"), [
    ("110105194912310021", "校验位错误（最后一位应为 X）"),
    ("440524198001010014", "校验位错误（最后一位应为 3）"),
    ("440524188001010014", "出生日期 1880-01-01 不合理"),
    ("11010519491231002", "应为18位，实际为17位"),
    ("1101051949123100211", "应为18位，实际为19位"),
    ("11010519491331002X", "出生日期 1949-13-31 不存在"),
    ("11010520230229002X", "出生日期 2023-02-29 不存在"),
    ("1101051949123A002X", "只能由数字组成"),
    ("11010530000101002X", "不合理"),            # born in the future
    ("", "应为18位，实际为0位"),
])
def test_invalid_numbers_give_reason(number: str, reason: str) -> None:
    got = parse_id_number(number, TODAY)
    assert isinstance(got, str)
    assert reason in got


def test_fifteen_digit_number_is_upgraded() -> None:
    got = parse_id_number("110105491231002", TODAY)
    assert isinstance(got, IdInfo)
    assert got.number == "11010519491231002X"
    assert (got.birth_date, got.gender) == ("1949-12-31", "F")


def test_check_digit_and_generator_agree() -> None:
    assert check_digit("11010519491231002") == "X"
    assert check_digit("44052419800101001") == "3"
    seen = set()
    for seq in range(500):
        for g in "MF":
            n = make_id_number("310104", dt.date(1980, 2, 29), seq, g)
            info = parse_id_number(n, TODAY)
            assert isinstance(info, IdInfo) and info.gender == g
            seen.add(n)
    assert len(seen) == 1000
    with pytest.raises(ValueError):
        make_id_number("31010", dt.date(1980, 1, 1), 0, "M")
