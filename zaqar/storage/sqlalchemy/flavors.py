"""Flavors: per-project names for a set of pools (the pools name their
flavor) and the capabilities they promise."""

from __future__ import annotations

import typing

import sqlalchemy as sa
from sqlalchemy import exc

from zaqar.storage import base, errors
from zaqar.storage.sqlalchemy import columns as col
from zaqar.storage.sqlalchemy import tables

F = tables.flavors

_FIELDS = frozenset({"capabilities"})


def _record(row: sa.Row, detailed: bool) -> dict:
    flavor = {"name": row.name, "project": tables.project_of(row.project)}
    if detailed:
        flavor["capabilities"] = col.from_json(row.capabilities)
    return flavor


def _this(name: str, project: str | None) -> sa.ColumnElement[bool]:
    return sa.and_(F.c.project == tables.project_key(project),
                   F.c.name == name)


class FlavorsController(base.FlavorsBase):

    @property
    def _db(self):
        return self.driver.database

    def list(self, project: str | None = None, marker: str | None = None,
             limit: int = 10, detailed: bool = False) -> list[dict]:
        query = (sa.select(F)
                 .where(F.c.project == tables.project_key(project))
                 .order_by(F.c.name).limit(limit))
        if marker is not None:
            query = query.where(F.c.name > marker)
        return self._db.read(lambda conn: [
            _record(row, detailed) for row in conn.execute(query)])

    def create(self, name: str, project: str | None = None,
               capabilities: dict | None = None) -> None:
        """Create the flavor, or replace its capabilities."""
        text = col.to_json(capabilities or {})

        def work(conn: sa.Connection) -> None:
            try:
                with conn.begin_nested():
                    conn.execute(sa.insert(F).values(
                        project=tables.project_key(project), name=name,
                        capabilities=text))
            except exc.IntegrityError:
                conn.execute(sa.update(F).where(_this(name, project))
                             .values(capabilities=text))
        self._db.write(work)

    def get(self, name: str, project: str | None = None,
            detailed: bool = False) -> dict:
        def work(conn: sa.Connection) -> dict:
            row = conn.execute(
                sa.select(F).where(_this(name, project))).first()
            if row is None:
                raise errors.FlavorDoesNotExist(name)
            return _record(row, detailed)
        return self._db.read(work)

    def exists(self, name: str, project: str | None = None) -> bool:
        return self._db.read(lambda conn: conn.execute(
            sa.select(F.c.name).where(_this(name, project))).first()
            is not None)

    def update(self, name: str, project: str | None = None,
               **fields: typing.Any) -> None:
        unknown = set(fields) - _FIELDS
        if unknown:
            raise ValueError("flavors have no field(s) "
                             + ", ".join(sorted(unknown)))

        def work(conn: sa.Connection) -> None:
            if not conn.execute(sa.select(F.c.name).where(
                    _this(name, project))).first():
                raise errors.FlavorDoesNotExist(name)
            if "capabilities" in fields:
                conn.execute(sa.update(F).where(_this(name, project)).values(
                    capabilities=col.to_json(fields["capabilities"] or {})))
        self._db.write(work)

    def delete(self, name: str, project: str | None = None) -> None:
        """Delete the flavor; its pools lose it once no project has a
        flavor of that name any more."""
        def work(conn: sa.Connection) -> None:
            conn.execute(sa.delete(F).where(_this(name, project)))
            if conn.execute(sa.select(F.c.name).where(F.c.name == name)
                            ).first() is None:
                conn.execute(sa.update(tables.pools)
                             .where(tables.pools.c.flavor == name)
                             .values(flavor=None))
        self._db.write(work)

    def drop_all(self) -> None:
        self._db.write(lambda conn: conn.execute(sa.delete(F)))
