"""The district office: import of 60 communities' 报送包 and the report over them.

- district_import_60_s: 60 packages of `pollday demo-district` (each ~2 MB, ~7.7 MB unpacked:
  snapshot, event logs, PDFs) verified (every file's SHA-256, the Ed25519 signature) and imported
  into a new district database; the packages are written before timing.
- district_report_s: the figures (per community, overall, make-up per body type, 日报) from that
  database, median of 5.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from app.bench import median, metric

ISSUE = "USB hand-over package and the district office's aggregation"
COMMUNITIES = 60
_AT = dt.datetime(2026, 12, 10, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _packages(scratch: Path) -> list[Path]:
    from app.district.demo import build_demo_district

    demo = build_demo_district(scratch / "district-packages", COMMUNITIES)
    # The first package is the resubmitting community's earlier one: one package a community.
    return demo.packages[1:]


def _imported(scratch: Path) -> Path:
    from app.district.importing import import_packages
    from db.district import connect

    db = scratch / "district-bench.db"
    if not db.exists():
        conn = connect(db)
        try:
            import_packages(conn, _packages(scratch), _AT)
        finally:
            conn.close()
    return db


@metric("district_import_60_s", unit="s", target=15, better="lt", issue=ISSUE)
def district_import_60_s(scratch: Path) -> float:
    from app.district.importing import import_packages
    from db.district import connect

    paths = _packages(scratch)
    db = scratch / "district-import.db"
    db.unlink(missing_ok=True)
    conn = connect(db)
    try:
        t0 = time.perf_counter()
        results = import_packages(conn, paths, _AT)
        elapsed = time.perf_counter() - t0
    finally:
        conn.close()
    assert len(results) == COMMUNITIES
    assert all(r.result in ("imported", "superseded") for r in results), results
    return elapsed


@metric("district_report_s", unit="s", target=2, better="lt", issue=ISSUE)
def district_report_s(scratch: Path) -> float:
    from app.district.figures import build_report, daily
    from db.district import connect

    db = _imported(scratch)
    times = []
    for _ in range(5):
        conn = connect(db)
        try:
            t0 = time.perf_counter()
            report = build_report(conn)
            report.json()
            daily(report, _AT.date())
            times.append(time.perf_counter() - t0)
        finally:
            conn.close()
    assert len(report.communities) == COMMUNITIES
    return median(times)
