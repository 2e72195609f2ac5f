"""Frames on the TLS stream between a desk and the host.

Why not pycrdt-websocket's server and provider: they need an ASGI web server and a WebSocket
client library, neither of which PollDay ships, and its YRoom has no place for a per-connection
handshake (pairing secret, room, desk name) before the document is offered, nor for the host's
acknowledgement of what it has stored durably. So the same y-sync messages (pycrdt's
create_sync_message / handle_sync_message / create_update_message, byte for byte what
y-websocket exchanges) travel in length-prefixed frames over an asyncio TLS stream:

    4 bytes big-endian length, 1 byte kind, payload
    kind 1  control, UTF-8 JSON object with "t" (hello, welcome, refused, ack, status, ping,
            copy_done)
    kind 2  one y-sync message
    kind 3  a chunk of the database copy for a joining desk

Frame sizes are bounded (MAX_FRAME, under the 16 MiB any frame may have), control objects are
nested at most MAX_DEPTH deep and their integers are bounded by the reader (`small_int`); a peer
that breaks any of it is dropped (that connection only)."""

from __future__ import annotations

import asyncio
import json
import struct
from typing import Any

CONTROL = 1
YSYNC = 2
COPY = 3
MAX_FRAME = 8 << 20
MAX_HELLO = 16 << 10
MAX_DEPTH = 32
MAX_CONTROL = 1 << 20       # a control object (the largest real one, an ack, is a few KB)
MAX_SEQ = (1 << 31) - 1     # a desk's seq, as announced in hello/status and carried by events
_HEADER = struct.Struct(">IB")


class FrameError(Exception):
    """The peer broke the framing (too large, unknown kind, bad JSON)."""


def frame(kind: int, payload: bytes) -> bytes:
    return _HEADER.pack(len(payload), kind) + payload


def control(obj: dict[str, Any]) -> bytes:
    return frame(CONTROL, json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode())


async def read_frame(reader: asyncio.StreamReader, limit: int = MAX_FRAME) -> tuple[int, bytes]:
    """The next frame; asyncio.IncompleteReadError when the stream ends."""
    n, kind = _HEADER.unpack(await reader.readexactly(_HEADER.size))
    if n > limit or kind not in (CONTROL, YSYNC, COPY):
        raise FrameError(f"frame of {n} bytes, kind {kind}")
    return kind, await reader.readexactly(n)


def json_depth_ok(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether no array/object in the JSON `text` is nested deeper than `limit` (checked on
    the text, before json.loads, which would recurse on a deeply nested one)."""
    depth, in_str, escaped = 0, False, False
    for ch in text:
        if in_str:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return False
        elif ch in "]}":
            depth -= 1
    return True


def loads_bounded(text: str) -> Any:
    """json.loads of a peer's text, nested at most MAX_DEPTH deep (FrameError otherwise)."""
    if not json_depth_ok(text):
        raise FrameError(f"JSON nested deeper than {MAX_DEPTH}")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise FrameError("not JSON") from exc


def small_int(value: object, default: int = 0) -> int:
    """A seq from a peer: an int in 0..MAX_SEQ (FrameError for anything bigger or negative)."""
    if value is None:
        return default
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_SEQ:
        raise FrameError(f"seq out of range: {str(value)[:40]}")
    return value


def parse_control(payload: bytes) -> dict[str, Any]:
    if len(payload) > MAX_CONTROL:
        raise FrameError(f"control frame of {len(payload)} bytes")
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FrameError("control frame is not JSON") from exc
    obj = loads_bounded(text)
    if not isinstance(obj, dict) or not isinstance(obj.get("t"), str):
        raise FrameError("control frame without type")
    return obj


def sync_reply(message: bytes, doc: Any) -> bytes | None:
    """A y-sync SYNC_STEP1 from the peer: the answer to send back (None: nothing to send)."""
    from pycrdt import handle_sync_message

    try:
        return handle_sync_message(message, doc)
    except Exception as exc:   # noqa: BLE001 - pycrdt's decoding errors vary
        raise FrameError(f"bad state vector ({type(exc).__name__})") from exc


def sync_update(message: bytes) -> bytes:
    """A y-sync SYNC_STEP2 or SYNC_UPDATE: the update it carries. Any other message, or one
    that does not decode, is a FrameError."""
    from pycrdt import YSyncMessageType, read_message

    if message[0] not in (YSyncMessageType.SYNC_STEP2, YSyncMessageType.SYNC_UPDATE):
        raise FrameError("unknown sync message")
    try:
        return read_message(message[1:])
    except Exception as exc:   # noqa: BLE001
        raise FrameError(f"bad sync message ({type(exc).__name__})") from exc
