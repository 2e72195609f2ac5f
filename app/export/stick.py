"""The USB stick: list removable drives, write a package so that it is either complete or
plainly not there, and read it back.

Writing: a temporary name (`.<name>.part`, never ending in `.pollday`), chunks with progress and
cancel, flush + fsync, rename to the final name (retried while Windows holds it), fsync the
folder, then read the file back from the drive and verify hash and signature. The read-back
bypasses the OS cache where it can: on Linux the cached pages (clean after the fsync) are dropped
with posix_fadvise(DONTNEED) before reading — advisory, honoured by Linux for clean pages; on
Windows the file is opened with FILE_FLAG_NO_BUFFERING (app/export/windrive.py). A cache inside
the stick itself is beyond both. A drive pulled
mid-write leaves at most the temporary file, which the next attempt removes; the error says so.
A lost drive is the environment, so it is an exception (StickWriteError); cancel is a value.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from app.export import format as fmt
from app.export import windrive
from app.export.build import CANCELLED, BuiltPackage
from app.export.verify import Verification, verify_package
from app.fileio import fsync_dir, replace_with_retry
from app.meetings import Refusal

Progress = Callable[[int, int, str], None]
Cancel = Callable[[], bool]
Opener = Callable[[Path], BinaryIO]
Reader = Callable[[Path], Iterator[bytes]]
CHUNK = 1 << 20
MEDIA_ROOTS = ("/media/", "/run/media/")


class StickWriteError(Exception):
    """Writing to the drive failed (drive pulled, full, read-only); the message says what is
    left on the drive."""

    def __init__(self, message: str, *, temp_left: Path | None = None) -> None:
        super().__init__(message)
        self.temp_left = temp_left


@dataclass(frozen=True, slots=True)
class Drive:
    path: Path
    label: str
    free_bytes: int
    total_bytes: int
    note: str = ""            # e.g. windrive.UNSURE: shown so the clerk can judge

    def describe(self) -> str:
        gb = 1024 ** 3
        note = f"，{self.note}" if self.note else ""
        return (f"{self.label or self.path}（{self.path}，可用 {self.free_bytes / gb:.1f} GB"
                f" / 共 {self.total_bytes / gb:.1f} GB{note}）")


@dataclass(frozen=True, slots=True)
class Written:
    path: Path
    size: int
    sha256: str
    verification: Verification


def _unescape_mount(field: str) -> str:
    # /proc/mounts escapes space, tab, newline and backslash as octal.
    for code, ch in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, ch)
    return field


def _is_removable(device: str, sys_class_block: Path) -> bool:
    name = Path(device).name
    node = sys_class_block / name
    if not node.exists():
        return False
    real = node.resolve()
    disk = real.parent if (real / "partition").exists() else real
    removable = disk / "removable"
    try:
        if removable.read_text().strip() == "1":
            return True
    except OSError:
        pass
    return "/usb" in str(real)   # USB disks that report removable=0 (card readers, SSDs)


def _drive(path: Path, label: str, note: str = "") -> Drive | None:
    try:
        st = os.statvfs(path) if hasattr(os, "statvfs") else None
        if st is None:
            usage = shutil.disk_usage(path)
            return Drive(path, label, usage.free, usage.total, note)
    except OSError:
        return None
    return Drive(path, label, st.f_bavail * st.f_frsize, st.f_blocks * st.f_frsize, note)


def linux_drives(mounts: Path = Path("/proc/mounts"),
                 sys_class_block: Path = Path("/sys/class/block")) -> list[Drive]:
    """Mounted removable drives under /media or /run/media (how desktops mount sticks)."""
    out: list[Drive] = []
    try:
        lines = mounts.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return out
    for line in lines:
        parts = line.split()
        if len(parts) < 3 or not parts[0].startswith("/dev/"):
            continue
        mount = _unescape_mount(parts[1])
        if not mount.startswith(MEDIA_ROOTS) or not _is_removable(parts[0], sys_class_block):
            continue
        d = _drive(Path(mount), Path(mount).name)
        if d is not None:
            out.append(d)
    return sorted(out, key=lambda d: str(d.path))


def drives_offered(facts: list[windrive.DriveFacts]) -> list[tuple[windrive.DriveFacts, str]]:
    """The drives to list as sticks and the note for each (windrive.offer), sure ones first."""
    chosen = [(f, note) for f in facts if (note := windrive.offer(f)) is not None]
    return sorted(chosen, key=lambda fn: (fn[1] != "", fn[0].root))


def windows_drives() -> list[Drive]:  # pragma: no cover - Windows only
    out: list[Drive] = []
    for f, note in drives_offered(windrive.probe()):
        d = _drive(Path(f.root), f.label, note)
        if d is not None:
            out.append(d)
    return out


def removable_drives() -> list[Drive]:
    if sys.platform == "win32":  # pragma: no cover - Windows only
        return windows_drives()
    return linux_drives()


def _open_new(path: Path) -> BinaryIO:
    return open(path, "xb")  # noqa: SIM115 - closed by the caller


def _drop_cache(path: Path) -> None:
    """Ask the OS to forget cached pages so the read-back comes from the drive itself."""
    advise = getattr(os, "posix_fadvise", None)
    if advise is None:
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        advise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def temp_name(name: str) -> str:
    return f".{name}{fmt.TEMP_SUFFIX}"


def remove_stale_temps(folder: Path) -> list[Path]:
    """Temporary files of earlier, interrupted writes (removed when possible)."""
    removed = []
    for p in folder.glob(f".*{fmt.EXTENSION}{fmt.TEMP_SUFFIX}"):
        try:
            p.unlink()
            removed.append(p)
        except OSError:
            pass
    return removed


def _failed(e: OSError, tmp: Path, final: Path) -> StickWriteError:
    try:
        tmp.unlink(missing_ok=True)
    except OSError:
        pass
    left = tmp if tmp.exists() else None
    what = (f"U 盘上只留下未完成的临时文件 {tmp.name}（不是完整的报送包，下次导出时删除）" if left
            else "U 盘上没有留下文件")
    reason = e.strerror or str(e)
    return StickWriteError(f"写入失败：{reason}（{final.parent}）。报送包没有写完，{what}。"
                           "请检查 U 盘（是否拔出、已满或只读）后重试。", temp_left=left)


def write_package(built: BuiltPackage, folder: Path, *, progress: Progress | None = None,
                  cancel: Cancel | None = None, opener: Opener = _open_new,
                  chunk: int = CHUNK) -> Written | Refusal:
    """Write `built` into `folder` (the stick's root or any folder), read back and verified."""
    final = folder / built.name
    tmp = folder / temp_name(built.name)
    total = len(built.data)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        remove_stale_temps(folder)
        free = shutil.disk_usage(folder).free
        if free < total + (1 << 20):
            raise StickWriteError(f"U 盘空间不足：报送包需要 {total / 1e6:.1f} MB，"
                                  f"{folder} 只剩 {free / 1e6:.1f} MB。没有写入任何文件。")
        with opener(tmp) as f:
            for start in range(0, total, chunk):
                if cancel is not None and cancel():
                    f.close()
                    tmp.unlink(missing_ok=True)
                    return CANCELLED
                f.write(built.data[start:start + chunk])
                if progress is not None:
                    progress(min(start + chunk, total), total, "写入U盘")
            f.flush()
            os.fsync(f.fileno())
        replace_with_retry(tmp, final)
        fsync_dir(folder)
    except OSError as e:
        raise _failed(e, tmp, final) from e
    return read_back(final, built)


def read_past_cache(path: Path) -> Iterator[bytes]:
    """The file's bytes from the drive rather than the OS cache, as far as the OS allows (see
    the module doc). Called after the fsync: DONTNEED drops only pages already written."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        yield from windrive.read_uncached(path, CHUNK)
        return
    _drop_cache(path)
    with open(path, "rb") as f:
        while data := f.read(CHUNK):
            yield data


def read_back(final: Path, built: BuiltPackage, *, reader: Reader | None = None) -> Written:
    """Read the written file from the drive and check it is the package, signed by our key."""
    try:
        h = hashlib.sha256()
        n = 0
        for data in (reader or read_past_cache)(final):
            h.update(data)
            n += len(data)
    except OSError as e:
        raise StickWriteError(f"回读失败：{e.strerror or e}。U 盘上的 {final.name} 可能不完整，"
                              "请重新导出。") from e
    digest = h.hexdigest()
    v = verify_package(final, known_keys={built.fingerprint})
    if digest != fmt.sha256_hex(built.data) or not v.ok:
        try:
            final.unlink()
        except OSError:
            pass
        broken = [p.message for p in v.problems if p.code == "AUDIT_BROKEN"]
        if digest == fmt.sha256_hex(built.data) and broken:   # not the stick: the log
            raise StickWriteError(f"报送包未导出（U 盘上的 {final.name} 已删除）：{broken[0]}。")
        raise StickWriteError(f"回读校验失败：U 盘上的 {final.name} 与生成的报送包不一致"
                              "（已删除），U 盘可能损坏，请换一个 U 盘重试。")
    return Written(final, n, digest, v)
