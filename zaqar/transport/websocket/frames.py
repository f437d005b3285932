"""Request frames in, reply frames out.

A text frame holds a JSON object, a binary frame a MessagePack map; every
reply goes back in the encoding of the frame it answers. A reply is the
envelope ``{"request": <echo>, "body": ..., "headers": {"status": N}}``.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import typing

import msgpack

from zaqar.transport import utils as json_utils
from zaqar.transport.validation import INT64_MAX, INT64_MIN

LOG = logging.getLogger(__name__)

API_VERSION = "v2"


class FrameError(Exception):
    """The frame cannot be read as a request; the text is the error body."""


@dataclasses.dataclass(frozen=True)
class Request:
    """A decoded request frame. ``frame`` is the whole object as sent."""

    frame: dict
    binary: bool

    @property
    def action(self) -> typing.Any:
        return self.frame.get("action")

    @property
    def headers(self) -> typing.Any:
        return self.frame.get("headers", {})

    @property
    def body(self) -> typing.Any:
        return self.frame.get("body", {})


@dataclasses.dataclass(frozen=True)
class Reply:
    """What an action answers: an HTTP-like status and a body."""

    status: int
    body: typing.Any


def too_large(data: str | bytes, limit: int) -> bool:
    """Whether the frame's payload is longer than ``limit`` bytes."""
    if isinstance(data, bytes) or len(data) > limit:
        return len(data) > limit
    # A character is at most four bytes of UTF-8: count only when needed.
    return len(data) * 4 > limit and len(data.encode("utf-8")) > limit


# -- decoding ---------------------------------------------------------------

def _json_int(text: str) -> int:
    value = int(text)
    if not INT64_MIN <= value <= INT64_MAX:
        raise ValueError("JSON contains integer that is too large.")
    return value


def _json_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text} is out of range")
    return value


def _json_constant(name: str) -> typing.NoReturn:
    raise ValueError(f"{name} is not JSON")


# The frame wraps the body one level deeper than an HTTP request body:
# both transports accept the same documents (json_utils.MAX_DEPTH).
MAX_FRAME_DEPTH = json_utils.MAX_DEPTH + 1


def _check_document(document: typing.Any, strings: bool) -> None:
    """Refuse what could be neither stored nor answered, without
    recursion: nesting deeper than HTTP accepts and, from MessagePack,
    binary strings, extension types, non-string keys, integers outside
    64 bits and non-finite floats. ``strings``: also refuse strings with
    no UTF-8 form (JSON escapes can spell a lone surrogate, ``"\\ud800"``).
    """
    pending = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, (dict, list)):
            if depth > MAX_FRAME_DEPTH:
                raise ValueError(f"nested too deeply (more than "
                                 f"{json_utils.MAX_DEPTH} levels in the "
                                 "body)")
            if isinstance(value, dict):
                for key in value:
                    if not isinstance(key, str):
                        raise ValueError("map keys must be strings")
                    if strings:
                        _utf8(key)
                value = value.values()
            pending.extend((item, depth + 1) for item in value)
        elif isinstance(value, str):
            if strings:
                _utf8(value)
        elif value is None or isinstance(value, bool):
            continue
        elif isinstance(value, int):
            if not INT64_MIN <= value <= INT64_MAX:
                raise ValueError("integer is too large")
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise ValueError("numbers must be finite")
        else:
            raise ValueError(
                f"{type(value).__name__} values are not supported")


def _utf8(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("a string holds a lone surrogate") from None


def decode(data: str | bytes) -> Request:
    """Raises FrameError with the contract's texts."""
    binary = isinstance(data, bytes)
    try:
        if binary:
            document = msgpack.unpackb(data, raw=False)
            _check_document(document, strings=False)
        else:
            document = json.loads(data, parse_int=_json_int,
                                  parse_float=_json_float,
                                  parse_constant=_json_constant)
            # The frame text is valid UTF-8: only a \u escape can have
            # made a lone surrogate.
            _check_document(document,
                            strings="\\ud" in data or "\\uD" in data)
    except Exception as exc:  # every decoder failure is the client's
        kind = "binary (MessagePack)" if binary else "text (JSON)"
        raise FrameError(f"Can't decode {kind} request. "
                         f"{type(exc).__name__}: {exc}") from None
    if not isinstance(document, dict):
        raise FrameError("Unexpected body type. Expected dict or dict like.")
    return Request(document, binary)


# -- encoding ---------------------------------------------------------------

def _echo(request: Request | None) -> dict:
    if request is None:
        return {"action": None, "body": {}, "headers": {},
                "api": API_VERSION}
    return {"action": request.action, "body": request.body,
            "headers": request.headers, "api": API_VERSION}


def encode(document: typing.Any, binary: bool) -> bytes:
    """MessagePack, or the UTF-8 of the JSON text (sent as a text frame).

    JSON strings may hold lone surrogates (``"\\ud800"`` is valid JSON);
    they have no UTF-8 form, so such a document is written with escapes.
    """
    if binary:
        return msgpack.packb(document, use_bin_type=True)
    text = json_utils.dumps(document)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(document).encode("ascii")


def reply(request: Request | None, answer: Reply,
          binary: bool | None = None) -> bytes:
    """The encoded envelope of ``answer`` to ``request``.

    A request too deeply nested to be echoed gets the answer without the
    echo (the action did run); an answer that cannot be encoded becomes
    a 500.
    """
    if binary is None:
        binary = request.binary if request is not None else False
    envelope = {"request": _echo(request), "body": answer.body,
                "headers": {"status": answer.status}}
    try:
        return encode(envelope, binary)
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        LOG.warning("Cannot encode the reply to %r: %s",
                    request.action if request else None, exc)
        failure = exc
    short_echo = _echo(None)
    if request is not None and isinstance(request.action, str):
        short_echo["action"] = request.action
    try:
        return encode({"request": short_echo, "body": answer.body,
                       "headers": {"status": answer.status}}, binary)
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        failure = exc
    return encode({"request": short_echo,
                   "body": {"exception": str(failure),
                            "error": "Unexpected error."},
                   "headers": {"status": 500}}, binary)


def frame_error(text: str, binary: bool) -> bytes:
    """A 400 ``{"error": text}`` for a frame that was not read."""
    return reply(None, Reply(400, {"error": text}), binary)
