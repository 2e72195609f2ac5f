"""Name order speed: 20,000 register names sorted by stroke order (rules.md §5)."""

from __future__ import annotations

import random
import time
from pathlib import Path

from app.bench import median, metric
from app.names import sort_names, stroke_data

NAMES = 20_000
RUNS = 5

# Surnames weighted roughly by frequency, compound surnames, given-name characters, rare name
# characters, minority names with a middle dot, and annotations as registers print them.
_SURNAMES = (
    "王" * 8 + "李" * 8 + "张" * 8 + "刘" * 6 + "陈" * 6 + "杨" * 4 + "黄" * 3 + "赵" * 3 + "吴" * 3
    + "周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    + "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武"
)
_COMPOUND = ("欧阳", "司马", "诸葛", "上官", "尉迟", "万俟", "令狐", "皇甫", "慕容")
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华玉萍红玲芬燕彬建国志海文辉小晓春梅丹宇浩然子涵欣怡梓萱一诺佳雨俊思远嘉"
_RARE = "䶮堃喆昇犇淼昉珺琤赟𠮷"
_MINORITY = ("阿依古丽·买买提", "热依拉·阿不都", "巴特尔", "格桑卓玛", "扎西多吉", "努尔兰·别克")
_NOTES = ("", "", "", "", "", "", "", "（女）", "（回族）", "（女，满族）")


def realistic_names(n: int = NAMES, seed: int = 2026) -> list[str]:
    rng = random.Random(seed)
    out: list[str] = []
    for i in range(n):
        if i % 250 == 0:
            out.append(rng.choice(_MINORITY))
            continue
        surname = rng.choice(_COMPOUND) if i % 100 == 1 else rng.choice(_SURNAMES)
        given = "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2, 2, 2))))
        if i % 500 == 3:
            given = given[:-1] + rng.choice(_RARE)
        out.append(surname + given + rng.choice(_NOTES))
    return out


@metric("sort_names_20k_s", unit="s", target=0.5, better="lt", issue="The counting core")
def sort_names_20k(folder: Path) -> float:
    """Median of 5 sorts of the same 20,000 names, each from a fresh shuffle; the stroke data is
    loaded before timing (it is read once per process)."""
    names = realistic_names()
    stroke_data()
    rng = random.Random(7)
    times: list[float] = []
    for _ in range(RUNS):
        shuffled = names[:]
        rng.shuffle(shuffled)
        start = time.perf_counter()
        sort_names(shuffled)
        times.append(time.perf_counter() - start)
    return median(times)
