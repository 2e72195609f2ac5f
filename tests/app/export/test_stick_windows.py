"""The stick on Windows, decided from drive facts (tested here on any OS): sticks that report as
fixed disks are listed, the system disk never is; the read-back after the fsync reads past the
cache (Linux: DONTNEED after the fsync; the reader is what the hash is taken from); a package
name held open elsewhere is said in words."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from winfake import Viewer

from app import fileio
from app.export import windrive
from app.export.build import BuiltPackage
from app.export.stick import StickWriteError, drives_offered, read_back, write_package
from app.export.windrive import (
    BUS_SD,
    BUS_USB,
    DRIVE_CDROM,
    DRIVE_FIXED,
    DRIVE_REMOTE,
    DRIVE_REMOVABLE,
    UNSURE,
    DriveFacts,
    offer,
)
from tests.app.export.conftest import AT, Exported

BUS_SATA, BUS_NVME = 0x0B, 0x11


def built_of(exported: Exported) -> BuiltPackage:
    assert isinstance(exported.built, BuiltPackage)
    return exported.built


def test_sticks_that_report_as_fixed_disks_are_offered_the_system_disk_never() -> None:
    facts = [
        DriveFacts("C:\\", DRIVE_FIXED, BUS_NVME, True, "Windows"),
        DriveFacts("D:\\", DRIVE_FIXED, BUS_SATA, False, "数据"),        # internal data partition
        DriveFacts("E:\\", DRIVE_REMOVABLE, BUS_USB, False, "KINGSTON"),
        DriveFacts("F:\\", DRIVE_FIXED, BUS_USB, False, "SanDisk"),      # the case that was lost
        DriveFacts("G:\\", DRIVE_FIXED, None, False, "???"),             # bus unreadable
        DriveFacts("H:\\", DRIVE_REMOVABLE, BUS_USB, False, "", has_media=False),   # empty slot
        DriveFacts("I:\\", DRIVE_FIXED, BUS_SD, False, "SD"),
        DriveFacts("J:\\", DRIVE_CDROM, None, False),
        DriveFacts("K:\\", DRIVE_FIXED, BUS_USB, True, "Windows To Go"),
        DriveFacts("Z:\\", DRIVE_REMOTE, None, False, "共享"),
    ]
    got = drives_offered(facts)
    assert [(f.root, note) for f, note in got] == [
        ("E:\\", ""), ("F:\\", ""), ("I:\\", ""), ("G:\\", UNSURE)]
    assert offer(DriveFacts("F:\\", DRIVE_FIXED, BUS_USB, False)) == ""
    assert offer(DriveFacts("D:\\", DRIVE_FIXED, BUS_SATA, False)) is None


def test_an_unsure_drive_says_so_beside_its_label(tmp_path: Path) -> None:
    from app.export.stick import Drive

    d = Drive(tmp_path, "???", 1 << 30, 8 << 30, UNSURE)
    assert "???" in d.describe() and UNSURE in d.describe()
    assert "未能确认" not in Drive(tmp_path, "KINGSTON", 1 << 30, 8 << 30).describe()


def test_system_roots_include_windows_and_this_program(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SystemDrive", "C:")
    monkeypatch.setenv("SystemRoot", "C:\\Windows")
    monkeypatch.setattr(windrive.sys, "executable", "D:\\PollDay\\pollday.exe")
    assert windrive.system_roots() == {"C:\\", "D:\\"}


@pytest.mark.skipif(not hasattr(os, "posix_fadvise"), reason="posix_fadvise is POSIX only")
def test_read_back_drops_the_cache_after_the_fsync(exported: Exported, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    log: list[str] = []
    real_fsync, real_advise = os.fsync, os.posix_fadvise

    def fsync(fd: int) -> None:
        log.append(f"fsync {Path(os.readlink(f'/proc/self/fd/{fd}')).name}")
        real_fsync(fd)

    def advise(fd: int, offset: int, length: int, advice: int) -> None:
        if advice == os.POSIX_FADV_DONTNEED:
            log.append(f"dontneed {Path(os.readlink(f'/proc/self/fd/{fd}')).name}")
        real_advise(fd, offset, length, advice)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "posix_fadvise", advise)
    written = write_package(built_of(exported), tmp_path / "stick")
    name = written.path.name  # type: ignore[union-attr]
    files = [e.split(" ", 1) for e in log if not e.endswith("stick")]   # folder fsync aside
    assert files[0][0] == "fsync" and files[0][1].endswith(".part")
    assert ["dontneed", name] in files
    assert files.index(["dontneed", name]) > 0


def test_the_hash_is_taken_from_what_the_drive_gives_back(exported: Exported,
                                                          tmp_path: Path) -> None:
    """A stick whose cache said 'written' but whose flash holds other bytes: the read-back that
    goes past the cache (here: a reader standing for the device) catches it."""
    built = built_of(exported)
    written = write_package(built, tmp_path / "stick")
    final = written.path  # type: ignore[union-attr]

    def device(path: Path) -> Iterator[bytes]:
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0xFF
        yield bytes(data)

    with pytest.raises(StickWriteError) as err:
        read_back(final, built, reader=device)
    assert "回读校验失败" in str(err.value) and not final.exists()


def test_a_package_name_held_open_elsewhere_is_said_in_words(
        exported: Exported, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built = built_of(exported)
    stick = tmp_path / "stick"
    stick.mkdir()
    (stick / built.name).write_bytes(b"an earlier package, open in another program")
    monkeypatch.setattr(fileio, "REPLACE_WAIT_S", 0.0)
    monkeypatch.setattr(fileio, "_replace", Viewer(stick / built.name, winerror=32).replace)
    with pytest.raises(StickWriteError) as err:
        write_package(built, stick)
    text = str(err.value)
    assert "正被其他程序打开" in text and built.name in text and "WinError" not in text
    assert sorted(p.name for p in stick.iterdir()) == [built.name]   # no temporary file left


@pytest.mark.skipif(sys.platform != "win32", reason="FILE_FLAG_NO_BUFFERING needs Windows")
def test_uncached_read_on_windows_gives_the_file(tmp_path: Path) -> None:  # pragma: no cover
    p = tmp_path / "x.bin"
    data = os.urandom(3 * 4096 + 123)
    p.write_bytes(data)
    assert b"".join(windrive.read_uncached(p, 4096)) == data


def test_the_hand_over_slip_open_in_a_viewer_is_said_in_words(
        exported: Exported, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.export.handover import render_slip, slip_of
    from app.fileio import FileInUse

    built = built_of(exported)
    slip = slip_of(built.manifest, file_name=built.name, size=len(built.data), sha256="0" * 64,
                   short_hash=built.short_hash, fingerprint=built.fingerprint)
    out = tmp_path / "交接单.pdf"
    render_slip(slip, out, AT)
    first = out.read_bytes()
    monkeypatch.setattr(fileio, "REPLACE_WAIT_S", 0.0)
    monkeypatch.setattr(fileio, "_replace", Viewer(out, winerror=5).replace)
    with pytest.raises(FileInUse) as err:
        render_slip(slip, out, AT)
    assert str(out) in str(err.value) and err.value.strerror == str(err.value)
    assert out.read_bytes() == first and [p.name for p in tmp_path.iterdir()] == [out.name]
