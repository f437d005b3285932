"""Subscriptions: unique per (project, queue, subscriber) among live ones.

An expired subscription behaves as deleted; the rows themselves go when
``gc()`` runs or when a new subscription takes their subscriber.
"""

from __future__ import annotations

import hashlib
import time
import typing
import uuid

import sqlalchemy as sa
from sqlalchemy import exc

from zaqar.storage import base, errors
from zaqar.storage.sqlalchemy import columns as col
from zaqar.storage.sqlalchemy import tables

S = tables.subscriptions

_FIELDS = frozenset({"subscriber", "ttl", "options"})


def _key(subscriber: str) -> str:
    return hashlib.sha256(subscriber.encode("utf-8")).hexdigest()


def _record(row: sa.Row, now: float) -> dict:
    return {"id": row.id, "source": row.queue, "subscriber": row.subscriber,
            "ttl": row.ttl, "age": max(0, int(now - row.created)),
            "options": col.from_json(row.options),
            "confirmed": bool(row.confirmed)}


def _of(queue: str, project: str | None) -> sa.ColumnElement[bool]:
    return sa.and_(S.c.project == tables.project_key(project),
                   S.c.queue == queue)


def _is_uuid(value: object) -> bool:
    try:
        return str(uuid.UUID(str(value))) == value
    except ValueError:
        return False


def _take_subscriber(conn: sa.Connection, queue: str, project: str | None,
                     subscriber: str, now: float) -> str:
    """Make ``subscriber`` available on the queue: drop an expired holder,
    raise SubscriptionAlreadyExists for a live one. Returns its key."""
    key = _key(subscriber)
    holder = sa.and_(_of(queue, project), S.c.subscriber_key == key)
    conn.execute(sa.delete(S).where(holder, S.c.expires <= now))
    if conn.execute(sa.select(S.c.id).where(holder)).first() is not None:
        raise errors.SubscriptionAlreadyExists(subscriber)
    return key


class SubscriptionController(base.SubscriptionBase):

    @property
    def _db(self):
        return self.driver.database

    def list(self, queue: str, project: str | None, marker: str | None = None,
             limit: int = 10) -> list[dict]:
        def work(conn: sa.Connection) -> list[dict]:
            now = time.time()
            query = (sa.select(S).where(_of(queue, project),
                                        S.c.expires > now)
                     .order_by(S.c.id).limit(limit))
            if _is_uuid(marker):
                query = query.where(S.c.id > marker)
            return [_record(row, now) for row in conn.execute(query)]
        return self._db.read(work)

    def get(self, queue: str, subscription_id: str,
            project: str | None) -> dict:
        def work(conn: sa.Connection) -> dict:
            now = time.time()
            row = conn.execute(sa.select(S).where(
                _of(queue, project), S.c.id == subscription_id,
                S.c.expires > now)).first()
            if row is None:
                raise errors.SubscriptionDoesNotExist(subscription_id)
            return _record(row, now)
        return self._db.read(work)

    def create(self, queue: str, subscriber: str, ttl: int, options: dict,
               project: str | None) -> str:
        def work(conn: sa.Connection) -> str:
            now = time.time()
            key = _take_subscriber(conn, queue, project, subscriber, now)
            subscription_id = str(uuid.uuid4())
            try:
                with conn.begin_nested():
                    conn.execute(sa.insert(S).values(
                        id=subscription_id,
                        project=tables.project_key(project), queue=queue,
                        subscriber=subscriber, subscriber_key=key, ttl=ttl,
                        created=now, expires=now + ttl,
                        options=col.to_json(options or {}), confirmed=False))
            except exc.IntegrityError:
                raise errors.SubscriptionAlreadyExists(subscriber) from None
            return subscription_id
        return self._db.write(work)

    def update(self, queue: str, subscription_id: str, project: str | None,
               **fields: typing.Any) -> None:
        unknown = set(fields) - _FIELDS
        if unknown:
            raise ValueError("subscriptions have no field(s) "
                             + ", ".join(sorted(unknown)))

        def work(conn: sa.Connection) -> None:
            now = time.time()
            this = sa.and_(_of(queue, project), S.c.id == subscription_id,
                           S.c.expires > now)
            row = conn.execute(sa.select(S.c.subscriber).where(this)
                               .with_for_update()).first()
            if row is None:
                raise errors.SubscriptionDoesNotExist(subscription_id)
            values: dict = {}
            subscriber = fields.get("subscriber")
            if subscriber is not None and subscriber != row.subscriber:
                values["subscriber_key"] = _take_subscriber(
                    conn, queue, project, subscriber, now)
                values["subscriber"] = subscriber
            if fields.get("ttl") is not None:
                values.update(ttl=fields["ttl"], created=now,
                              expires=now + fields["ttl"])
            if "options" in fields:
                values["options"] = col.to_json(fields["options"] or {})
            if not values:
                return
            try:
                with conn.begin_nested():
                    conn.execute(sa.update(S).where(S.c.id == subscription_id)
                                 .values(**values))
            except exc.IntegrityError:
                raise errors.SubscriptionAlreadyExists(subscriber) from None
        self._db.write(work)

    def delete(self, queue: str, subscription_id: str,
               project: str | None) -> None:
        self._db.write(lambda conn: conn.execute(sa.delete(S).where(
            _of(queue, project), S.c.id == subscription_id)))

    def exists(self, queue: str, subscription_id: str,
               project: str | None) -> bool:
        return self._db.read(lambda conn: conn.execute(
            sa.select(S.c.id).where(_of(queue, project),
                                    S.c.id == subscription_id,
                                    S.c.expires > time.time())
        ).first() is not None)

    def get_with_subscriber(self, queue: str, subscriber: str,
                            project: str | None) -> dict | None:
        def work(conn: sa.Connection) -> dict | None:
            now = time.time()
            row = conn.execute(sa.select(S).where(
                _of(queue, project), S.c.subscriber_key == _key(subscriber),
                S.c.expires > now)).first()
            return None if row is None else _record(row, now)
        return self._db.read(work)

    def confirm(self, queue: str, subscription_id: str, project: str | None,
                confirmed: bool = True) -> None:
        def work(conn: sa.Connection) -> None:
            result = conn.execute(sa.update(S).where(
                _of(queue, project), S.c.id == subscription_id,
                S.c.expires > time.time()).values(confirmed=bool(confirmed)))
            if result.rowcount == 0:
                raise errors.SubscriptionDoesNotExist(subscription_id)
        self._db.write(work)

    def purge(self, queue: str, project: str | None) -> None:
        self._db.write(lambda conn: conn.execute(
            sa.delete(S).where(_of(queue, project))))
