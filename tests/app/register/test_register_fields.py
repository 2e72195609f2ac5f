"""Cell values as clerks type them: dates, names, gender, status, yes/no, headers."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from app.model import PartyStatus
from app.register import fields as f
from app.register.idcard import check_digit

TODAY = dt.date(2026, 11, 22)


@pytest.mark.parametrize(("raw", "want"), [
    ("1975-03-08", "1975-03-08"), ("1975/3/8", "1975-03-08"), ("1975.03.08", "1975-03-08"),
    ("1975年3月8日", "1975-03-08"), ("19750308", "1975-03-08"), ("1975-03-08 00:00:00", "1975-03-08"),
    ("1975.03", "1975-03"), ("1975.3", "1975-03"), ("197503", "1975-03"), ("1975年3月", "1975-03"),
    ("1975-3", "1975-03"), ("27461", "1975-03-08"), ("27461.0", "1975-03-08"),  # Excel serial
    (" １９７５－０３－０８ ", "1975-03-08"), ("", None),
])
def test_dates(raw: str, want: str | None) -> None:
    assert f.parse_date(raw, TODAY) == want


@pytest.mark.parametrize("raw", ["1975-02-30", "1975.13", "2030-01-01", "1850-01-01", "三月",
                                 "75-3-8", "1975-03-08-01"])
def test_bad_dates(raw: str) -> None:
    assert isinstance(f.parse_date(raw, TODAY), f.Bad)


@pytest.mark.parametrize("raw", ["1975-03-08", "1975-02-30", "2030-01-01", "1850-01-01",
                                 "0000-00-00", "1975-13-01"])
def test_a_plain_date_reads_as_the_patterns_read_it(raw: str) -> None:
    # " 1975-03-08" (padded) is read by the regular expressions; "1975-03-08" without them.
    assert f.parse_date(raw, TODAY) == f.parse_date(f" {raw}", TODAY)


@pytest.mark.parametrize(("raw", "want"), [
    ("  张三 ", "张三"), ("张\u3000三", "张三"), ("\u200b李四\ufeff", "李四"), ("王 五", "王五"),
    ("\u3000\u3000欧阳娜娜", "欧阳娜娜"), ("阿依古丽·买买提", "阿依古丽·买买提"),
    ("John Smith", "John Smith"), ("李四（女）", "李四（女）"), ("張三", "張三"),
])
def test_names_lose_padding_only(raw: str, want: str) -> None:
    assert f.parse_name(raw) == want


def test_bad_names() -> None:
    assert isinstance(f.parse_name(" \u3000 "), f.Bad)
    assert isinstance(f.parse_name("张" * 41), f.Bad)
    assert isinstance(f.parse_name("张\x07三"), f.Bad)


def test_gender_status_flags() -> None:
    assert [f.parse_gender(x) for x in ("男", "女", "M", "f", "男性", "")] == ["M", "F", "M", "F", "M", None]
    assert isinstance(f.parse_gender("未知"), f.Bad)
    assert f.parse_status("正式党员") is PartyStatus.FULL
    assert f.parse_status(" 预备党员 ") is PartyStatus.PROBATIONARY
    assert f.parse_status("留党察看") is PartyStatus.ON_PROBATION
    assert f.parse_status("权利中止") is PartyStatus.SUSPENDED
    assert f.parse_status("群众") is PartyStatus.NONE and f.parse_status("") is PartyStatus.NONE
    assert isinstance(f.parse_status("流动党员"), f.Bad)
    assert [f.parse_flag(x) for x in ("是", "否", "", "√", "Y", "0")] == [True, False, False, True, True, False]
    assert isinstance(f.parse_flag("也许"), f.Bad)
    assert f.parse_code("301.0") == "301" and f.parse_code("0301") == "0301"


@pytest.mark.parametrize(("header", "field"), [
    ("姓名", "name"), (" 姓 名 ", "name"), ("*姓名", "name"), ("出生年月", "birth_date"),
    ("出生日期(yyyy-mm-dd)", "birth_date"), ("公民身份号码", "id_number"), ("身份证号", "id_number"),
    ("身份证号码", "id_number"), ("文化程度", "education"), ("学历", "education"),
    ("所在党支部", "branch"), ("支部", "branch"), ("党支部", "branch"), ("居民小组", "resident_group"),
    ("小组", "resident_group"), ("户号", "household"), ("户编号", "household"),
    ("人员类别", "party_status"), ("党员类别", "party_status"), ("党员状态", "party_status"),
    ("是否户代表", "household_rep"), ("是否居民代表", "resident_rep"), ("是否选民", "resident_voter"),
    ("党员编号", "member_no"), ("联系电话", "phone"), ("备注", "note"), ("性别", "gender"),
])
def test_header_synonyms(header: str, field: str) -> None:
    assert f.field_of(header) == field


def test_ignored_and_unknown_headers() -> None:
    assert f.is_ignored("序号") and f.is_ignored("民族") and f.is_ignored("入党时间")
    assert f.field_of("所在党组织") is None and not f.is_ignored("所在党组织")


def test_check_digit_matches_iso7064_definition() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        body = "".join(rng.choice("0123456789") for _ in range(17))
        weights = [pow(2, 17 - i, 11) for i in range(17)]
        r = (12 - sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11) % 11
        assert check_digit(body) == ("X" if r == 10 else str(r))
