"""Register speed: importing the 20,000-person register (GBK CSV, XLSX) and searching it at the
desk (name, pinyin, initials, ID digits mixed). Each import runs on a fresh database; the pinyin
caches are cleared before each run so every run pays for the readings it needs."""

from __future__ import annotations

import random
import time
from pathlib import Path

from app.bench import median, metric, p95
from app.bench.data import register_rows, write_csv, write_xlsx
from app.register.importer import ImportStatus, import_register
from app.search import clear_caches, name_keys, search
from db.connection import connect

NOW = "2026-11-22T08:00:00+08:00"
PERSONS = 20_000
REPEATS = 3


def _import_once(folder: Path, source: Path, run: int) -> float:
    clear_caches()
    db = folder / f"{source.stem}-{run}.db"
    conn = connect(db)
    try:
        t = time.perf_counter()
        r = import_register(conn, source, now=NOW)
        elapsed = time.perf_counter() - t
    finally:
        conn.close()
    if r.status is not ImportStatus.IMPORTED or r.count != PERSONS:
        raise RuntimeError(f"import failed: {r.status} {r.problems[:3]}")
    return elapsed


@metric("import_csv_20k_s", "s", 2.0, issue="Foundation")
def import_csv_20k_s(folder: Path) -> float:
    source = write_csv(register_rows(PERSONS), folder / "register-gbk.csv", "gb18030")
    return median([_import_once(folder, source, i) for i in range(REPEATS)])


@metric("import_xlsx_20k_s", "s", 5.0, issue="Foundation")
def import_xlsx_20k_s(folder: Path) -> float:
    source = write_xlsx(register_rows(PERSONS), folder / "register.xlsx", title="翠湖社区名册")
    return median([_import_once(folder, source, i) for i in range(REPEATS)])


def desk_queries(rows: list[dict[str, str]], n: int = 400, seed: int = 7) -> list[str]:
    """What clerks type: whole names, a surname and part of the given name, full pinyin
    prefixes, initials, the last 4-6 ID digits."""
    rng = random.Random(seed)
    out: list[str] = []
    for i in range(n):
        r = rng.choice(rows)
        name = r["姓名"]
        kind = i % 5
        if kind == 0:
            out.append(name)
        elif kind == 1:
            out.append(name[: max(1, len(name) - 1)])
        elif kind == 2:
            full = sorted(k for t, k in name_keys(name) if t == "pinyin")
            out.append(full[0][: rng.randint(3, len(full[0]))] if full else name)
        elif kind == 3:
            ini = sorted(k for t, k in name_keys(name) if t == "initials")
            out.append(ini[0] if ini else name)
        else:
            out.append(r["公民身份号码"][-rng.randint(4, 6):])
    return out


@metric("search_p95_ms", "ms", 5.0, issue="Foundation")
def search_p95_ms(folder: Path) -> float:
    rows = register_rows(PERSONS)
    source = write_csv(rows, folder / "register-search.csv", "gb18030")
    conn = connect(folder / "search.db")
    try:
        r = import_register(conn, source, now=NOW)
        if r.status is not ImportStatus.IMPORTED:
            raise RuntimeError(f"import failed: {r.problems[:3]}")
        queries = desk_queries(rows)
        for q in queries[:20]:  # warm the page cache as a desk that has been open a minute
            search(conn, q)
        times: list[float] = []
        for q in queries:
            t = time.perf_counter()
            hits = search(conn, q)
            times.append((time.perf_counter() - t) * 1000)
            if not hits:
                raise RuntimeError(f"no result for {q!r}")
        return p95(times)
    finally:
        conn.close()
