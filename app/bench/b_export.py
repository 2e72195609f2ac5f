"""The 报送包: time to build, write (fsync, read back, verify) and check a package.

- export_package_s: the demo's final stage (party election locked, with a runoff, three
  meetings) with its register grown to 20,000 persons: consistent copy, results, every result
  document, events, summaries, minimised snapshot, signature, written to a folder and read back.
- verify_package_s: `verify_package` of that package (every file's SHA-256 and the signature).
The database is built once (not timed) and shared by both metrics.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from pathlib import Path

from app.bench import median, metric
from app.keys import InstallationKey

ISSUE = "USB hand-over package and the district office's aggregation"
AT = dt.datetime(2026, 11, 29, 18, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
REGISTER = 20_000
_state: dict[str, Path] = {}


def _grow(conn: object, n: int) -> None:
    from app.model import PartyStatus
    from app.register.idcard import make_id_number
    from app.register.store import PersonRecord, add_persons

    records = []
    for i in range(n):
        born = dt.date(1940, 1, 1) + dt.timedelta(days=i // 3)
        gender = "MF"[i % 2]
        records.append(PersonRecord(
            name=f"{'王李张刘陈杨'[i % 6]}{'伟芳娜敏静丽强'[i % 7]}{'华明军'[i % 3]}",
            gender=gender, birth_date=born.isoformat(),
            id_number=make_id_number("420199", born, i % 3 * 2 + (gender == "M"), gender),
            education="高中", resident_group=f"第{i % 12 + 1}居民小组",
            household=f"B{i // 3:05d}", party_status=PartyStatus.NONE, resident_voter=True,
            phone=f"139{i:08d}"))
    add_persons(conn, records, "2026-11-20T09:00:00+08:00",  # type: ignore[arg-type]
                actor="bench", source="bench")


def prepared() -> Path:
    """A 20,000-person final-stage database (built once per process)."""
    if "db" in _state and _state["db"].exists():
        return _state["db"]
    from app.demo import build_demo
    from db import persons as db_persons
    from db.connection import connect

    folder = Path(tempfile.mkdtemp(prefix="pollday-bench-export-"))
    _state["home"] = folder / "home"
    db = folder / "final.db"
    conn = connect(db)
    build_demo(conn, stage="final")
    _grow(conn, REGISTER - db_persons.count_persons(conn))
    assert db_persons.count_persons(conn) == REGISTER
    conn.close()
    _state["db"] = db
    return db


def _package(scratch: Path) -> tuple[float, Path]:
    from app.keys import load_or_create

    db = prepared()
    saved = os.environ.get("POLLDAY_HOME")
    os.environ["POLLDAY_HOME"] = str(_state["home"])  # the certificates load the key from here
    try:
        return _timed(db, scratch, load_or_create())
    finally:
        if saved is None:
            os.environ.pop("POLLDAY_HOME", None)
        else:
            os.environ["POLLDAY_HOME"] = saved


def _timed(db: Path, scratch: Path, key: InstallationKey) -> tuple[float, Path]:
    from app.export.build import BuiltPackage, build_package
    from app.export.stick import write_package

    times = []
    path = scratch
    for i in range(3):
        t0 = time.perf_counter()
        built = build_package(db, key=key, at=AT)
        assert isinstance(built, BuiltPackage)
        written = write_package(built, scratch / f"stick-{i}")
        times.append(time.perf_counter() - t0)
        path = written.path  # type: ignore[union-attr]
    _state["package"] = path
    return median(times), path


@metric("export_package_s", unit="s", target=5, better="lt", issue=ISSUE)
def export_package_s(scratch: Path) -> float:
    return _package(scratch)[0]


@metric("verify_package_s", unit="s", target=2, better="lt", issue=ISSUE)
def verify_package_s(scratch: Path) -> float:
    from app.export import verify_package

    package = _state.get("package")
    if package is None or not package.exists():
        package = _package(scratch)[1]
    times = []
    for _ in range(5):
        t0 = time.perf_counter()
        v = verify_package(package)
        times.append(time.perf_counter() - t0)
        assert v.ok, v.problems
    return median(times)
