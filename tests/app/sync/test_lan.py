"""The address a host offers its desks, from injected address lists: a venue LAN without a
default gateway (the field failure: the host fell back to 127.0.0.1 and the pairing code sent
every desk to itself), several network cards, virtual adapters, only loopback; and the real
machine's list (ifaddr) never empty."""

from __future__ import annotations

from app.sync.host import lan_address
from app.sync.lan import LOOPBACK, LanAddress, lan_addresses, ranked, routed_addresses


def _addrs(got: list[LanAddress]) -> list[str]:
    return [a.address for a in got]


def test_a_lan_without_a_gateway_still_gives_the_lan_address() -> None:
    # no default route: the routing question finds nothing, the interfaces still have addresses
    found = [LanAddress("127.0.0.1", "lo"), LanAddress("192.168.0.23", "WLAN")]
    assert _addrs(ranked(found, routed=None)) == ["192.168.0.23", "127.0.0.1"]


def test_several_cards_private_first_then_by_number_and_the_routed_one_leads() -> None:
    found = [LanAddress("192.0.2.9", "eth1"), LanAddress("10.1.2.3", "以太网 2"),
             LanAddress("192.168.1.40", "以太网"), LanAddress("127.0.0.1", "Loopback"),
             LanAddress("169.254.7.7", "以太网 3"), LanAddress("172.17.0.1", "docker0"),
             LanAddress("192.168.56.1", "VirtualBox Host-Only Network"),
             LanAddress("172.24.48.1", "vEthernet (WSL)")]
    got = _addrs(ranked(found, routed=None))
    assert got == ["10.1.2.3", "192.168.1.40", "192.0.2.9",     # real cards, private first
                   "172.17.0.1", "172.24.48.1", "192.168.56.1",  # virtual adapters
                   "169.254.7.7", "127.0.0.1"]                    # link-local, then loopback
    assert _addrs(ranked(found, routed="192.168.1.40"))[0] == "192.168.1.40"
    assert _addrs(ranked(list(reversed(found)), routed=None)) == got   # deterministic


def test_only_loopback_and_junk_gives_loopback_once() -> None:
    found = [LanAddress("127.0.0.1", "lo"), LanAddress("127.0.0.1", "本机"),
             LanAddress("0.0.0.0"), LanAddress("224.0.0.251"), LanAddress("fe80::1"),
             LanAddress("not an address")]
    assert ranked(found) == [LanAddress("127.0.0.1", "lo")]


def test_labels_name_the_adapter() -> None:
    assert LanAddress("192.168.1.40", "WLAN").label() == "192.168.1.40（WLAN）"
    assert LanAddress("10.0.0.2").label() == "10.0.0.2"


def test_this_machine_lists_its_addresses_loopback_last() -> None:
    got = lan_addresses()
    assert got and got[-1].address == LOOPBACK
    assert len(_addrs(got)) == len(set(_addrs(got)))
    assert lan_address() == got[0].address
    assert all(a in _addrs(got) for a in routed_addresses())
