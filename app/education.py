"""Education levels (学历): one ordered table, with the words registers actually write.

The register keeps the text as the register wrote it; this table says what level it is. The
register import lists texts it cannot place, the package carries the text (elected.json
"education") and the district reads it through `classify` for 大专及以上 / 本科及以上.

Levels follow the groups of GB/T 4658 学历代码 and the census (第七次全国人口普查 受教育程度):

    研究生 > 大学本科 > 大学专科 > 中专 (中等职业教育) > 高中 > 初中 > 小学 > 未上过学

中专, 中技, 职高, 技校 and 中师 are secondary (高中阶段, 中等职业教育), never 大专: 中等专科 is a
中专. 中专 sits above 高中 only so that the table has one order; no band separates them.

A text is read as a range of levels, exact when both ends are the same:
- one word: 本科, 大学本科, 大学本科毕业, 硕士研究生 …;
- alternatives: 高中/中专, 高中、中技, 高中中技 (the 党内统计 category) → 高中 to 中专;
- bands: 初中及以下 → 未上过学 to 初中; 大专以上 → 大专 to 研究生;
- words that name two levels: 大学 (专科 or 本科), 中学 (初中 or 高中).
A band question (`at_least`) is answered only when the whole range is on one side: 大学 is 大专及以上
but not known to be 本科及以上. Nothing is guessed: a text not in the table is unknown.

Decisions (the register's text stays as written, so a district that counts otherwise can see it):
- 在职 education counts as the level named: 在职本科, 函授大专, 自考本科, 成人本科, 夜大, 电大,
  网络教育, and 党校 (党校本科, 中央党校研究生). Organisation departments count a person's highest
  education including 在职教育 and 党校 education (干部任免审批表 has both rows); registers write
  that highest one. The mode in brackets is dropped too: 本科（在职）, 大专(函授), 本科（全日制）.
- 硕士 / 博士 / 学士 written in a 学历 column are read as 研究生 / 研究生 / 大学本科 (registers write
  the degree for the education); 博士后 as 研究生. A text ending in 学位 (硕士学位) names a degree
  only, which a 本科 graduate can hold (同等学力申硕): unknown.
- 肄业, 结业, 在读, 未毕业: the level was not attained and what was is not said: unknown.
- 无 / 其他 / 不详: unknown (无 may mean 未上过学 or nothing filled in).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import IntEnum


class Level(IntEnum):
    NONE = 0        # 未上过学 (文盲、半文盲)
    PRIMARY = 1     # 小学
    JUNIOR = 2      # 初中
    SENIOR = 3      # 高中
    VOCATIONAL = 4  # 中专: 中等专科、中技、职高、技校、中师 (中等职业教育)
    COLLEGE = 5     # 大学专科
    BACHELOR = 6    # 大学本科
    GRADUATE = 7    # 研究生 (硕士、博士)


LABELS: dict[Level, str] = {
    Level.GRADUATE: "研究生", Level.BACHELOR: "大学本科", Level.COLLEGE: "大学专科",
    Level.VOCATIONAL: "中专", Level.SENIOR: "高中", Level.JUNIOR: "初中", Level.PRIMARY: "小学",
    Level.NONE: "未上过学",
}

# The words registers write, by level (after the mode prefixes and 毕业/学历 suffixes are removed).
SYNONYMS: dict[Level, tuple[str, ...]] = {
    Level.GRADUATE: ("研究生", "硕士", "博士", "硕士研究生", "博士研究生", "研究生班", "博士后",
                     "硕士生", "博士生", "研究生硕士", "研究生博士"),
    Level.BACHELOR: ("本科", "大学本科", "大本", "大学普通班", "学士", "普通本科", "本科生"),
    Level.COLLEGE: ("大专", "专科", "大学专科", "高职", "高等专科", "高等职业", "高职高专", "高专",
                    "高等职业教育", "高等专科学校", "高等职业学校", "专科生"),
    Level.VOCATIONAL: ("中专", "中等专科", "中等专业", "中等专业学校", "中技", "中等技术",
                       "中等技术学校", "技校", "技工", "技工学校", "职高", "职业高中", "职中",
                       "中职", "中等职业", "中等职业学校", "中等职业教育", "中师", "中等师范",
                       "中等师范学校", "中专中技"),
    Level.SENIOR: ("高中", "普通高中", "高级中学", "普高"),
    Level.JUNIOR: ("初中", "初级中学"),
    Level.PRIMARY: ("小学", "高小", "初小", "完小"),
    Level.NONE: ("未上过学", "未上学", "没上过学", "文盲", "半文盲", "文盲半文盲", "文盲或半文盲",
                 "不识字", "识字很少", "学前教育", "扫盲班"),
}

# Words that name two levels: whatever is written, the person is somewhere between.
SPANS: dict[str, tuple[Level, Level]] = {
    "大学": (Level.COLLEGE, Level.BACHELOR),
    "中学": (Level.JUNIOR, Level.SENIOR),
    "高中中技": (Level.SENIOR, Level.VOCATIONAL),
    "高中中专": (Level.SENIOR, Level.VOCATIONAL),
    "电大": (Level.COLLEGE, Level.BACHELOR),       # 广播电视大学: 专科 and 本科
    "广播电视大学": (Level.COLLEGE, Level.BACHELOR),
    "夜大": (Level.COLLEGE, Level.BACHELOR),
}

# How the education was obtained: dropped, the level named counts (module docstring).
MODES = ("在职", "全日制", "非全日制", "函授", "自学考试", "自考", "成人教育", "成人高考", "成人",
         "成教", "夜大", "广播电视大学", "电大", "网络教育", "远程教育", "中央党校", "省委党校",
         "市委党校", "区委党校", "县委党校", "党校", "脱产", "业余")
_SUFFIXES = ("毕业", "学历", "文化程度", "文化", "程度", "水平", "教育")
_NOT_ATTAINED = ("肄业", "结业", "在读", "未毕业", "辍学")
_VAGUE = frozenset({"无", "没有", "其他", "其它", "不详", "未知", "-"})
_SEPARATORS = re.compile(r"[/／、,，;；|或]+")
_BRACKETS = re.compile(r"[(（\[【]([^)）\]】]*)[)）\]】]")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))

_WORDS: dict[str, Level] = {w: level for level, ws in SYNONYMS.items() for w in ws}


@dataclass(frozen=True, slots=True)
class Education:
    """A register's text and the range of levels it names (None, None: unknown)."""

    text: str
    low: Level | None
    high: Level | None
    reason: str = ""  # why unknown, in words for the user ('' when known or empty)

    @property
    def known(self) -> bool:
        return self.low is not None

    @property
    def level(self) -> Level | None:
        """The exact level, or None for an unknown text or a range (大学, 高中/中专)."""
        return self.low if self.low is not None and self.low == self.high else None

    @property
    def label(self) -> str:
        """大学本科; 大专至本科; 初中及以下; 大专及以上; '' when unknown."""
        lo, hi = self.low, self.high
        if lo is None or hi is None:
            return ""
        if lo == hi:
            return LABELS[lo]
        if lo == Level.NONE:
            return f"{LABELS[hi]}及以下"
        if hi == Level.GRADUATE:
            return f"{_SHORT.get(lo, LABELS[lo])}及以上"
        return f"{_SHORT.get(lo, LABELS[lo])}至{_SHORT.get(hi, LABELS[hi])}"

    def at_least(self, level: Level) -> bool | None:
        """Whether the person has `level` or above; None when the text does not say."""
        if self.low is None or self.high is None:
            return None
        if self.low >= level:
            return True
        if self.high < level:
            return False
        return None


ADVICE = ("统计大专及以上、本科及以上时按“不详”计，请改为研究生、大学本科、大学专科、中专、高中、"
        "初中、小学或未上过学")
_SHORT = {Level.COLLEGE: "大专", Level.BACHELOR: "本科"}


def _unknown(text: str, reason: str) -> Education:
    return Education(text, None, None, reason)


def _strip_modes(word: str) -> str:
    changed = True
    while changed and word:
        changed = False
        for m in MODES:
            if word.startswith(m) and len(word) > len(m):
                word, changed = word[len(m):], True
                break
    return word


def _strip_suffixes(word: str) -> str:
    changed = True
    while changed and word:
        changed = False
        for s in _SUFFIXES:
            if word.endswith(s) and len(word) > len(s) and word not in _WORDS:
                word, changed = word[:-len(s)], True
                break
    return word


def _span_of(word: str) -> tuple[Level, Level] | str:
    """One word → its levels, or the reason it is not placed."""
    word = _strip_suffixes(_strip_modes(word))
    if word in _WORDS:
        return _WORDS[word], _WORDS[word]
    if word in SPANS:
        return SPANS[word]
    if any(word.endswith(n) for n in _NOT_ATTAINED):
        return "：肄业、结业或在读没有取得该学历"
    if word.endswith("学位"):
        return "：学位不是学历（取得硕士学位的也可能是本科学历）"
    if word in _VAGUE:
        return "说不清是哪一级（可能是未上过学，也可能是没有填写）"
    return "不在学历表中"


def classify(text: str) -> Education:
    """The level(s) a register's 学历 text names; unknown (with the reason) when not in the table."""
    shown = text.translate(_INVISIBLE).strip()
    s = "".join(unicodedata.normalize("NFKC", shown).split())
    if not s:
        return _unknown(shown, "")
    bare = _strip_suffixes(s)  # 大专及以上学历, 初中及以下文化程度
    if bare.endswith(("以上", "以下")):
        s = bare
    floor = ceiling = False
    for tail, is_floor in (("及以下", False), ("以下", False), ("及以上", True), ("以上", True)):
        if s.endswith(tail) and len(s) > len(tail):
            s, floor, ceiling = s[:-len(tail)], is_floor, not is_floor
            break
    words: list[str] = []
    for inner in _BRACKETS.findall(s):
        inner = inner.strip()
        if inner and inner not in MODES:
            words.append(inner)
    s = _BRACKETS.sub("", s)
    words = [w for w in _SEPARATORS.split(s) if w] + words
    spans: list[tuple[Level, Level]] = []
    for w in words:
        got = _span_of(w)
        if isinstance(got, str):
            return _unknown(shown, f"学历「{shown}」{got}；{ADVICE}")
        spans.append(got)
    if not spans:
        return _unknown(shown, f"学历「{shown}」不在学历表中；{ADVICE}")
    low, high = min(lo for lo, _ in spans), max(hi for _, hi in spans)
    if ceiling:
        low = Level.NONE
    if floor:
        high = Level.GRADUATE
    return Education(shown, low, high)


def at_least(text: str, level: Level) -> bool | None:
    return classify(text).at_least(level)


def has_college(text: str) -> bool:
    """大专及以上, certainly (an unknown text or a range reaching below 大专 is not)."""
    return classify(text).at_least(Level.COLLEGE) is True


def has_bachelor(text: str) -> bool:
    """本科及以上, certainly (大学 — 专科 or 本科 — is not)."""
    return classify(text).at_least(Level.BACHELOR) is True
