"""Issue 13 finding 4: `pollday verify-certificate` without a known key said "证书真实" for a
forgery signed by anyone's key (the public key travels inside the QR). Now a certificate is
genuine (exit 0) only against a key known from the election database, the district database or
`--expect-key`; with none it says the signature is intact but the issuer unverified and prints the
fingerprint to compare (exit 3); broken or mismatching: exit 1. Real `pollday` processes."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from pdtest import pollday_cmd

from app.documents.certificate_payload import Claims, sign_claims
from app.keys import load_or_create

EXIT_UNVERIFIED = 3


def _claims(fp: str, community: str = "新华街道翠湖社区") -> Claims:
    return Claims(community, "party", "committee", "中共翠湖社区委员会委员", "王䶮", 1,
                  "2026-11-22", "0123456789ab", fp)


def _run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "POLLDAY_HOME": str(home)}
    return subprocess.run([*pollday_cmd(), "verify-certificate", *args],
                          capture_output=True, text=True, env=env, timeout=60)


@pytest.fixture()
def forger(tmp_path: Path) -> tuple[str, str]:
    """A certificate signed by a key nobody registered: (payload, fingerprint)."""
    key = load_or_create(tmp_path / "forger")
    return sign_claims(_claims(key.fingerprint), key), key.fingerprint


def test_forgery_without_a_known_key_is_not_genuine(tmp_path: Path,
                                                    forger: tuple[str, str]) -> None:
    payload, fp = forger
    got = _run(tmp_path / "checker-home", payload)
    assert "证书真实" not in got.stdout + got.stderr
    assert got.returncode == EXIT_UNVERIFIED, (got.stdout, got.stderr)
    assert "签名完好" in got.stdout and "签发者未核实" in got.stdout
    assert fp in got.stdout and "公告" in got.stdout   # the fingerprint to compare with the notice
    assert not (tmp_path / "checker-home").exists()    # checking creates no key


def test_expect_key_decides(tmp_path: Path, forger: tuple[str, str]) -> None:
    payload, fp = forger
    home = tmp_path / "checker-home"
    ok = _run(home, payload, "--expect-key", fp.lower().replace("-", " "))
    assert ok.returncode == 0, ok.stderr
    assert "证书真实" in ok.stdout and "王䶮" in ok.stdout
    other = load_or_create(tmp_path / "genuine").fingerprint
    bad = _run(home, payload, "--expect-key", other)
    assert bad.returncode == 1 and "KEY_NOT_EXPECTED" in bad.stderr, bad.stderr
    assert fp in bad.stderr and other in bad.stderr
    garbled = _run(home, payload, "--expect-key", "12-34")
    assert garbled.returncode == 2 and "12-34" in garbled.stderr


def test_broken_certificate_exits_1(tmp_path: Path, forger: tuple[str, str]) -> None:
    payload, _fp = forger
    head, body, sig, pub = payload.split(".")
    flipped = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    got = _run(tmp_path / "h", ".".join([head, flipped, sig, pub]))
    assert got.returncode == 1 and ("BAD_SIGNATURE" in got.stderr or "FORMAT" in got.stderr)


def test_district_database_knows_registered_keys(tmp_path: Path,
                                                 forger: tuple[str, str]) -> None:
    from db import district

    payload, fp = forger
    genuine = load_or_create(tmp_path / "genuine")
    path = tmp_path / "district.db"
    conn = district.connect(path)
    district.register_key(conn, "新华街道翠湖社区", genuine.fingerprint, "2026-11-20T09:00:00+08:00")
    conn.close()
    home = tmp_path / "h"
    refused = _run(home, payload, "--district-db", str(path))
    assert refused.returncode == 1 and "UNKNOWN_KEY" in refused.stderr, refused.stderr
    real = sign_claims(_claims(genuine.fingerprint), genuine)
    ok = _run(home, real, "--district-db", str(path))
    assert ok.returncode == 0 and "证书真实" in ok.stdout, ok.stderr
    other_community = sign_claims(_claims(genuine.fingerprint, "新华街道别的社区"), genuine)
    elsewhere = _run(home, other_community, "--district-db", str(path))
    assert elsewhere.returncode == 1 and "UNKNOWN_KEY" in elsewhere.stderr


def test_this_installations_key_is_known(tmp_path: Path) -> None:
    home = tmp_path / "home"
    key = load_or_create(home)
    got = _run(home, sign_claims(_claims(key.fingerprint), key))
    assert got.returncode == 0 and "本机" in got.stdout, (got.stdout, got.stderr)
