"""Importing a batch of scans: a folder of PDF / JPEG / PNG / TIFF files from the office
scanner (its scan folder or a USB stick), with the number of ballots the clerk counted by hand.

Guards, each refusing the whole batch with nothing written: a file already imported (the same
bytes, by SHA-256), the same bytes twice in the folder, and pages in the files differing from the
hand count (an office feeder has no double-feed sensor: two sheets fed as one show as a page
missing; identical ballots are normal, so images are never compared for similarity).

Every original is copied, unaltered and read-only, into the archive folder beside the database
(`<database name>-scans/batch-NNNN/`), named by its hash; the database records the hash, and
every page read: refused with the reason (that ballot is entered by keyboard), or read with its
box scores, the machine's reading and what sends it to a human."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.clock import Clock, iso
from app.fileio import fsync_dir, safe_filename, write_atomic
from app.meetings import Refusal
from app.scan.setup import election_hash, known_layouts
from app.scan.source import count_pages, kind_of, pages_of, sha256_of
from db import scan as q
from db.audit import append
from db.tx import transaction

Progress = Callable[[int, int], bool]     # (done, total) -> False to cancel
CANCELLED = "已取消导入：这一批未导入（数据库和原件存档中没有留下这一批的任何部分），可重新导入"


@dataclass(frozen=True, slots=True)
class RefusedPage:
    file: str
    page: int
    position: int
    reason: str


@dataclass(frozen=True, slots=True)
class ImportResult:
    batch_id: int
    pages: int
    read: int
    flagged: int
    refused: tuple[RefusedPage, ...]
    archive: Path
    ignored: tuple[str, ...] = field(default=())
    testdeck: tuple[Any, ...] = field(default=())   # app.scan.testdeck.DeckResult of its pages

    def as_json(self) -> dict[str, Any]:
        return {"batch": self.batch_id, "pages": self.pages, "read": self.read,
                "flagged": self.flagged, "archive": str(self.archive),
                "testdeck": [r.as_json() for r in self.testdeck],
                "refused": [{"file": r.file, "page": r.page, "position": r.position,
                             "reason": r.reason} for r in self.refused],
                "ignored": list(self.ignored)}


def archive_folder(db_path: Path) -> Path:
    return db_path.with_name(f"{db_path.stem}-scans")


def scan_files(folder: Path) -> tuple[list[Path], list[str]]:
    """(the scan files in name order, the names of other files left alone)."""
    files: list[Path] = []
    ignored: list[str] = []
    for p in sorted(folder.iterdir(), key=lambda p: p.name):
        if p.is_file():
            if kind_of(p):
                files.append(p)
            else:
                ignored.append(p.name)
    return files, ignored


@dataclass(frozen=True, slots=True)
class PageReader:
    """What pages are read against: the database's layouts and election hash (`key` names them,
    so a page read before a layout was added is read again when it is imported)."""

    by_code: dict[int, Any]
    election: str
    qr_codes: frozenset[int]
    key: str


@dataclass(frozen=True, slots=True)
class ReadScan:
    """One scan file read and not yet imported (a watched folder's file waiting for its batch's
    hand count): its bytes exactly as read, their hash, and each page's reading."""

    name: str
    data: bytes
    sha256: str
    pages: tuple[tuple[int, dict[str, Any]], ...]     # (page in the file, the page's fields)
    reader: str                                       # PageReader.key it was read against


def page_reader(conn: sqlite3.Connection) -> PageReader:
    layouts = known_layouts(conn)
    qr_codes = frozenset(c for c, k in layouts.items() if k.qr)
    election = election_hash(conn) if qr_codes else ""
    key = json.dumps([election, sorted((c, k.layout.geometry_json(), k.qr, k.test_deck)
                                       for c, k in layouts.items())])
    return PageReader({c: k.layout for c, k in layouts.items()}, election, qr_codes, key)


def read_scan(name: str, data: bytes, reader: PageReader, *,
              page_done: Callable[[int], bool] | None = None) -> ReadScan | None:
    """Every page of one file read (None when `page_done(page)` answered False: cancelled)."""
    pages = []
    for img in pages_of(Path(name), data):
        pages.append((img.page, _read(img, reader.by_code, reader.election, reader.qr_codes)))
        if page_done is not None and not page_done(img.page):
            return None
    return ReadScan(name, data, sha256_of(data), tuple(pages), reader.key)


def import_refused(conn: sqlite3.Connection, operator: str) -> Refusal | None:
    """Why `operator` may not import scans (under a staff list a 计票人 imports what the scanner
    read), else None: every import checks it, and a watch when it starts, before reading a file."""
    from app.voting.guard import refused as not_allowed

    return not_allowed(conn, "enter_ballots", operator)


def _not_allowed(conn: sqlite3.Connection, operator: str, hand_count: int) -> Refusal | None:
    denied = import_refused(conn, operator)
    if denied is not None:
        return denied
    if hand_count < 1:
        return Refusal("HAND_COUNT_MISSING", "须填写这一批手工清点的选票张数")
    return None


def _same_bytes(conn: sqlite3.Connection, names: Sequence[str],
                hashes: Sequence[str]) -> Refusal | None:
    seen: dict[str, str] = {}
    for name, h in zip(names, hashes, strict=True):
        if h in seen:
            return Refusal("SAME_FILE_TWICE", f"{name} 与 {seen[h]} 内容完全相同（同一文件两份），"
                           "整批未导入：请删去重复的一份")
        seen[h] = name
    known = q.known_hashes(conn, hashes)
    if known:
        h = next(iter(known))
        batch, name = known[h]
        return Refusal("ALREADY_IMPORTED", f"{seen[h]} 已在第{batch}批导入过（原文件名 {name}），"
                       "同一文件不能重复计票；整批未导入")
    return None


def _mismatch(total: int, hand_count: int) -> Refusal | None:
    if total == hand_count:
        return None
    return Refusal("HAND_COUNT_MISMATCH",
                   f"扫描文件共{total}页，手工清点{hand_count}张，不相等，整批未导入："
                   + ("可能有两张选票叠在一起进纸（少扫了一张），请重新清点并重扫这一批"
                      if total < hand_count else "请重新清点；是否有选票扫了两次？"))


def import_batch(conn: sqlite3.Connection, db_path: Path, folder: Path, hand_count: int, *,
                 operator: str, clock: Clock, progress: Progress | None = None
                 ) -> ImportResult | Refusal:
    denied = _not_allowed(conn, operator, hand_count)
    if denied is not None:
        return denied
    if not folder.is_dir():
        return Refusal("NO_FOLDER", f"文件夹不存在：{folder}")
    files, ignored = scan_files(folder)
    if not files:
        return Refusal("NO_SCANS", f"{folder} 中没有扫描文件（PDF、JPEG、PNG、TIFF）")
    blobs = [p.read_bytes() for p in files]
    hashes = [sha256_of(b) for b in blobs]
    names = [p.name for p in files]
    same = _same_bytes(conn, names, hashes)
    if same is not None:
        return same
    counts = []
    for p, b in zip(files, blobs, strict=True):
        try:
            counts.append(count_pages(p, b))
        except Exception as exc:  # noqa: BLE001 - a damaged file is named, never half-imported
            return Refusal("FILE_UNREADABLE", f"{p.name} 无法读取（{exc}），整批未导入")
    total = sum(counts)
    mismatch = _mismatch(total, hand_count)
    if mismatch is not None:
        return mismatch
    reader = page_reader(conn)
    rows: list[tuple[int, int, int, dict[str, Any]]] = []   # (file index, page, position, fields)
    position = 0
    for i, (p, b) in enumerate(zip(files, blobs, strict=True)):
        for img in pages_of(p, b):
            position += 1
            rows.append((i, img.page, position,
                         _read(img, reader.by_code, reader.election, reader.qr_codes)))
            if progress is not None and not progress(position, total):
                return Refusal("CANCELLED", CANCELLED)
    return _write(conn, db_path, str(folder), names, blobs, hashes, counts, rows, hand_count,
                  operator=operator, clock=clock, progress=progress, ignored=ignored)


def import_read(conn: sqlite3.Connection, db_path: Path, source: str, scans: Sequence[ReadScan],
                hand_count: int, *, operator: str, clock: Clock,
                progress: Progress | None = None) -> ImportResult | Refusal:
    """Import files already read (a watched folder's batch, once the clerk typed its hand count)
    with the same guards as `import_batch`: files in name order (the scanner's numbering is the
    stack's order), the same bytes never twice, pages equal to the hand count, else nothing."""
    denied = _not_allowed(conn, operator, hand_count)
    if denied is not None:
        return denied
    if not scans:
        return Refusal("NO_SCANS", f"{source} 中这一批没有可导入的扫描文件")
    scans = sorted(scans, key=lambda s: s.name)
    names = [s.name for s in scans]
    hashes = [s.sha256 for s in scans]
    same = _same_bytes(conn, names, hashes)
    if same is not None:
        return same
    counts = [len(s.pages) for s in scans]
    mismatch = _mismatch(sum(counts), hand_count)
    if mismatch is not None:
        return mismatch
    reader = page_reader(conn)
    rows: list[tuple[int, int, int, dict[str, Any]]] = []
    for i, s in enumerate(scans):
        again = s if s.reader == reader.key else read_scan(s.name, s.data, reader)
        assert again is not None
        for page, fields in again.pages:
            rows.append((i, page, len(rows) + 1, fields))
    return _write(conn, db_path, source, names, [s.data for s in scans], hashes, counts, rows,
                  hand_count, operator=operator, clock=clock, progress=progress, ignored=[])


def _write(conn: sqlite3.Connection, db_path: Path, source: str, names: Sequence[str],
           blobs: Sequence[bytes], hashes: Sequence[str], counts: Sequence[int],
           rows: Sequence[tuple[int, int, int, dict[str, Any]]], hand_count: int, *,
           operator: str, clock: Clock, progress: Progress | None,
           ignored: Sequence[str]) -> ImportResult | Refusal:
    """The batch's rows and its archived originals, all or nothing."""
    layouts = known_layouts(conn)
    total = sum(counts)
    closed = _closed_round(conn, layouts, rows) or _over_returned(conn, layouts, rows, names)
    if closed is not None:
        return closed
    at = iso(clock.now())
    archive = archive_folder(db_path)
    staged: Path | None = None     # the batch's archive folder while it is not yet committed
    batch_id = 0
    try:
        with transaction(conn):
            # No other import can be between its first write and its COMMIT now: a `.partial`
            # folder in the archive was left by one that was killed.
            _sweep(archive)
            batch_id = q.insert_batch(conn, hand_count, source, operator, at)
            where = archive / f"batch-{batch_id:04d}"
            staged = archive / f"batch-{batch_id:04d}.partial"
            staged.mkdir(parents=True)
            file_ids = []
            for p, b, h, n in zip(names, blobs, hashes, counts, strict=True):
                name = f"{h[:16]}-{safe_filename(p)}"
                write_atomic(staged / name, b)
                os.chmod(staged / name, stat.S_IREAD)
                file_ids.append(q.insert_file(conn, batch_id, p, h,
                                              str((where / name).relative_to(archive.parent)),
                                              len(b), n))
            q.insert_pages(conn, [(batch_id, pos, file_ids[i], page, f["status"], f["reason"],
                                   f["layout"], f["dpi"], f["residual"], f["upside_down"],
                                   f["marks"], json.dumps(f["written"]), json.dumps(f["scores"]),
                                   json.dumps(f["flags"], ensure_ascii=False))
                                  for i, page, pos, f in rows])
            refused = tuple(RefusedPage(names[i], page, pos, f["reason"])
                            for i, page, pos, f in rows if f["status"] == "refused")
            flagged = sum(1 for *_x, f in rows if f["status"] == "flagged")
            append(conn, at=at, actor=operator, action="scan_import",
                   detail={"batch": batch_id, "hand_count": hand_count, "pages": total,
                           "files": [{"name": p, "sha256": h}
                                     for p, h in zip(names, hashes, strict=True)],
                           "refused": len(refused), "flagged": flagged})
            if progress is not None and not progress(total, total):   # cancelled meanwhile
                raise _Cancel
            if where.exists():
                _set_aside(where)
            os.replace(staged, where)      # renamed last: a kill before COMMIT leaves it swept
            staged = where
            fsync_dir(archive)
        staged = None
    except _Cancel:
        if staged is not None:
            _remove_tree(staged)
        return Refusal("CANCELLED", CANCELLED)
    except BaseException:
        # Ctrl+C, the window closed, a full disk: the rows are rolled back, so are the files
        # (unless the COMMIT itself got through just before the interruption).
        if staged is not None and batch_id not in _committed(conn):
            _remove_tree(staged)
        raise
    from app.scan.testdeck import judge_scanned

    judged = judge_scanned(conn, actor=operator, clock=clock)   # test-deck pages, if any
    return ImportResult(batch_id, total, total - len(refused) - flagged, flagged, refused,
                        archive, tuple(ignored), tuple(judged))


def _closed_round(conn: sqlite3.Connection, layouts: dict[int, Any],
                  rows: Sequence[tuple[int, int, int, dict[str, Any]]]) -> Refusal | None:
    """A page of a round that is locked or has finished counting would sit uncounted: the whole
    batch is refused, naming the round."""
    from app.voting import State, round_by_number

    codes = sorted({int(f["layout"]) for *_x, f in rows
                    if f["status"] != "refused" and f["layout"] is not None})
    for code in codes:
        known = layouts.get(code)
        if known is None or known.test_deck:
            continue
        parts = ([(b.contest_id, b.round_no) for b in known.layout.blocks()]
                 if known.layout.multi else [(known.contest_id, known.round_no)])
        for contest_id, number in parts:
            r = round_by_number(conn, contest_id, number)
            if r is not None and r.state is not State.OPEN:
                n = sum(1 for *_x, f in rows if f["layout"] == code and f["status"] != "refused")
                state = "已锁定" if r.state is State.LOCKED else "已结束计票"
                return Refusal("ROUND_NOT_OPEN", f"该轮{state}（{r.label}）：这一批中有{n}张是"
                               "该轮的选票，不能再计入，整批未导入；如确须计入，先解锁"
                               "并重新开始该轮计票")
    return None


def _over_returned(conn: sqlite3.Connection, layouts: dict[int, Any],
                   rows: Sequence[tuple[int, int, int, dict[str, Any]]],
                   names: Sequence[str]) -> Refusal | None:
    """Every round: 收回 = ballots read + ballots entered by keyboard. A batch that would make a
    round's scanned ballots (with those already imported and those typed into entry A) more than
    the 收回 registered for its boxes is refused whole, naming the round, this batch's files and
    the batches already in: the same sheet scanned again as another file (other bytes, so not
    caught by the hash; identical ballots are normal, so images are never compared) would
    otherwise be counted twice. A round with no box figures yet is not checked here (validation
    asks for them before the lock)."""
    from app.scan.adjudicate import SCANNER
    from app.voting import round_by_number
    from db import voting as vq

    per_round: dict[tuple[int, int], list[int]] = {}   # (contest, round) -> file indexes
    for i, _page, _pos, f in rows:
        known = layouts.get(int(f["layout"])) if f["status"] != "refused" \
            and f["layout"] is not None else None
        if known is None or known.test_deck:
            continue
        parts = ([(b.contest_id, b.round_no) for b in known.layout.blocks()]
                 if known.layout.multi else [(known.contest_id, known.round_no)])
        for part in parts:
            per_round.setdefault(part, []).append(i)
    for (contest_id, number), files in sorted(per_round.items()):
        r = round_by_number(conn, contest_id, number)
        if r is None or not r.boxes:
            continue
        codes = [c for c, k in layouts.items() if not k.test_deck and (
            (k.contest_id, k.round_no) == (contest_id, number) if not k.layout.multi
            else any((b.contest_id, b.round_no) == (contest_id, number)
                     for b in k.layout.blocks()))]
        earlier = [row for row in q.pages(conn, layout_codes=codes) if str(row[5]) != "refused"]
        typed = sum(1 for row in vq.select_standing_entries(conn, r.id, "A")
                    if row[5] and str(row[12]) != SCANNER)
        total = len(earlier) + len(files) + typed
        if total <= r.returned:
            continue
        mine = sorted({names[i] for i in files})
        batches = sorted({int(row[1]) for row in earlier})
        listed = "、".join(mine[:5]) + (f"等{len(mine)}个文件" if len(mine) > 5 else "")
        return Refusal(
            "OVER_RETURNED",
            f"{r.label}：这一批（{listed}）的{len(files)}张加上已导入的{len(earlier)}张"
            + (f"（第{'、'.join(map(str, batches))}批）" if batches else "")
            + (f"和键盘录入的{typed}张" if typed else "")
            + f"共{total}张，多于票箱登记收回的{r.returned}张，整批未导入：是否同一张选票扫了两次"
            "（如另存为其他格式重扫）？请核对；收回数登记错了先在“监票人·票箱”页更正")
    return None


def _read(img: Any, layouts: Any, election: str, qr_codes: frozenset[int]) -> dict[str, Any]:
    from app.scan.read import PageRefused, read_page

    none: dict[str, Any] = {"layout": None, "dpi": img.dpi, "residual": None, "upside_down": 0,
                            "marks": "", "written": [], "scores": [], "flags": []}
    if img.gray is None:
        return {**none, "status": "refused", "reason": img.problem}
    got = read_page(img.gray, layouts, dpi_hint=img.dpi, election=election, qr_layouts=qr_codes)
    if isinstance(got, PageRefused):
        return {**none, "status": "refused", "reason": got.reason}
    return {"status": "flagged" if got.flags else "read", "reason": "",
            "layout": got.layout_code, "dpi": round(got.dpi, 1),
            "residual": round(got.residual_mm, 3), "upside_down": int(got.upside_down),
            "marks": got.marks, "written": list(got.write_in_boxes),
            "scores": [s.as_json() for s in got.scores],
            "flags": [{"code": c, "text": t, **({"block": got.flag_blocks[i]}
                                                 if got.flag_blocks else {})}
                      for i, (c, t) in enumerate(got.flags)]}


class _Cancel(Exception):
    """Cancelled while the batch was being written: rolled back whole."""


def _committed(conn: sqlite3.Connection) -> set[int]:
    try:
        return q.batch_ids(conn)
    except sqlite3.Error:
        return set()


def _sweep(archive: Path) -> None:
    """Remove the `batch-NNNN.partial` folders a killed import left in the archive (read-only
    files of a batch that was never committed). Nothing else is ever deleted."""
    if not archive.is_dir():
        return
    for p in archive.iterdir():
        stem = p.name.removesuffix(".partial")
        if p.name.endswith(".partial") and stem.startswith("batch-") and stem[6:].isdigit() \
                and p.is_dir():
            _remove_tree(p)


def _set_aside(where: Path) -> None:
    """A `batch-NNNN` folder no committed batch owns (an import killed between its last file and
    its COMMIT, or a database put back from an older copy beside a newer archive): originals of
    ballots are never deleted, it is renamed `batch-NNNN.unclaimed` (-2, -3 ...) and left there."""
    n = 1
    while True:
        aside = where.with_name(f"{where.name}.unclaimed" + (f"-{n}" if n > 1 else ""))
        if not aside.exists():
            os.replace(where, aside)
            return
        n += 1


def _remove_tree(path: Path) -> None:
    import shutil

    def writable(func: Callable[..., Any], name: str, _exc: Any) -> None:
        try:
            os.chmod(name, stat.S_IWRITE | stat.S_IREAD)   # Windows refuses to delete read-only
            func(name)
        except FileNotFoundError:
            pass

    if path.exists():
        shutil.rmtree(path, onerror=writable)


def describe_refused(refused: Sequence[RefusedPage]) -> list[str]:
    return [f"{r.file} 第{r.page}页（本批第{r.position}张）：{r.reason}" for r in refused]
