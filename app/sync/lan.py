"""This laptop's IPv4 addresses, in the order a host offers them to its desks.

A venue LAN often has no default gateway (a router without internet, a switch): the old "which
interface would route to the internet" trick then finds nothing, and a host that fell back to
127.0.0.1 told every desk to connect to itself. So the addresses come from the interfaces
themselves (`ifaddr`, which zeroconf already depends on), and the routed address, when there is
one, only breaks ties. Order (`ranked`): the routed address, private ranges (192.168/16,
10/8, 172.16/12), other addresses, virtual adapters (VirtualBox, VMware, Hyper-V, WSL, Docker,
VPNs: a desk cannot reach them), link-local 169.254/16 (what Windows takes when no one hands out
addresses: it does work between laptops on one switch), loopback last. Within a group by
number, so the same machine always offers the same first choice."""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Iterable
from dataclasses import dataclass

log = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"
# RFC 1918 only: ipaddress's is_private also counts documentation and reserved ranges
PRIVATE = tuple(ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
VIRTUAL = ("virtualbox", "vbox", "vmware", "vmnet", "hyper-v", "vethernet", "wsl", "docker",
           "veth", "br-", "virbr", "tailscale", "zerotier", "wireguard", "wg", "tun", "tap",
           "utun", "vpn", "loopback", "npcap")


@dataclass(frozen=True, slots=True)
class LanAddress:
    address: str
    interface: str = ""   # the adapter's name as the system shows it (WLAN, 以太网, eth0)

    def label(self) -> str:
        return f"{self.address}（{self.interface}）" if self.interface else self.address


def _group(a: LanAddress, routed: str | None) -> int:
    ip = ipaddress.IPv4Address(a.address)
    if ip.is_loopback:
        return 5
    if ip.is_link_local:
        return 4
    name = a.interface.lower()
    if any(name.startswith(v) or f" {v}" in name or f"({v}" in name for v in VIRTUAL):
        return 3
    if a.address == routed:
        return 0
    return 1 if any(ip in net for net in PRIVATE) else 2


def ranked(found: Iterable[LanAddress], routed: str | None = None) -> list[LanAddress]:
    """Usable IPv4 addresses, best first, each once (the first interface name seen kept)."""
    seen: dict[str, LanAddress] = {}
    for a in found:
        try:
            ip = ipaddress.IPv4Address(a.address)
        except ValueError:
            continue
        if ip.is_unspecified or ip.is_multicast or ip.is_reserved or a.address in seen:
            continue
        seen[a.address] = a
    return sorted(seen.values(),
                  key=lambda a: (_group(a, routed), int(ipaddress.IPv4Address(a.address))))


def interface_addresses() -> list[LanAddress]:
    """Every IPv4 address of this machine's interfaces (empty if they cannot be read)."""
    try:
        import ifaddr

        return [LanAddress(str(ip.ip), str(adapter.nice_name or adapter.name))
                for adapter in ifaddr.get_adapters() for ip in adapter.ips
                if isinstance(ip.ip, str)]
    except Exception:   # noqa: BLE001 (any failure: fall back to the routing table's answer)
        log.warning("cannot list the network interfaces", exc_info=True)
        return []


# Targets for the routing question: the internet first, then the private ranges (a gateway-less
# LAN still has a route to its own subnet). connect() on a UDP socket sends nothing.
PROBES = ("10.255.255.255", "192.168.255.255", "172.31.255.255", "8.8.8.8")


def routed_addresses(probes: Iterable[str] = PROBES) -> list[str]:
    """The source addresses the system would use towards `probes` (nothing is sent)."""
    out: list[str] = []
    for target in probes:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            try:
                s.connect((target, 1))
                got = str(s.getsockname()[0])
            except OSError:
                continue
        if got not in out and got != "0.0.0.0":
            out.append(got)
    return out


def lan_addresses() -> list[LanAddress]:
    """This machine's addresses, best first (loopback included, last)."""
    routed = routed_addresses()
    found = interface_addresses() + [LanAddress(a) for a in routed]
    return ranked([*found, LanAddress(LOOPBACK, "本机")], routed[0] if routed else None)


def lan_address() -> str:
    """The address desks should type for a host bound to every interface."""
    return lan_addresses()[0].address
