"""A realistic, deterministic register for benchmarks and tests: rows as a register clerk keeps
them (Chinese headers -> text), with valid ID numbers, heteronym and compound surnames, rare name
characters, minority names, namesakes, households with one 户代表, party members in branches.

    rows = register_rows(20000)          # same rows for the same n and seed, on every machine
    write_csv(rows, path, "gb18030")     # as the street office's Excel saves "CSV"
    write_xlsx(rows, path)
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

from app.register.idcard import make_id_number

HEADERS: tuple[str, ...] = (
    "序号", "姓名", "性别", "出生日期", "公民身份号码", "文化程度", "所在党支部", "居民小组", "户号",
    "人员类别", "是否户代表", "是否居民代表", "是否选民", "党员编号", "联系电话", "备注",
)

# Surnames roughly by frequency, with the heteronym and compound ones search must get right.
_SURNAMES = (
    "王" * 8 + "李" * 8 + "张" * 8 + "刘" * 6 + "陈" * 6 + "杨" * 4 + "黄" * 3 + "赵" * 3 + "吴" * 3
    + "周" * 3 + "徐" * 2 + "孙" * 2 + "马" * 2 + "朱" * 2 + "胡" * 2 + "郭" * 2 + "何" * 2 + "高" * 2
    + "林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖"
    + "贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    + "单解区仇朴查翟缪盖乐尉褚葛柏牟"
)
_COMPOUND = ("欧阳", "司马", "诸葛", "上官", "尉迟", "万俟", "令狐", "皇甫", "长孙", "慕容")
_GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红娥玲芬燕彬建国建华志强"
    "海燕文辉小红小明国庆卫东晓东晓燕春梅丹宇浩然子涵欣怡梓萱一诺佳怡雨涵梓涵俊杰思远嘉怡"
    "长乐重阳行健朝晖乐天单良解放"
)
_RARE = "䶮堃喆昇犇淼昉珺琤赟𠮷"
_MINORITY = ("阿依古丽·买买提", "热依拉·阿不都", "巴特尔", "格桑卓玛", "扎西多吉", "努尔兰·别克")
_EDUCATION = ("小学", "初中", "初中", "高中", "中专", "大专", "大专", "本科", "本科", "硕士研究生", "博士研究生")
_AREAS = ("110105", "110108", "310104", "440106", "420111", "510107", "320102", "330106")
_STATUS = ("正式党员",) * 45 + ("预备党员",) * 3 + ("留党察看",) + ("权利中止",)
_NOTES = ("", "", "", "", "", "", "", "", "流动党员", "外出务工", "长期在外地居住", "行动不便")

ELECTION_DAY = dt.date(2026, 11, 22)


def _given_name(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.004:
        return rng.choice(_RARE) + rng.choice(_GIVEN)
    if r < 0.25:
        return rng.choice(_GIVEN)
    return rng.choice(_GIVEN) + rng.choice(_GIVEN)


def _name(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.002:
        return rng.choice(_MINORITY)
    if r < 0.01:
        return rng.choice(_COMPOUND) + _given_name(rng)
    return rng.choice(_SURNAMES) + _given_name(rng)


def register_rows(n: int = 20000, seed: int = 2026) -> list[dict[str, str]]:
    """`n` persons in households of 1-5 along 20 residents' groups; about a quarter are party
    members in 12 branches. Dates as YYYY-MM-DD; every ID number valid and distinct."""
    rng = random.Random(seed)
    rows: list[dict[str, str]] = []
    used: dict[tuple[str, dt.date, str], int] = {}
    household = 0
    while len(rows) < n:
        household += 1
        group = (household * 7) % 20 + 1
        size = min(rng.choice((1, 2, 2, 3, 3, 3, 4, 5)), n - len(rows))
        for k in range(size):
            gender = rng.choice("MF")
            age_days = rng.randint(16 * 365, 95 * 365)
            born = ELECTION_DAY - dt.timedelta(days=age_days)
            area = rng.choice(_AREAS)
            seq = used.get((area, born, gender), 0)
            while seq >= 500:  # that day's numbers are used up: another area
                area = rng.choice(_AREAS)
                seq = used.get((area, born, gender), 0)
            used[(area, born, gender)] = seq + 1
            adult = (ELECTION_DAY - born).days >= 18 * 365 + 4
            member = adult and rng.random() < 0.26
            rows.append({
                "序号": str(len(rows) + 1),
                "姓名": _name(rng),
                "性别": "男" if gender == "M" else "女",
                "出生日期": born.isoformat(),
                "公民身份号码": make_id_number(area, born, seq, gender),
                "文化程度": rng.choice(_EDUCATION),
                "所在党支部": f"第{rng.randint(1, 12)}党支部" if member else "",
                "居民小组": f"第{group}居民小组",
                "户号": f"{household:05d}",
                "人员类别": rng.choice(_STATUS) if member else "",
                "是否户代表": "是" if k == 0 else "否",
                "是否居民代表": "是" if adult and rng.random() < 0.02 else "否",
                "是否选民": "是" if adult else "否",
                "党员编号": f"D{len(rows) + 1:06d}" if member else "",
                "联系电话": f"1{rng.choice('3456789')}{rng.randint(0, 999999999):09d}",
                "备注": rng.choice(_NOTES) if member else "",
            })
    return rows


def write_csv(rows: list[dict[str, str]], path: str | Path, encoding: str = "gb18030") -> Path:
    """A CSV as spreadsheet programs save it (CRLF; GBK-family by default)."""
    p = Path(path)
    with p.open("w", encoding=encoding, newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(HEADERS), lineterminator="\r\n")
        w.writeheader()
        w.writerows(rows)
    return p


def write_xlsx(rows: list[dict[str, str]], path: str | Path, title: str | None = None) -> Path:
    """An XLSX with text cells (write-only mode); `title` adds a title row above the headers."""
    import openpyxl

    p = Path(path)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("名册")
    if title:
        ws.append([title])
    ws.append(list(HEADERS))
    for r in rows:
        ws.append([r[h] for h in HEADERS])
    wb.save(p)
    return p
