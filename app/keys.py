"""The installation's Ed25519 signing key: it signs certificates' QR payloads and USB packages.

The private key lives in a file in the per-user data folder (never in the election database, so a
copied database cannot sign as this installation). The public key and its short fingerprint travel
with everything signed, and the fingerprint is printed on the paper the scrutineers sign.
"""

from __future__ import annotations

import base64
import hashlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

KEY_FILE = "installation-ed25519.pem"


def data_home() -> Path:
    """Per-user data folder (POLLDAY_HOME overrides it, e.g. in tests)."""
    override = os.environ.get("POLLDAY_HOME")
    if override:
        return Path(override)
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA", Path.home())) / "PollDay"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "PollDay"
    return Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "PollDay"


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


def load_or_create(folder: Path | None = None) -> InstallationKey:
    """The installation key, created on first use (file mode 0600 where the OS has modes)."""
    folder = folder or data_home()
    path = folder / KEY_FILE
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path} 不是 Ed25519 私钥")
        return InstallationKey(key)
    folder.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return InstallationKey(key)


def verify(public_raw: bytes, signature: bytes, data: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_raw).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True
