"""`DeskService`: a desk's link to the host on a thread of its own (with its own SQLite
connection and asyncio loop), for the CLI and the GUI: start, notify after a sign-in, read the
status for the banner, stop."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable
from pathlib import Path

from app.clock import Clock
from app.sync.desk import DeskLink, DeskStatus
from app.sync.pairing import Pairing

SETTLE = 2.0     # seconds `wait` gives the link to handle earlier notifications, at least


class DeskService:
    """A `DeskLink` on its own thread (and its own SQLite connection)."""

    def __init__(self, db_path: Path, pairing: Pairing, clock: Clock | None = None,
                 on_merged: Callable[[list[str]], None] | None = None) -> None:
        self.db_path, self.pairing, self.clock, self.on_merged = db_path, pairing, clock, on_merged
        self.link: DeskLink | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, name="pollday-desk-sync", daemon=True)

    def start(self) -> DeskService:
        self._thread.start()
        self._ready.wait(30)
        if self._error is not None:
            raise self._error
        return self

    def _main(self) -> None:
        async def body() -> None:
            try:
                self.link = DeskLink(self.db_path, self.pairing, self.clock, self.on_merged)
                self._loop = asyncio.get_running_loop()
                self._stop = asyncio.Event()
            except BaseException as exc:  # reported to the caller of start()
                self._error = exc
                return
            finally:
                self._ready.set()
            try:
                await self.link.run(self._stop)
            finally:
                self.link.close()

        asyncio.run(body())

    def notify(self) -> None:
        if self._loop is not None and self.link is not None:
            with contextlib.suppress(RuntimeError):   # loop already closed
                self._loop.call_soon_threadsafe(self.link.notify)

    def status(self) -> DeskStatus:
        assert self.link is not None
        return self.link.status()

    def wait(self, predicate: Callable[[DeskStatus], bool], timeout: float) -> bool:
        """Poll the status until `predicate` holds or `timeout` seconds pass. The status is
        looked at only once the link has handled every `notify` made before this call: until
        then its count of own events lags the database, and a desk whose last sign-in was not
        yet published would call itself shared (`pollday desk` then exits, and the host may
        never get that sign-in)."""
        start = time.monotonic()
        deadline, settle_by = start + timeout, start + max(timeout, SETTLE)
        handled = self._handled()
        while True:
            if self.link is None:
                return False
            st = self.link.status()
            if handled.is_set() and predicate(st):
                return True
            now = time.monotonic()
            if st.refused or not self._thread.is_alive():
                return False
            if now >= deadline and (handled.is_set() or now >= settle_by):
                return False
            time.sleep(0.01)

    def _handled(self) -> threading.Event:
        """An event set once the link's loop has run every callback queued before this call
        (the loop runs them in order): every earlier `notify` has been published."""
        done = threading.Event()
        if self._loop is None:
            done.set()
            return done
        try:
            self._loop.call_soon_threadsafe(done.set)
        except RuntimeError:   # the loop is closed: the link has stopped, nothing is pending
            done.set()
        return done

    def stop(self, timeout: float = 10.0) -> None:
        if self._loop is not None and self._stop is not None:
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout)
