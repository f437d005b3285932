"""JSON in and out, the way every Zaqar transport reads and writes it."""

from __future__ import annotations

import json
import typing

from zaqar.common import errors
from zaqar.transport.validation import INT64_MAX, INT64_MIN

_encoder = json.JSONEncoder(ensure_ascii=False)


class _IntegerTooLarge(ValueError):
    pass


def _parse_int(text: str) -> int:
    value = int(text)
    if not INT64_MIN <= value <= INT64_MAX:
        raise _IntegerTooLarge(text)
    return value


def _reject_constant(name: str) -> typing.NoReturn:
    raise ValueError(f"{name} is not JSON")


def loads(data: bytes | str) -> typing.Any:
    """Parse a request document: an object or an array.

    Raises InvalidBody with the contract's texts for anything else.
    """
    try:
        doc = json.loads(data, parse_int=_parse_int,
                         parse_constant=_reject_constant)
    except _IntegerTooLarge:
        raise errors.InvalidBody(
            "JSON contains integer that is too large.") from None
    except (ValueError, TypeError):
        raise errors.InvalidBody("Request body could not be parsed.") from None
    if not isinstance(doc, (dict, list)):
        raise errors.InvalidBody("Request body could not be parsed.")
    return doc


def dumps(obj: typing.Any) -> str:
    """One line, ``", "``/``": "`` separators, raw UTF-8 (as upstream)."""
    return _encoder.encode(obj)


def expect(doc: typing.Any, kind: type) -> typing.Any:
    """The document must be an object (dict) or an array (list)."""
    if not isinstance(doc, kind):
        raise errors.InvalidBody("Document type not supported.")
    return doc
