"""The one table of education levels: every synonym maps to its level, 中等专科 is not 大专, ranges
(大学, 高中/中专, 初中及以下) answer a band only when the whole range is on one side, and a text the
table does not hold is unknown with the reason, never guessed. The register, the package and the
district read education through it."""

from __future__ import annotations

import pytest

from app import education as edu
from app.district import makeup
from app.education import Level, classify

ALL_SYNONYMS = [(w, level) for level, words in edu.SYNONYMS.items() for w in words]


def test_the_table_is_ordered_and_labelled() -> None:
    assert list(Level) == sorted(Level)
    assert [edu.LABELS[lv] for lv in sorted(Level, reverse=True)] == [
        "研究生", "大学本科", "大学专科", "中专", "高中", "初中", "小学", "未上过学"]
    words = [w for w, _lv in ALL_SYNONYMS]
    assert len(words) == len(set(words)), "a word in two levels"
    assert not set(words) & set(edu.SPANS)


@pytest.mark.parametrize(("word", "level"), ALL_SYNONYMS, ids=[w for w, _ in ALL_SYNONYMS])
def test_every_synonym_maps_to_its_level(word: str, level: Level) -> None:
    got = classify(word)
    assert (got.low, got.high, got.level, got.reason) == (level, level, level, "")
    assert got.label == edu.LABELS[level]
    # The same with the ways registers dress it: spaces, full width, 毕业 / 学历, a mode.
    for dressed in (f" {word}　", f"{word}毕业", f"{word}学历", f"在职{word}"):
        assert classify(dressed).level is level, dressed
    assert edu.has_college(word) is (level >= Level.COLLEGE)
    assert edu.has_bachelor(word) is (level >= Level.BACHELOR)
    assert makeup.has_college(word) is (level >= Level.COLLEGE)


@pytest.mark.parametrize("text", ["中等专科", "中专", "中等专业学校", "中技", "职高", "职业高中",
                                  "技校", "技工学校", "中职", "中师", "中等专科毕业", "中专学历"])
def test_secondary_vocational_is_not_college(text: str) -> None:
    assert classify(text).level is Level.VOCATIONAL
    assert not edu.has_college(text) and not makeup.has_college(text)
    assert classify(text).at_least(Level.COLLEGE) is False


@pytest.mark.parametrize(("text", "level"), [
    ("大学专科", Level.COLLEGE), ("专科", Level.COLLEGE), ("高职", Level.COLLEGE),
    ("大学本科", Level.BACHELOR), ("本科", Level.BACHELOR),
    ("研究生", Level.GRADUATE), ("硕士", Level.GRADUATE), ("博士", Level.GRADUATE),
    ("硕士研究生", Level.GRADUATE), ("博士研究生", Level.GRADUATE),
    ("研究生（硕士）", Level.GRADUATE), ("研究生(博士)", Level.GRADUATE),
    ("在职本科", Level.BACHELOR), ("党校本科", Level.BACHELOR), ("中央党校研究生", Level.GRADUATE),
    ("省委党校大专", Level.COLLEGE), ("函授大专", Level.COLLEGE), ("自考本科", Level.BACHELOR),
    ("成人本科", Level.BACHELOR), ("电大专科", Level.COLLEGE), ("网络教育本科", Level.BACHELOR),
    ("本科（在职）", Level.BACHELOR), ("大专(函授)", Level.COLLEGE), ("非全日制研究生", Level.GRADUATE),
    ("大学本科毕业", Level.BACHELOR), ("硕士研究生毕业", Level.GRADUATE),
    ("初中文化程度", Level.JUNIOR), ("小学文化", Level.PRIMARY), ("高中毕业", Level.SENIOR),
    ("文盲", Level.NONE), ("不识字或识字很少", Level.NONE), (" 大专 ", Level.COLLEGE),
])
def test_what_registers_write(text: str, level: Level) -> None:
    assert classify(text).level is level, text


@pytest.mark.parametrize(("text", "low", "high", "college", "bachelor", "label"), [
    ("大学", Level.COLLEGE, Level.BACHELOR, True, None, "大专至本科"),
    ("电大", Level.COLLEGE, Level.BACHELOR, True, None, "大专至本科"),
    ("中学", Level.JUNIOR, Level.SENIOR, False, False, "初中至高中"),
    ("高中/中专", Level.SENIOR, Level.VOCATIONAL, False, False, "高中至中专"),
    ("高中、中技", Level.SENIOR, Level.VOCATIONAL, False, False, "高中至中专"),
    ("高中中技", Level.SENIOR, Level.VOCATIONAL, False, False, "高中至中专"),
    ("初中及以下", Level.NONE, Level.JUNIOR, False, False, "初中及以下"),
    ("高中及以下学历", Level.NONE, Level.SENIOR, False, False, "高中及以下"),
    ("大专及以上", Level.COLLEGE, Level.GRADUATE, True, None, "大专及以上"),
    ("本科以上学历", Level.BACHELOR, Level.GRADUATE, True, True, "本科及以上"),
    ("大专/本科", Level.COLLEGE, Level.BACHELOR, True, None, "大专至本科"),
])
def test_ranges_answer_a_band_only_when_certain(text: str, low: Level, high: Level,
                                                college: bool | None, bachelor: bool | None,
                                                label: str) -> None:
    got = classify(text)
    assert (got.low, got.high, got.level, got.label) == (low, high, None, label)
    assert got.at_least(Level.COLLEGE) is college
    assert got.at_least(Level.BACHELOR) is bachelor
    assert edu.has_college(text) is (college is True)
    assert edu.has_bachelor(text) is (bachelor is True)


@pytest.mark.parametrize(("text", "why"), [
    ("无", "说不清"), ("其他", "说不清"), ("不详", "说不清"),
    ("本科肄业", "肄业"), ("大专在读", "在读"), ("研究生结业", "结业"),
    ("硕士学位", "学位不是学历"), ("MBA", "不在学历表中"), ("大学生", "不在学历表中"),
    ("本科/某某", "不在学历表中"), ("专业技术", "不在学历表中"), ("电大", ""),
])
def test_unknown_text_is_reported_not_guessed(text: str, why: str) -> None:
    got = classify(text)
    if not why:            # 电大: a range, not unknown (the control case)
        assert got.known
        return
    assert not got.known and got.level is None and got.label == ""
    assert got.at_least(Level.COLLEGE) is None and got.at_least(Level.NONE) is None
    assert why in got.reason and f"「{text}」" in got.reason
    assert not edu.has_college(text) and not edu.has_bachelor(text)


def test_empty_is_unknown_without_a_reason() -> None:
    for text in ("", "  ", "\u200b"):
        got = classify(text)
        assert not got.known and got.reason == ""


def test_the_district_counts_bands_and_unknowns_through_the_table() -> None:
    members = [makeup.Member(("id", i), f"人{i}", "M", 1980, e, 46) for i, e in enumerate(
        ["中等专科", "大专", "大学", "本科", "硕士", "MBA", "", "高中/中专"])]
    figs = makeup.BodyFigures("居委会")
    figs.add(members)
    data = figs.data()
    # college: 大专, 大学, 本科, 硕士; bachelor: 本科, 硕士; unknown: 大学 (本科?), MBA, ''.
    assert (data["college"], data["bachelor"], data["education_unknown"]) == (4, 2, 3)
