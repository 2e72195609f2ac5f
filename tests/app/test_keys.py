from __future__ import annotations

from app import keys


def test_key_is_created_once_and_signs(tmp_path) -> None:
    k1 = keys.load_or_create(tmp_path)
    k2 = keys.load_or_create(tmp_path)
    assert k1.public_raw == k2.public_raw
    assert len(k1.fingerprint) == 19 and k1.fingerprint.count("-") == 3
    sig = k1.sign("选举结果".encode())
    assert keys.verify(k1.public_raw, sig, "选举结果".encode())
    assert not keys.verify(k1.public_raw, sig, "选举结果!".encode())
    other = keys.load_or_create(tmp_path / "other")
    assert other.fingerprint != k1.fingerprint
    assert not keys.verify(other.public_raw, sig, "选举结果".encode())
