"""The installation key is sealed by the OS where file modes protect nothing (Windows DPAPI).
DPAPI itself runs only on Windows; here a sealer with the same contract stands in for it (a key
per "Windows account": AES-GCM with that account's key), so every path of the file format, the
upgrade of an old plain file and the refusals are exercised for real."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app import keys
from app.secretstore import MAGIC, Sealer, SealError


def account(seed: int) -> Sealer:
    aes = AESGCM(bytes([seed]) * 32)
    nonce = b"\0" * 12

    def unseal(data: bytes) -> bytes:
        try:
            return aes.decrypt(nonce, data, None)
        except InvalidTag as exc:
            raise SealError("wrong account") from exc

    return Sealer(f"account {seed}", lambda d: aes.encrypt(nonce, d, None), unseal)


def test_a_new_key_is_written_sealed_and_reads_back(tmp_path: Path) -> None:
    me = account(1)
    key = keys.load_or_create(tmp_path, sealer=me)
    raw = (tmp_path / keys.KEY_FILE).read_bytes()
    assert raw.startswith(MAGIC)
    assert b"PRIVATE KEY" not in raw and key.private.private_bytes_raw() not in raw
    assert keys.load_or_create(tmp_path, sealer=me).fingerprint == key.fingerprint


def test_an_old_plain_key_file_is_sealed_when_read(tmp_path: Path) -> None:
    plain = keys.load_or_create(tmp_path, sealer=None)
    assert (tmp_path / keys.KEY_FILE).read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    again = keys.load_or_create(tmp_path, sealer=account(1))
    assert again.fingerprint == plain.fingerprint
    assert (tmp_path / keys.KEY_FILE).read_bytes().startswith(MAGIC)


def test_a_copied_sealed_key_is_useless_to_another_account(tmp_path: Path) -> None:
    keys.load_or_create(tmp_path, sealer=account(1))
    with pytest.raises(SealError, match="原来那台电脑"):
        keys.load_or_create(tmp_path, sealer=account(2))
    with pytest.raises(SealError, match="Windows"):
        keys.load_or_create(tmp_path, sealer=None)     # copied to a machine without DPAPI


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_without_a_sealer_the_file_is_private_to_the_user(tmp_path: Path) -> None:
    keys.load_or_create(tmp_path, sealer=None)
    mode = stat.S_IMODE(os.stat(tmp_path / keys.KEY_FILE).st_mode)
    assert mode == 0o600
