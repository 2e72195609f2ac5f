"""One demo election (final stage: the party election locked, with a runoff) and one package of
it, built once for the export tests; each test copies what it tampers with."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

AT = dt.datetime(2026, 11, 29, 18, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@dataclass(frozen=True)
class Exported:
    db: Path
    home: Path
    package: Path
    built: object   # app.export.build.BuiltPackage


@pytest.fixture(scope="session")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Exported]:
    from app.demo import build_demo
    from app.export.build import build_package
    from app.export.stick import write_package
    from app.keys import load_or_create
    from db.connection import connect

    root = tmp_path_factory.mktemp("export")
    home = root / "home"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("POLLDAY_HOME", str(home))
        db = root / "demo.db"
        conn = connect(db)
        build_demo(conn, stage="final")
        conn.close()
        built = build_package(db, key=load_or_create(), at=AT)
        assert not hasattr(built, "code"), built
        written = write_package(built, root / "stick")  # type: ignore[arg-type]
        yield Exported(db, home, written.path, built)  # type: ignore[union-attr]


@pytest.fixture
def home(exported: Exported, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("POLLDAY_HOME", str(exported.home))
    return exported.home
