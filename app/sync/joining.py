"""Why joining a host failed, in the clerk's words. Each cause keeps its own: a host that is not
in host mode (connection refused), one that cannot be reached (timeout: another network, a
firewall), one that is not the code's host (TLS or certificate), a host that said no (wrong
secret, another meeting: `Refused`), and a problem of this laptop (its database locked, its disk
full), which no amount of checking the host would fix. Used by the join dialog and `pollday desk`."""

from __future__ import annotations

import asyncio
import errno
import sqlite3
import ssl
from pathlib import Path

from app.sync import wire
from app.sync.desk import Refused
from app.sync.pairing import Pairing

NOT_HOST = "（这是本机的问题，不是主机的问题）"
DISK_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
NO_WRITE = {errno.EACCES, errno.EPERM, errno.EROFS}
UNREACHABLE = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN, errno.EHOSTDOWN,
               errno.EADDRNOTAVAIL, 10051, 10065}   # 10051/10065: WSAENETUNREACH/WSAEHOSTUNREACH


def _local(exc: BaseException, target: Path | None) -> str | None:
    where = f" {target}" if target is not None else ""
    if isinstance(exc, sqlite3.Error):
        text = str(exc).lower()
        if "locked" in text or "busy" in text:
            return (f"本机的数据库文件{where}被另一个程序占用（database is locked）："
                    f"关闭正在使用它的程序后再试{NOT_HOST}")
        if "full" in text:
            return f"本机磁盘已满，无法保存{where}：请腾出空间或换一个文件夹{NOT_HOST}"
        return f"本机无法写入数据库{where}：{exc}{NOT_HOST}"
    if isinstance(exc, OSError) and exc.errno in DISK_FULL:
        return f"本机磁盘已满，无法保存{where}：请腾出空间或换一个文件夹{NOT_HOST}"
    if isinstance(exc, OSError) and exc.errno in NO_WRITE:
        return f"本机无法写入{where}（没有权限或只读）：请换一个文件夹{NOT_HOST}"
    if isinstance(exc, FileExistsError):
        return f"{exc.filename or target or exc} 已存在：请换一个文件名"
    return None


def join_problem(exc: BaseException, pairing: Pairing, target: Path | None = None) -> str:
    """What the clerk is told when `join(target, pairing, ...)` raised `exc`."""
    at = f"{pairing.address}:{pairing.port}"
    if isinstance(exc, Refused):
        if exc.reason == "fingerprint":
            return (f"主机 {at} 的证书与配对码不符：它不是这个配对码的主机"
                    "（请扫描本会场主机屏幕上的配对码）")
        return f"主机拒绝：{exc}"
    if isinstance(exc, ssl.SSLError):
        return (f"与 {at} 建立加密连接失败：对方不是 PollDay 主机，或证书不符"
                f"（{exc.reason or exc}）")
    local = _local(exc, target)
    if local is not None:
        return local
    if isinstance(exc, ConnectionRefusedError):
        return (f"主机 {at} 拒绝连接：那台电脑没有开启主机模式，或端口不对"
                "（请核对主机屏幕上的配对码）")
    if isinstance(exc, TimeoutError) or (isinstance(exc, ConnectionAbortedError)
                                         and "handshake" in str(exc).lower()):
        return (f"连接主机 {at} 超时：本机与主机不在同一网络、地址不对，"
                "或主机的防火墙拦截了 PollDay（见主机页面的防火墙说明）")
    if isinstance(exc, OSError) and exc.errno in UNREACHABLE:
        return f"到主机 {at} 的网络不通：本机没有连上会场网络，或地址不对（{exc.strerror or exc}）"
    if isinstance(exc, (asyncio.IncompleteReadError, ConnectionResetError,
                        ConnectionAbortedError, BrokenPipeError)):
        return f"主机 {at} 中途断开了连接：请再试一次（主机刚停止或重启？）"
    if isinstance(exc, wire.FrameError):
        return f"主机 {at} 发来的数据有误（{exc}）：请再试一次"
    if isinstance(exc, OSError):
        return f"连不上主机 {at}：{exc.strerror or exc}"
    return f"加入主机 {at} 失败：{exc!r}"
