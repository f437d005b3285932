"""Pools: one document each in ``pools``, keyed by name.

Fields: ``_id`` name, ``u`` connection URI (unique), ``w`` weight, ``f``
flavor name (or null), ``o`` options.
"""

from __future__ import annotations

import functools
import typing

from pymongo import errors as mongo_errors

from zaqar.storage import base
from zaqar.storage import errors
from zaqar.storage.mongodb import catalogue
from zaqar.storage.mongodb import documents
from zaqar.storage.mongodb import flavors
from zaqar.storage.mongodb import retry

COLLECTION = "pools"

INDEXES: list[tuple[str, list, dict]] = [
    (COLLECTION, [("u", 1)], {"unique": True, "name": "uri"}),
    (COLLECTION, [("f", 1)], {"name": "flavor"}),
]

_FIELDS = {"uri": "u", "weight": "w", "flavor": "f", "options": "o"}


def _record(doc: dict, detailed: bool) -> dict:
    pool = {"name": doc["_id"], "uri": doc["u"], "weight": doc["w"],
            "flavor": doc.get("f")}
    if detailed:
        pool["options"] = documents.decode(doc.get("o") or {})
    return pool


def _uri_taken(exc: mongo_errors.DuplicateKeyError) -> bool:
    return "u" in ((exc.details or {}).get("keyPattern") or {})


class PoolsController(base.PoolsBase):

    @functools.cached_property
    def _col(self):
        return self.driver.db[COLLECTION]

    @retry.retried
    def list(self, marker: str | None = None, limit: int = 10,
             detailed: bool = False) -> list[dict]:
        if limit <= 0:
            return []
        query = {} if marker is None else {"_id": {"$gt": marker}}
        cursor = self._col.find(query).sort("_id", 1).limit(limit)
        return [_record(doc, detailed) for doc in cursor]

    @retry.retried
    def create(self, name: str, weight: int, uri: str,
               flavor: str | None = None, options: dict | None = None) -> None:
        doc = {"u": uri, "w": weight, "f": flavor,
               "o": documents.encode(options or {})}
        for _ in range(2):
            try:
                self._col.replace_one({"_id": name}, doc, upsert=True)
                return
            except mongo_errors.DuplicateKeyError as exc:
                if _uri_taken(exc):
                    raise errors.PoolAlreadyExists() from None
                # Two creations of the same name raced: replace again.
        self._col.replace_one({"_id": name}, doc, upsert=True)

    @retry.retried
    def get(self, name: str, detailed: bool = False) -> dict:
        doc = self._col.find_one({"_id": name})
        if doc is None:
            raise errors.PoolDoesNotExist(name)
        return _record(doc, detailed)

    @retry.retried
    def exists(self, name: str) -> bool:
        return self._col.find_one({"_id": name}, {"_id": 1}) is not None

    @retry.retried
    def update(self, name: str, **fields: typing.Any) -> None:
        unknown = sorted(set(fields) - set(_FIELDS))
        if unknown:
            raise ValueError(f"pools have no field(s) {', '.join(unknown)}")
        changes = {_FIELDS[key]: value for key, value in fields.items()}
        if "o" in changes:
            changes["o"] = documents.encode(changes["o"] or {})
        if not changes:
            if not self.exists(name):
                raise errors.PoolDoesNotExist(name)
            return
        try:
            result = self._col.update_one({"_id": name}, {"$set": changes})
        except mongo_errors.DuplicateKeyError:
            raise errors.PoolAlreadyExists() from None
        if result.matched_count == 0:
            raise errors.PoolDoesNotExist(name)

    @retry.retried
    def delete(self, name: str) -> None:
        doc = self._col.find_one({"_id": name}, {"f": 1})
        if doc is None:
            return
        flavor = doc.get("f")
        if flavor and self.driver.db[flavors.COLLECTION].find_one(
                {"n": flavor}, {"_id": 1}) is not None:
            raise errors.PoolInUseByFlavor(name, flavor)
        if self.driver.db[catalogue.COLLECTION].find_one(
                {"pool": name}, {"_id": 1}) is not None:
            raise errors.PoolHasQueues(name)
        self._col.delete_one({"_id": name})

    @retry.retried
    def get_pools_by_flavor(self, flavor: str | None,
                            detailed: bool = False) -> list[dict]:
        query = {} if flavor is None else {"f": flavor}
        cursor = self._col.find(query).sort("_id", 1)
        return [_record(doc, detailed) for doc in cursor]

    @retry.retried
    def drop_all(self) -> None:
        self._col.delete_many({})
