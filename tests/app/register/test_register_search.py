"""Search keys and search order: heteronym surnames, initials, ID digits, member numbers."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.register.store import PersonRecord, add_persons
from app.search import display_pinyin, name_keys, readings, search
from db.connection import connect

NOW = "2026-11-22T08:00:00+08:00"


@pytest.mark.parametrize(("name", "full", "initials"), [
    ("曾国藩", "zengguofan", "zgf"), ("单田芳", "shantianfang", "stf"), ("解缙", "xiejin", "xj"),
    ("区志强", "ouzhiqiang", "ozq"), ("仇英", "qiuying", "qy"), ("朴树", "piaoshu", "ps"),
    ("查良镛", "zhaliangyong", "zly"), ("翟志刚", "zhaizhigang", "zzg"), ("缪斯", "miaosi", "ms"),
    ("盖叫天", "gejiaotian", "gjt"), ("尉迟恭敬", "yuchigongjing", "ycgj"),
    ("万俟卨", "moqixie", "mqx"),
])
def test_surname_readings_are_indexed(name: str, full: str, initials: str) -> None:
    keys = name_keys(name)
    assert ("pinyin", full) in keys
    assert ("initials", initials) in keys
    assert display_pinyin(name).replace(" ", "") == full


def test_every_heteronym_of_given_name_is_indexed_and_capped() -> None:
    keys = name_keys("曾长乐")  # 长 zhang/chang, 乐 le/yue/...
    for full in ("zengchangle", "zengzhangle", "zengchangyue", "zengzhangyue"):
        assert ("pinyin", full) in keys
    assert ("pinyin", "cengchangle") not in keys  # 曾 as a surname is never ceng
    many = "行长乐单都重"
    assert 1 < len(readings(many)) <= 32
    assert len(readings(many, cap=1)) == 1


NAMES = ("行长乐单都重", "尉迟长乐", "曾长乐", "吕绿", "阿依古丽·买买提（女）", "艾力·买买提·吐尔逊",
         "张　三", "𠮷野", "ＺＨＡＮＧ", "Tom Lee", "王", "　")


@pytest.mark.parametrize("name", NAMES)
def test_every_reading_has_its_full_pinyin_and_initials(name: str) -> None:
    from app.search import _COMPOUND_INITIALS
    keys = name_keys(name)
    fulls = {"".join(r) for r in readings(name)}
    initials = {"".join(_COMPOUND_INITIALS.get(s, s[:1]) for s in r) for r in readings(name)}
    assert {("pinyin", v) for v in fulls} <= keys
    assert {("initials", v) for v in initials} <= keys
    if "·" not in name:  # a dotted name has its parts' keys too
        assert {v for k, v in keys if k == "initials"} == initials
        assert {v for k, v in keys if k == "pinyin" and not v.startswith("~")} == (
            fulls | {v.replace("v", "u") for v in fulls})


def test_a_registers_keys_and_pinyin_are_each_persons() -> None:
    from app.search import clear_caches, key_rows, person_keys, register_search_data
    names = [*NAMES, *NAMES[:3]]  # namesakes share what was worked out
    clear_caches()
    made = register_search_data(names)
    assert [pinyin for pinyin, _keys in made] == [display_pinyin(n) for n in names]
    persons = [(i, n, "11010519491231002X" if i % 2 else None, " d7 " if i % 3 else "")
               for i, n in enumerate(names, start=1)]
    got = key_rows((pid, keys, idn, m)
                   for (pid, _n, idn, m), (_pinyin, keys) in zip(persons, made, strict=True))
    assert len(got) == len(set(got))
    assert sorted(got) == sorted((pid, k, v) for pid, n, idn, m in persons
                                 for k, v in person_keys(n, idn, m))


def test_u_umlaut_found_as_v_and_u() -> None:
    keys = name_keys("吕女士")
    assert ("pinyin", "lvnvshi") in keys and ("pinyin", "lunushi") in keys


def test_annotations_and_minority_dot_are_not_part_of_keys() -> None:
    keys = name_keys("阿依古丽·买买提（女）")
    assert ("name", "阿依古丽买买提") in keys
    assert any(k == "pinyin" and v.startswith("ayigulimaimaiti") for k, v in keys)


@pytest.fixture
def conn(db_path):
    c = connect(db_path)
    add_persons(c, [
        PersonRecord(name="曾小明", id_number="110105197503080013", member_no="D0007"),
        PersonRecord(name="曾小明明", id_number="110105197503080021"),
        PersonRecord(name="张三", id_number="110105198001010013"),
        PersonRecord(name="赵四", member_no="ZS-01"),
        PersonRecord(name="单田芳", resident_group="第二组"),
        PersonRecord(name="曾", branch="第一支部"),
    ], NOW)
    return c


def names(conn, q: str, **kw) -> list[str]:
    return [p.name for p in search(conn, q, **kw)]


def test_exact_name_before_name_prefix(conn) -> None:
    assert names(conn, "曾小明") == ["曾小明", "曾小明明"]
    assert names(conn, "曾")[0] == "曾"


def test_heteronym_surname_by_pinyin_and_initials(conn) -> None:
    assert set(names(conn, "zeng")) == {"曾小明", "曾小明明", "曾"}
    assert names(conn, "zxm") == ["曾小明", "曾小明明"]
    assert names(conn, "ceng") == []
    assert names(conn, "shantian") == ["单田芳"]
    assert names(conn, "STF") == ["单田芳"]
    assert names(conn, "ｚｘｍ") == ["曾小明", "曾小明明"]  # full-width input


def test_id_digits_and_member_number(conn) -> None:
    assert sorted(names(conn, "0013")) == sorted(["曾小明", "张三"])
    assert names(conn, "80021") == ["曾小明明"]
    assert names(conn, "d0007") == ["曾小明"]
    # initials first, then member numbers for the same letters
    assert names(conn, "zs") == ["张三", "赵四"]


def test_limit_scope_and_empty(conn) -> None:
    assert len(search(conn, "z", limit=2)) == 2
    assert names(conn, "zeng", scope=["第一支部"]) == ["曾"]
    assert names(conn, "s", scope=["第二组"]) == ["单田芳"]
    assert search(conn, "   ") == []
    assert search(conn, "qqqq") == []


def test_empty_scope_means_everyone(conn) -> None:
    assert names(conn, "zs", scope=[]) == names(conn, "zs")


def test_zeng_by_initials_zs(db_path) -> None:
    c = connect(db_path)
    add_persons(c, [PersonRecord(name="曾帅"), PersonRecord(name="查海生"), PersonRecord(name="解晓东")], NOW)
    assert names(c, "zs") == ["曾帅"]
    assert names(c, "zhahai") == ["查海生"] and names(c, "zhs") == ["查海生"]
    assert names(c, "chahai") == []  # pypinyin's default reading of 查 is not the surname's
    assert names(c, "xiexiao") == ["解晓东"] and names(c, "xxd") == ["解晓东"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(max_size=20))
def test_any_query_is_answered(conn, query: str) -> None:
    got = search(conn, query, limit=5)
    assert len(got) <= 5 and len({p.id for p in got}) == len(got)


def test_scoped_search_is_the_unscoped_one_filtered(db_path) -> None:
    from app.bench.b_register import desk_queries
    from app.bench.data import register_rows, write_csv
    from app.register.importer import import_register
    from app.search import _scope_first, search_ids
    from db import persons

    rows = register_rows(600)
    c = connect(db_path)
    path = write_csv(rows, db_path.parent / "r.csv")
    assert import_register(c, path, now=NOW).count == 600
    everyone = persons.list_persons(c)
    groups = sorted({p.resident_group for p in everyone})
    branches = sorted({p.branch for p in everyone if p.branch})
    scopes = [[branches[0]], groups[:10], [groups[0], branches[1]]]
    assert [_scope_first(c, s) for s in scopes[:2]] == [True, False]  # both ways are tested
    queries = desk_queries(rows, 60) + ["z", "w", "0", "1", "x"]
    for scope in scopes:
        inside = {p.id for p in everyone if p.branch in scope or p.resident_group in scope}
        for q in queries:
            want = [i for i in search_ids(c, q, limit=10**6) if i in inside][:20]
            assert search_ids(c, q, scope=scope) == want, (scope, q)


def test_display_pinyin_reads_given_names_as_phrases() -> None:
    assert display_pinyin("曾长乐") == "zeng chang le"  # not zhang le
    assert display_pinyin("王重阳") == "wang chong yang"  # not zhong yang
    assert display_pinyin("李朝晖") == "li zhao hui"
    assert display_pinyin("吕女士") == "lv nv shi"
