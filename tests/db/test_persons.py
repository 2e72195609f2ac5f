"""db.persons: readers return app.model.Person; writers stay inside the caller's transaction."""

from __future__ import annotations

import pytest

from app.model import PartyStatus
from app.register.store import PersonRecord, add_persons
from db import persons
from db.connection import connect
from db.tx import transaction

NOW = "2026-11-22T08:00:00+08:00"


def _records() -> list[PersonRecord]:
    return [
        PersonRecord(name="曾小明", gender="M", birth_date="1975-03-08",
                     id_number="11010519750308001X", branch="第一支部", member_no="A001",
                     party_status=PartyStatus.FULL, resident_voter=True),
        PersonRecord(name="李娜", gender="F", birth_date="1990-01", resident_group="第三居民小组",
                     household="0301", household_rep=True, phone="13800000000", note="备注"),
    ]


def test_add_and_read_back(db_path) -> None:
    conn = connect(db_path)
    tokens = iter(["tok-a", "tok-b"])
    ids = add_persons(conn, _records(), NOW, token_factory=lambda: next(tokens))
    assert persons.count_persons(conn) == 2
    a = persons.get_person(conn, ids[0])
    assert a is not None
    assert (a.name, a.gender, a.birth_date, a.branch, a.member_no) == (
        "曾小明", "M", "1975-03-08", "第一支部", "A001")
    assert a.party_status is PartyStatus.FULL and a.resident_voter and not a.household_rep
    assert a.token == "tok-a" and a.pinyin == "zeng xiao ming"
    assert persons.get_by_token(conn, "tok-b") == persons.get_person(conn, ids[1])
    assert persons.get_by_id_number(conn, "11010519750308001x") == a
    assert persons.get_by_id_number(conn, "110105197503080020") is None
    assert [p.id for p in persons.list_persons(conn)] == ids
    assert persons.get_many(conn, [ids[1], 999, ids[0]]) == [
        persons.get_person(conn, ids[1]), a]
    assert persons.existing_id_numbers(conn, ["11010519750308001X", "x"]) == {
        "11010519750308001X": ids[0]}
    keys = persons.keys_of(conn, ids[0])
    assert ("id_rev", "X10080305791501011") in keys and ("member_no", "A001") in keys
    assert ("pinyin", "zengxiaoming") in keys and ("initials", "zxm") in keys
    # one audit row for the whole addition
    assert conn.execute("SELECT count(*) FROM audit WHERE action = 'register.add'").fetchone()[0] == 1


def test_random_tokens_are_distinct(db_path) -> None:
    conn = connect(db_path)
    add_persons(conn, [PersonRecord(name=f"人{i}") for i in range(50)], NOW)
    tokens = {p.token for p in persons.list_persons(conn)}
    assert len(tokens) == 50 and all(len(t) >= 16 for t in tokens)


def test_add_persons_is_all_or_nothing(db_path) -> None:
    conn = connect(db_path)
    add_persons(conn, _records()[:1], NOW)
    # the second batch repeats an ID number: nothing of it stays, keys included
    batch = [PersonRecord(name="王五"), _records()[0]]
    with pytest.raises(Exception):  # noqa: B017 - sqlite3.IntegrityError from the UNIQUE column
        add_persons(conn, batch, NOW)
    assert persons.count_persons(conn) == 1
    assert conn.execute("SELECT count(DISTINCT person_id) FROM person_key").fetchone()[0] == 1


def test_update_and_replace_keys(db_path) -> None:
    conn = connect(db_path)
    (pid,) = add_persons(conn, _records()[:1], NOW)
    with transaction(conn):
        persons.update_person(conn, pid, {"name": "单田芳", "branch": "第二支部"}, pinyin="shan tian fang")
        persons.replace_keys(conn, pid, [("name", "单田芳"), ("pinyin", "shantianfang")])
    p = persons.get_person(conn, pid)
    assert p is not None and (p.name, p.branch, p.pinyin) == ("单田芳", "第二支部", "shan tian fang")
    assert persons.keys_of(conn, pid) == [("name", "单田芳"), ("pinyin", "shantianfang")]
    with pytest.raises(ValueError):
        persons.update_person(conn, pid, {"token": "x"})


def test_key_prefix_range_and_scope(db_path) -> None:
    conn = connect(db_path)
    ids = add_persons(conn, _records(), NOW)
    assert {r[0] for r in persons.key_prefix(conn, "z", ["pinyin"], limit=10)} == {ids[0]}
    assert persons.key_prefix(conn, "z", ["pinyin"], limit=10, scope=["第三居民小组"]) == []
    got = persons.key_prefix(conn, "l", ["pinyin", "initials"], limit=10, scope=["第三居民小组"])
    assert {r[0] for r in got} == {ids[1]}
