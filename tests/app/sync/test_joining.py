"""Joining errors keep their own words (every OSError used to become "连不上主机"): each cause is
produced for real on 127.0.0.1 — nothing listening, a listener that never answers the TLS
handshake, a server that is not TLS, a TLS server with another certificate, a host refusing a
wrong secret, a disk that is full (/dev/full behind the desk's new file) and a database locked by
another connection — and `join_problem` names it."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import os
import socket
import sqlite3
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from app.sync import Host, Pairing, join
from app.sync.joining import join_problem
from app.sync.pairing import new_certificate, server_context
from tests.app.sync.sync_venue import free_port, make_assembly

FP = "ab" * 32


def _pairing(port: int, fp: str = FP) -> Pairing:
    return Pairing("127.0.0.1", port, fp, "s" * 24, "0a1b2c3d4e5f", "party")


def _join_error(target: Path, pairing: Pairing) -> BaseException:
    try:
        asyncio.run(join(target, pairing, "一号台", timeout=20))
    except BaseException as exc:   # noqa: BLE001 (the test looks at what join raised)
        return exc
    raise AssertionError("join succeeded")


async def _with_server(handler: Callable[[asyncio.StreamReader, asyncio.StreamWriter],
                                         Awaitable[None]],
                       work: Callable[[int], Awaitable[BaseException]], **kw: object
                       ) -> BaseException:
    server = await asyncio.start_server(handler, "127.0.0.1", 0, **kw)  # type: ignore[arg-type]
    try:
        return await work(int(server.sockets[0].getsockname()[1]))
    finally:
        server.close()


async def _join_async(target: Path, pairing: Pairing) -> BaseException:
    try:
        await join(target, pairing, "一号台", timeout=20)
    except BaseException as exc:   # noqa: BLE001
        return exc
    raise AssertionError("join succeeded")


def test_nothing_listening_is_not_in_host_mode(tmp_path: Path) -> None:
    p = _pairing(free_port())
    exc = _join_error(tmp_path / "d.db", p)
    assert isinstance(exc, ConnectionRefusedError)
    words = join_problem(exc, p, tmp_path / "d.db")
    assert "没有开启主机模式" in words and f"127.0.0.1:{p.port}" in words
    assert "连不上主机" not in words


def test_a_listener_that_never_answers_is_a_timeout(tmp_path: Path) -> None:
    with socket.socket() as s:   # accepts in the kernel backlog, never speaks TLS
        s.bind(("127.0.0.1", 0))
        s.listen(4)
        p = _pairing(s.getsockname()[1])
        exc = _join_error(tmp_path / "d.db", p)
    words = join_problem(exc, p)
    assert "超时" in words and "防火墙" in words, (exc, words)


def test_a_server_that_is_not_tls_is_a_tls_failure(tmp_path: Path) -> None:
    async def http(_r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        w.write(b"HTTP/1.0 400 Bad Request\r\n\r\n" * 20)
        await w.drain()
        await asyncio.sleep(1)
        w.close()

    async def work(port: int) -> BaseException:
        return await _join_async(tmp_path / "d.db", _pairing(port))

    exc = asyncio.run(_with_server(http, work))
    words = join_problem(exc, _pairing(1))
    assert "加密连接失败" in words and "不是 PollDay 主机" in words, (exc, words)


def test_a_tls_server_with_another_certificate_is_not_the_codes_host(tmp_path: Path) -> None:
    cert = new_certificate("other", dt.datetime.now(dt.UTC))

    async def silent(_r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        await asyncio.sleep(2)
        w.close()

    async def work(port: int) -> BaseException:
        return await _join_async(tmp_path / "d.db", _pairing(port))

    exc = asyncio.run(_with_server(silent, work, ssl=server_context(cert)))
    words = join_problem(exc, _pairing(1))
    assert "证书与配对码不符" in words, (exc, words)


def test_a_host_refusing_the_secret_keeps_its_words(tmp_path: Path) -> None:
    host_db = tmp_path / "host.db"
    make_assembly(host_db, 3)

    async def run() -> tuple[BaseException, Pairing]:
        host = Host(host_db)
        port = await host.start("127.0.0.1", 0)
        try:
            wrong = dataclasses.replace(host.pairing("127.0.0.1"), secret="x" * 24)
            return await _join_async(tmp_path / "d.db", wrong), wrong
        finally:
            await host.stop()
            host.close()
            assert port

    exc, wrong = asyncio.run(run())
    words = join_problem(exc, wrong)
    assert words.startswith("主机拒绝") and "配对码不对" in words


@pytest.mark.skipif(not os.path.exists("/dev/full") or sys.platform == "win32",
                    reason="needs /dev/full (Linux) to fill the disk for real")
def test_a_full_disk_is_this_laptops_problem(tmp_path: Path) -> None:
    host_db = tmp_path / "host.db"
    make_assembly(host_db, 3)
    target = tmp_path / "desk.db"
    # whichever name join writes the copy under first, it lands on a device that is always full
    for name in (f"{target.name}.joining", f".{target.name}.joining.{os.getpid()}.tmp"):
        (tmp_path / name).symlink_to("/dev/full")

    async def run() -> tuple[BaseException, Pairing]:
        host = Host(host_db)
        await host.start("127.0.0.1", 0)
        try:
            good = host.pairing("127.0.0.1")
            return await _join_async(target, good), good
        finally:
            await host.stop()
            host.close()

    exc, good = asyncio.run(run())
    words = join_problem(exc, good, target)
    assert "本机磁盘已满" in words and str(target) in words and "不是主机的问题" in words, (
        exc, words)
    assert not target.exists()


def test_a_locked_local_database_is_this_laptops_problem(tmp_path: Path) -> None:
    path = tmp_path / "desk.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    other = sqlite3.connect(path, timeout=0)
    try:
        with pytest.raises(sqlite3.OperationalError) as raised:
            other.execute("INSERT INTO t VALUES (1)")
    finally:
        other.close()
        holder.rollback()
        holder.close()
    words = join_problem(raised.value, _pairing(8765), path)
    assert "被另一个程序占用" in words and str(path) in words and "不是主机的问题" in words
    assert "连不上" not in words


def test_pollday_desk_says_the_cause_when_joining_fails(tmp_path: Path) -> None:
    """`pollday desk` (real process) against a port where nothing listens: exit 2, the words."""
    import subprocess

    p = _pairing(free_port())
    r = subprocess.run([sys.executable, "-m", "app.cli.cmd_desk", "--db", str(tmp_path / "d.db"),
                        "--pairing", p.code(), "--desk", "一号台", "--", "x"],
                       capture_output=True, text=True, encoding="utf-8", timeout=60,
                       env=dict(os.environ, PYTHONUTF8="1"))
    assert r.returncode == 2 and "没有开启主机模式" in r.stderr, r.stderr
    assert not (tmp_path / "d.db").exists()
