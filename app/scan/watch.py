"""A watched scan folder: the office MFP's scan folder (often a Windows share) or a USB stick,
polled every few seconds; each new scan file, once complete, is read at once and joins the
watched batch that is open; the batch is imported when the clerk types its hand count.

Why polling and not a platform watcher (inotify, ReadDirectoryChangesW, watchdog): change
notifications are not delivered for SMB shares served by many MFPs and NAS boxes, nor reliably
for USB sticks (FAT/exFAT) that are pulled and put back; a listing every few seconds works on all
of them, costs nothing beside reading the pages, and notices a pulled stick as a failed listing.

When is a file complete? An MFP writes a PDF over the network for seconds while it scans the
stack, and the file grows. A file is taken only when
  - its size and modification time are the same in STABLE_POLLS polls after it was first seen
    (os.stat on the path, not the directory listing: Windows updates a listing's size of a file
    still open for writing only lazily, the stat of the file itself is current),
  - it opens and reads (a writer holding it without sharing makes the open fail on Windows),
  - its stat is still the same after reading it, and its bytes end as a finished file of its
    kind (a PDF's %%EOF, a JPEG's end marker, a PNG's IEND; a TIFF's every frame decodes):
    pdfium repairs a truncated PDF and would show fewer pages, so "it opens" is not enough.
A file that stays unchanged and incomplete for STALE_POLLS polls is refused (named, with the
reason); it is looked at again if it changes.

Nothing in the watched folder is ever moved, renamed or deleted: the originals are copied into
the archive when their batch is imported (app.scan.batch). The same bytes are never imported
twice: a file whose hash is already in the database, or already read in this watch, is refused.
Files present when the watch starts are not taken at once (the scan folder may hold other
jobs): the first step reads each one's hash and says how many are already in the archive and how
many are not (those are taken only when the clerk asks, `take_existing`; never silently called
"already there"). Files read but not yet imported are remembered in the database's `setting`
table (folder, name, SHA-256: `remembered`), so a window closed or a laptop restarted before the
hand count was typed loses no ballot: watching the folder again reads them back into a batch
waiting for its count (same name, same bytes); the window's close dialog names them
(`pending_words`).

A watched batch is the files that arrived since the previous batch was closed; typing its hand
count closes it (files seen afterwards start the next batch) and imports it as soon as none of
its files is still being written; pages differing from the count refuse the batch whole (nothing
written), it stays for a corrected count or is set aside (its files are never taken again by
this watch; the originals stay in the folder).

One `step()` at a time runs in a worker thread (the GUI's task, or the CLI's loop); `count()`,
`set_aside()` and `stop()` may be called from another thread: they are queued under a lock."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.clock import Clock
from app.meetings import Refusal
from app.scan.batch import ImportResult, PageReader, ReadScan, import_read, page_reader, read_scan
from app.scan.source import count_pages, kind_of, sha256_of
from db import scan as q
from db import settings
from db.identity import DatabaseFileChanged
from db.tx import transaction

POLL_S = 2.0
STABLE_POLLS = 2
STALE_POLLS = 10

# states of a file
WRITING, READ, REFUSED, IMPORTED, SET_ASIDE = "writing", "read", "refused", "imported", "set_aside"
# states of a batch
OPEN, COUNTING, NOT_IMPORTED, DONE, DROPPED = "open", "counting", "not_imported", "done", "dropped"

Progress = Callable[[int, int, str], None]
PENDING_KEY = "scan.watch_pending"   # {folder: [{name, sha256, pages}]}: read, not imported
FOLDER_KEY = "scan.watch_folder"     # the folder watched last (the folder dialog opens there)


@dataclass(frozen=True, slots=True)
class Event:
    """Something the clerk is told: a file read or refused, a batch imported or refused, the
    watch stopped. `as_json()` is the CLI's line."""

    kind: str           # read | refused | imported | batch_refused | set_aside | stopped
    #                     | existing (the files found at the start) | resumed (read back)
    words: str
    file: str = ""
    batch: int = 0      # the watched batch's number
    detail: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"event": self.kind}
        if self.file:
            out["file"] = self.file
        if self.batch:
            out["watch_batch"] = self.batch
        return {**out, **self.detail, "words": self.words}


@dataclass(frozen=True, slots=True)
class FileRow:
    name: str
    batch: int          # 0: in no batch (refused)
    state: str
    pages: int
    words: str
    label: str = ""     # the batch as the database numbers it: "4" imported, "4（待）" to come


@dataclass(frozen=True, slots=True)
class BatchRow:
    number: int
    state: str
    files: int
    pages: int
    writing: int        # files still being written
    hand_count: int     # 0 until typed
    batch_id: int       # the imported batch, else 0
    words: str
    name: str = ""      # 第4批 (imported) or 待导入批（将为第4批）


@dataclass(frozen=True, slots=True)
class WatchView:
    """What the screen shows, made in the worker thread after each step."""

    folder: str
    watching: bool
    stopped: str        # why the watch stopped ("" while it runs or after the stop button)
    files: tuple[FileRow, ...]
    batches: tuple[BatchRow, ...]
    before: int         # files already in the folder when the watch started, not taken and
    #                     (once their hashes are read) not in the archive
    others: int         # files that are not scans (left alone)
    before_imported: int = 0   # files already there whose bytes are already imported
    imported_here: int = 0     # batches in the database imported from this folder

    def waiting(self) -> tuple[BatchRow, ...]:
        """Batches that still need a hand count (or a corrected one)."""
        return tuple(b for b in self.batches if b.state in (OPEN, NOT_IMPORTED) and b.files)


@dataclass
class _File:
    name: str
    stat: tuple[int, int]
    batch: int
    steady: int = 0
    state: str = WRITING
    reason: str = ""
    scan: ReadScan | None = None
    done_in: int = 0        # found at the start, already imported in this database batch


@dataclass
class _Batch:
    number: int
    state: str = OPEN
    hand_count: int = 0
    batch_id: int = 0
    reason: str = ""
    operator: str = ""


class FolderWatch:
    def __init__(self, folder: Path, db_path: Path, *, operator: str, clock: Clock,
                 stable_polls: int = STABLE_POLLS, stale_polls: int = STALE_POLLS) -> None:
        self.folder = Path(os.path.abspath(folder))   # one key for the GUI and the CLI
        self.db_path = db_path
        self.operator = operator
        self.clock = clock
        self.stable_polls = stable_polls
        self.stale_polls = stale_polls
        self.files: dict[str, _File] = {}        # each name's latest file
        self.taken: list[_File] = []               # every file followed, in the order seen
        self.before: dict[str, tuple[int, int]] = {}
        self.others: set[str] = set()
        self.batches: list[_Batch] = []
        self.stopped = ""
        self.running = False
        self.sorted = False                        # the files there at the start hashed
        self.take_new = False                      # ... and the ones not imported asked for
        self.before_done: set[str] = set()         # ... and found already imported
        self.next_id = 1                           # the number the next imported batch gets
        self.imported_here = 0
        self._saved: str | None = None             # the pending files last remembered
        self._lock = threading.Lock()
        # ("count" | "aside", batch, hand count, operator)
        self._asked: list[tuple[str, int, int, str]] = []

    # -- asked from any thread ----------------------------------------------------------------
    def count(self, batch: int, hand_count: int, operator: str = "") -> None:
        """The clerk typed the batch's hand count; `operator`: who imports it (the person at
        the desk now, who may not be the one who started the watch)."""
        with self._lock:
            self._asked.append(("count", batch, hand_count, operator or self.operator))

    def set_aside(self, batch: int) -> None:
        with self._lock:
            self._asked.append(("aside", batch, 0, ""))

    def stop(self) -> None:
        self.running = False

    def take_existing(self) -> None:
        """The files there before the watch started and not in the archive are taken too (the
        clerk scanned the first stack before watching): from the next poll on, as if they had
        just appeared (the ones already imported stay alone; before their hashes are read, all
        are taken and one already imported is refused with its batch)."""
        with self._lock:
            self._asked.append(("existing", 0, 0, ""))

    def asked(self) -> bool:
        """A count or a set-aside is waiting for the next step."""
        with self._lock:
            return bool(self._asked)

    # -- the worker's side ---------------------------------------------------------------------
    def start(self) -> Refusal | None:
        """Remember what the folder holds now (not taken), and start watching."""
        listed = self._list()
        if listed is None:
            return Refusal("NO_FOLDER", f"无法打开文件夹 {self.folder}（不存在或无权读取）")
        self.before = listed
        self.running = True
        self.stopped = ""
        self.sorted = False
        self.before_done = set()
        return None

    def step(self, conn: sqlite3.Connection, *, progress: Progress | None = None,
             cancelled: Callable[[], bool] = lambda: False) -> list[Event]:
        """The asked counts and set-asides, then one poll of the folder (reading what became
        complete), then the counts that were waiting for files still being written."""
        self._numbers(conn)
        events = self._answer(conn, progress)
        if self.running and not self.sorted:
            events += self._sort_before(conn, progress, cancelled)
        if self.running:
            events += self._poll(conn, progress, cancelled)
        events += self._imports(conn, progress)
        if events:
            self._numbers(conn)
        self._remember(conn)
        return events

    def view(self) -> WatchView:
        files = tuple(FileRow(f.name, f.batch, f.state, len(f.scan.pages) if f.scan else 0,
                              _file_words(f), str(f.done_in) if f.done_in
                              else self._short(f.batch)) for f in self.taken)
        batches = []
        for b in self.batches:
            mine = [f for f in self.taken if f.batch == b.number
                    and f.state in (WRITING, READ, IMPORTED)]
            pages = sum(len(f.scan.pages) for f in mine if f.scan)
            writing = sum(1 for f in mine if f.state == WRITING)
            batches.append(BatchRow(b.number, b.state, len(mine), pages, writing, b.hand_count,
                                    b.batch_id, _batch_words(b, self._name(b), len(mine), pages,
                                                             writing), self._name(b)))
        new = sum(1 for n in self.before if n not in self.before_done)
        return WatchView(str(self.folder), self.running, self.stopped, files, tuple(batches),
                         new, len(self.others), len(self.before_done), self.imported_here)

    # -- the batches as the database numbers them ---------------------------------------------
    def _numbers(self, conn: sqlite3.Connection) -> None:
        try:
            rows = q.batches(conn)
        except sqlite3.Error:
            return
        self.next_id = max((int(r[0]) for r in rows), default=0) + 1
        self.imported_here = sum(1 for r in rows if str(r[2]) == str(self.folder))

    def _will_be(self, b: _Batch) -> int:
        """The number a batch not yet imported gets if the batches before it go in first."""
        ahead = [x for x in self.batches if x.state in (OPEN, COUNTING, NOT_IMPORTED)
                 and x.number < b.number]
        return self.next_id + len(ahead)

    def _name(self, b: _Batch) -> str:
        if b.state == DONE:
            return f"第{b.batch_id}批"
        if b.state == DROPPED:
            return "已放弃的一批"
        return f"待导入批（将为第{self._will_be(b)}批）"

    def _short(self, number: int) -> str:
        b = self._batch(number)
        if b is None:
            return "—"
        if b.state == DONE:
            return str(b.batch_id)
        return "—" if b.state == DROPPED else f"{self._will_be(b)}（待）"

    # -- the files there at the start, and the files read but never imported -------------------
    def _sort_before(self, conn: sqlite3.Connection, progress: Progress | None,
                     cancelled: Callable[[], bool]) -> list[Event]:
        """Hash the files that were there when the watch started: already in the archive (left
        alone, counted), remembered as read-but-not-imported by an earlier watch (read back at
        once into a waiting batch), or neither (offered: `take_existing`)."""
        earlier = {f["name"]: f["sha256"] for f in remembered(conn).get(str(self.folder), [])}
        hashes: dict[str, str] = {}
        names = sorted(self.before)
        for k, name in enumerate(names, 1):
            if cancelled():
                return []                          # sorted on the next step
            if progress is not None:
                progress(k, len(names), f"正在核对文件夹中已有的文件 {k}/{len(names)}：{name}")
            try:
                hashes[name] = sha256_of((self.folder / name).read_bytes())
            except OSError:
                continue                           # unreadable now: offered like a new one
        known = q.known_hashes(conn, list(set(hashes.values())))
        self.before_done = {n for n, h in hashes.items() if h in known}
        for name in sorted(self.before_done):     # listed, so the day's files stay in view
            batch_id, first = known[hashes[name]]
            self.taken.append(_File(name, self.before[name], 0, state=IMPORTED,
                                    reason=str(first), done_in=int(batch_id)))
        back = [n for n, h in hashes.items() if earlier.get(n) == h and h not in known]
        for name in back:                          # read again at this poll
            st = self.before.pop(name)
            self.files[name] = _File(name, st, self._open_batch(), steady=self.stable_polls - 1)
            self.taken.append(self.files[name])
        self.sorted = True
        if self.take_new:
            self._take_new()
        events: list[Event] = []
        if back:
            events.append(Event("resumed", f"上次已读出、未导入的 {len(back)} 个文件重新读出："
                                + "、".join(back) + f"；归入待导入批（将为第{self.next_id}批），"
                                "等待输入手工清点张数", detail={"files": back}))
        gone = sorted(n for n in earlier if n not in back)
        if gone:
            events.append(Event("resumed", f"上次已读出、未导入的 {len(gone)} 个文件已不在文件夹中"
                                "或内容已变：" + "、".join(gone) + "；请找到原件或重新扫描",
                                detail={"missing": gone}))
        new = [n for n in names if n not in self.before_done and n not in back]
        if new or self.before_done:
            events.append(Event(
                "existing", f"文件夹中已有 {len(new) + len(self.before_done)} 个扫描文件："
                + (f"{len(self.before_done)} 个已导入过（不再读取）" if self.before_done else "")
                + ("；" if new and self.before_done else "")
                + (f"{len(new)} 个未导入过（内容不在存档中）：" + "、".join(new[:5])
                   + ("等" if len(new) > 5 else "")
                   + ("，现在读取" if self.take_new else "，不自动读取；如是本次的选票，"
                      "请点“也读取未导入的文件”") if new else ""),
                detail={"imported": len(self.before_done), "not_imported": new}))
        return events

    def _take_new(self) -> None:
        self.before = {n: st for n, st in self.before.items() if n in self.before_done}

    def _pending(self) -> list[dict[str, Any]]:
        waiting = {b.number for b in self.batches if b.state in (OPEN, COUNTING, NOT_IMPORTED)}
        return [{"name": f.name, "sha256": f.scan.sha256, "pages": len(f.scan.pages)}
                for f in self.taken if f.state == READ and f.scan is not None
                and f.batch in waiting]

    def _remember(self, conn: sqlite3.Connection) -> None:
        """The files read and not imported, in the database's settings (only when they change;
        a database that cannot be written is told nothing here: the close dialog still names
        the batch)."""
        if not self.sorted:
            return                                 # the remembered ones are not read back yet
        pending = self._pending()
        now = json.dumps(pending, ensure_ascii=False, sort_keys=True)
        if now == self._saved:
            return
        try:
            with transaction(conn):
                record = remembered(conn)
                if pending:
                    record[str(self.folder)] = pending
                else:
                    record.pop(str(self.folder), None)
                settings.put(conn, PENDING_KEY, json.dumps(record, ensure_ascii=False))
        except (sqlite3.Error, OSError, DatabaseFileChanged):
            return
        self._saved = now

    def _list(self) -> dict[str, tuple[int, int]] | None:
        """name -> (size, mtime_ns) of the scan files in the folder; None when it is gone."""
        out: dict[str, tuple[int, int]] = {}
        try:
            if not self.folder.is_dir():
                return None
            with os.scandir(self.folder) as it:
                names = [e.name for e in it if not e.is_dir()]
            for name in names:
                if name.startswith(("~", ".")) or kind_of(Path(name)) is None:
                    self.others.add(name)
                    continue
                try:
                    st = os.stat(self.folder / name)
                except FileNotFoundError:
                    continue                       # removed between the listing and the stat
                out[name] = (st.st_size, st.st_mtime_ns)
        except OSError:
            return None
        return out

    def _open_batch(self) -> int:
        if not self.batches or self.batches[-1].state != OPEN:
            self.batches.append(_Batch(len(self.batches) + 1))
        return self.batches[-1].number

    def _poll(self, conn: sqlite3.Connection, progress: Progress | None,
              cancelled: Callable[[], bool]) -> list[Event]:
        listed = self._list()
        if listed is None:
            return [self._gone()]
        for name, st in sorted(listed.items()):
            if self.before.get(name) == st:
                continue                           # there before the watch started, unchanged
            f = self.files.get(name)
            if f is None or (f.stat != st and f.state != WRITING):
                # new, or changed after it was taken (an MFP that reuses its file names): a new
                # file; what was read of the old bytes stays as it was, a refusal of them goes
                if f is not None and f.state == REFUSED:
                    self.taken.remove(f)
                self.files[name] = _File(name, st, self._open_batch())
                self.taken.append(self.files[name])
            elif f.stat != st:
                f.stat, f.steady = st, 0           # still growing
            else:
                f.steady += 1
        for name in [n for n, f in self.files.items() if f.state == WRITING and n not in listed]:
            self._forget(self.files.pop(name))    # removed before it was complete
        events: list[Event] = []
        reader: PageReader | None = None
        for f in sorted(self.files.values(), key=lambda f: f.name):
            if f.state != WRITING or f.steady < self.stable_polls or cancelled():
                continue
            if reader is None:
                reader = page_reader(conn)
            got = self._take(conn, f, reader, progress, cancelled)
            if got is not None:
                events.append(got)
            if not self.folder.is_dir():
                events.append(self._gone())
                break
        return events

    def _take(self, conn: sqlite3.Connection, f: _File, reader: PageReader,
              progress: Progress | None, cancelled: Callable[[], bool]) -> Event | None:
        path = self.folder / f.name
        try:
            data = path.read_bytes()
            after = os.stat(path)
        except OSError:
            f.steady = 0                           # in use by its writer, or gone: look again
            return None
        if (after.st_size, after.st_mtime_ns) != f.stat or len(data) != f.stat[0]:
            f.stat, f.steady = (after.st_size, after.st_mtime_ns), 0
            return None
        unfinished = _unfinished(path, data)
        if unfinished:
            if f.steady < self.stale_polls:
                return None                        # a writer may still be adding to it
            return self._refuse(f, f"文件不完整，无法读取（{unfinished}）：请重新扫描")
        h = sha256_of(data)
        known = q.known_hashes(conn, [h])      # the archive's own guard, asked at once
        if known:
            batch_id, name = known[h]
            return self._refuse(f, f"已在第{batch_id}批导入过（原文件名 {name}），同一文件不能重复计票")
        twin = next((g for g in self.taken if g is not f and g.scan is not None
                     and g.scan.sha256 == h and g.state in (READ, IMPORTED)), None)
        if twin is not None:
            return self._refuse(f, f"与 {twin.name} 内容完全相同（同一文件两份），不重复计票")
        try:
            total = count_pages(path, data)
        except Exception as exc:  # noqa: BLE001 - a damaged file is named and refused
            return self._refuse(f, f"无法读取（{exc}）")

        def page_done(page: int) -> bool:
            if progress is not None:
                progress(page, total, f"正在读取 {f.name} 第 {page}/{total} 页")
            return not cancelled()

        try:
            scan = read_scan(f.name, data, reader, page_done=page_done)
        except Exception as exc:  # noqa: BLE001 - as above
            return self._refuse(f, f"无法读取（{exc}）")
        if scan is None:
            f.steady = 0                           # cancelled: read again when watched again
            return None
        f.state, f.scan = READ, scan
        refused = [(page, fields["reason"]) for page, fields in scan.pages
                   if fields["status"] == "refused"]
        flagged = sum(1 for _p, fields in scan.pages if fields["status"] == "flagged")
        b = self._batch(f.batch)
        words = (f"{f.name}：{len(scan.pages)}页已读出，归入"
                 + (self._name(b) if b is not None else f"监视第{f.batch}批")
                 + (f"，须人工认定{flagged}张" if flagged else "")
                 + "".join(f"；第{p}页拒读：{r}" for p, r in refused))
        return Event("read", words, f.name, f.batch,
                     {"pages": len(scan.pages), "flagged": flagged, "sha256": scan.sha256,
                      "refused_pages": [{"page": p, "reason": r} for p, r in refused]})

    def _refuse(self, f: _File, reason: str) -> Event:
        f.state, f.reason, f.batch = REFUSED, reason, 0
        return Event("refused", f"{f.name}：{reason}", f.name, 0, {"reason": reason})

    def _gone(self) -> Event:
        self.running = False
        self.stopped = (f"监视的文件夹 {self.folder} 已无法访问（U 盘已拔出或网络共享已断开）："
                        "已停止监视。已读出的批次仍可输入手工清点张数导入；插回后可重新监视")
        for f in self.files.values():
            if f.state == WRITING:
                f.steady = 0
        return Event("stopped", self.stopped)

    def _forget(self, f: _File) -> None:
        if f in self.taken:
            self.taken.remove(f)
        if self.files.get(f.name) is f:
            del self.files[f.name]

    def _files_of(self, number: int) -> str:
        names = [f.name for f in self.taken if f.batch == number]
        return "、".join(names[:3]) + (f"等{len(names)}个文件" if len(names) > 3 else "")

    def _batch(self, number: int) -> _Batch | None:
        return next((b for b in self.batches if b.number == number), None)

    def _answer(self, conn: sqlite3.Connection, progress: Progress | None) -> list[Event]:
        with self._lock:
            asked, self._asked = self._asked, []
        events: list[Event] = []
        for what, number, hand_count, operator in asked:
            if what == "existing":
                self.take_new = True               # applied once the hashes are read
                if self.sorted:
                    self._take_new()
                continue
            b = self._batch(number)
            if b is None or b.state in (DONE, DROPPED):
                continue
            if what == "aside":
                b.state = DROPPED
                for f in self.taken:
                    if f.batch == number and f.state in (READ, WRITING):
                        f.state = SET_ASIDE
                events.append(Event("set_aside", f"待导入的这一批（{self._files_of(number)}）已放弃："
                                    "未导入，原文件仍在文件夹中，本次监视不会再读取；"
                                    "请重新清点、重新扫描", batch=number))
            else:
                b.state, b.hand_count, b.operator = COUNTING, hand_count, operator
        return events

    def _imports(self, conn: sqlite3.Connection, progress: Progress | None) -> list[Event]:
        events: list[Event] = []
        for b in self.batches:
            if b.state != COUNTING:
                continue
            mine = [f for f in self.taken if f.batch == b.number]
            if any(f.state == WRITING for f in mine) and self.running:
                continue                           # its last file is still being written
            scans = [f.scan for f in mine if f.state == READ and f.scan is not None]
            got = import_read(conn, self.db_path, str(self.folder), scans, b.hand_count,
                              operator=b.operator or self.operator, clock=self.clock,
                              progress=None if progress is None else
                              (lambda d, t: (progress(d, t, "正在导入…"), True)[1]))
            events.append(self._imported(b, mine, got))
        return events

    def _imported(self, b: _Batch, mine: list[_File], got: ImportResult | Refusal) -> Event:
        if isinstance(got, Refusal):
            b.state, b.reason = NOT_IMPORTED, got.message
            for f in mine:
                if f.state == WRITING:             # the folder is gone: they never finished
                    self._forget(f)
            return Event("batch_refused", f"{self._name(b)}未导入：{got.message}",
                         batch=b.number, detail={"code": got.code, "reason": got.message,
                                                 "hand_count": b.hand_count})
        b.state, b.batch_id, b.reason = DONE, got.batch_id, ""
        for f in mine:
            if f.state == READ:
                f.state = IMPORTED
        return Event("imported", f"{self._files_of(b.number)}已导入为第{got.batch_id}批：{got.pages}页，读出"
                     f"{got.read}张，须人工认定{got.flagged}张，拒读{len(got.refused)}张"
                     + ("（须键盘录入）" if got.refused else ""), batch=b.number,
                     detail={**got.as_json(), "hand_count": b.hand_count})


def _unfinished(path: Path, data: bytes) -> str:
    """Why the bytes are not (yet) a whole file of their kind; "" when they are."""
    kind = kind_of(path)
    tail = data[-2048:].rstrip(b"\x00\r\n \t")
    if kind == "pdf":
        return "" if data.startswith(b"%PDF") and b"%%EOF" in tail else "PDF 没有结尾"
    if kind == "image" and data[:2] == b"\xff\xd8":
        return "" if _jpeg_ended(data) else "JPEG 没有结尾"
    if kind == "image" and data[:8] == b"\x89PNG\r\n\x1a\n":
        return "" if b"IEND" in tail[-12:] else "PNG 没有结尾"
    try:
        import io

        from PIL import Image, ImageSequence

        with Image.open(io.BytesIO(data)) as im:
            for frame in ImageSequence.Iterator(im):
                frame.load()
    except Exception as exc:  # noqa: BLE001 - any decoding failure means "not whole"
        return f"图像不完整（{exc}）"
    return ""


def _jpeg_ended(data: bytes) -> bool:
    """The end-of-image marker after the image data (some scanners append bytes after it; an
    EXIF thumbnail has its own, skipped with the segments before the first scan)."""
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            return False
        marker = data[i + 1]
        if marker == 0xDA:                         # start of scan: entropy-coded data follows
            return data.find(b"\xff\xd9", i + 2) >= 0
        if marker in (0xD8, 0x01, 0xFF) or 0xD0 <= marker <= 0xD7:
            i += 1 if marker == 0xFF else 2
            continue
        i += 2 + int.from_bytes(data[i + 2:i + 4], "big")
    return False


def _file_words(f: _File) -> str:
    pages = len(f.scan.pages) if f.scan else 0
    refused = sum(1 for _p, x in f.scan.pages if x["status"] == "refused") if f.scan else 0
    return {WRITING: "正在写入或等待读取",
            READ: f"已读出{pages}页" + (f"（拒读{refused}页）" if refused else "") + "，等待手工清点张数",
            REFUSED: f"拒收：{f.reason}",
            IMPORTED: f"已导入（{pages}页）" if not f.done_in else f"已导入（第{f.done_in}批"
            + (f"，原文件名 {f.reason}" if f.reason and f.reason != f.name else "") + "）",
            SET_ASIDE: "已放弃，未导入"}[f.state]


def _batch_words(b: _Batch, name: str, files: int, pages: int, writing: int) -> str:
    head = f"{name}：{files}个文件，{pages}页"
    if b.state == OPEN:
        return head + (f"，{writing}个正在写入" if writing else "") + "；等待手工清点张数"
    if b.state == COUNTING:
        return head + f"，手工清点{b.hand_count}张；" + ("等待文件写完后导入" if writing else "正在导入")
    if b.state == NOT_IMPORTED:
        return head + f"，未导入：{b.reason}"
    if b.state == DONE:
        return head + "，已导入"
    return head + "，已放弃（未导入）"


# -- what this database remembers of watched folders -------------------------------------------

def remembered(conn: sqlite3.Connection) -> dict[str, list[dict[str, Any]]]:
    """folder -> the files read there and not imported when the watch ended ({} when none)."""
    try:
        raw = settings.get(conn, PENDING_KEY)
    except sqlite3.Error:
        return {}
    try:
        got = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return {str(k): [f for f in v if isinstance(f, dict) and "name" in f and "sha256" in f]
            for k, v in got.items() if isinstance(v, list) and v} if isinstance(got, dict) else {}


def pending_words(view: WatchView | None) -> str:
    """For the close dialog: the watched batches read and not imported, or ""."""
    if view is None:
        return ""
    waiting = [b for b in view.batches if b.state in (OPEN, COUNTING, NOT_IMPORTED) and b.files]
    if not waiting:
        return ""
    parts = []
    for b in waiting:
        names = [f.name for f in view.files if f.batch == b.number and f.state == READ]
        parts.append(f"{b.name}：已读出 {len(names)} 个文件（{'、'.join(names[:4])}"
                     + ("等" if len(names) > 4 else "") + f"，{b.pages}页），"
                     + ("手工清点张数尚未输入" if b.state == OPEN else "尚未导入"))
    return (f"监视文件夹 {view.folder} 中有 {len(waiting)} 批尚未导入：" + "；".join(parts)
            + "。这些选票还没有计入。关闭后原文件仍在文件夹中；下次打开这个数据库、在扫描认定页"
            "继续监视这个文件夹时，它们会重新读出，等待输入手工清点张数。")


def last_folder(conn: sqlite3.Connection) -> str:
    """The folder watched last on this database ("" when none)."""
    try:
        return settings.get(conn, FOLDER_KEY) or ""
    except sqlite3.Error:
        return ""


def remember_folder(conn: sqlite3.Connection, folder: Path) -> bool:
    try:
        with transaction(conn):
            settings.put(conn, FOLDER_KEY, str(folder))
    except (sqlite3.Error, OSError, DatabaseFileChanged):
        return False
    return True


def start_folder(conn: sqlite3.Connection) -> str:
    """Where the folder picker for scans opens: the folder watched last on this database, else
    one where a batch was left unimported, else a removable drive (Windows: the first drive
    letter of a USB stick), else the home folder. Never the print output folder."""
    for folder in (last_folder(conn), *remembered(conn)):
        if folder and Path(folder).is_dir():
            return str(folder)
    return str(_removable_drive() or Path.home())


def _removable_drive() -> Path | None:
    import sys

    if sys.platform != "win32":
        return None
    import ctypes
    import string

    drive_removable = 2
    kernel32 = ctypes.windll.kernel32
    for letter in string.ascii_uppercase[3:]:   # D: onwards (A:, B: floppies, C: system)
        root = f"{letter}:\\"
        try:
            if kernel32.GetDriveTypeW(root) == drive_removable and Path(root).is_dir():
                return Path(root)
        except OSError:
            continue
    return None
