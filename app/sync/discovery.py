"""mDNS (zeroconf) on the venue network: the host advertises `_pollday._tcp` with its certificate
fingerprint and room; a desk lists the hosts that answer (`browse`, for the join dialog) or looks
for the host with its pinned fingerprint when the typed address does not answer (`discover`).
Where multicast is blocked the pairing code's address still works. mDNS carries no secret: a
host found this way still needs the pairing code shown on its screen (`choose`). Production
browses every interface; the tests pass interfaces=["127.0.0.1"], so nothing leaves the machine."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from zeroconf import IPVersion, ServiceBrowser, ServiceInfo, ServiceListener, Zeroconf

from app.sync.pairing import Pairing

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


def browse(timeout: float = 3.0, *, fingerprint: str | None = None,
           interfaces: Sequence[str] | None = None) -> list[FoundHost]:
    """The PollDay hosts that answer within `timeout` seconds (at most BROWSE_MAX_S), sorted by
    address; with `fingerprint`, returns as soon as that host answers. Empty where multicast is
    not possible (the clerk types the address)."""
    try:
        zc = (Zeroconf(interfaces=list(interfaces), ip_version=IPVersion.V4Only)
              if interfaces is not None else Zeroconf(ip_version=IPVersion.V4Only))
    except OSError:
        return []
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
    finally:
        if browser is not None:
            browser.cancel()
        zc.close()


class Advert:
    def __init__(self, pairing: Pairing, interfaces: Sequence[str] | None = None) -> None:
        self.zc = Zeroconf(interfaces=list(interfaces or [pairing.address]),
                           ip_version=IPVersion.V4Only)
        self.info = service_info(pairing)
        self.zc.register_service(self.info)

    def close(self) -> None:
        self.zc.unregister_service(self.info)
        self.zc.close()


def advertise(pairing: Pairing, interfaces: Sequence[str] | None = None) -> Advert | None:
    try:
        return Advert(pairing, interfaces)
    except OSError:
        return None   # no multicast here: desks type the address


def discover(fingerprint: str, timeout: float = 3.0,
             interfaces: Sequence[str] | None = None) -> tuple[str, int] | None:
    """The address and port of the host with this certificate, if it answers within `timeout`."""
    for host in browse(timeout, fingerprint=fingerprint, interfaces=interfaces):
        if host.fingerprint == fingerprint:
            return host.address, host.port
    return None
