"""Queues: one row per (project, name) with its metadata document."""

from __future__ import annotations

import time
import typing

import sqlalchemy as sa
from sqlalchemy import exc

from zaqar.storage import base, errors
from zaqar.storage.sqlalchemy import columns as col
from zaqar.storage.sqlalchemy import messages as msgs
from zaqar.storage.sqlalchemy import tables

Q = tables.queues
M = tables.messages

# Rows read per round when listing with filters applied in Python.
_FILTER_BATCH = 200


# The hottest statements are built once, with bound parameters, so that
# no call pays for building and looking up a statement again.
_FIND = sa.select(Q.c.id).where(tables.QUEUE_NAMED)
_FIND_LOCKED = _FIND.with_for_update()
_META = sa.select(Q.c.meta).where(tables.QUEUE_NAMED)
_INSERT = sa.insert(Q)


def find(conn: sa.Connection, name: str, project: str | None,
         lock: bool = False) -> int | None:
    """The queue's row id, or None. ``lock`` holds the row until commit
    (server databases), which orders concurrent posts to one queue."""
    return conn.execute(_FIND_LOCKED if lock else _FIND,
                        tables.named(name, project)).scalar()


def ensure(conn: sa.Connection, name: str, project: str | None) -> int:
    """The queue's row id, creating the queue (empty metadata) if needed;
    the row stays locked until commit."""
    queue_id = find(conn, name, project, lock=True)
    if queue_id is not None:
        return queue_id
    created = _insert(conn, name, project, {})
    if created is not None:
        return created
    # Another transaction created it concurrently; it is committed now.
    queue_id = find(conn, name, project, lock=True)
    if queue_id is None:
        raise errors.StorageError(f"queue {name} vanished while created")
    return queue_id


def _insert(conn: sa.Connection, name: str, project: str | None,
            metadata: base.Metadata) -> int | None:
    """Insert the queue; None when it already exists."""
    try:
        with conn.begin_nested():
            result = conn.execute(_INSERT, {
                "project": tables.project_key(project), "name": name,
                "meta": col.to_json(metadata)})
    except exc.IntegrityError:
        return None
    return result.inserted_primary_key[0]


def _matches(metadata: base.Metadata, filters: base.Metadata) -> bool:
    """Each filter key is in the metadata with an equal value; a string
    filter that parses as an integer also matches that integer."""
    for key, wanted in filters.items():
        if key not in metadata:
            return False
        candidates = [wanted]
        if isinstance(wanted, str):
            try:
                candidates.append(int(wanted))
            except ValueError:
                pass
        if not any(_same(metadata[key], c) for c in candidates):
            return False
    return True


def _same(stored: typing.Any, wanted: typing.Any) -> bool:
    # JSON booleans are not numbers: true must not match 1.
    if isinstance(stored, bool) or isinstance(wanted, bool):
        return type(stored) is type(wanted) and stored == wanted
    return stored == wanted


class QueueController(base.QueueBase):

    @property
    def _db(self):
        return self.driver.database

    def list(self, project: str | None, marker: str | None = None,
             limit: int = 10, detailed: bool = False,
             name: str | None = None,
             filters: base.Metadata | None = None) -> list[dict]:
        filters = filters or {}

        def item(row: sa.Row, metadata: base.Metadata | None) -> dict:
            entry: dict = {"name": row.name}
            if detailed:
                entry["metadata"] = (metadata if metadata is not None
                                     else col.from_json(row.meta))
            return entry

        def work(conn: sa.Connection) -> list[dict]:
            query = (sa.select(Q.c.name, Q.c.meta)
                     .where(Q.c.project == tables.project_key(project))
                     .order_by(Q.c.name))
            if not name and not filters:
                if marker is not None:
                    query = query.where(Q.c.name > marker)
                return [item(row, None)
                        for row in conn.execute(query.limit(limit))]
            found: list[dict] = []
            after = marker
            while len(found) < limit:
                page = query.limit(_FILTER_BATCH)
                if after is not None:
                    page = page.where(Q.c.name > after)
                rows = conn.execute(page).all()
                for row in rows:
                    if name and name not in row.name:
                        continue
                    metadata = col.from_json(row.meta)
                    if filters and not _matches(metadata, filters):
                        continue
                    found.append(item(row, metadata))
                    if len(found) == limit:
                        break
                if len(rows) < _FILTER_BATCH:
                    break
                after = rows[-1].name
            return found

        return self._db.read(work)

    def count(self, project: str | None) -> int:
        return self._db.read(lambda conn: conn.execute(
            sa.select(sa.func.count()).select_from(Q)
            .where(Q.c.project == tables.project_key(project))).scalar())

    def create(self, name: str, project: str | None,
               metadata: base.Metadata | None = None) -> bool:
        return self._db.write(lambda conn: _insert(
            conn, name, project, metadata or {}) is not None)

    def exists(self, name: str, project: str | None) -> bool:
        return self._db.read(
            lambda conn: find(conn, name, project) is not None)

    def get_metadata(self, name: str, project: str | None) -> base.Metadata:
        def work(conn: sa.Connection) -> base.Metadata:
            text = conn.execute(_META, tables.named(name, project)).scalar()
            if text is None:
                raise errors.QueueDoesNotExist(name, project)
            return col.from_json(text)
        return self._db.read(work)

    def set_metadata(self, name: str, metadata: base.Metadata,
                     project: str | None) -> None:
        def work(conn: sa.Connection) -> None:
            result = conn.execute(sa.update(Q).where(
                Q.c.project == tables.project_key(project),
                Q.c.name == name).values(meta=col.to_json(metadata)))
            if result.rowcount == 0:
                raise errors.QueueDoesNotExist(name, project)
        self._db.write(work)

    def delete(self, name: str, project: str | None) -> None:
        # Messages and claims go with the row (ON DELETE CASCADE).
        self._db.write(lambda conn: conn.execute(sa.delete(Q).where(
            Q.c.project == tables.project_key(project), Q.c.name == name)))

    def stats(self, name: str, project: str | None) -> dict:
        def work(conn: sa.Connection) -> dict:
            now = time.time()
            queue_id = find(conn, name, project)
            if queue_id is None:
                raise errors.QueueDoesNotExist(name, project)
            live = sa.and_(M.c.queue_id == queue_id, M.c.expires > now)
            total, claimed = conn.execute(
                sa.select(sa.func.count(),
                          sa.func.coalesce(sa.func.sum(sa.case(
                              (msgs.claimed(now), 1), else_=0)), 0))
                .where(live)).one()
            result: dict = {"claimed": int(claimed),
                            "free": int(total) - int(claimed),
                            "total": int(total)}
            if total:
                for key, order in (("oldest", M.c.id.asc()),
                                   ("newest", M.c.id.desc())):
                    row = conn.execute(sa.select(*msgs.COLUMNS).where(live)
                                       .order_by(order).limit(1)).first()
                    if row is not None:
                        result[key] = msgs.record(row, now)
            return result
        return self._db.read(work)
