"""The venue pairing: the host's TLS certificate and the room's secret, and the compact pairing
code a desk types or scans (QR).

    PD1;<address>;<port>;<sha256 of the certificate, hex>;<secret>;<room>;<meeting code, %-quoted>

The fingerprint pins the host's self-signed certificate (a desk talks to no other machine); the
secret proves to the host that the desk was paired in the room; the room and the meeting code
keep a desk of another meeting out."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import ssl
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app.scratch import scratch_dir

PREFIX = "PD1"


@dataclass(frozen=True, slots=True)
class Pairing:
    address: str
    port: int
    fingerprint: str     # SHA-256 of the certificate (DER), 64 hex digits
    secret: str
    room: str
    meeting_code: str

    def code(self) -> str:
        return ";".join((PREFIX, self.address, str(self.port), self.fingerprint, self.secret,
                         self.room, quote(self.meeting_code, safe="")))


class BadPairing(ValueError):
    """The pairing code cannot be read."""


# What each field of a code this app writes is made of: anything else (a pasted code with a
# sentence after it, a second line) is a malformed code, not a code of another meeting.
_ADDRESS = re.compile(r"[A-Za-z0-9.:%\[\]-]+")
_TOKEN = re.compile(r"[A-Za-z0-9_-]+")
_QUOTED = re.compile(r"(?:[A-Za-z0-9._~-]|%[0-9A-Fa-f]{2})*")


def _trailing(parts: list[str]) -> str:
    """The text pasted after the code, for the message ('' if the code ends cleanly)."""
    last = ";".join(parts[6:])
    m = _QUOTED.match(last)
    return last[m.end() if m else 0:].strip()


def parse(code: str) -> Pairing:
    parts = code.strip().split(";")
    if len(parts) < 7 or parts[0] != PREFIX:
        raise BadPairing("配对码格式不对 / not a PollDay pairing code")
    extra = _trailing(parts)
    if extra:
        shown = extra if len(extra) <= 20 else extra[:20] + "…"
        raise BadPairing(f"配对码格式不对：末尾多了“{shown}”，请只粘贴配对码本身"
                         " / trailing text after the pairing code")
    _, address, port, fp, secret, room, meeting = parts
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise BadPairing(f"配对码端口不对 / bad port {port!r}")
    if len(fp) != 64 or any(c not in "0123456789abcdef" for c in fp):
        raise BadPairing("配对码证书指纹不对 / bad fingerprint")
    if len(secret) < 16 or not room or not address:
        raise BadPairing("配对码不完整 / incomplete pairing code")
    if not (_ADDRESS.fullmatch(address) and _TOKEN.fullmatch(secret)
            and _TOKEN.fullmatch(room)):
        raise BadPairing("配对码格式不对：含有配对码中不会出现的字符 / bad characters")
    try:
        meeting_code = unquote(meeting, errors="strict")
    except UnicodeDecodeError:
        raise BadPairing("配对码格式不对：会议代码无法读取 / bad meeting code") from None
    return Pairing(address, int(port), fp, secret, room, meeting_code)


def read_pairing(path: Path) -> Pairing:
    return parse(path.read_text(encoding="utf-8"))


def new_secret() -> str:
    return secrets.token_urlsafe(18)


def new_room() -> str:
    return secrets.token_hex(6)


@dataclass(frozen=True, slots=True)
class Certificate:
    cert_pem: str
    key_pem: str
    fingerprint: str


def cert_fingerprint(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def new_certificate(meeting_code: str, now: dt.datetime) -> Certificate:
    """A self-signed ECDSA P-256 certificate for the host of one meeting (valid 30 days)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "PollDay host"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, meeting_code[:60] or "-")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .sign(key, hashes.SHA256()))
    der = cert.public_bytes(serialization.Encoding.DER)
    return Certificate(
        cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                          serialization.NoEncryption()).decode("ascii"),
        cert_fingerprint(der))


def server_context(cert: Certificate) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    # ssl loads a key pair only from files: a private scratch folder (under the data folder,
    # swept at the next start should this process be killed in these few milliseconds),
    # removed at once.
    with scratch_dir("tls-") as d:
        cert_path, key_path = d / "c.pem", d / "k.pem"
        cert_path.write_text(cert.cert_pem, encoding="ascii")
        key_path.touch(mode=0o600)
        key_path.write_text(cert.key_pem, encoding="ascii")
        ctx.load_cert_chain(cert_path, key_path)
    return ctx


def client_context() -> ssl.SSLContext:
    """No CA can vouch for a venue laptop: the certificate is pinned by its fingerprint after the
    handshake (`pinned`) instead of being checked against a CA."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def pinned(ssl_object: ssl.SSLObject | ssl.SSLSocket | None, fingerprint: str) -> bool:
    if ssl_object is None:
        return False
    der = ssl_object.getpeercert(binary_form=True)
    return der is not None and secrets.compare_digest(cert_fingerprint(der), fingerprint)
