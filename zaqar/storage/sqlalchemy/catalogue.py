"""The catalogue: which pool holds each (project, queue)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import exc

from zaqar.storage import base, errors
from zaqar.storage.sqlalchemy import tables

K = tables.catalogue


def _record(row: sa.Row) -> dict:
    return {"project": tables.project_of(row.project), "queue": row.queue,
            "pool": row.pool}


def _this(project: str | None, queue: str) -> sa.ColumnElement[bool]:
    return sa.and_(K.c.project == tables.project_key(project),
                   K.c.queue == queue)


class CatalogueController(base.CatalogueBase):

    @property
    def _db(self):
        return self.driver.database

    def list(self, project: str | None, marker: str | None = None,
             limit: int | None = None) -> list[dict]:
        query = (sa.select(K).where(K.c.project == tables.project_key(project))
                 .order_by(K.c.queue).limit(limit))
        if marker is not None:
            query = query.where(K.c.queue > marker)
        return self._db.read(lambda conn: [
            _record(row) for row in conn.execute(query)])

    def count(self, project: str | None, pool: str | None = None) -> int:
        query = sa.select(sa.func.count()).select_from(K).where(
            K.c.project == tables.project_key(project))
        if pool is not None:
            query = query.where(K.c.pool == pool)
        return self._db.read(lambda conn: conn.execute(query).scalar_one())

    def get(self, project: str | None, queue: str) -> dict:
        def work(conn: sa.Connection) -> dict:
            row = conn.execute(
                sa.select(K).where(_this(project, queue))).first()
            if row is None:
                raise errors.QueueNotMapped(queue, project)
            return _record(row)
        return self._db.read(work)

    def exists(self, project: str | None, queue: str) -> bool:
        return self._db.read(lambda conn: conn.execute(
            sa.select(K.c.pool).where(_this(project, queue))).first()
            is not None)

    def insert(self, project: str | None, queue: str, pool: str) -> None:
        """Map the queue to ``pool``; an existing entry is kept (the first
        of two concurrent inserts wins, read it back with ``get``)."""
        def work(conn: sa.Connection) -> None:
            try:
                with conn.begin_nested():
                    conn.execute(sa.insert(K).values(
                        project=tables.project_key(project), queue=queue,
                        pool=pool))
            except exc.IntegrityError:
                pass
        self._db.write(work)

    def delete(self, project: str | None, queue: str) -> None:
        self._db.write(lambda conn: conn.execute(
            sa.delete(K).where(_this(project, queue))))

    def update(self, project: str | None, queue: str, pool: str) -> None:
        def work(conn: sa.Connection) -> None:
            if conn.execute(sa.update(K).where(_this(project, queue))
                            .values(pool=pool)).rowcount == 0:
                raise errors.QueueNotMapped(queue, project)
        self._db.write(work)

    def drop_all(self) -> None:
        self._db.write(lambda conn: conn.execute(sa.delete(K)))
