"""What a Yjs update (v1 encoding, as pycrdt writes and reads it) carries for the root map
`events`: each new entry's key and value, read from the bytes themselves.

Why: two laptops that write the same key concurrently are ordered by Yjs client id, and the
entry that loses is integrated as already deleted: applying the update changes nothing visible
and no map event reports it. A desk whose database is older than what it shared writes its
next events under keys the host already holds with other events; whether its entries or the
host's win is a coin toss. The gate (app.sync.gate) therefore compares what an update carries
with what the laptop holds, whichever entry Yjs would keep.

Only what the gate needs is kept: map entries written with no origin (how `Replica.publish`
writes a key new to its document) whose parent is the root `events`, with their value when it
is one plain value. Every struct is still read to its end, so a malformed update is an error
(ValueError) rather than a silent partial answer.

The format (Yjs encoding.js / lib0): a count of clients; per client a count of structs, the
client id and the first clock; each struct an info byte whose low 5 bits say what follows
(0 GC, 10 Skip, else an Item with that content), then the delete set."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

ROOT = "events"
_MAX_DEPTH = 32


@dataclass(frozen=True, slots=True)
class Entry:
    """One map entry an update writes: its Yjs id, the key, and the value (None when the content
    is not a single plain value, or was already deleted and collected at the sender)."""

    client: int
    clock: int
    key: str
    value: Any
    deleted: bool


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.i = 0

    def byte(self) -> int:
        if self.i >= len(self.data):
            raise ValueError("update cut short")
        b = self.data[self.i]
        self.i += 1
        return b

    def take(self, n: int) -> bytes:
        if n < 0 or self.i + n > len(self.data):
            raise ValueError("update cut short")
        out = self.data[self.i:self.i + n]
        self.i += n
        return out

    def uint(self) -> int:
        n, shift = 0, 0
        while True:
            b = self.byte()
            n |= (b & 0x7F) << shift
            if b < 0x80:
                return n
            shift += 7
            if shift > 70:
                raise ValueError("varuint too long")

    def signed(self) -> int:
        b = self.byte()
        n, negative, shift = b & 0x3F, bool(b & 0x40), 6
        while b & 0x80:
            b = self.byte()
            n |= (b & 0x7F) << shift
            shift += 7
            if shift > 70:
                raise ValueError("varint too long")
        return -n if negative else n

    def string(self) -> str:
        return self.take(self.uint()).decode("utf-8")

    def value(self, depth: int = 0) -> Any:
        if depth > _MAX_DEPTH:
            raise ValueError("value nested too deep")
        t = self.byte()
        if t in (127, 126):
            return None
        if t == 125:
            return self.signed()
        if t == 124:
            return struct.unpack(">f", self.take(4))[0]
        if t == 123:
            return struct.unpack(">d", self.take(8))[0]
        if t == 122:
            return struct.unpack(">q", self.take(8))[0]
        if t in (121, 120):
            return t == 120
        if t == 119:
            return self.string()
        if t == 118:
            return {self.string(): self.value(depth + 1) for _ in range(self.uint())}
        if t == 117:
            return [self.value(depth + 1) for _ in range(self.uint())]
        if t == 116:
            return self.take(self.uint())
        raise ValueError(f"unknown value type {t}")


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _content(r: _Reader, ref: int) -> tuple[int, Any, bool]:
    """(length in clock units, the value if it is one plain value else None, deleted)."""
    if ref == 1:                                   # ContentDeleted
        return r.uint(), None, True
    if ref == 2:                                   # ContentJSON
        n = r.uint()
        for _ in range(n):
            r.string()
        return n, None, False
    if ref == 3:                                   # ContentBinary
        r.take(r.uint())
        return 1, None, False
    if ref == 4:                                   # ContentString
        return _utf16_len(r.string()), None, False
    if ref == 5:                                   # ContentEmbed
        r.string()
        return 1, None, False
    if ref == 6:                                   # ContentFormat
        r.string()
        r.string()
        return 1, None, False
    if ref == 7:                                   # ContentType
        if r.uint() in (3, 5):                      # XmlElement, XmlHook: a name follows
            r.string()
        return 1, None, False
    if ref == 8:                                   # ContentAny
        values = [r.value() for _ in range(r.uint())]
        return len(values), (values[0] if len(values) == 1 else None), False
    if ref == 9:                                   # ContentDoc
        r.string()
        r.value()
        return 1, None, False
    raise ValueError(f"unknown content {ref}")


def entries(update: bytes) -> list[Entry]:
    """The entries of the root map `events` that `update` writes without an origin, in the
    order of the update. ValueError when the bytes are not a whole v1 update."""
    r = _Reader(update)
    out: list[Entry] = []
    for _ in range(r.uint()):
        structs, client, clock = r.uint(), r.uint(), r.uint()
        for _ in range(structs):
            info = r.byte()
            ref = info & 0x1F
            if ref in (0, 10):                     # GC, Skip
                clock += r.uint()
                continue
            has_origin, has_right = bool(info & 0x80), bool(info & 0x40)
            if has_origin:
                r.uint()
                r.uint()
            if has_right:
                r.uint()
                r.uint()
            root, key = "", None
            if not has_origin and not has_right:   # the parent is written out
                if r.uint() == 1:
                    root = r.string()
                else:
                    r.uint()
                    r.uint()
                if info & 0x20:
                    key = r.string()
            length, value, deleted = _content(r, ref)
            if length <= 0:
                raise ValueError("empty struct")
            if root == ROOT and key is not None:
                out.append(Entry(client, clock, key, value, deleted))
            clock += length
    _delete_set(r)
    if r.i != len(update):
        raise ValueError("bytes after the update")
    return out


def _delete_set(r: _Reader) -> None:
    for _ in range(r.uint()):
        r.uint()
        for _ in range(r.uint()):
            r.uint()
            r.uint()


def state(vector: bytes) -> dict[int, int]:
    """A state vector (Doc.get_state()) as client id -> the next clock of that client."""
    r = _Reader(vector)
    return {r.uint(): r.uint() for _ in range(r.uint())}
