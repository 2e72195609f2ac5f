"""Windows side of the USB stick: which drives to offer, and reading a file back past the cache.

Which drives: many USB sticks (and most USB SSDs and card readers) report DRIVE_FIXED, not
DRIVE_REMOVABLE, so the drive type alone hides them. The decision is `offer`, a pure function
over facts gathered by `probe` (drive type from GetDriveTypeW, bus type from
IOCTL_STORAGE_QUERY_PROPERTY, whether it holds Windows): removable drives and drives on a USB /
SD / MMC bus are offered; a fixed drive whose bus could not be read is offered too, marked
"未能确认是否为 U 盘", so the clerk can still choose it; the system drive, network, CD and RAM
drives never are. `probe` runs on Windows only; the decision is tested everywhere.

Reading back: the package is read back with FILE_FLAG_NO_BUFFERING, so the bytes come from the
device and not from the Windows file cache that still holds what was just written (on Linux
app/export/stick.py asks the kernel to drop its cached pages after the fsync instead). What no
flag can bypass is a cache inside the stick itself; a stick that lies about having written is
only caught when the file is read on another computer (`pollday verify`).
"""

from __future__ import annotations

import ntpath
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# GetDriveTypeW
DRIVE_REMOVABLE, DRIVE_FIXED, DRIVE_REMOTE, DRIVE_CDROM, DRIVE_RAMDISK = 2, 3, 4, 5, 6
# STORAGE_BUS_TYPE
BUS_USB, BUS_SD, BUS_MMC = 0x07, 0x0C, 0x0D
STICK_BUSES = (BUS_USB, BUS_SD, BUS_MMC)
UNSURE = "未能确认是否为 U 盘"


@dataclass(frozen=True, slots=True)
class DriveFacts:
    root: str                 # "E:\\"
    drive_type: int           # GetDriveTypeW
    bus_type: int | None      # STORAGE_BUS_TYPE, None when the query failed
    is_system: bool           # holds Windows (or this program)
    label: str = ""
    has_media: bool = True    # False: a card reader slot without a card


def offer(f: DriveFacts) -> str | None:
    """None: not offered as a stick; otherwise the note to show beside it ('' when sure)."""
    if not f.has_media or f.is_system:
        return None
    if f.drive_type == DRIVE_REMOVABLE or (f.drive_type == DRIVE_FIXED
                                           and f.bus_type in STICK_BUSES):
        return ""
    if f.drive_type == DRIVE_FIXED and f.bus_type is None:
        return UNSURE
    return None


def system_roots() -> set[str]:
    """Drive roots that hold Windows or this program (never offered as a stick)."""
    roots = set()
    for value in (os.environ.get("SystemDrive", "C:"), os.environ.get("SystemRoot", ""),
                  sys.executable):
        drive = ntpath.splitdrive(value)[0]
        if len(drive) == 2 and drive[1] == ":":
            roots.add(drive.upper() + "\\")
    return roots


# --- Windows only below: ctypes over kernel32 ------------------------------------------------

GENERIC_READ = 0x80000000
FILE_SHARE_READ, FILE_SHARE_WRITE = 0x1, 0x2
OPEN_EXISTING = 3
FILE_FLAG_NO_BUFFERING = 0x20000000
FILE_FLAG_SEQUENTIAL_SCAN = 0x08000000
IOCTL_STORAGE_QUERY_PROPERTY = 0x002D1400
BUS_TYPE_OFFSET = 28          # STORAGE_DEVICE_DESCRIPTOR.BusType
ALIGN = 4096                  # a multiple of every sector size in use (512, 4096)


def _kernel32() -> Any:  # pragma: no cover - Windows only
    import ctypes
    from ctypes import wintypes

    k = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    k.CreateFileW.restype = wintypes.HANDLE
    k.CreateFileW.argtypes = [wintypes.LPCWSTR, wintypes.DWORD, wintypes.DWORD, wintypes.LPVOID,
                              wintypes.DWORD, wintypes.DWORD, wintypes.HANDLE]
    k.DeviceIoControl.restype = wintypes.BOOL
    k.DeviceIoControl.argtypes = [wintypes.HANDLE, wintypes.DWORD, wintypes.LPVOID,
                                  wintypes.DWORD, wintypes.LPVOID, wintypes.DWORD,
                                  ctypes.POINTER(wintypes.DWORD), wintypes.LPVOID]
    k.ReadFile.restype = wintypes.BOOL
    k.ReadFile.argtypes = [wintypes.HANDLE, wintypes.LPVOID, wintypes.DWORD,
                           ctypes.POINTER(wintypes.DWORD), wintypes.LPVOID]
    k.CloseHandle.argtypes = [wintypes.HANDLE]
    k.VirtualAlloc.restype = wintypes.LPVOID
    k.VirtualAlloc.argtypes = [wintypes.LPVOID, ctypes.c_size_t, wintypes.DWORD, wintypes.DWORD]
    k.VirtualFree.argtypes = [wintypes.LPVOID, ctypes.c_size_t, wintypes.DWORD]
    return k


def _invalid(handle: int | None) -> bool:  # pragma: no cover - Windows only
    import ctypes

    return handle is None or handle == ctypes.c_void_p(-1).value


def bus_type(root: str) -> int | None:  # pragma: no cover - Windows only
    """STORAGE_BUS_TYPE of the disk behind `root` ("E:\\"), None when it cannot be read."""
    import ctypes
    from ctypes import wintypes

    k = _kernel32()
    h = k.CreateFileW(f"\\\\.\\{root[:2]}", 0, FILE_SHARE_READ | FILE_SHARE_WRITE, None,
                      OPEN_EXISTING, 0, None)
    if _invalid(h):
        return None
    try:
        # STORAGE_PROPERTY_QUERY: StorageDeviceProperty (0), PropertyStandardQuery (0), pad
        query = (ctypes.c_ubyte * 12)()
        out = (ctypes.c_ubyte * 1024)()
        got = wintypes.DWORD(0)
        if not k.DeviceIoControl(h, IOCTL_STORAGE_QUERY_PROPERTY, query, 12, out, 1024,
                                 ctypes.byref(got), None) or got.value < BUS_TYPE_OFFSET + 4:
            return None
        return int.from_bytes(bytes(out[BUS_TYPE_OFFSET:BUS_TYPE_OFFSET + 4]), "little")
    finally:
        k.CloseHandle(h)


def probe() -> list[DriveFacts]:  # pragma: no cover - Windows only
    import ctypes

    k = ctypes.windll.kernel32  # type: ignore[attr-defined]  # exists on Windows only
    system = system_roots()
    mask = k.GetLogicalDrives()
    facts = []
    for i in range(26):
        if not mask & (1 << i):
            continue
        root = f"{chr(65 + i)}:\\"
        kind = int(k.GetDriveTypeW(ctypes.c_wchar_p(root)))
        if kind not in (DRIVE_REMOVABLE, DRIVE_FIXED):
            facts.append(DriveFacts(root, kind, None, root in system))
            continue
        buf = ctypes.create_unicode_buffer(261)
        ok = bool(k.GetVolumeInformationW(ctypes.c_wchar_p(root), buf, 261,
                                          None, None, None, None, 0))
        facts.append(DriveFacts(root, kind, bus_type(root), root in system, buf.value, ok))
    return facts


def read_uncached(path: Path, chunk: int = 1 << 20) -> Iterator[bytes]:  # pragma: no cover
    """The file's bytes read with FILE_FLAG_NO_BUFFERING (from the device, not the cache).
    Reads are whole multiples of ALIGN into a page-aligned buffer, as the flag requires; the
    last read returns what is left of the file. Windows only."""
    import ctypes
    from ctypes import wintypes

    k = _kernel32()
    size = max(ALIGN, chunk - chunk % ALIGN)
    h = k.CreateFileW(str(path), GENERIC_READ, FILE_SHARE_READ, None, OPEN_EXISTING,
                      FILE_FLAG_NO_BUFFERING | FILE_FLAG_SEQUENTIAL_SCAN, None)
    if _invalid(h):
        raise ctypes.WinError(ctypes.get_last_error())  # type: ignore[attr-defined]
    buf = k.VirtualAlloc(None, size, 0x3000, 0x04)   # MEM_COMMIT|MEM_RESERVE, PAGE_READWRITE
    try:
        if not buf:
            raise ctypes.WinError(ctypes.get_last_error())  # type: ignore[attr-defined]
        got = wintypes.DWORD(0)
        while True:
            if not k.ReadFile(h, buf, size, ctypes.byref(got), None):
                raise ctypes.WinError(ctypes.get_last_error())  # type: ignore[attr-defined]
            if got.value == 0:
                return
            yield ctypes.string_at(buf, got.value)
    finally:
        if buf:
            k.VirtualFree(buf, 0, 0x8000)   # MEM_RELEASE
        k.CloseHandle(h)
