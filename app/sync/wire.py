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

Frame sizes are bounded; a peer that sends a larger frame is dropped."""

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


def parse_control(payload: bytes) -> dict[str, Any]:
    try:
        obj = json.loads(payload.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise FrameError("control frame is not JSON") from exc
    if not isinstance(obj, dict) or not isinstance(obj.get("t"), str):
        raise FrameError("control frame without type")
    return obj
