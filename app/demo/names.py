"""Names for the demo register: surnames by realistic frequency, given names by generation, and
the hard cases a real register contains (rare characters, compound surnames, minority names with
a middle dot, surnames whose default pinyin is wrong, duplicate names)."""

from __future__ import annotations

import random
from itertools import accumulate

# Surname frequencies in per mille, roughly the national ranking (公安部 2020 姓名报告): the
# shape matters (王李张刘陈 make ~30%), not the exact figures.
SURNAME_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("王", 71), ("李", 70), ("张", 67), ("刘", 52), ("陈", 46), ("杨", 31), ("黄", 20),
    ("赵", 20), ("吴", 19), ("周", 19), ("徐", 14), ("孙", 14), ("马", 12), ("朱", 12),
    ("胡", 11), ("郭", 11), ("何", 10), ("林", 9.5), ("高", 9.5), ("罗", 8.5), ("郑", 8),
    ("梁", 8), ("谢", 7), ("宋", 6.5), ("唐", 6.2), ("许", 6), ("韩", 5.8), ("冯", 5.6),
    ("邓", 5.6), ("曹", 5.5), ("彭", 5.3), ("曾", 5.2), ("肖", 5), ("田", 4.9), ("董", 4.8),
    ("潘", 4.6), ("袁", 4.5), ("蔡", 4.2), ("蒋", 4.2), ("余", 4.1), ("于", 4.1), ("杜", 4),
    ("叶", 3.9), ("程", 3.9), ("魏", 3.6), ("苏", 3.6), ("吕", 3.6), ("丁", 3.5), ("任", 3.4),
    ("卢", 3.3), ("姚", 3.3), ("沈", 3.2), ("钟", 3.1), ("姜", 3.1), ("崔", 3), ("谭", 2.9),
    ("陆", 2.9), ("范", 2.8), ("汪", 2.8), ("廖", 2.7), ("石", 2.6), ("金", 2.6), ("韦", 2.5),
    ("贾", 2.5), ("夏", 2.4), ("付", 2.4), ("方", 2.4), ("邹", 2.3), ("熊", 2.3), ("白", 2.3),
    ("孟", 2.2), ("秦", 2.2), ("邱", 2.2), ("侯", 2.1), ("江", 2.1), ("尹", 2.1), ("薛", 2),
    ("闫", 2), ("段", 2), ("雷", 1.9), ("龙", 1.9), ("黎", 1.9), ("史", 1.9), ("陶", 1.8),
    ("贺", 1.8), ("毛", 1.8), ("郝", 1.7), ("顾", 1.7), ("龚", 1.7), ("邵", 1.6), ("万", 1.6),
    ("覃", 1.5), ("武", 1.5), ("钱", 1.5), ("戴", 1.4), ("严", 1.4), ("莫", 1.3), ("孔", 1.3),
    ("向", 1.3), ("常", 1.3), ("汤", 1.2), ("康", 1.2), ("易", 1.2), ("乔", 1.1), ("赖", 1.1),
    ("文", 1.1), ("施", 1), ("洪", 1), ("辛", 0.8), ("柯", 0.8), ("庄", 0.8), ("葛", 0.8),
    ("伍", 0.8), ("樊", 0.7), ("牛", 0.7), ("齐", 0.7), ("聂", 0.6), ("岳", 0.6), ("殷", 0.6),
    ("祝", 0.5), ("舒", 0.5), ("耿", 0.5), ("涂", 0.5), ("章", 0.5), ("鲁", 0.5), ("翟", 0.4),
    ("褚", 0.3), ("单", 0.3), ("缪", 0.2), ("解", 0.2), ("欧阳", 0.15), ("仇", 0.1),
    ("查", 0.1), ("朴", 0.1), ("盖", 0.1), ("区", 0.05), ("司马", 0.03), ("上官", 0.03),
    ("诸葛", 0.02), ("尉迟", 0.01),
)
_SURNAMES = tuple(s for s, _ in SURNAME_WEIGHTS)
_SURNAME_CUM = tuple(accumulate(w for _, w in SURNAME_WEIGHTS))

# Given names by generation (born before 1960 / 1960-1984 / 1985 on) and gender.
GIVEN: dict[tuple[int, str], tuple[str, ...]] = {
    (0, "M"): tuple("建国 建华 国强 国华 志明 志强 德明 德胜 振华 福生 金山 长林 桂林 永福 洪 明 军"
                    " 文华 保国 卫东 建平 学文 树林 凤山 玉林 庆华 忠 海 荣 德福 永和 世杰".split()),
    (0, "F"): tuple("秀英 桂英 秀兰 玉兰 桂兰 淑珍 凤英 玉珍 玉梅 素珍 淑兰 桂芳 秀珍 翠花 金凤 美兰"
                    " 兰英 凤兰 丽华 桂珍 秀云 玉英 淑芬 秀芳 玉华 淑英".split()),
    (1, "M"): tuple("伟 勇 军 强 磊 涛 斌 超 明 刚 平 杰 波 辉 鹏 华 建军 志强 海涛 建平 国庆 卫国"
                    " 红军 永强 晓东 志刚 文斌 立新 小龙 建新 光明 春雷 俊 宏伟 东升".split()),
    (1, "F"): tuple("丽 静 敏 燕 艳 红 芳 娟 霞 玲 丽娟 海燕 红梅 春梅 晓燕 丽华 雪梅 玉梅 秀梅"
                    " 丽萍 晓红 小红 艳红 美玲 淑华 琳 慧 莉 婷 晓丽".split()),
    (2, "M"): tuple("浩 宇 鑫 磊 杰 鹏 博 浩然 子轩 宇航 俊杰 思远 一鸣 天宇 皓轩 宇轩 浩宇 文博"
                    " 子豪 梓轩 家豪 明轩 嘉豪 志豪 晨阳 睿 轩 铭 哲 昊天 宇辰".split()),
    (2, "F"): tuple("婷 欣 雪 悦 琪 佳怡 欣怡 梓涵 子涵 雨涵 诗涵 思涵 一诺 梦琪 雨欣 可欣 紫涵"
                    " 佳琪 欣然 雨彤 语桐 梓萱 思琪 婧 颖 晨曦 雅琪 诗雨".split()),
}

# Hard cases, each present in the demo register. (name, gender)
RARE_NAMES: tuple[tuple[str, str], ...] = (
    ("刘䶮", "M"), ("王䶮", "M"), ("李堃", "M"), ("黄子堃", "M"), ("王喆", "M"), ("张昇", "M"),
    ("林昇", "M"), ("赵犇", "M"), ("杨淼", "F"), ("吴淼淼", "F"), ("周昉", "M"), ("刘珺瑶", "F"),
    ("孙琤", "F"), ("何赟", "M"), ("𠮷祥", "M"), ("𠮷秀云", "F"),
)
RARE_CHARS = "䶮堃喆昇犇淼昉珺琤赟𠮷"
COMPOUND_NAMES: tuple[tuple[str, str], ...] = (
    ("欧阳振华", "M"), ("欧阳雪", "F"), ("司马燕", "F"), ("上官婉", "F"), ("上官志远", "M"),
    ("诸葛明", "M"), ("诸葛晓燕", "F"), ("尉迟国栋", "M"), ("尉迟丽", "F"),
)
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "尉迟")
MINORITY_NAMES: tuple[tuple[str, str], ...] = (
    ("阿依古丽·买买提", "F"), ("买买提·艾力", "M"), ("艾尔肯·吐尔逊", "M"),
    ("热依拉·阿不都热合曼", "F"), ("迪丽娜尔·吐尔逊", "F"), ("木合塔尔·伊明", "M"),
    ("努尔兰·哈斯木", "M"), ("古丽娜尔·阿不都", "F"), ("阿迪力·买买提", "M"),
    ("帕提古丽·艾买提", "F"), ("米热古丽·阿不拉", "F"), ("吐尔洪·买买提明", "M"),
)
# Surnames whose default pinyin reading is wrong (曾 zeng not ceng, 单 shan not dan ...).
HETERONYM_SURNAMES = ("曾", "单", "解", "区", "仇", "朴", "查", "翟", "缪", "盖")
HETERONYM_NAMES: tuple[tuple[str, str], ...] = (
    ("曾国华", "M"), ("曾丽", "F"), ("单丽", "F"), ("单建军", "M"), ("解晓光", "M"), ("解红", "F"),
    ("区志华", "M"), ("区美玲", "F"), ("仇伟", "M"), ("仇秀兰", "F"), ("朴成浩", "M"),
    ("朴美英", "F"), ("查文博", "M"), ("查静", "F"), ("翟丽华", "F"), ("翟志刚", "M"),
    ("缪红", "F"), ("缪建平", "M"), ("盖立新", "M"), ("盖玉珍", "F"),
)
# Names deliberately repeated on the register (different people, different ID numbers).
DUPLICATE_NAMES: tuple[tuple[str, str, int], ...] = (
    ("张伟", "M", 5), ("王芳", "F", 4), ("李娜", "F", 3), ("刘洋", "M", 3), ("王秀英", "F", 3),
)


def generation(birth_year: int) -> int:
    return 0 if birth_year < 1960 else 1 if birth_year < 1985 else 2


def surname(rng: random.Random) -> str:
    return rng.choices(_SURNAMES, cum_weights=_SURNAME_CUM)[0]


# Characters that two-character given names are composed of, by gender (first, second).
COMPOSE: dict[str, tuple[str, str]] = {
    "M": ("志建国文明海永德俊宏晓子浩宇家嘉天思一博立振学新伟金长玉春庆世兆少承",
          "军强华平辉峰涛斌杰鹏林龙东亮成刚飞磊毅健光生福胜荣远航轩豪涵宁波山"),
    "F": ("秀丽美玉桂淑春雪晓海静婷欣雨思梦佳雅子诗慧敏燕芳小红翠金凤月彩语",
          "英兰梅芳娟霞红萍琳颖洁丹倩琴莉玲华珍云凤燕艳霞婷怡涵萱琪然彤瑶"),
}


def given_name(rng: random.Random, gender: str, birth_year: int) -> str:
    if rng.random() < 0.55:
        first, second = COMPOSE[gender]
        return rng.choice(first) + rng.choice(second)
    return rng.choice(GIVEN[(generation(birth_year), gender)])


def full_name(rng: random.Random, gender: str, birth_year: int, family: str | None = None) -> str:
    return (family or surname(rng)) + given_name(rng, gender, birth_year)


def family_name_of(name: str) -> str:
    """The surname of a generated Han name (compound surnames are two characters)."""
    return name[:2] if name[:2] in COMPOUND_SURNAMES else name[:1]
