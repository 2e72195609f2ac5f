"""Host mode on a thread of its own for the 多台签到 page: app.sync.Host on an asyncio loop, the
mDNS advert made and replaced on worker threads (zeroconf's blocking API on the host's loop
raised EventLoopBlocked and ended host mode), everything reported through queued signals."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.sync import Host
from app.sync.discovery import Advert, advert_interfaces, advertise_off_loop, withdraw_off_loop
from app.sync.host import lan_address, wildcard


class HostRunner(QObject):
    """app.sync.Host on its own thread and event loop; reports through queued signals."""

    started = Signal(str)   # the pairing code
    failed = Signal(str)
    stopped = Signal()
    discovery = Signal(str, bool)   # what became of the mDNS advert (words, advertising)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._quit = threading.Event()
        self._thread: threading.Thread | None = None
        self._active = False   # from start() until the host has closed (before `stopped`)
        self._host: Host | None = None
        self._advert: Advert | None = None
        self._advert_lock: asyncio.Lock | None = None   # one per run: made on the host's loop
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def running(self) -> bool:
        return self._active

    def start(self, db_path: Path, meeting_code: str, bind: str, port: int, address: str,
              mdns: bool, actor: str | None = None) -> None:
        """`actor`: who turns host mode on (Host checks it: the 主持人 where a staff list
        exists)."""
        if self._active:
            return
        self._actor = actor
        self._active = True
        self._quit.clear()
        self._thread = threading.Thread(
            target=lambda: asyncio.run(self._main(db_path, meeting_code, bind, port, address,
                                                  mdns)),
            name="pollday-host", daemon=True)
        self._thread.start()

    async def _main(self, db_path: Path, meeting_code: str, bind: str, port: int, address: str,
                    mdns: bool) -> None:
        try:
            await self._serve(db_path, meeting_code, bind, port, address, mdns)
        finally:
            self._active = False
            self.stopped.emit()

    async def _serve(self, db_path: Path, meeting_code: str, bind: str, port: int, address: str,
                     mdns: bool) -> None:
        try:
            host = Host(db_path, meeting_code, actor=getattr(self, "_actor", None))
        except (OSError, ValueError) as exc:
            self.failed.emit(f"无法作为主机运行：{exc}")
            return
        try:
            try:
                await host.start(bind, port)
            except OSError as exc:
                self.failed.emit(f"无法在 {bind}:{port} 监听：{exc}")
                return
            pairing = host.pairing(address or (lan_address() if wildcard(bind) else bind))
            self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
            self._host, self._advert_lock = host, asyncio.Lock()
            if self._quit.is_set():   # stop() came while the host was starting
                self._stop.set()
            else:
                self.started.emit(pairing.code())
                if mdns:   # off the loop: zeroconf's blocking API on it ended host mode
                    self._spawn(self._advertise(pairing.address, advert_interfaces(
                        bind, [pairing.address] if wildcard(bind) else None)))
            try:
                await self._stop.wait()
            finally:
                await self._withdraw()
                await host.stop()
        finally:
            self._host = None
            host.close()

    async def _advertise(self, address: str, interfaces: list[str] | None) -> None:
        """Advertise the host at `address` instead of any earlier advert; say how it went."""
        assert self._advert_lock is not None
        async with self._advert_lock:   # one change at a time, in the order asked
            await withdraw_off_loop(self._advert)
            self._advert = None
            if self._host is None or self._stop is None or self._stop.is_set():
                return
            got = await advertise_off_loop(self._host.pairing(address), interfaces)
            if isinstance(got, str):
                self.discovery.emit(got, False)
            elif self._stop.is_set():   # host mode ended meanwhile
                await withdraw_off_loop(got)
            else:
                self._advert = got
                self.discovery.emit(f"会场网络广播（mDNS）已开启（{got.where()}）："
                                    "签到台点“在会场网络查找主机”即可找到本机", True)

    async def _withdraw(self) -> None:
        if self._advert_lock is None:
            return
        async with self._advert_lock:
            await withdraw_off_loop(self._advert)
            self._advert = None

    def readvertise(self, address: str, interfaces: list[str] | None = None) -> None:
        """The chair chose another address: advertise that one instead (from any thread)."""
        loop = self._loop
        if loop is None or not self._active:
            return

        with contextlib.suppress(RuntimeError):   # the loop has already ended
            loop.call_soon_threadsafe(lambda: self._spawn(self._advertise(address, interfaces)))

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)   # a reference until done (the loop keeps only a weak one)
        task.add_done_callback(self._tasks.discard)

    def stop(self, wait: float = 0.0) -> None:
        """Ask the host to stop (it closes every desk's connection); optionally wait for it."""
        self._quit.set()
        loop, event = self._loop, self._stop
        if loop is not None and event is not None:
            with contextlib.suppress(RuntimeError):   # the loop has already ended
                loop.call_soon_threadsafe(event.set)
        if wait and self._thread is not None:
            self._thread.join(wait)
