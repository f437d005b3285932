"""Clock and record decoding shared by the controllers.

Scripts return messages as ``id, state, body`` triples: the state is the
MessagePack array described in ``scripts/common.lua``, the body the JSON
text the client posted. Decoding happens here, in the API process, so
Redis only moves bytes.
"""

from __future__ import annotations

import json
import time
import typing

import msgpack

from zaqar.storage import base
from zaqar.storage.redis import keys

# Positions in a message state (common.lua SEQ ... COUNT, 0-based here).
SEQ, CREATED, TTL, EXPIRES, DELAY, CLIENT, CLAIM, CLAIM_EXP, COUNT = range(9)

# Order of subscription fields (common.lua SUB_FIELDS).
SUB_FIELDS = ("source", "subscriber", "ttl", "options", "confirmed",
              "created", "expires")


def now_ms() -> int:
    """The caller's clock; every script compares against this value."""
    return int(time.time() * 1000)


# json.dumps/json.loads build or look up their coder on every call; these
# are made once (same output: compact, ASCII).
_ENCODER = json.JSONEncoder(separators=(",", ":"))
_DECODER = json.JSONDecoder()


def dump_json(value: typing.Any) -> bytes:
    return _ENCODER.encode(value).encode("ascii")


def load_json(raw: bytes) -> typing.Any:
    """What ``dump_json`` stored."""
    return _DECODER.decode(raw.decode("utf-8"))


def state(raw: bytes) -> list:
    return msgpack.unpackb(raw, raw=False, unicode_errors="surrogatepass")


def message(mid: bytes | str, raw_state: bytes, body: bytes,
            now: int) -> base.Message:
    st = state(raw_state)
    live_claim = st[CLAIM] and st[CLAIM_EXP] > now
    return {
        "id": mid if isinstance(mid, str) else keys.from_bytes(mid),
        "ttl": int(st[TTL]),
        "age": max(0, (now - st[CREATED]) // 1000),
        "body": load_json(body),
        "created": st[CREATED] / 1000.0,
        "claim_id": st[CLAIM] if live_claim else None,
        "claim_count": int(st[COUNT]),
        "client_uuid": st[CLIENT] or None,
    }


def is_live(raw_state: bytes | None, now: int) -> bool:
    return raw_state is not None and state(raw_state)[EXPIRES] > now


def messages(flat: typing.Sequence[bytes], now: int) -> list[base.Message]:
    """Decode a flat ``[id, state, body, id, state, body, ...]`` list."""
    return [message(flat[i], flat[i + 1], flat[i + 2], now)
            for i in range(0, len(flat), 3)]


def subscription(sid: bytes | str, fields: typing.Sequence[bytes | None],
                 now: int) -> dict | None:
    """A subscription record from SUB_FIELDS values; None if missing or
    expired."""
    rec = dict(zip(SUB_FIELDS, fields))
    if rec["expires"] is None or int(rec["expires"]) <= now:
        return None
    return {
        "id": sid if isinstance(sid, str) else keys.from_bytes(sid),
        "source": keys.from_bytes(rec["source"]),
        "subscriber": keys.from_bytes(rec["subscriber"]),
        "ttl": int(rec["ttl"]),
        "age": max(0, (now - int(rec["created"])) // 1000),
        "options": load_json(rec["options"]),
        "confirmed": rec["confirmed"] == b"1",
    }
