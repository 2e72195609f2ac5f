"""The installation's Ed25519 signing key: it signs certificates' QR payloads and USB packages.

The private key lives in a file in the per-user data folder (never in the election database, so a
copied database cannot sign as this installation). The public key and its short fingerprint travel
with everything signed, and the fingerprint is printed on the paper the scrutineers sign.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from app.fileio import write_atomic
from app.home import data_home as data_home  # re-exported: callers import it from app.keys
from app.secretstore import Sealer, is_sealed, os_sealer, seal, unseal

KEY_FILE = "installation-ed25519.pem"


def fingerprint(public_raw: bytes) -> str:
    """Short, readable fingerprint of a raw public key: 16 hex digits in groups of 4."""
    h = hashlib.sha256(public_raw).hexdigest()[:16].upper()
    return "-".join(h[i:i + 4] for i in range(0, 16, 4))


@dataclass(frozen=True)
class InstallationKey:
    private: Ed25519PrivateKey

    @property
    def public_raw(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    @property
    def public_b64(self) -> str:
        return base64.b64encode(self.public_raw).decode("ascii")

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_raw)

    def sign(self, data: bytes) -> bytes:
        return self.private.sign(data)


def load_or_create(folder: Path | None = None, *,
                   sealer: Sealer | None | Literal["os"] = "os") -> InstallationKey:
    """The installation key, created on first use. Sealed with the OS where file modes protect
    nothing (Windows DPAPI: only this account on this machine can open it; app/secretstore.py),
    else a 0600 file. A plain key file left by an older version is sealed when next read."""
    folder = folder or data_home()
    path = folder / KEY_FILE
    seal_with = os_sealer() if sealer == "os" else sealer
    if path.exists():
        raw = path.read_bytes()
        pem = unseal(raw, seal_with)
        key = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path} 不是 Ed25519 私钥")
        if seal_with is not None and not is_sealed(raw):
            write_atomic(path, seal(pem, seal_with), private=True)
        return InstallationKey(key)
    folder.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    write_atomic(path, seal(pem, seal_with), private=True)
    return InstallationKey(key)


def verify(public_raw: bytes, signature: bytes, data: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_raw).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True
