"""app/fileio.py against fakes that refuse the way Windows does: a replace onto a file a PDF
viewer holds open (winerror 5 / 32), an fsync of a read-only handle (FlushFileBuffers refuses),
and file names Windows does not allow."""

from __future__ import annotations

import errno
import os
import random
import sys
import unicodedata
from pathlib import Path

import pytest
from winfake import Viewer, windows_refusal

from app import fileio
from app.fileio import FileInUse, finish_atomic, fsync_file, safe_filename, write_atomic

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="checks POSIX fd modes")


@pytest.fixture(autouse=True)
def no_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fileio, "REPLACE_WAIT_S", 0.0)


def leftovers(folder: Path, keep: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p != keep)


@pytest.mark.parametrize("winerror", [5, 32])
def test_a_pdf_held_open_by_a_viewer_is_retried_then_named_in_chinese(
        tmp_path: Path, winerror: int) -> None:
    pdf = tmp_path / "party-notice.pdf"
    pdf.write_bytes(b"%PDF old")
    viewer = Viewer(pdf, winerror=winerror)
    with pytest.raises(FileInUse) as err:
        write_atomic(pdf, b"%PDF new", replacer=viewer.replace)
    assert viewer.refused == fileio.REPLACE_TRIES          # retried, not given up at once
    text = str(err.value)
    assert str(pdf) in text and "正被其他程序打开" in text and "关闭该文件后重试" in text
    assert "WinError" not in text and "Errno" not in text
    assert err.value.filename == str(pdf) and isinstance(err.value, OSError)
    assert pdf.read_bytes() == b"%PDF old"                  # the old file is untouched
    assert leftovers(tmp_path, pdf) == []                   # and no temporary file is left


def test_a_viewer_that_lets_go_on_the_third_try(tmp_path: Path) -> None:
    pdf = tmp_path / "公告.pdf"
    pdf.write_bytes(b"old")
    viewer = Viewer(pdf, winerror=32, release_after=2)
    write_atomic(pdf, "新内容", replacer=viewer.replace)
    assert len(viewer.calls) == 3 and viewer.refused == 2
    assert pdf.read_text(encoding="utf-8") == "新内容"
    assert leftovers(tmp_path, pdf) == []


def test_the_default_replacer_can_be_swapped_for_a_refusing_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """CLI and GUI paths take no replacer argument: the module's own is looked up per call."""
    target = tmp_path / "x.json"
    target.write_text("{}")
    monkeypatch.setattr(fileio, "_replace", Viewer(target).replace)
    with pytest.raises(FileInUse):
        write_atomic(target, "[]")
    monkeypatch.undo()
    write_atomic(target, "[]")
    assert target.read_text() == "[]"


def test_other_errors_are_not_retried(tmp_path: Path) -> None:
    calls: list[int] = []

    def full_disk(_src: Path, _dst: Path) -> None:
        calls.append(1)
        raise OSError(errno.ENOSPC, "No space left on device")

    target = tmp_path / "a.txt"
    with pytest.raises(OSError) as err:
        write_atomic(target, "x", replacer=full_disk)
    assert not isinstance(err.value, FileInUse) and err.value.errno == errno.ENOSPC
    assert calls == [1]
    assert list(tmp_path.iterdir()) == []


def test_a_posix_permission_error_is_not_called_a_file_in_use(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On Linux a rename over an open file works; EACCES there is a real permission problem."""
    monkeypatch.setattr(fileio, "WINDOWS", False)
    calls: list[int] = []

    def denied(_src: Path, _dst: Path) -> None:
        calls.append(1)
        raise PermissionError(errno.EACCES, "Permission denied")

    with pytest.raises(PermissionError) as err:
        write_atomic(tmp_path / "a.txt", "x", replacer=denied)
    assert not isinstance(err.value, FileInUse) and calls == [1]
    # ... while on Windows the same exception class without a winerror is treated as held
    monkeypatch.setattr(fileio, "WINDOWS", True)
    monkeypatch.setattr(fileio, "fsync_dir", lambda _f: None)
    with pytest.raises(FileInUse):
        write_atomic(tmp_path / "a.txt", "x", replacer=denied)


def test_finish_atomic_puts_a_renderers_file_in_place_or_removes_it(tmp_path: Path) -> None:
    out = tmp_path / "notice.pdf"
    tmp = fileio.temp_path(out)
    tmp.write_bytes(b"%PDF 1")                  # written by path, as reportlab does
    finish_atomic(tmp, out)
    assert out.read_bytes() == b"%PDF 1" and not tmp.exists()
    tmp.write_bytes(b"%PDF 2")
    with pytest.raises(FileInUse):
        finish_atomic(tmp, out, replacer=Viewer(out).replace)
    assert out.read_bytes() == b"%PDF 1" and not tmp.exists()


# -- fsync of a writable handle --------------------------------------------------------------

def windows_fsync(fd: int) -> None:
    """FlushFileBuffers as Windows does it: refused on a handle opened read-only."""
    import fcntl

    if fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_RDONLY:
        raise OSError(errno.EBADF, "Bad file descriptor")
    os.fsync(fd)


@posix_only
def test_the_windows_fsync_fake_refuses_a_read_only_handle(tmp_path: Path) -> None:
    p = tmp_path / "f"
    p.write_bytes(b"x")
    fd = os.open(p, os.O_RDONLY)
    try:
        with pytest.raises(OSError):
            windows_fsync(fd)
    finally:
        os.close(fd)


@posix_only
def test_fsync_file_opens_for_writing_without_truncating(tmp_path: Path) -> None:
    p = tmp_path / "backup.db"
    p.write_bytes(b"SQLite format 3\x00" + b"x" * 5000)
    flags: list[int] = []

    def opener(path: Path, f: int) -> int:
        flags.append(f)
        return os.open(path, f)

    fsync_file(p, opener=opener, syncer=windows_fsync)
    assert flags and flags[0] & os.O_ACCMODE in (os.O_WRONLY, os.O_RDWR)
    assert not flags[0] & (os.O_TRUNC | os.O_CREAT)
    assert p.stat().st_size == 5016


@posix_only
def test_write_atomic_fsyncs_a_writable_handle(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    synced: list[int] = []

    def sync(fd: int) -> None:
        windows_fsync(fd)
        synced.append(fd)

    monkeypatch.setattr(fileio, "_fsync", sync)
    write_atomic(tmp_path / "k.pem", b"key", private=True)
    (tmp_path / "t").write_bytes(b"1")
    finish_atomic(tmp_path / "t", tmp_path / "u")
    assert len(synced) == 2 and (tmp_path / "u").read_bytes() == b"1"


@posix_only
def test_private_files_are_owner_only_where_modes_exist(tmp_path: Path) -> None:
    write_atomic(tmp_path / "secret", "s", private=True)
    write_atomic(tmp_path / "public", "p")
    assert (tmp_path / "secret").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "public").stat().st_mode & 0o077 != 0


# -- file names from user text ---------------------------------------------------------------

WIN_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)),
                *(f"LPT{i}" for i in range(10))}


def windows_allows(name: str) -> bool:
    """The Win32 naming rules (learn.microsoft.com, "Naming Files, Paths, and Namespaces"),
    written out independently of the code under test."""
    if not name or name in (".", "..") or name[-1] in ". ":
        return False
    if any(c in '<>:"/\\|?*' or ord(c) < 32 for c in name):
        return False
    if name.split(".")[0].rstrip(" ").upper() in WIN_RESERVED:
        return False
    return len(name.encode("utf-16-le")) // 2 <= 255 and len(name.encode("utf-8")) <= 255


@pytest.mark.parametrize(("text", "want"), [
    ("CON", "_CON"), ("con.txt", "_con.txt"), ("COM1", "_COM1"), ("LPT9", "_LPT9"),
    ("NUL", "_NUL"), ("nul.tar.gz", "_nul.tar.gz"), ("Aux .pdf", "_Aux .pdf"), ("com0", "_com0"),
    ("CONsole", "CONsole"), ("COM10", "COM10"),
    ('a<b>c:d"e/f\\g|h?i*j', "a_b_c_d_e_f_g_h_i_j"),
    ("2026:党员", "2026_党员"),
    ("a\x00b\x1fc\x7fd", "a b c d"),
    ("发票\u202egpj.exe", "发票gpj.exe"),            # bidi override dropped
    ("党\u200b员", "党员"), ("\ufeff报告", "报告"),
    ("报告. . ", "报告"), ("name...", "name"), ("  空格  ", "空格"),
    ("..", "未命名"), (".", "未命名"), ("", "未命名"), ("   ", "未命名"), ("\u200b", "未命名"),
    (".hidden", "hidden"), ("../../etc/passwd", "_.._etc_passwd"),
    ("2026年党员大会", "2026年党员大会"), ("签到台-东门", "签到台-东门"), ("party", "party"),
    ("bad\udc80byte", "bad_byte"),
])
def test_safe_filename(text: str, want: str) -> None:
    assert safe_filename(text) == want
    assert windows_allows(want), want


def test_safe_filename_bounds_long_text_by_characters_and_bytes() -> None:
    assert safe_filename("a" * 500) == "a" * fileio.MAX_NAME
    han = safe_filename("党" * 500)
    assert set(han) == {"党"} and len(han.encode()) <= fileio.MAX_NAME_BYTES
    rare = safe_filename("𠮷" * 100)                      # 4 bytes in UTF-8, 2 units in UTF-16
    assert set(rare) == {"𠮷"} and len(rare.encode()) <= fileio.MAX_NAME_BYTES
    assert safe_filename("x" * 79 + " .pdf", max_len=80) == "x" * 79   # no trailing space/dot


def test_safe_filename_of_random_hostile_text_is_one_real_file_windows_allows(
        tmp_path: Path) -> None:
    pool = ['<', '>', ':', '"', '/', '\\', '|', '?', '*', '.', ' ', '\x00', '\t', '\n', '\u202e',
            '\u200b', '\u3000', '\u2028', 'C', 'O', 'N', 'L', 'P', 'T', '1', '9', 'a', '党', '员',
            '𠮷', '.', '.', '-', '_', '\udc80', 'ｃ', 'é', 'e\u0301']
    rng = random.Random(11)
    seen = set()
    for i in range(1500):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 40)))
        name = safe_filename(text)
        assert windows_allows(name), (text, name)
        assert unicodedata.is_normalized("NFC", name)
        path = tmp_path / f"{i}-{name}.pdf"
        path.write_bytes(b"x")                  # a real file, directly in the folder
        assert path.parent == tmp_path and path.exists()
        seen.add(name)
    assert len(list(tmp_path.iterdir())) == 1500 and len(seen) > 500


def test_windows_refusal_fake_looks_like_windows() -> None:
    exc = windows_refusal(Path("x.pdf"), 32)
    assert isinstance(exc, PermissionError) and exc.winerror == 32  # type: ignore[attr-defined]
    assert fileio._in_use(exc)


def test_an_error_on_a_temporary_name_names_the_file_asked_for(tmp_path: Path) -> None:
    """A clerk printing into a folder that cannot be written was told about '.出席.pdf.26102.tmp'
    (found by a clerk's walk): the words name 出席.pdf."""
    from app.fileio import shown_path, temp_path
    from app.logs import describe_error

    target = tmp_path / "出席.pdf"
    tmp = temp_path(target)
    assert shown_path(tmp) == str(target)
    assert shown_path(target) == str(target)
    words = describe_error(FileNotFoundError(2, "No such file or directory", str(tmp)))
    assert str(target) in words and ".tmp" not in words
