"""Writing to the stick: a drive that fails mid-write leaves nothing that looks complete and the
error says so; a retry succeeds and clears the leftover; cancel and progress; the read-back
catches a drive that stores other bytes; removable drives from /proc/mounts and sysfs."""

from __future__ import annotations

import errno
import io
import shutil
from pathlib import Path
from typing import BinaryIO

import pytest

from app.export import format as fmt
from app.export import verify_package
from app.export.build import CANCELLED, BuiltPackage
from app.export.stick import StickWriteError, linux_drives, write_package
from tests.app.export.conftest import Exported


class FailingFile(io.FileIO):
    """A file on a stick that is pulled out after `limit` bytes."""

    def __init__(self, path: Path, limit: int, on_fail: object = None) -> None:
        super().__init__(path, "xb")
        self.limit = limit
        self.written = 0
        self.on_fail = on_fail

    def write(self, b: object) -> int:
        data = bytes(b)  # type: ignore[call-overload]
        if self.written + len(data) > self.limit:
            n = super().write(data[: self.limit - self.written])
            self.written += n
            if callable(self.on_fail):
                self.on_fail()
            raise OSError(errno.EIO, "Input/output error")
        self.written += len(data)
        return super().write(data)


def built_of(exported: Exported) -> BuiltPackage:
    assert isinstance(exported.built, BuiltPackage)
    return exported.built


def complete_looking(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.endswith(fmt.EXTENSION)] if folder.exists() else []


def test_pulled_drive_leaves_no_complete_file_and_retry_succeeds(exported: Exported,
                                                                 tmp_path: Path) -> None:
    built = built_of(exported)
    stick = tmp_path / "stick"
    stick.mkdir()
    with pytest.raises(StickWriteError) as err:
        write_package(built, stick, opener=lambda p: FailingFile(p, 300_000),  # type: ignore[arg-type, return-value]
                      chunk=64 * 1024)
    message = str(err.value)
    assert "没有写完" in message and "Input/output error" in message
    assert complete_looking(stick) == []
    # unlink of the temp works in a plain folder, so nothing is left at all
    assert list(stick.iterdir()) == [] and err.value.temp_left is None
    written = write_package(built, stick)
    assert not isinstance(written, type(CANCELLED))
    assert complete_looking(stick) == [written.path]
    assert verify_package(written.path).ok


def test_leftover_temp_is_named_and_removed_on_the_next_try(exported: Exported,
                                                            tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    built = built_of(exported)
    stick = tmp_path / "stick"
    stick.mkdir()
    real_unlink = Path.unlink

    def stuck_unlink(self: Path, missing_ok: bool = False) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(Path, "unlink", stuck_unlink)
    with pytest.raises(StickWriteError) as err:
        write_package(built, stick, opener=lambda p: FailingFile(p, 100_000),  # type: ignore[arg-type, return-value]
                      chunk=32 * 1024)
    monkeypatch.setattr(Path, "unlink", real_unlink)
    temp = err.value.temp_left
    assert temp is not None and temp.exists() and temp.name in str(err.value)
    assert not temp.name.endswith(fmt.EXTENSION) and temp.stat().st_size == 100_000
    assert complete_looking(stick) == []
    written = write_package(built, stick)
    assert not temp.exists()
    assert sorted(p.name for p in stick.iterdir()) == [built.name]
    assert verify_package(written.path).ok  # type: ignore[union-attr]


def test_folder_removed_mid_write(exported: Exported, tmp_path: Path) -> None:
    built = built_of(exported)
    stick = tmp_path / "gone"
    stick.mkdir()

    def opener(path: Path) -> BinaryIO:
        return FailingFile(path, 200_000, on_fail=lambda: shutil.rmtree(stick))  # type: ignore[return-value]

    with pytest.raises(StickWriteError) as err:
        write_package(built, stick, opener=opener)
    assert "没有写完" in str(err.value)
    assert not stick.exists()


def test_cancel_and_progress(exported: Exported, tmp_path: Path) -> None:
    built = built_of(exported)
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int, _m: str) -> None:
        seen.append((done, total))

    result = write_package(built, tmp_path / "s", progress=progress,
                           cancel=lambda: len(seen) >= 2, chunk=64 * 1024)
    assert result is CANCELLED
    assert list((tmp_path / "s").iterdir()) == []
    seen.clear()
    ok = write_package(built, tmp_path / "s", progress=progress, chunk=256 * 1024)
    assert not isinstance(ok, type(CANCELLED))
    assert seen[-1] == (len(built.data), len(built.data))
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_read_back_catches_a_drive_that_stores_other_bytes(exported: Exported,
                                                           tmp_path: Path) -> None:
    built = built_of(exported)

    class Corrupting(io.FileIO):
        def write(self, b: object) -> int:
            data = bytearray(bytes(b))  # type: ignore[call-overload]
            if len(data) > 1000:
                data[1000] ^= 0xFF
            return super().write(bytes(data))

    stick = tmp_path / "bad"
    with pytest.raises(StickWriteError) as err:
        write_package(built, stick, opener=lambda p: Corrupting(p, "xb"))  # type: ignore[arg-type, return-value]
    assert "回读校验失败" in str(err.value)
    assert complete_looking(stick) == []


def test_linux_drives_from_proc_mounts_and_sysfs(tmp_path: Path) -> None:
    sysfs = tmp_path / "sys"
    devices = tmp_path / "devices"
    for disk, removable, via in (("sdb", "1", "pci/usb1"), ("sda", "0", "pci/ata1"),
                                 ("sdc", "0", "pci/usb2")):
        d = devices / via / disk
        (d / f"{disk}1").mkdir(parents=True)
        (d / f"{disk}1" / "partition").write_text("1")
        (d / "removable").write_text(removable)
        sysfs.mkdir(exist_ok=True)
        (sysfs / f"{disk}1").symlink_to(d / f"{disk}1")
    media = tmp_path / "media"
    (media / "KINGSTON").mkdir(parents=True)
    (media / "My Disk").mkdir()
    (media / "internal").mkdir()
    mounts = tmp_path / "mounts"
    mounts.write_text(
        f"/dev/sda1 / ext4 rw 0 0\n"
        f"/dev/sdb1 {media}/KINGSTON vfat rw 0 0\n"
        f"/dev/sda1 {media}/internal ext4 rw 0 0\n"
        f"/dev/sdc1 {media}/My\\040Disk exfat rw 0 0\n"
        f"tmpfs {media}/tmp tmpfs rw 0 0\n")
    assert linux_drives(mounts, sysfs) == []   # not under /media or /run/media
    import app.export.stick as stick_mod

    old = stick_mod.MEDIA_ROOTS
    stick_mod.MEDIA_ROOTS = (f"{media}/",)
    try:
        found = linux_drives(mounts, sysfs)
    finally:
        stick_mod.MEDIA_ROOTS = old
    # sdb: removable; sdc: a USB disk that says removable=0; sda: internal
    assert [d.label for d in found] == ["KINGSTON", "My Disk"]
    assert found[0].total_bytes > 0 and "KINGSTON" in found[0].describe()


def test_a_full_drive_is_refused_before_writing(exported: Exported, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import app.export.stick as stick_mod

    usage = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(stick_mod.shutil, "disk_usage",
                        lambda _p: usage._replace(free=1000))
    with pytest.raises(StickWriteError) as err:
        write_package(built_of(exported), tmp_path / "full")
    assert "空间不足" in str(err.value)
    assert list((tmp_path / "full").iterdir()) == []
