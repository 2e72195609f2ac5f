"""A watched scan folder (app/scan/watch.py): files appearing over time are read once complete and
imported as a batch when the hand count is typed; a file still growing, or stalled half-written,
is never taken; the same bytes are refused; a bitonal page is refused; a pulled stick stops the
watch without losing what was read; nothing in the watched folder is moved or deleted."""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pytest
from PIL import Image

from app.bench.b_scan import AT, _blank, _database, _layout
from app.clock import FixedClock
from app.scan.watch import DONE, NOT_IMPORTED, READ, REFUSED, WRITING, FolderWatch
from tests.app.scan.synth import write_deck

TOOL = "pdftoppm"


@pytest.fixture(scope="module")
def deck(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four marked ballots as JPEG files and the same four as one PDF (as an MFP writes it)."""
    where = tmp_path_factory.mktemp("deck")
    blank = _blank(where, 200)
    write_deck(blank, _layout(), 200, where / "jpg", 4, edge_rate=0.0, write_in_rate=0.0)
    write_deck(blank, _layout(), 200, where / "pdf", 4, edge_rate=0.0, write_in_rate=0.0,
               as_pdf=True)
    Image.fromarray(blank).convert("1").save(where / "bitonal.png")
    return where


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _watch(tmp_path: Path) -> tuple[FolderWatch, Path, object]:
    db = tmp_path / "day.db"
    conn = _database(db)
    folder = tmp_path / "mfp"
    folder.mkdir()
    w = FolderWatch(folder, db, operator="计票员", clock=FixedClock(AT, 1.0))
    assert w.start() is None
    return w, folder, conn


def _steps(w: FolderWatch, conn: object, n: int) -> list:
    events = []
    for _ in range(n):
        events += w.step(conn)   # type: ignore[arg-type]
    return events


def test_files_appearing_over_time_are_read_then_imported_with_the_hand_count(
        tmp_path: Path, deck: Path) -> None:
    w, folder, conn = _watch(tmp_path)
    try:
        shutil.copy(deck / "jpg" / "scan0001.jpg", folder)
        assert _steps(w, conn, 2) == []            # seen, then unchanged once: not yet taken
        shutil.copy(deck / "jpg" / "scan0002.jpg", folder)
        got = _steps(w, conn, 1)                    # scan0001 stable over two polls
        assert [(e.kind, e.file, e.batch) for e in got] == [("read", "scan0001.jpg", 1)]
        got = _steps(w, conn, 2)
        assert [(e.kind, e.file) for e in got] == [("read", "scan0002.jpg")]
        assert _steps(w, conn, 3) == []             # nothing is read twice
        view = w.view()
        assert [(b.number, b.files, b.pages) for b in view.waiting()] == [(1, 2, 2)]
        before = _snapshot(folder)
        w.count(1, 2, "欧阳红梅")                   # the clerk at the desk now imports it
        got = _steps(w, conn, 1)
        assert [e.kind for e in got] == ["imported"], got
        assert got[0].detail["batch"] == 1 and got[0].detail["pages"] == 2
        assert conn.execute("SELECT hand_count, operator FROM scan_batch").fetchall() == [  # type: ignore[attr-defined]
            (2, "欧阳红梅")]
        rows = conn.execute("SELECT name FROM scan_file ORDER BY id").fetchall()  # type: ignore[attr-defined]
        assert [r[0] for r in rows] == ["scan0001.jpg", "scan0002.jpg"]
        assert _snapshot(folder) == before          # the originals stay where the MFP put them
        assert {f.state for f in w.view().files} == {"imported"}
        # files arriving after the count start the next batch
        shutil.copy(deck / "jpg" / "scan0003.jpg", folder)
        got = _steps(w, conn, 3)
        assert [(e.kind, e.batch) for e in got] == [("read", 2)]
    finally:
        conn.close()  # type: ignore[attr-defined]


def test_a_pdf_still_being_written_is_not_taken_until_whole(tmp_path: Path, deck: Path) -> None:
    """The MFP writes its PDF over the share for seconds: growing between polls, or stalled
    half-written with size and time unchanged, it is not read (pdfium would repair a truncated
    PDF and show fewer pages); once whole it is read with all its pages."""
    w, folder, conn = _watch(tmp_path)
    try:
        data = (deck / "pdf" / "scan.pdf").read_bytes()
        target = folder / "scan.pdf"
        with open(target, "wb") as out:
            out.write(data[: len(data) // 3])
            out.flush()
            assert _steps(w, conn, 1) == []
            out.write(data[len(data) // 3: 2 * len(data) // 3])
            out.flush()
            os.utime(target, ns=(0, os.stat(target).st_mtime_ns + 1_000_000))
            assert _steps(w, conn, 1) == []         # grew since the last poll
            assert _steps(w, conn, 4) == []         # stalled: stable, but no %%EOF yet
            assert [f.state for f in w.view().files] == [WRITING]
            out.write(data[2 * len(data) // 3:])
        os.utime(target, ns=(0, os.stat(target).st_mtime_ns + 2_000_000))
        got = _steps(w, conn, 3)
        assert [(e.kind, e.detail.get("pages")) for e in got] == [("read", 4)]
    finally:
        conn.close()  # type: ignore[attr-defined]


def test_a_file_stalled_incomplete_for_long_is_refused_with_its_reason(
        tmp_path: Path, deck: Path) -> None:
    w, folder, conn = _watch(tmp_path)
    w.stale_polls = 4
    try:
        data = (deck / "jpg" / "scan0001.jpg").read_bytes()
        (folder / "cut.jpg").write_bytes(data[: len(data) // 2])
        got = _steps(w, conn, 6)
        assert [(e.kind, e.file) for e in got] == [("refused", "cut.jpg")]
        assert "文件不完整" in got[0].words and "JPEG 没有结尾" in got[0].words
        assert w.view().waiting() == ()
        (folder / "cut.jpg").write_bytes(data)     # the writer finished after all
        got = _steps(w, conn, 3)
        assert [(e.kind, e.file) for e in got] == [("read", "cut.jpg")]
        assert [(f.name, f.state) for f in w.view().files] == [("cut.jpg", READ)]
    finally:
        conn.close()  # type: ignore[attr-defined]


def test_the_same_bytes_are_refused_with_the_reason(tmp_path: Path, deck: Path) -> None:
    w, folder, conn = _watch(tmp_path)
    try:
        shutil.copy(deck / "jpg" / "scan0001.jpg", folder / "a.jpg")
        shutil.copy(deck / "jpg" / "scan0001.jpg", folder / "b.jpg")   # the same scan twice
        got = _steps(w, conn, 3)
        assert [(e.kind, e.file) for e in got] == [("read", "a.jpg"), ("refused", "b.jpg")]
        assert "与 a.jpg 内容完全相同" in got[1].words
        w.count(1, 1)
        assert [e.kind for e in _steps(w, conn, 1)] == ["imported"]
        shutil.copy(deck / "jpg" / "scan0001.jpg", folder / "again.jpg")  # copied back later
        got = _steps(w, conn, 3)
        assert [(e.kind, e.file) for e in got] == [("refused", "again.jpg")]
        assert "已在第1批导入过（原文件名 a.jpg）" in got[0].detail["reason"]
        assert [(f.name, f.state) for f in w.view().files] == [
            ("a.jpg", "imported"), ("b.jpg", REFUSED), ("again.jpg", REFUSED)]
    finally:
        conn.close()  # type: ignore[attr-defined]


def test_a_bitonal_page_is_refused_and_its_batch_still_imports(tmp_path: Path,
                                                               deck: Path) -> None:
    w, folder, conn = _watch(tmp_path)
    try:
        shutil.copy(deck / "jpg" / "scan0001.jpg", folder)
        shutil.copy(deck / "bitonal.png", folder / "scan0002.png")
        got = _steps(w, conn, 3)
        assert [e.kind for e in got] == ["read", "read"]
        assert got[1].detail["refused_pages"][0]["reason"].startswith("黑白二值扫描")
        assert "拒读" in got[1].words
        w.count(1, 2)
        got = _steps(w, conn, 1)
        assert got[0].kind == "imported" and got[0].detail["refused"][0]["file"] == "scan0002.png"
    finally:
        conn.close()  # type: ignore[attr-defined]


def test_a_count_differing_from_the_pages_refuses_the_batch_which_waits(
        tmp_path: Path, deck: Path) -> None:
    w, folder, conn = _watch(tmp_path)
    try:
        for n in (1, 2):
            shutil.copy(deck / "jpg" / f"scan000{n}.jpg", folder)
        _steps(w, conn, 3)
        w.count(1, 3)
        got = _steps(w, conn, 1)
        assert got[0].kind == "batch_refused" and got[0].detail["code"] == "HAND_COUNT_MISMATCH"
        assert conn.execute("SELECT count(*) FROM scan_batch").fetchone()[0] == 0  # type: ignore[attr-defined]
        assert [b.state for b in w.view().batches] == [NOT_IMPORTED]
        shutil.copy(deck / "jpg" / "scan0003.jpg", folder)   # the rescan: a new batch
        got = _steps(w, conn, 3)
        assert [(e.kind, e.batch) for e in got] == [("read", 2)]
        w.set_aside(1)
        w.count(2, 1)
        got = _steps(w, conn, 1)
        assert [e.kind for e in got] == ["set_aside", "imported"]
        assert [b.state for b in w.view().batches] == ["dropped", DONE]
        assert sorted(os.listdir(folder)) == ["scan0001.jpg", "scan0002.jpg", "scan0003.jpg"]
    finally:
        conn.close()  # type: ignore[attr-defined]


def test_files_there_before_the_watch_are_left_alone(tmp_path: Path, deck: Path) -> None:
    db = tmp_path / "day.db"
    conn = _database(db)
    folder = tmp_path / "mfp"
    folder.mkdir()
    shutil.copy(deck / "jpg" / "scan0001.jpg", folder)
    (folder / "说明.txt").write_text("x", encoding="utf-8")
    try:
        w = FolderWatch(folder, db, operator="计票员", clock=FixedClock(AT, 1.0))
        assert w.start() is None
        got = _steps(w, conn, 4)
        assert [e.kind for e in got] == ["existing"]      # said once, not taken
        assert "1 个未导入过（内容不在存档中）：scan0001.jpg" in got[0].words
        view = w.view()
        assert view.before == 1 and view.others == 1 and view.files == ()
        w.take_existing()                           # the clerk asks for them after all
        got = _steps(w, conn, 3)
        assert [(e.kind, e.file, e.batch) for e in got] == [("read", "scan0001.jpg", 1)]
        assert w.view().before == 0
    finally:
        conn.close()


def test_a_batch_read_but_not_imported_comes_back_when_the_folder_is_watched_again(
        tmp_path: Path, deck: Path) -> None:
    """The window closed (or the laptop restarted) after a file was read into a watched batch
    and before its hand count was typed: the next watch of the folder reads it back into a
    batch waiting for its count; a file already imported is left alone and counted as such; a
    file never read nor imported is offered, never called "already there"."""
    from app.scan.watch import remembered

    w, folder, conn = _watch(tmp_path)
    try:
        shutil.copy(deck / "jpg" / "scan0001.jpg", folder)
        _steps(w, conn, 3)
        w.count(1, 1)
        assert [e.kind for e in _steps(w, conn, 1)] == ["imported"]
        shutil.copy(deck / "jpg" / "scan0002.jpg", folder / "late001.jpg")
        got = _steps(w, conn, 3)
        assert [(e.kind, e.file) for e in got] == [("read", "late001.jpg")]
        assert "归入待导入批（将为第2批）" in got[0].words
        assert w.view().waiting()[0].name == "待导入批（将为第2批）"
        assert [f["name"] for f in remembered(conn)[str(folder)]] == ["late001.jpg"]  # type: ignore[arg-type]
    finally:
        conn.close()  # type: ignore[attr-defined]
    # the window is closed; another stack is scanned meanwhile; the app is opened again
    shutil.copy(deck / "jpg" / "scan0003.jpg", folder / "other.jpg")
    from db.connection import connect

    conn = connect(tmp_path / "day.db", create=False)
    try:
        w = FolderWatch(folder, tmp_path / "day.db", operator="计票员", clock=FixedClock(AT, 1.0))
        assert w.start() is None
        got = _steps(w, conn, 1)
        words = " ".join(e.words for e in got)
        assert [e.kind for e in got] == ["resumed", "existing", "read"], words
        assert "late001.jpg" in got[0].words and "第2批" in got[0].words
        assert "1 个已导入过" in got[1].words and "1 个未导入过" in got[1].words
        assert "other.jpg" in got[1].words
        view = w.view()
        assert view.before == 1 and view.before_imported == 1 and view.imported_here == 1
        assert [(f.name, f.label, f.words) for f in view.files if f.state == "imported"] == [
            ("scan0001.jpg", "1", "已导入（第1批）")]      # the day's files stay listed
        assert [(b.name, b.files) for b in view.waiting()] == [("待导入批（将为第2批）", 1)]
        w.count(view.waiting()[0].number, 1)
        got = _steps(w, conn, 1)
        assert [e.kind for e in got] == ["imported"] and got[0].detail["batch"] == 2
        assert "late001.jpg已导入为第2批" in got[0].words
        assert w.view().imported_here == 2
        assert remembered(conn) == {}               # nothing waits any more
        w.take_existing()                           # other.jpg: the clerk asks for it
        got = _steps(w, conn, 3)
        assert [(e.kind, e.file) for e in got] == [("read", "other.jpg")]
    finally:
        conn.close()


def test_a_pulled_stick_stops_the_watch_and_keeps_what_was_read(tmp_path: Path,
                                                                deck: Path) -> None:
    w, folder, conn = _watch(tmp_path)
    try:
        shutil.copy(deck / "jpg" / "scan0001.jpg", folder)
        shutil.copy(deck / "jpg" / "scan0002.jpg", folder)
        _steps(w, conn, 3)
        shutil.copy(deck / "jpg" / "scan0003.jpg", folder)
        _steps(w, conn, 1)                          # seen, not yet taken
        folder.rename(tmp_path / "elsewhere")       # the stick is pulled
        got = _steps(w, conn, 1)
        assert [e.kind for e in got] == ["stopped"]
        assert "已无法访问" in got[0].words and "已停止监视" in got[0].words
        view = w.view()
        assert not view.watching and view.stopped
        assert _steps(w, conn, 2) == []             # no more polls, no crash
        w.count(1, 2)                               # what was read imports all the same
        got = _steps(w, conn, 1)
        assert got[0].kind == "imported" and got[0].detail["pages"] == 2, got
        assert w.start() is not None                # watching again needs the folder back
    finally:
        conn.close()  # type: ignore[attr-defined]


def test_unfinished_bytes_of_each_kind() -> None:
    from app.scan.watch import _unfinished

    buf = io.BytesIO()
    Image.new("L", (40, 30), 200).save(buf, format="TIFF", compression="tiff_lzw")
    tif = buf.getvalue()
    assert _unfinished(Path("a.tif"), tif) == ""
    assert _unfinished(Path("a.tif"), tif[: len(tif) // 2]) != ""
    buf = io.BytesIO()
    Image.new("L", (40, 30), 200).save(buf, format="PNG")
    png = buf.getvalue()
    assert _unfinished(Path("a.png"), png) == ""
    assert _unfinished(Path("a.png"), png[:-20]) == "PNG 没有结尾"
    buf = io.BytesIO()
    Image.new("L", (40, 30), 200).save(buf, format="JPEG")
    jpg = buf.getvalue()
    assert _unfinished(Path("a.jpg"), jpg) == ""
    assert _unfinished(Path("a.jpg"), jpg + b"\x07" * 5000) == ""   # bytes some scanners append
    assert _unfinished(Path("a.jpg"), jpg[:-30]) == "JPEG 没有结尾"
    assert _unfinished(Path("a.pdf"), b"%PDF-1.4\n...\n%%EOF\r\n") == ""
    assert _unfinished(Path("a.pdf"), b"%PDF-1.4\n... 1 0 obj") == "PDF 没有结尾"
