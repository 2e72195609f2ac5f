"""A small register as a CSV file, for the setup tests (through app/register's importer)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from app.register.idcard import make_id_number

# name, gender, born, branch, 人员类别
ROWS = (
    ("曾凡荣", "M", dt.date(1962, 3, 1), "第一党支部", "正式党员"),
    ("王秀兰", "F", dt.date(1975, 8, 9), "第一党支部", "正式党员"),
    ("欧阳红梅", "F", dt.date(1970, 5, 5), "第二党支部", "正式党员"),
    ("张喆", "M", dt.date(1990, 7, 7), "第二党支部", "正式党员"),
    ("吉祥", "M", dt.date(1958, 1, 20), "第二党支部", "预备党员"),
    ("单国栋", "M", dt.date(1988, 12, 30), "", ""),
)


def id_number(i: int) -> str:
    name, gender, born, _branch, _kind = ROWS[i]
    return make_id_number("110105", born, 11 + i, gender)


def write_register_csv(path: Path) -> Path:
    lines = ["姓名,性别,出生日期,公民身份号码,所在党支部,居民小组,户号,人员类别,是否选民"]
    for i, (name, gender, born, branch, kind) in enumerate(ROWS):
        lines.append(",".join((name, "男" if gender == "M" else "女", born.isoformat(),
                               id_number(i), branch, "第一居民小组", f"{i + 1:04d}", kind, "是")))
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path
