"""Acceptance: the 20,000-person register as a GBK-family CSV and as an XLSX written by
LibreOffice import to identical registers, and search works on it."""

from __future__ import annotations

from pathlib import Path

import pytest
from register_paths import LIBREOFFICE_XLSX

from app.bench.data import register_rows, write_csv
from app.register.importer import ImportStatus, import_register
from app.search import search
from db import persons
from db.connection import connect

NOW = "2026-11-22T08:00:00+08:00"


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return register_rows(20000)


def test_fixture_was_written_by_libreoffice() -> None:
    import zipfile

    with zipfile.ZipFile(LIBREOFFICE_XLSX) as z:
        assert b"LibreOffice" in z.read("docProps/app.xml")
    assert LIBREOFFICE_XLSX.stat().st_size < 2 * 1024 * 1024


@pytest.mark.slow
def test_gbk_csv_and_libreoffice_xlsx_give_identical_registers(tmp_path: Path, rows) -> None:
    csv_path = write_csv(rows, tmp_path / "名册.csv", "gb18030")
    a = connect(tmp_path / "a.db")
    b = connect(tmp_path / "b.db")
    ra = import_register(a, csv_path, now=NOW)
    rb = import_register(b, LIBREOFFICE_XLSX, now=NOW)
    assert ra.status is ImportStatus.IMPORTED and rb.status is ImportStatus.IMPORTED
    assert ra.encoding == "GBK/GB18030"
    assert ra.count == rb.count == 20000
    assert persons.data_rows(a) == persons.data_rows(b)
    keys = "SELECT person_id, kind, key FROM person_key ORDER BY 1, 2, 3"
    assert a.execute(keys).fetchall() == b.execute(keys).fetchall()
    # what the clerk typed came through: a row picked from the middle
    r = rows[12345]
    p = persons.get_by_id_number(a, r["公民身份号码"])
    assert p is not None and p.name == r["姓名"] and p.birth_date == r["出生日期"]
    assert p.household == r["户号"] and p.resident_group == r["居民小组"]
    # search over the imported register
    hits = search(a, r["公民身份号码"][-6:])
    assert p in hits
    zeng = [x for x in rows if x["姓名"].startswith("曾")]
    assert zeng, "the generator must produce 曾 surnames"
    found = search(a, "zeng", limit=10000)
    assert {x["公民身份号码"] for x in zeng} <= {q.id_number for q in found}


@pytest.mark.slow
def test_both_xlsx_readers_read_the_libreoffice_file_alike() -> None:
    from app.register import sheets

    data = LIBREOFFICE_XLSX.read_bytes()
    fast = sheets._read_xlsx_fast(data, LIBREOFFICE_XLSX.name, None)
    assert isinstance(fast, sheets.Table) and len(fast.rows) == 20000
    assert fast == sheets._read_xlsx_openpyxl(data, LIBREOFFICE_XLSX.name, None)
