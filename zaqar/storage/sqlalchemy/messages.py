"""Messages: rows in FIFO order of their sequence number.

A message's id is its sequence number in decimal. Expiry, delays and
claims are compared with the current time in every query, so nothing
expired is ever visible, whether or not ``gc()`` ran.
"""

from __future__ import annotations

import functools
import itertools
import re
import time
import typing
import uuid

import sqlalchemy as sa

from zaqar.storage import base, errors
from zaqar.storage.sqlalchemy import columns as col
from zaqar.storage.sqlalchemy import queues as queue_rows
from zaqar.storage.sqlalchemy import tables

M = tables.messages

# What a message record is built from.
COLUMNS = (M.c.id, M.c.ttl, M.c.created, M.c.body, M.c.client_uuid,
           M.c.claim_id, M.c.claim_expires, M.c.claim_count)

_ID = re.compile(r"[1-9][0-9]{0,18}")


def parse_id(message_id: typing.Any) -> int | None:
    """The sequence number of a message id; None for any other string."""
    if not isinstance(message_id, str) or not _ID.fullmatch(message_id):
        return None
    number = int(message_id)
    return number if number < 2 ** 63 else None


def claimed(now: float) -> sa.ColumnElement[bool]:
    """Held by a live claim."""
    return sa.and_(M.c.claim_id.is_not(None), M.c.claim_expires > now)


def free(now: float) -> sa.ColumnElement[bool]:
    """Live, delay elapsed and not held by a live claim: claimable."""
    return sa.and_(M.c.expires > now, M.c.delay_until <= now,
                   sa.or_(M.c.claim_id.is_(None), M.c.claim_expires <= now))


# Statements of the hot paths, built once (see queues.NAMED).
_NOW = sa.bindparam("now", type_=M.c.expires.type)
_INSERT = sa.insert(M)
_INSERT_RETURNING = sa.insert(M).returning(M.c.id,
                                           sort_by_parameter_order=True)
_DELETE_ONE = sa.delete(M).where(M.c.id == sa.bindparam("id"))
# The usual deletes, in one statement: the message :id of the named queue
# when it is in the state the caller expects (unclaimed, or held by the
# claim :claim). When they match nothing, ``delete`` reads the message to
# tell why.
_LIVE_MESSAGE = sa.and_(M.c.id == sa.bindparam("id"),
                        M.c.queue_id == tables.QUEUE_ID, M.c.expires > _NOW)
_DELETE_UNCLAIMED = sa.delete(M).where(
    _LIVE_MESSAGE,
    sa.or_(M.c.claim_id.is_(None), M.c.claim_expires <= _NOW))
_DELETE_HELD = sa.delete(M).where(
    _LIVE_MESSAGE, M.c.claim_id == sa.bindparam("claim"),
    M.c.claim_expires > _NOW)
# The message :id of the named queue, locked for deletion.
_TO_DELETE = (sa.select(M.c.queue_id, M.c.claim_id, M.c.claim_expires)
              .where(_LIVE_MESSAGE).with_for_update())


def _listing(after: bool, skip_client: bool, include_claimed: bool,
             include_delayed: bool) -> sa.Select:
    query = (sa.select(*COLUMNS)
             .join(tables.queues, tables.queues.c.id == M.c.queue_id)
             .where(tables.QUEUE_NAMED, M.c.expires > _NOW)
             .order_by(M.c.id).limit(sa.bindparam("limit")))
    if after:
        query = query.where(M.c.id > sa.bindparam("after"))
    if skip_client:
        query = query.where(sa.or_(M.c.client_uuid.is_(None),
                                   M.c.client_uuid
                                   != sa.bindparam("client_uuid")))
    if not include_claimed:
        query = query.where(sa.not_(claimed(_NOW)))
    if not include_delayed:
        query = query.where(M.c.delay_until <= _NOW)
    return query


# Every listing, by (after a marker, skipping the client's own messages,
# include_claimed, include_delayed).
_LISTINGS = {flags: _listing(*flags)
             for flags in itertools.product((False, True), repeat=4)}


def record(row: typing.Any, now: float,
           claim_id: str | None = None) -> base.Message:
    """The message dict of base.py from a row of COLUMNS."""
    live_claim = (row.claim_id if row.claim_id is not None
                  and row.claim_expires > now else None)
    return {"id": str(row.id), "ttl": row.ttl,
            "age": max(0, int(now - row.created)),
            "body": col.from_json(row.body), "created": row.created,
            "claim_id": claim_id or live_claim,
            "claim_count": row.claim_count, "client_uuid": row.client_uuid}


def _wanted(message_ids: list[str]) -> list[int]:
    """Distinct sequence numbers of the well-formed ids, in order."""
    numbers = (parse_id(mid) for mid in message_ids)
    return list(dict.fromkeys(n for n in numbers if n is not None))


# The columns a post fills, and rows per INSERT on SQLite (8 parameters
# each, well below SQLite's limit of 32766 per statement).
_POSTED = ("queue_id", "created", "ttl", "expires", "delay_until", "body",
           "client_uuid", "claim_count")
_SQLITE_CHUNK = 500


@functools.lru_cache(maxsize=64)
def _sqlite_insert(rows: int) -> str:
    values = ", ".join(["(" + ", ".join("?" * len(_POSTED)) + ")"] * rows)
    return (f"INSERT INTO {M.name} ({', '.join(_POSTED)}) VALUES {values} "
            "RETURNING id")


def _insert_sqlite(conn: sa.Connection, rows: list[dict]) -> list[int]:
    """Insert ``rows`` with one multi-row INSERT ... RETURNING (SQLite 3.35
    and later) per chunk; their ids in order. SQLAlchemy sends one INSERT
    per row when it must return ids in parameter order. Here the write
    transaction holds the database lock and AUTOINCREMENT numbers the rows
    of a VALUES list upwards in order, so sorting the ids (RETURNING's
    order is unspecified) restores it. The columns' types convert nothing
    on SQLite, hence plain SQL."""
    ids: list[int] = []
    for start in range(0, len(rows), _SQLITE_CHUNK):
        chunk = rows[start:start + _SQLITE_CHUNK]
        params = tuple(row[name] for row in chunk for name in _POSTED)
        ids.extend(sorted(conn.exec_driver_sql(
            _sqlite_insert(len(chunk)), params).scalars()))
    return ids


class MessageController(base.MessageBase):

    @property
    def _db(self):
        return self.driver.database

    def post(self, queue: str, messages: list[dict], project: str | None,
             client_uuid: str | None) -> list[str]:
        def work(conn: sa.Connection) -> list[int]:
            # The queue row stays locked until commit, so concurrent posts
            # to one queue commit in the order of their sequence numbers
            # and a reader paging by marker never skips one.
            queue_id = queue_rows.ensure(conn, queue, project)
            now = time.time()
            rows = [{"queue_id": queue_id, "created": now,
                     "ttl": message["ttl"], "expires": now + message["ttl"],
                     "delay_until": now + (message.get("delay") or 0),
                     "body": col.to_json(message.get("body")),
                     "client_uuid": client_uuid, "claim_count": 0}
                    for message in messages]
            if not rows:
                return []
            dialect = conn.dialect
            if dialect.name == "sqlite" and dialect.insert_returning:
                return _insert_sqlite(conn, rows)
            if dialect.insert_executemany_returning_sort_by_parameter_order:
                return list(conn.execute(_INSERT_RETURNING, rows).scalars())
            return [conn.execute(_INSERT, row).inserted_primary_key[0]
                    for row in rows]

        return [str(n) for n in self._db.write(work)]

    def list(self, queue: str, project: str | None,
             client_uuid: str | None = None, marker: str | None = None,
             limit: int = 10, echo: bool = False,
             include_claimed: bool = False,
             include_delayed: bool = False) -> list[base.Message]:
        after = parse_id(marker)
        skip_client = not echo and client_uuid is not None
        query = _LISTINGS[after is not None, skip_client,
                          bool(include_claimed), bool(include_delayed)]

        def work(conn: sa.Connection) -> list[base.Message]:
            now = time.time()
            params = tables.named(queue, project)
            params.update(now=now, limit=limit, after=after,
                          client_uuid=client_uuid)
            return [record(row, now) for row in conn.execute(query, params)]
        return self._db.read(work)

    def get(self, queue: str, message_id: str,
            project: str | None) -> base.Message:
        def work(conn: sa.Connection) -> base.Message:
            now = time.time()
            queue_id = queue_rows.find(conn, queue, project)
            if queue_id is None:
                raise errors.QueueDoesNotExist(queue, project)
            number = parse_id(message_id)
            row = None
            if number is not None:
                row = conn.execute(sa.select(*COLUMNS).where(
                    M.c.id == number, M.c.queue_id == queue_id,
                    M.c.expires > now)).first()
            if row is None:
                raise errors.MessageDoesNotExist(message_id, queue, project)
            return record(row, now)
        return self._db.read(work)

    def bulk_get(self, queue: str, message_ids: list[str],
                 project: str | None) -> list[base.Message]:
        numbers = _wanted(message_ids)
        if not numbers:
            return []

        def work(conn: sa.Connection) -> list[base.Message]:
            now = time.time()
            queue_id = queue_rows.find(conn, queue, project)
            if queue_id is None:
                return []
            rows = {row.id: row for row in conn.execute(
                sa.select(*COLUMNS).where(M.c.id.in_(numbers),
                                          M.c.queue_id == queue_id,
                                          M.c.expires > now))}
            return [record(rows[n], now) for n in numbers if n in rows]
        return self._db.read(work)

    def delete(self, queue: str, message_id: str, project: str | None,
               claim: str | None = None) -> None:
        number = parse_id(message_id)
        if number is None:
            return

        def work(conn: sa.Connection) -> None:
            now = time.time()
            params = tables.named(queue, project)
            params.update(id=number, now=now)
            if claim is None:
                fast = conn.execute(_DELETE_UNCLAIMED, params)
            else:
                fast = conn.execute(_DELETE_HELD, dict(params, claim=claim))
            if fast.rowcount:
                return
            row = conn.execute(_TO_DELETE, params).first()
            if row is None:  # no such queue, or no such message in it
                return
            queue_id = row.queue_id
            held = row.claim_id is not None and row.claim_expires > now
            if held and claim is None:
                raise errors.MessageIsClaimed(message_id)
            if held and claim != row.claim_id:
                if _claim_is_live(conn, queue_id, claim, now):
                    raise errors.MessageIsClaimedBy(message_id, claim)
                raise errors.ClaimDoesNotExist(claim, queue, project)
            if not held and claim is not None:
                raise errors.MessageNotClaimed(message_id)
            conn.execute(_DELETE_ONE, {"id": number})
        self._db.write(work)

    def bulk_delete(self, queue: str, message_ids: list[str],
                    project: str | None,
                    claim_ids: list[str] | None = None) -> None:
        numbers = _wanted(message_ids)
        if not numbers:
            return

        def work(conn: sa.Connection) -> None:
            now = time.time()
            queue_id = queue_rows.find(conn, queue, project)
            if queue_id is None:
                return
            targets = sa.and_(M.c.id.in_(numbers), M.c.queue_id == queue_id)
            if claim_ids is not None:
                rows = conn.execute(
                    sa.select(M.c.id, M.c.claim_id, M.c.claim_expires)
                    .where(targets, M.c.expires > now)
                    .order_by(M.c.id).with_for_update()).all()
                for row in rows:
                    if row.claim_id is None or row.claim_expires <= now:
                        raise errors.MessageNotClaimed(str(row.id))
                    if row.claim_id not in claim_ids:
                        raise errors.MessageIsClaimedBy(
                            str(row.id), ", ".join(claim_ids))
            conn.execute(sa.delete(M).where(targets))
        self._db.write(work)

    def pop(self, queue: str, limit: int,
            project: str | None) -> list[base.Message]:
        def work(conn: sa.Connection) -> list[base.Message]:
            now = time.time()
            queue_id = queue_rows.find(conn, queue, project)
            if queue_id is None:
                return []
            rows = conn.execute(
                sa.select(*COLUMNS).where(M.c.queue_id == queue_id, free(now))
                .order_by(M.c.id).limit(limit)
                .with_for_update(skip_locked=True)).all()
            if not rows:
                return []
            conn.execute(sa.delete(M).where(M.c.id.in_([r.id for r in rows])))
            claim_id = str(uuid.uuid4())
            return [record(row, now, claim_id=claim_id) for row in rows]
        return self._db.write(work)

    def purge(self, queue: str, project: str | None) -> None:
        def work(conn: sa.Connection) -> None:
            queue_id = queue_rows.find(conn, queue, project)
            if queue_id is not None:
                conn.execute(sa.delete(M).where(M.c.queue_id == queue_id))
                conn.execute(sa.delete(tables.claims)
                             .where(tables.claims.c.queue_id == queue_id))
        self._db.write(work)


def _claim_is_live(conn: sa.Connection, queue_id: int, claim_id: str | None,
                   now: float) -> bool:
    if not base.is_claim_id(claim_id):
        return False
    return conn.execute(sa.select(tables.claims.c.id).where(
        tables.claims.c.id == claim_id,
        tables.claims.c.queue_id == queue_id,
        tables.claims.c.expires > now)).first() is not None
