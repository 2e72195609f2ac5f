"""The register import pauses Python's cycle collector while it works (its rows and keys hold
no cycles; each collection walked them all again) and always leaves it as it found it."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.register.importer import ImportStatus, import_register
from db.connection import connect

NOW = "2026-11-22T08:00:00+08:00"


@pytest.fixture
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def _csv(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "名册.csv"
    path.write_text("姓名,身份证号\r\n" + body, encoding="utf-8")
    return path


def test_the_collector_is_off_during_an_import_and_on_after(db_path, tmp_path: Path,
                                                            collector_on: None) -> None:
    seen: list[bool] = []
    conn = connect(db_path)
    got = import_register(conn, _csv(tmp_path, "张三,110105194912310011\r\n"), now=NOW,
                          progress=lambda _done, _total: seen.append(gc.isenabled()))
    assert got.status is ImportStatus.IMPORTED and got.count == 1
    assert seen and not any(seen)
    assert gc.isenabled()
    bad = import_register(conn, _csv(tmp_path, "张三,110105194912310012\r\n"), now=NOW)
    assert bad.status is ImportStatus.BAD_ROWS and gc.isenabled()


def test_the_collector_is_back_on_when_the_import_raises(db_path, tmp_path: Path,
                                                         collector_on: None) -> None:
    conn = connect(db_path)
    conn.close()
    with pytest.raises(Exception, match="closed"):
        import_register(conn, _csv(tmp_path, "张三,110105194912310011\r\n"), now=NOW)
    assert gc.isenabled()


def test_a_collector_turned_off_by_the_caller_stays_off(db_path, tmp_path: Path,
                                                        collector_on: None) -> None:
    conn = connect(db_path)
    gc.disable()
    got = import_register(conn, _csv(tmp_path, "张三,110105194912310011\r\n"), now=NOW)
    assert got.status is ImportStatus.IMPORTED
    assert not gc.isenabled()
