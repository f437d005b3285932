"""Flavors: one document per (project, name) in ``flavors``.

Fields: ``p`` project, ``n`` name, ``c`` capabilities. Pools name their
flavor, so a flavor's pool list is the pools whose ``f`` is its name.
"""

from __future__ import annotations

import functools
import typing

from pymongo import errors as mongo_errors

from zaqar.storage import base
from zaqar.storage import errors
from zaqar.storage.mongodb import documents
from zaqar.storage.mongodb import retry

COLLECTION = "flavors"

INDEXES: list[tuple[str, list, dict]] = [
    (COLLECTION, [("p", 1), ("n", 1)], {"unique": True, "name": "flavor"}),
    (COLLECTION, [("n", 1)], {"name": "name"}),
]

_FIELDS = ("capabilities",)


def _record(doc: dict, detailed: bool) -> dict:
    flavor = {"name": doc["n"], "project": doc["p"]}
    if detailed:
        flavor["capabilities"] = documents.decode(doc.get("c") or {})
    return flavor


class FlavorsController(base.FlavorsBase):

    @functools.cached_property
    def _col(self):
        return self.driver.db[COLLECTION]

    @retry.retried
    def list(self, project: str | None = None, marker: str | None = None,
             limit: int = 10, detailed: bool = False) -> list[dict]:
        if limit <= 0:
            return []
        query: dict[str, typing.Any] = {"p": project}
        if marker is not None:
            query["n"] = {"$gt": marker}
        cursor = self._col.find(query).sort("n", 1).limit(limit)
        return [_record(doc, detailed) for doc in cursor]

    @retry.retried
    def create(self, name: str, project: str | None = None,
               capabilities: dict | None = None) -> None:
        """Create the flavor, or replace its capabilities."""
        change = {"$set": {"c": documents.encode(capabilities or {})}}
        try:
            self._col.update_one({"p": project, "n": name}, change,
                                 upsert=True)
        except mongo_errors.DuplicateKeyError:
            # A concurrent creation won the insert; now it exists.
            self._col.update_one({"p": project, "n": name}, change)

    @retry.retried
    def get(self, name: str, project: str | None = None,
            detailed: bool = False) -> dict:
        doc = self._col.find_one({"p": project, "n": name})
        if doc is None:
            raise errors.FlavorDoesNotExist(name)
        return _record(doc, detailed)

    @retry.retried
    def exists(self, name: str, project: str | None = None) -> bool:
        return self._col.find_one({"p": project, "n": name},
                                  {"_id": 1}) is not None

    @retry.retried
    def update(self, name: str, project: str | None = None,
               **fields: typing.Any) -> None:
        unknown = sorted(set(fields) - set(_FIELDS))
        if unknown:
            raise ValueError(
                f"flavors have no field(s) {', '.join(unknown)}")
        changes = {}
        if "capabilities" in fields:
            changes["c"] = documents.encode(fields["capabilities"] or {})
        query = {"p": project, "n": name}
        if changes:
            matched = self._col.update_one(query,
                                           {"$set": changes}).matched_count
        else:
            matched = int(self._col.find_one(query, {"_id": 1}) is not None)
        if not matched:
            raise errors.FlavorDoesNotExist(name)

    @retry.retried
    def delete(self, name: str, project: str | None = None) -> None:
        """Delete the flavor; its pools lose it once no project has a
        flavor of that name any more."""
        self._col.delete_one({"p": project, "n": name})
        if self._col.find_one({"n": name}, {"_id": 1}) is None:
            self.driver.db["pools"].update_many({"f": name},
                                                {"$set": {"f": None}})

    @retry.retried
    def drop_all(self) -> None:
        self._col.delete_many({})
