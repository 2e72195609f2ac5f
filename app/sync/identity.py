"""Who wrote an attendance event: Ed25519 keys of the room (host) and of each desk.

The host holds the room's key (`sync_host.sign_private`; its public half in `room_key`). A desk
makes its own key pair when it joins (or, joined before signatures, at its next start) and offers
the public half in its hello; the host certifies it: it signs `room key + desk name + public key`
(`certificate`) and keeps the row in the desk registry (`desk_key`), which travels with
the register refresh. Every event a laptop shares carries its signature over the event's compact
JSON (`app.sync.replica.body`): a desk signs the events of its own name, the host the events
written on the host (desk names no desk holds). `Registry.check` says whether a signature is by
the desk the event names (or by the host for a name no desk holds) and the desk is not revoked.

Keys are stored as hex of the raw 32 bytes."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from db import sync as q

EVENT_DOMAIN = b"pollday-event-v1\x00"
DESK_DOMAIN = b"pollday-desk-v1\x00"


def new_private_key() -> str:
    key = Ed25519PrivateKey.generate()
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption()).hex()


def public_of(private_hex: str) -> str:
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(private_hex))
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw).hex()


def _sign(private_hex: str, message: bytes) -> str:
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(private_hex)).sign(message).hex()


def _verify(public_hex: str, message: bytes, sig_hex: str) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_hex)).verify(
            bytes.fromhex(sig_hex), message)
        return True
    except (InvalidSignature, ValueError):
        return False


def is_hex(text: object, length: int) -> bool:
    return (isinstance(text, str) and len(text) == length
            and all(c in "0123456789abcdef" for c in text))


def _desk_message(authority: str, desk: str, public_hex: str) -> bytes:
    return DESK_DOMAIN + "\x00".join((authority, desk, public_hex)).encode("utf-8")


def _event_message(body: str) -> bytes:
    return EVENT_DOMAIN + body.encode("utf-8")


def certify(host_private: str, desk: str, public_hex: str) -> str:
    """The host's certificate of a desk's key: it signs (room key, desk name, desk key)."""
    return _sign(host_private, _desk_message(public_of(host_private), desk, public_hex))


def sign_event(private_hex: str, body: str) -> str:
    return _sign(private_hex, _event_message(body))


@dataclass(frozen=True, slots=True)
class DeskKey:
    desk: str
    public_key: str
    certified: bool          # the host's certificate checks out
    revoked: bool


@dataclass(frozen=True, slots=True)
class Registry:
    """The room's authority and the desks' keys, as one laptop's database has them."""

    authority: str                     # the host's public key ('' if this laptop has none yet)
    desks: dict[str, DeskKey]

    def check(self, desk: str, body: str, sig: str) -> str:
        """'' when `sig` is a valid signature of `body` by the key entitled to `desk`'s events;
        else the reason (unknown_signer, desk_revoked, bad_signature)."""
        if not self.authority or not is_hex(sig, 128):
            return "unknown_signer" if not self.authority else "bad_signature"
        d = self.desks.get(desk)
        if d is None:   # written on the host, or by a desk whose key this laptop lacks yet
            return "" if _verify(self.authority, _event_message(body), sig) else "unknown_signer"
        if d.revoked:
            return "desk_revoked"
        if not d.certified:
            return "unknown_signer"
        return "" if _verify(d.public_key, _event_message(body), sig) else "bad_signature"


def load_registry(conn: sqlite3.Connection) -> Registry:
    auth = q.select_authority(conn)
    if auth is None:
        return Registry("", {})
    authority = str(auth[0])
    desks = {}
    for desk, pub, cert, revoked_at in q.select_desk_keys(conn):
        ok = is_hex(pub, 64) and is_hex(cert, 128) and _verify(
            authority, _desk_message(authority, str(desk), str(pub)), str(cert))
        desks[str(desk)] = DeskKey(str(desk), str(pub), ok, revoked_at is not None)
    return Registry(authority, desks)
