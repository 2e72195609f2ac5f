"""mDNS: what a desk makes of the answers (malformed ones left out), which found host a clerk
can pick with a pairing code, and the advertise -> browse round trip with zeroconf bound to
127.0.0.1 only (multicast on the loopback interface: nothing leaves the machine)."""

from __future__ import annotations

import socket

import pytest
from zeroconf import ServiceInfo

from app.sync import Pairing
from app.sync.discovery import (
    SERVICE,
    FoundHost,
    advertise,
    browse,
    choose,
    discover,
    found_host,
    service_info,
)

FP = "ab" * 32
CODE = Pairing("192.168.1.20", 8765, FP, "s" * 24, "0a1b2c3d4e5f", "party")
LOOPBACK = ["127.0.0.1"]


def _info(fp: str = FP, port: int = 8765, address: str = "10.0.0.9") -> ServiceInfo:
    return ServiceInfo(SERVICE, f"pollday-x.{SERVICE}", addresses=[socket.inet_aton(address)],
                       port=port, properties={"fp": fp, "room": "0a1b2c3d4e5f"})


def test_answers_are_read_and_malformed_ones_left_out() -> None:
    host = found_host(_info())
    assert host == FoundHost(f"pollday-x.{SERVICE}", "10.0.0.9", 8765, FP, "0a1b2c3d4e5f")
    assert "10.0.0.9:8765" in host.label() and FP[:12] in host.label()
    assert found_host(None) is None
    assert found_host(_info(fp="zz" * 32)) is None          # not a fingerprint
    assert found_host(_info(fp=FP[:20])) is None
    assert found_host(_info(port=0)) is None
    assert found_host(ServiceInfo(SERVICE, f"n.{SERVICE}", port=1,
                                  properties={"fp": FP})) is None   # no address


def test_a_found_host_is_chosen_only_with_the_code_of_its_certificate() -> None:
    moved = FoundHost("a", "10.0.0.9", 9000, FP, "0a1b2c3d4e5f")
    stranger = FoundHost("b", "10.0.0.66", 8765, "cd" * 32, "ffffffffffff")
    got = choose([stranger, moved], CODE)
    assert isinstance(got, Pairing)
    assert (got.address, got.port) == ("10.0.0.9", 9000)     # where it answers now
    assert (got.secret, got.fingerprint, got.room) == (CODE.secret, FP, CODE.room)
    assert "配对码" in str(choose([moved], None))              # mDNS gives no secret
    assert "不符" in str(choose([stranger], CODE))             # another host's certificate


def test_advertise_then_browse_on_loopback_only() -> None:
    pairing = Pairing("127.0.0.1", 40999, FP, "s" * 24, "0a1b2c3d4e5f", "party")
    advert = advertise(pairing, interfaces=LOOPBACK)
    if advert is None:
        pytest.skip("zeroconf cannot bind to 127.0.0.1 here")
    try:
        found = browse(5.0, fingerprint=FP, interfaces=LOOPBACK)
        assert [(h.address, h.port, h.fingerprint, h.room) for h in found] == [
            ("127.0.0.1", 40999, FP, "0a1b2c3d4e5f")]
        assert discover(FP, 5.0, interfaces=LOOPBACK) == ("127.0.0.1", 40999)
        assert discover("cd" * 32, 0.5, interfaces=LOOPBACK) is None    # bounded: gives up
    finally:
        advert.close()
    assert service_info(pairing).properties[b"fp"] == FP.encode()
