"""JSON in and out, the way every Zaqar transport reads and writes it."""

from __future__ import annotations

import json
import math
import re
import typing

from zaqar.common import errors
from zaqar.transport.validation import INT64_MAX, INT64_MIN

_encoder = json.JSONEncoder(ensure_ascii=False)

# Objects and arrays may nest this deep in a request document. Deeper
# documents gain nothing and some stores cannot keep them (MongoDB stops
# at 100 levels, counting its own wrapping), so they are refused up front.
MAX_DEPTH = 64
_UNPARSABLE = "Request body could not be parsed."
_TOO_DEEP = f"JSON is nested too deeply (more than {MAX_DEPTH} levels)."


# A cheap scan of the raw text that proves a document needs no per-value
# check (most do): an escape that may decode to a lone surrogate. It may
# also match inside strings; then the full check runs, which is only
# slower. (Integers are checked by the decoder's hook instead: a scan for
# 19 digits in a row cost twice the whole parse of a ten-message post.)
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class _IntegerTooLarge(ValueError):
    pass


def _parse_int(text: str) -> int:
    value = int(text)
    if not INT64_MIN <= value <= INT64_MAX:
        raise _IntegerTooLarge(text)
    return value


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400: not representable in JSON out
        raise ValueError(f"{text} is out of range")
    return value


def _reject_constant(name: str) -> typing.NoReturn:
    raise ValueError(f"{name} is not JSON")


def _check_text(text: str) -> None:
    """A lone surrogate (``"\\ud800"``) cannot be stored nor answered."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise errors.InvalidBody(_UNPARSABLE) from None


def _check_tree(document: typing.Any) -> None:
    """Nesting depth and strings of a parsed document, without recursion."""
    pending = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                raise errors.InvalidBody(_TOO_DEEP)
            if isinstance(value, dict):
                for key in value:
                    _check_text(key)
                value = value.values()
            pending.extend((item, depth + 1) for item in value)
        elif isinstance(value, str):
            _check_text(value)


_DECODER = json.JSONDecoder(parse_int=_parse_int,
                            parse_float=_parse_float,
                            parse_constant=_reject_constant)


def loads(data: bytes | str) -> typing.Any:
    """Parse a request document: an object or an array.

    Bytes must be UTF-8 (no BOM). Raises InvalidBody with the contract's
    texts for anything else, and for documents nested deeper than
    MAX_DEPTH.
    """
    try:
        if isinstance(data, bytes):
            text = data.decode("utf-8")
            raw_ok = True  # strict UTF-8 decoding yields no surrogates
        else:
            text = data
            raw_ok = False
        doc = _DECODER.decode(text)
    except _IntegerTooLarge:
        raise errors.InvalidBody(
            "JSON contains integer that is too large.") from None
    except RecursionError:
        raise errors.InvalidBody(_TOO_DEEP) from None
    except (ValueError, TypeError):
        raise errors.InvalidBody(_UNPARSABLE) from None
    if not isinstance(doc, (dict, list)):
        raise errors.InvalidBody(_UNPARSABLE)
    # Nesting deeper than MAX_DEPTH needs more than MAX_DEPTH openers, and
    # a lone surrogate needs an escape for one (or a str holding one).
    if (text.count("{") + text.count("[") > MAX_DEPTH
            or _SURROGATE_ESCAPE.search(text) or not raw_ok):
        _check_tree(doc)
    return doc


def dumps(obj: typing.Any) -> str:
    """One line, ``", "``/``": "`` separators, raw UTF-8 (as upstream)."""
    return _encoder.encode(obj)


def expect(doc: typing.Any, kind: type) -> typing.Any:
    """The document must be an object (dict) or an array (list)."""
    if not isinstance(doc, kind):
        raise errors.InvalidBody("Document type not supported.")
    return doc
