"""mDNS (zeroconf) on the venue network: the host advertises `_pollday._tcp` with its certificate
fingerprint; a desk whose typed address does not answer looks for the host with the pinned
fingerprint. Where multicast is blocked the pairing code's address still works. Never used
with a loopback address (tests and benchmarks stay on 127.0.0.1)."""

from __future__ import annotations

import socket
import time

from zeroconf import ServiceBrowser, ServiceInfo, ServiceListener, Zeroconf

from app.sync.pairing import Pairing

SERVICE = "_pollday._tcp.local."


def service_info(pairing: Pairing) -> ServiceInfo:
    return ServiceInfo(SERVICE, f"pollday-{pairing.fingerprint[:12]}.{SERVICE}",
                       addresses=[socket.inet_aton(pairing.address)], port=pairing.port,
                       properties={"fp": pairing.fingerprint, "room": pairing.room})


class Advert:
    def __init__(self, pairing: Pairing) -> None:
        self.zc = Zeroconf(interfaces=[pairing.address])
        self.info = service_info(pairing)
        self.zc.register_service(self.info)

    def close(self) -> None:
        self.zc.unregister_service(self.info)
        self.zc.close()


def advertise(pairing: Pairing) -> Advert | None:
    try:
        return Advert(pairing)
    except OSError:
        return None   # no multicast here: desks type the address


class _Found(ServiceListener):
    def __init__(self, fingerprint: str) -> None:
        self.fingerprint = fingerprint
        self.found: tuple[str, int] | None = None

    def add_service(self, zc: Zeroconf, type_: str, name: str) -> None:
        info = zc.get_service_info(type_, name, timeout=1000)
        if info is None or info.properties.get(b"fp") != self.fingerprint.encode():
            return
        addresses = info.parsed_addresses()
        if addresses and info.port:
            self.found = (addresses[0], int(info.port))

    def update_service(self, zc: Zeroconf, type_: str, name: str) -> None:
        self.add_service(zc, type_, name)

    def remove_service(self, zc: Zeroconf, type_: str, name: str) -> None:
        pass


def discover(fingerprint: str, timeout: float = 3.0) -> tuple[str, int] | None:
    """The address and port of the host with this certificate, if it answers within `timeout`."""
    try:
        zc = Zeroconf()
    except OSError:
        return None
    try:
        listener = _Found(fingerprint)
        ServiceBrowser(zc, SERVICE, listener)
        deadline = time.monotonic() + timeout
        while listener.found is None and time.monotonic() < deadline:
            time.sleep(0.05)
        return listener.found
    finally:
        zc.close()
