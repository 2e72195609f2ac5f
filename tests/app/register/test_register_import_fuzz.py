"""Malformed files never crash the importer and never write a row."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.bench.data import register_rows, write_csv
from app.register.diff import plan_reimport
from app.register.importer import ImportStatus, import_register
from db import persons
from db.connection import connect

NOW = "2026-11-22T08:00:00+08:00"
FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _valid_csv(tmp: Path) -> bytes:
    return write_csv(register_rows(8), tmp / "seed.csv").read_bytes()


def _valid_xlsx() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号", "出生日期", "是否选民"])
    for r in register_rows(5):
        ws.append([r["姓名"], r["公民身份号码"], r["出生日期"], r["是否选民"]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


VALID_XLSX = _valid_xlsx()


_CONNS: dict[Path, sqlite3.Connection] = {}


def _conn(tmp_path: Path) -> sqlite3.Connection:
    # One database per test function (hypothesis reuses tmp_path): migrations run once.
    if tmp_path not in _CONNS:
        _CONNS[tmp_path] = connect(tmp_path / "fuzz.db")
    return _CONNS[tmp_path]


def _check(tmp_path: Path, data: bytes, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    conn = _conn(tmp_path)
    before = persons.count_persons(conn)
    r = import_register(conn, path, now=NOW)
    after = persons.count_persons(conn)
    if r.status is ImportStatus.IMPORTED:
        assert after - before == r.count > 0
    else:
        assert after == before
        assert r.problems or r.unknown_headers
        assert all(p.reason and p.file == name for p in r.problems)
        assert all(isinstance(h, str) for h in r.unknown_headers)
    assert not conn.in_transaction
    plan = plan_reimport(conn, path, now=NOW)  # the diff path reads the same bytes
    assert plan.status in set(ImportStatus)
    assert persons.count_persons(conn) == after


@FUZZ
@given(data=st.binary(max_size=3000))
def test_random_bytes(tmp_path: Path, data: bytes) -> None:
    _check(tmp_path, data, "random.csv")


@FUZZ
@given(cuts=st.lists(st.tuples(st.integers(0, 10**6), st.binary(max_size=8)), max_size=6),
       truncate=st.integers(0, 10**6))
def test_mutated_csv(tmp_path: Path, cuts: list[tuple[int, bytes]], truncate: int) -> None:
    data = bytearray(_valid_csv(tmp_path))
    for pos, junk in cuts:
        p = pos % (len(data) + 1)
        data[p:p + len(junk)] = junk
    _check(tmp_path, bytes(data[: max(1, truncate % (len(data) + 1))]), "mutated.csv")


@FUZZ
@given(cuts=st.lists(st.tuples(st.integers(0, 10**6), st.binary(min_size=1, max_size=16)),
                     min_size=1, max_size=6),
       truncate=st.integers(0, 10**6))
def test_mutated_xlsx(tmp_path: Path, cuts: list[tuple[int, bytes]], truncate: int) -> None:
    data = bytearray(VALID_XLSX)
    for pos, junk in cuts:
        p = pos % len(data)
        data[p:p + len(junk)] = junk
    cut = truncate % (len(data) + 1)
    _check(tmp_path, bytes(data[: cut if cut > 4 else len(data)]), "mutated.xlsx")


@settings(FUZZ, max_examples=25)
@given(cells=st.lists(st.lists(st.text(max_size=30), min_size=1, max_size=8), min_size=1,
                      max_size=12))
def test_random_cells_in_real_xlsx(tmp_path: Path, cells: list[list[str]]) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号", "出生日期", "性别", "人员类别", "是否户代表", "户号", "备注"])
    for row in cells:
        try:
            ws.append(row)
        except Exception:  # noqa: BLE001 - openpyxl refuses control characters: skip the row
            continue
    buf = io.BytesIO()
    wb.save(buf)
    _check(tmp_path, buf.getvalue(), "cells.xlsx")
