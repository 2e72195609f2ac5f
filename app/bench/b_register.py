"""Register speed: importing the 20,000-person register (GBK CSV, XLSX) and searching it at the
desk (name, pinyin, initials, ID digits mixed). Each import runs on a fresh database; the pinyin
caches are cleared before each run so every run pays for the readings it needs."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
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


# --- refusing an XLSX bomb -----------------------------------------------------------------

BOMB_UNPACKED = 950 * 1024 * 1024  # under the old 1 GiB cap that let such a file through


_ROW = ('<row><c t="inlineStr"><is><t>张三</t></is></c><c t="inlineStr"><is><t>男</t></is>'
        '</c></row>').encode()


def write_xlsx_bomb(path: Path, unpacked: int = BOMB_UNPACKED,
                    row: bytes | Callable[[int], bytes] = _ROW) -> Path:
    """A valid XLSX (openpyxl opens it) whose one sheet is `unpacked` bytes of the same rows
    (or of row(n) for n = 2, 3, ...), written by streaming into the zip: a few MB on disk. Kept
    in a scratch folder only."""
    import zipfile

    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
            '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
            '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/></Types>'),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="'
            f'{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{ns}" xmlns:r="{rel}">'
            '<sheets><sheet name="名册" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="'
            f'{rel}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'),
    }
    head = (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{ns}"><sheetData>'
            '<row><c t="inlineStr"><is><t>姓名</t></is></c><c t="inlineStr"><is><t>性别</t></is>'
            '</c></row>').encode()
    tail = b"</sheetData></worksheet>"
    n = 2

    def next_chunk(room: int) -> bytes:
        nonlocal n
        if isinstance(row, bytes):
            return row * max(1, min(1024 * 1024, room) // len(row))
        out: list[bytes] = []
        size = 0
        while size < min(1024 * 1024, room) or not out:
            out.append(row(n))
            size += len(out[-1])
            n += 1
        return b"".join(out)

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            zf.writestr(name, text)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(head)
            left = unpacked - len(head) - len(tail)
            while left > 0:
                piece = next_chunk(left)
                fh.write(piece)
                left -= len(piece)
            fh.write(tail)
    return path


# Linux keeps a process's peak memory across fork and exec, so a child started straight from
# a big process (pytest, the bench) reports the parent's peak. A small launcher process starts
# the command and reads the command's own peak with os.wait4.
_LAUNCHER = """
import os, subprocess, sys, time
t = time.perf_counter()
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
err = p.stderr.read()
_pid, status, usage = os.wait4(p.pid, 0)
secs = time.perf_counter() - t
scale = 1024 * 1024 if sys.platform == "darwin" else 1024
sys.stdout.write(f"{os.waitstatus_to_exitcode(status)} {secs:.4f} {usage.ru_maxrss / scale:.1f}\\n")
sys.stdout.write(err.decode("utf-8", "replace"))
"""


def refuse_in_subprocess(source: Path, db: Path) -> tuple[int, float, float, str]:
    """(exit code, seconds, peak MB, stderr) of a real `pollday import-register --db db source`
    process: the time includes the interpreter start and the imports the command pays for; the
    peak is that process's own maximum resident set (os.wait4: Linux and macOS)."""
    import os
    import subprocess
    import sys

    from app.bench.b_cli import pollday_command

    if not hasattr(os, "wait4") or getattr(sys, "frozen", False):
        raise RuntimeError("the peak memory of a pollday process is measured from a source "
                           "checkout on Linux or macOS")
    env = {**os.environ, "POLLDAY_HOME": str(db.parent)}
    cmd = [*pollday_command(), "import-register", "--db", str(db), str(source)]
    done = subprocess.run([sys.executable, "-c", _LAUNCHER, *cmd], capture_output=True,
                          env=env, timeout=900, check=True)
    first, _, err = done.stdout.decode("utf-8", "replace").partition("\n")
    code, secs, peak = first.split()
    return int(code), float(secs), float(peak), err


_BOMB_RUN: list[tuple[int, float, float, str]] = []


def _bomb_run(folder: Path) -> tuple[int, float, float, str]:
    """One refusal serves both figures (each metric gets its own scratch folder)."""
    if not _BOMB_RUN:
        bomb = write_xlsx_bomb(folder / "bomb.xlsx")
        try:
            got = refuse_in_subprocess(bomb, folder / "bomb.db")
        finally:
            bomb.unlink()
        if got[0] != 1 or "未读取" not in got[3]:
            raise RuntimeError(f"the XLSX bomb was not refused: {got}")
        _BOMB_RUN.append(got)
    return _BOMB_RUN[0]


@metric("refuse_bomb_s", "s", 10.0, issue="13")
def refuse_bomb_s(folder: Path) -> float:
    """Seconds for `pollday import-register` to refuse a 3 MB XLSX that unpacks to 950 MB."""
    return _bomb_run(folder)[1]


@metric("refuse_bomb_peak_mb", "MB", 300.0, issue="13")
def refuse_bomb_peak_mb(folder: Path) -> float:
    """Peak memory (RSS) of that process."""
    return _bomb_run(folder)[2]
