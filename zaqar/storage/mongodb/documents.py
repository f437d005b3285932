"""How Zaqar values are written into MongoDB documents and read back.

Message bodies and metadata are arbitrary JSON. MongoDB field names may
not be empty, contain NUL, and behave badly with ``.`` or a leading ``$``
(path syntax), so such keys are percent-escaped on the way in and
restored on the way out; every other key is stored as it is, so the data
stays readable in the mongo shell and metadata stays queryable.
"""

from __future__ import annotations

import datetime
import re
import typing

import bson

_UNESCAPE = re.compile(r"%(25|2E|00|24)")
_UNESCAPED = {"25": "%", "2E": ".", "00": "\x00", "24": "$"}
_EMPTY_KEY = "%"  # a lone "%" never results from escaping a real key


def encode_key(key: str) -> str:
    """The field name under which a JSON object key is stored."""
    if key == "":
        return _EMPTY_KEY
    if "%" not in key and "." not in key and "\x00" not in key \
            and not key.startswith("$"):
        return key
    escaped = (key.replace("%", "%25").replace(".", "%2E")
               .replace("\x00", "%00"))
    if escaped.startswith("$"):
        escaped = "%24" + escaped[1:]
    return escaped


def decode_key(name: str) -> str:
    if name == _EMPTY_KEY:
        return ""
    if "%" not in name:
        return name
    return _UNESCAPE.sub(lambda m: _UNESCAPED[m.group(1)], name)


def encode(value: typing.Any) -> typing.Any:
    """A JSON value as storable BSON (object keys escaped, order kept)."""
    if isinstance(value, dict):
        return {encode_key(str(k)): encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    return value


def decode(value: typing.Any) -> typing.Any:
    if isinstance(value, dict):
        return {decode_key(k): decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def to_datetime(timestamp: float) -> datetime.datetime:
    """Epoch seconds as the UTC datetime TTL indexes need."""
    return datetime.datetime.fromtimestamp(timestamp, datetime.timezone.utc)


def timestamp(value: datetime.datetime) -> float:
    """A stored date as epoch seconds (pymongo reads them as naive UTC
    unless the client is made timezone-aware)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.timezone.utc)
    return value.timestamp()


def object_id(value: typing.Any) -> bson.ObjectId | None:
    """The ObjectId an id string names, or None when it has another form
    (such ids are simply not found)."""
    if isinstance(value, str) and bson.ObjectId.is_valid(value):
        return bson.ObjectId(value)
    return None
