"""Column types that behave the same on SQLite, PostgreSQL and MySQL.

Names and ids must compare byte for byte (case-sensitive, byte order), so
they get a binary collation where the server default would not; JSON
documents and message bodies are stored as text we encode ourselves so
every database returns exactly what was stored.
"""

from __future__ import annotations

import json
import typing

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

_MYSQL = ("mysql", "mariadb")


def ident(length: int) -> sa.types.TypeEngine:
    """A name or id: byte-order sorting and exact comparison everywhere."""
    return (sa.String(length)
            .with_variant(sa.String(length, collation="C"), "postgresql")
            .with_variant(mysql.VARCHAR(length, charset="utf8mb4",
                                        collation="utf8mb4_bin"), *_MYSQL))


def long_text() -> sa.types.TypeEngine:
    """Text of any size (MySQL's TEXT stops at 64 KiB)."""
    return sa.Text().with_variant(
        mysql.LONGTEXT(charset="utf8mb4", collation="utf8mb4_bin"), *_MYSQL)


def sequence() -> sa.types.TypeEngine:
    """A 64-bit auto-increment key (SQLite needs plain INTEGER for that)."""
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def epoch() -> sa.types.TypeEngine:
    """A point in time as float seconds since the epoch."""
    return sa.Double()


# Made once: json.dumps/json.loads would build or look one up per call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_DECODER = json.JSONDecoder()


def to_json(value: typing.Any) -> str:
    return _ENCODER.encode(value)


def from_json(text: str | None) -> typing.Any:
    return None if text is None else _DECODER.decode(text)
