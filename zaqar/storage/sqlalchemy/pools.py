"""Pools: named storage back ends, each with a unique connection URI."""

from __future__ import annotations

import typing

import sqlalchemy as sa
from sqlalchemy import exc

from zaqar.storage import base, errors
from zaqar.storage.sqlalchemy import columns as col
from zaqar.storage.sqlalchemy import tables

P = tables.pools

_FIELDS = frozenset({"uri", "weight", "flavor", "options"})


def _record(row: sa.Row, detailed: bool) -> dict:
    pool = {"name": row.name, "uri": row.uri, "weight": row.weight,
            "flavor": row.flavor}
    if detailed:
        pool["options"] = col.from_json(row.options)
    return pool


def _check_uri(conn: sa.Connection, name: str, uri: str) -> None:
    """PoolAlreadyExists when a pool other than ``name`` uses ``uri``."""
    other = conn.execute(sa.select(P.c.name).where(
        P.c.uri == uri, P.c.name != name)).first()
    if other is not None:
        raise errors.PoolAlreadyExists()


def _write(conn: sa.Connection, statement: sa.Executable) -> None:
    """Run an insert/update; a unique-URI race is PoolAlreadyExists."""
    try:
        with conn.begin_nested():
            conn.execute(statement)
    except exc.IntegrityError:
        raise errors.PoolAlreadyExists() from None


class PoolsController(base.PoolsBase):

    @property
    def _db(self):
        return self.driver.database

    def list(self, marker: str | None = None, limit: int = 10,
             detailed: bool = False) -> list[dict]:
        query = sa.select(P).order_by(P.c.name).limit(limit)
        if marker is not None:
            query = query.where(P.c.name > marker)
        return self._db.read(lambda conn: [
            _record(row, detailed) for row in conn.execute(query)])

    def create(self, name: str, weight: int, uri: str,
               flavor: str | None = None, options: dict | None = None) -> None:
        values = {"uri": uri, "weight": weight, "flavor": flavor,
                  "options": col.to_json(options or {})}

        def work(conn: sa.Connection) -> None:
            _check_uri(conn, name, uri)
            exists = conn.execute(sa.select(P.c.name).where(P.c.name == name)
                                  .with_for_update()).first()
            if exists:
                _write(conn, sa.update(P).where(P.c.name == name)
                       .values(**values))
            else:
                _write(conn, sa.insert(P).values(name=name, **values))
        self._db.write(work)

    def get(self, name: str, detailed: bool = False) -> dict:
        def work(conn: sa.Connection) -> dict:
            row = conn.execute(sa.select(P).where(P.c.name == name)).first()
            if row is None:
                raise errors.PoolDoesNotExist(name)
            return _record(row, detailed)
        return self._db.read(work)

    def exists(self, name: str) -> bool:
        return self._db.read(lambda conn: conn.execute(
            sa.select(P.c.name).where(P.c.name == name)).first() is not None)

    def update(self, name: str, **fields: typing.Any) -> None:
        unknown = set(fields) - _FIELDS
        if unknown:
            raise ValueError("pools have no field(s) "
                             + ", ".join(sorted(unknown)))
        values = dict(fields)
        if "options" in values:
            values["options"] = col.to_json(values["options"] or {})

        def work(conn: sa.Connection) -> None:
            if not conn.execute(sa.select(P.c.name).where(P.c.name == name)
                                .with_for_update()).first():
                raise errors.PoolDoesNotExist(name)
            if "uri" in values:
                _check_uri(conn, name, values["uri"])
            if values:
                _write(conn, sa.update(P).where(P.c.name == name)
                       .values(**values))
        self._db.write(work)

    def delete(self, name: str) -> None:
        def work(conn: sa.Connection) -> None:
            flavor = conn.execute(sa.select(P.c.flavor).where(
                P.c.name == name).with_for_update()).scalar()
            if flavor and conn.execute(sa.select(tables.flavors.c.name).where(
                    tables.flavors.c.name == flavor)).first() is not None:
                raise errors.PoolInUseByFlavor(name, flavor)
            if conn.execute(sa.select(tables.catalogue.c.queue).where(
                    tables.catalogue.c.pool == name).limit(1)).first():
                raise errors.PoolHasQueues(name)
            conn.execute(sa.delete(P).where(P.c.name == name))
        self._db.write(work)

    def get_pools_by_flavor(self, flavor: str | None,
                            detailed: bool = False) -> list[dict]:
        # Without a flavor every pool is a candidate.
        query = sa.select(P).order_by(P.c.name)
        if flavor is not None:
            query = query.where(P.c.flavor == flavor)
        return self._db.read(lambda conn: [
            _record(row, detailed) for row in conn.execute(query)])

    def drop_all(self) -> None:
        self._db.write(lambda conn: conn.execute(sa.delete(P)))
