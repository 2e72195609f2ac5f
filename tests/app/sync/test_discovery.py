"""mDNS: what a desk makes of the answers (malformed ones left out), which found host a clerk
can pick with a pairing code, and the advertise -> browse round trip with zeroconf bound to
127.0.0.1 only (multicast on the loopback interface: nothing leaves the machine)."""

from __future__ import annotations

import asyncio
import logging
import socket
import time

import pytest
from zeroconf import ServiceInfo

from app.sync import Pairing
from app.sync.discovery import (
    SERVICE,
    DiscoveryError,
    FoundHost,
    advert_interfaces,
    advertise,
    advertise_or_why,
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
        # Other PollDay hosts on this machine's loopback (another test's, a clerk's) may answer
        # too: this one is found once, with its address, port and room.
        assert [(h.address, h.port, h.fingerprint, h.room) for h in found
                if h.fingerprint == FP] == [("127.0.0.1", 40999, FP, "0a1b2c3d4e5f")]
        assert discover(FP, 5.0, interfaces=LOOPBACK) == ("127.0.0.1", 40999)
        assert discover("cd" * 32, 0.5, interfaces=LOOPBACK) is None    # bounded: gives up
    finally:
        advert.close()
    assert service_info(pairing).properties[b"fp"] == FP.encode()


def test_the_host_advertises_from_inside_its_event_loop_without_blocking_it(caplog) -> None:
    """The field failure: Zeroconf.register_service called on the host's loop thread waited on
    that loop and raised EventLoopBlocked after ~10 s, ending host mode. Now the advert is made
    on a worker thread: the loop keeps ticking, the advert is found, and the blocking API called
    on the loop's thread is refused at once (words, logged) instead of hanging."""
    from app.sync.discovery import Advert, advertise_off_loop, withdraw_off_loop

    pairing = Pairing("127.0.0.1", 40998, FP, "s" * 24, "0a1b2c3d4e5f", "party")

    async def host_loop() -> tuple[object, list[FoundHost], float, object]:
        gaps: list[float] = []
        loop = asyncio.get_running_loop()

        async def tick() -> None:
            last = loop.time()
            while True:
                await asyncio.sleep(0.02)
                gaps.append(loop.time() - last)
                last = loop.time()

        ticker = asyncio.create_task(tick())
        inline = advertise_or_why(pairing, LOOPBACK)    # the old way, on the loop's thread
        advert = await advertise_off_loop(pairing, LOOPBACK)
        try:
            found = (await asyncio.to_thread(browse, 5.0, fingerprint=FP, interfaces=LOOPBACK)
                     if isinstance(advert, Advert) else [])
        finally:
            await withdraw_off_loop(advert if isinstance(advert, Advert) else None)
            ticker.cancel()
        return advert, found, max(gaps, default=0.0), inline

    started = time.monotonic()
    advert, found, worst_gap, inline = asyncio.run(host_loop())
    if isinstance(advert, str) and "组播" in advert:
        pytest.skip(f"zeroconf cannot bind to 127.0.0.1 here: {advert}")
    assert isinstance(advert, Advert), advert
    assert [(h.address, h.port) for h in found if h.fingerprint == FP] == [("127.0.0.1", 40998)]
    assert worst_gap < 0.5, f"the host's loop stalled {worst_gap:.2f} s"
    assert isinstance(inline, str) and "未能开启" in inline      # refused, not blocked
    assert time.monotonic() - started < 9.0                     # never the ~10 s wait
    assert any("mDNS advertisement" in r.getMessage() for r in caplog.records)


def test_any_mdns_failure_is_logged_and_said_and_nothing_raised(caplog) -> None:
    """An interface that cannot multicast (an address this machine does not have: the socket
    calls fail before anything is sent) gives words for the chair and a log record; a desk's
    search there raises DiscoveryError with its words."""
    pairing = Pairing("127.0.0.1", 40997, FP, "s" * 24, "0a1b2c3d4e5f", "party")
    nowhere = ["203.0.113.7"]     # TEST-NET-3: never assigned to this machine
    caplog.set_level(logging.WARNING, logger="app.sync.discovery")
    got = advertise_or_why(pairing, nowhere)
    assert isinstance(got, str) and "会场网络广播（mDNS）未能开启" in got and "配对码" in got
    assert advertise(pairing, nowhere) is None
    assert any(r.levelno == logging.WARNING and r.exc_info for r in caplog.records)
    with pytest.raises(DiscoveryError, match="无法在会场网络查找主机"):
        browse(0.5, interfaces=nowhere)


def test_a_host_advertises_where_it_listens() -> None:
    assert advert_interfaces("127.0.0.1") == ["127.0.0.1"]     # loopback only
    assert advert_interfaces("192.168.1.5") == ["192.168.1.5"]
    assert advert_interfaces("0.0.0.0") is None                 # every interface (a venue)
    assert advert_interfaces("0.0.0.0", ["10.0.0.2"]) == ["10.0.0.2"]
