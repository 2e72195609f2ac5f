"""mDNS (zeroconf) on the venue network: the host advertises `_pollday._tcp` with its certificate
fingerprint and room; a desk lists the hosts that answer (`browse`, for the join dialog) or looks
for the host with its pinned fingerprint when the typed address does not answer (`discover`).
Where multicast is blocked the pairing code's address still works. mDNS carries no secret: a
host found this way still needs the pairing code shown on its screen (`choose`).

Discovery never takes host mode down: zeroconf's blocking API waits on the event loop of the
thread that calls it (and raises EventLoopBlocked after ~10 s when that thread runs an asyncio
loop, as the host's does), so the host advertises through `advertise_off_loop` (a worker
thread, where zeroconf runs its own loop) and every failure of mDNS is logged and returned as
words for the chair (`advertise_or_why`, `DiscoveryError`) while the host goes on.

Interfaces: a venue host bound to every address advertises on every interface; one bound to
127.0.0.1 advertises on loopback only (`advert_interfaces`), and a desk can be restricted the same
way (`pollday desk --mdns-interface 127.0.0.1`). The tests pass interfaces=["127.0.0.1"], so
nothing leaves the machine."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from zeroconf import (
    InterfaceChoice,
    IPVersion,
    NonUniqueNameException,
    ServiceBrowser,
    ServiceInfo,
    ServiceListener,
    Zeroconf,
)

from app.sync.pairing import Pairing

log = logging.getLogger(__name__)

SERVICE = "_pollday._tcp.local."
BROWSE_MAX_S = 10.0        # a join dialog never waits longer than this, whatever it asks


def service_info(pairing: Pairing) -> ServiceInfo:
    return ServiceInfo(SERVICE, f"pollday-{pairing.fingerprint[:12]}.{SERVICE}",
                       addresses=[socket.inet_aton(pairing.address)], port=pairing.port,
                       properties={"fp": pairing.fingerprint, "room": pairing.room})


@dataclass(frozen=True, slots=True)
class FoundHost:
    """A host that answered on the venue network (no secret: mDNS is readable by anyone)."""

    name: str
    address: str
    port: int
    fingerprint: str
    room: str

    def label(self) -> str:
        return f"{self.address}:{self.port}  会场 {self.room}  证书 {self.fingerprint[:12]}…"


def found_host(info: ServiceInfo | None) -> FoundHost | None:
    """A PollDay host from an mDNS answer, or None when the answer is not one (no address, no
    port, no well-formed fingerprint)."""
    if info is None or not info.port:
        return None
    props = info.properties or {}
    fp = (props.get(b"fp") or b"").decode("ascii", "replace")
    room = (props.get(b"room") or b"").decode("utf-8", "replace")
    addresses = [a for a in info.parsed_addresses(IPVersion.V4Only) if a]
    if not addresses or len(fp) != 64 or any(c not in "0123456789abcdef" for c in fp):
        return None
    return FoundHost(info.name, addresses[0], int(info.port), fp, room)


def choose(found: Sequence[FoundHost], pairing: Pairing | None) -> Pairing | str:
    """The pairing to join with once the clerk picked a found host: the code's secret with the
    address and port the host answers on now. Only the host whose certificate is the one in the
    code can be chosen (the code pins it); without a code the clerk is told to type or scan it."""
    if pairing is None:
        return "已找到主机，还需输入或扫描主机屏幕上的配对码（含密钥）"
    same = [h for h in found if h.fingerprint == pairing.fingerprint]
    if not same:
        return "找到的主机与配对码的证书不符：请用这台主机屏幕上的配对码"
    return replace(pairing, address=same[0].address, port=same[0].port)


class _Collect(ServiceListener):
    def __init__(self) -> None:
        self.hosts: dict[str, FoundHost] = {}
        self.lock = threading.Lock()

    def add_service(self, zc: Zeroconf, type_: str, name: str) -> None:
        host = found_host(zc.get_service_info(type_, name, timeout=1000))
        if host is not None:
            with self.lock:
                self.hosts[name] = host

    def update_service(self, zc: Zeroconf, type_: str, name: str) -> None:
        self.add_service(zc, type_, name)

    def remove_service(self, zc: Zeroconf, type_: str, name: str) -> None:
        with self.lock:
            self.hosts.pop(name, None)

    def snapshot(self) -> list[FoundHost]:
        with self.lock:
            return sorted(self.hosts.values(), key=lambda h: (h.address, h.port, h.name))


class DiscoveryError(Exception):
    """mDNS could not run here; the message is for the clerk (the code's address still works)."""


def _zeroconf(interfaces: Sequence[str] | None) -> Zeroconf:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:   # zeroconf would wait on this very loop and raise EventLoopBlocked after ~10 s
        raise RuntimeError("blocking zeroconf call on an asyncio loop's thread: use a worker thread")
    return Zeroconf(interfaces=list(interfaces) if interfaces is not None else InterfaceChoice.All,
                    ip_version=IPVersion.V4Only)


def why(exc: BaseException) -> str:
    """What went wrong with mDNS, in words for the chair or clerk."""
    if isinstance(exc, NonUniqueNameException):
        return "会场网络上已有同名主机在广播（同一数据库是否在另一台电脑上也开了主机模式？）"
    if isinstance(exc, OSError):
        return f"网络接口不能收发组播（{exc.strerror or exc}）"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def browse(timeout: float = 3.0, *, fingerprint: str | None = None,
           interfaces: Sequence[str] | None = None) -> list[FoundHost]:
    """The PollDay hosts that answer within `timeout` seconds (at most BROWSE_MAX_S), sorted by
    address; with `fingerprint`, returns as soon as that host answers. Blocking: never call it
    on a thread that runs an asyncio loop. Raises DiscoveryError when mDNS cannot run here (the
    clerk types the address)."""
    try:
        zc = _zeroconf(interfaces)
    except Exception as exc:
        log.warning("mDNS browse on %s failed", interfaces or "all interfaces", exc_info=True)
        raise DiscoveryError(f"无法在会场网络查找主机：{why(exc)}") from exc
    listener = _Collect()
    browser: ServiceBrowser | None = None
    try:
        browser = ServiceBrowser(zc, SERVICE, listener)
        deadline = time.monotonic() + min(max(timeout, 0.0), BROWSE_MAX_S)
        while time.monotonic() < deadline:
            if fingerprint and any(h.fingerprint == fingerprint for h in listener.snapshot()):
                break
            time.sleep(0.05)
        return listener.snapshot()
    except Exception as exc:
        log.warning("mDNS browse failed", exc_info=True)
        raise DiscoveryError(f"无法在会场网络查找主机：{why(exc)}") from exc
    finally:
        if browser is not None:
            browser.cancel()
        zc.close()


def advert_interfaces(bind: str, chosen: Sequence[str] | None = None) -> list[str] | None:
    """Where a host bound to `bind` advertises: the interfaces chosen, else the bound address
    (127.0.0.1: loopback only), else every interface (None) for a host bound to all of them."""
    if chosen:
        return list(chosen)
    if bind in ("", "0.0.0.0", "::"):
        return None
    return [bind]


class Advert:
    """The host's advertisement. Blocking (zeroconf's probing takes ~1.5 s): make and close it
    on a worker thread, never on the host's event loop (`advertise_off_loop`)."""

    def __init__(self, pairing: Pairing, interfaces: Sequence[str] | None = None) -> None:
        self.interfaces = list(interfaces) if interfaces is not None else None
        self.zc = _zeroconf(self.interfaces)
        self.info = service_info(pairing)
        try:
            self.zc.register_service(self.info)
        except BaseException:
            self.zc.close()
            raise

    def where(self) -> str:
        return "、".join(self.interfaces) if self.interfaces is not None else "所有网络接口"

    def close(self) -> None:
        """Withdraw the advertisement; a failure here is logged, never raised (host mode is
        ending anyway)."""
        try:
            self.zc.unregister_service(self.info)
        except Exception:   # noqa: BLE001 (logged: nothing a clerk could do about it)
            log.warning("mDNS: withdrawing the advertisement failed", exc_info=True)
        finally:
            self.zc.close()


def advertise_or_why(pairing: Pairing, interfaces: Sequence[str] | None = None) -> Advert | str:
    """The advertisement, or why there is none (logged). Blocking: see Advert."""
    try:
        return Advert(pairing, interfaces)
    except Exception as exc:   # noqa: BLE001 (any failure of mDNS: host mode goes on)
        log.warning("mDNS advertisement of %s:%s on %s failed", pairing.address, pairing.port,
                    interfaces or "all interfaces", exc_info=True)
        return f"会场网络广播（mDNS）未能开启：{why(exc)}。签到台仍可扫描或输入配对码加入。"


def advertise(pairing: Pairing, interfaces: Sequence[str] | None = None) -> Advert | None:
    got = advertise_or_why(pairing, interfaces)
    return got if isinstance(got, Advert) else None


async def advertise_off_loop(pairing: Pairing,
                             interfaces: Sequence[str] | None = None) -> Advert | str:
    """`advertise_or_why` on a worker thread: the calling event loop keeps serving meanwhile."""
    return await asyncio.to_thread(advertise_or_why, pairing, interfaces)


async def withdraw_off_loop(advert: Advert | None, timeout: float = 5.0) -> None:
    if advert is None:
        return
    try:
        await asyncio.wait_for(asyncio.to_thread(advert.close), timeout)
    except Exception:   # noqa: BLE001 (a goodbye that did not go out: logged)
        log.warning("mDNS: the advertisement was not withdrawn in time", exc_info=True)


def discover(fingerprint: str, timeout: float = 3.0,
             interfaces: Sequence[str] | None = None) -> tuple[str, int] | None:
    """The address and port of the host with this certificate, if it answers within `timeout`.
    Raises DiscoveryError when mDNS cannot run here."""
    for host in browse(timeout, fingerprint=fingerprint, interfaces=interfaces):
        if host.fingerprint == fingerprint:
            return host.address, host.port
    return None
