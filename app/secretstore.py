"""Secrets kept in files on this laptop (the installation's signing key), protected by the OS
where file modes protect nothing.

On Windows a file mode is ignored: any program running as any user who can read the profile
reads the file. There the secret is sealed with DPAPI (`CryptProtectData`, user scope, with
PollDay's own entropy), so only this Windows account on this machine can open it; a copy of the
file on another machine or account is useless. Elsewhere the file is created 0600, which is what
POSIX offers (UOS/Kylin desktops: the user's home is the boundary, as for ssh keys).

Format of a sealed file: the line `POLLDAY-SEALED dpapi 1` and the sealed bytes (base64). A
file without that line is plain (written on Linux, or by an older PollDay), and is sealed the
next time it is read on Windows.
"""

from __future__ import annotations

import base64
import sys
from collections.abc import Callable
from dataclasses import dataclass

MAGIC = b"POLLDAY-SEALED dpapi 1\n"
ENTROPY = b"PollDay installation secret v1"


class SealError(Exception):
    """A sealed secret could not be opened (another Windows account, another machine, or the
    file was damaged)."""


@dataclass(frozen=True)
class Sealer:
    """Seal and open bytes with the OS; `name` says which (for the self-test and messages)."""

    name: str
    seal: Callable[[bytes], bytes]
    unseal: Callable[[bytes], bytes]


def _dpapi() -> Sealer:  # pragma: no cover - Windows only
    import ctypes
    from ctypes import wintypes

    class Blob(ctypes.Structure):
        _fields_ = [("cbData", wintypes.DWORD), ("pbData", ctypes.POINTER(ctypes.c_char))]

    crypt32 = ctypes.windll.crypt32  # type: ignore[attr-defined]
    kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
    ui_forbidden = 0x1   # CRYPTPROTECT_UI_FORBIDDEN

    def blob(data: bytes) -> Blob:
        buf = ctypes.create_string_buffer(data, len(data))
        return Blob(len(data), ctypes.cast(buf, ctypes.POINTER(ctypes.c_char)))

    def call(fn: Callable[..., int], data: bytes) -> bytes:
        out = Blob()
        inp, ent = blob(data), blob(ENTROPY)
        if not fn(ctypes.byref(inp), None, ctypes.byref(ent), None, None, ui_forbidden,
                  ctypes.byref(out)):
            raise SealError(f"DPAPI 错误 {ctypes.GetLastError()}")  # type: ignore[attr-defined]
        try:
            return ctypes.string_at(out.pbData, out.cbData)
        finally:
            kernel32.LocalFree(out.pbData)

    def seal(data: bytes) -> bytes:
        return call(lambda i, _d, e, r, p, f, o: crypt32.CryptProtectData(
            i, "PollDay", e, r, p, f, o), data)

    def unseal(data: bytes) -> bytes:
        return call(crypt32.CryptUnprotectData, data)

    return Sealer("Windows DPAPI", seal, unseal)


def os_sealer() -> Sealer | None:
    """The OS's sealing where it has one PollDay uses (Windows), else None (file modes)."""
    if sys.platform == "win32":  # pragma: no cover - Windows only
        return _dpapi()
    return None


def is_sealed(raw: bytes) -> bool:
    return raw.startswith(MAGIC)


def seal(secret: bytes, sealer: Sealer | None) -> bytes:
    """What to write to the file: sealed when the OS can, else the plain secret."""
    if sealer is None:
        return secret
    return MAGIC + base64.b64encode(sealer.seal(secret)) + b"\n"


def unseal(raw: bytes, sealer: Sealer | None) -> bytes:
    """The secret from the file's bytes (sealed or plain)."""
    if not is_sealed(raw):
        return raw
    if sealer is None:
        raise SealError("这个密钥文件是在 Windows 上加密保存的，只能在原来那台电脑、原来的用户下打开")
    try:
        return sealer.unseal(base64.b64decode(raw[len(MAGIC):].strip(), validate=True))
    except (ValueError, SealError) as exc:
        raise SealError(f"无法打开加密保存的密钥（{exc}）：只能在原来那台电脑、原来的 Windows 用户下"
                        "打开；如已更换电脑，请在新电脑上重新生成密钥并向区换届办登记新的密钥指纹") from exc
