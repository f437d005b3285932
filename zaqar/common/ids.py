"""UUIDs as text: made and checked on every request (request ids, client
ids, message and claim ids), so the common cases skip ``uuid.UUID``."""

from __future__ import annotations

import os
import re
import uuid

# The form str(uuid.UUID(...)) gives: what clients nearly always send.
_CANONICAL = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def new_uuid4s(count: int) -> list[str]:
    """``count`` random UUID4 strings (as ``str(uuid.uuid4())``), from one
    read of the system's random source."""
    raw = bytearray(os.urandom(16 * count))
    ids = []
    for at in range(0, 16 * count, 16):
        raw[at + 6] = raw[at + 6] & 0x0F | 0x40  # version 4
        raw[at + 8] = raw[at + 8] & 0x3F | 0x80  # RFC 4122 variant
        h = raw[at:at + 16].hex()
        ids.append(f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}")
    return ids


def new_uuid4() -> str:
    return new_uuid4s(1)[0]


def canonical_uuid(value: str) -> str:
    """``str(uuid.UUID(value))``; raises as ``uuid.UUID`` does."""
    if _CANONICAL.fullmatch(value):
        return value
    return str(uuid.UUID(value))


def is_uuid(value: str) -> bool:
    """Whether ``uuid.UUID`` accepts ``value``."""
    try:
        canonical_uuid(value)
    except (ValueError, TypeError, AttributeError):
        return False
    return True
