"""The catalogue: one document per (project, queue) in ``catalogue``
naming the pool that holds the queue (fields ``p``, ``q``, ``pool``)."""

from __future__ import annotations

import functools
from pymongo import errors as mongo_errors

from zaqar.storage import base
from zaqar.storage import errors
from zaqar.storage.mongodb import retry

COLLECTION = "catalogue"

INDEXES: list[tuple[str, list, dict]] = [
    (COLLECTION, [("p", 1), ("q", 1)], {"unique": True, "name": "queue"}),
    (COLLECTION, [("pool", 1)], {"name": "pool"}),
]


def _record(doc: dict) -> dict:
    return {"project": doc["p"], "queue": doc["q"], "pool": doc["pool"]}


class CatalogueController(base.CatalogueBase):

    @functools.cached_property
    def _col(self):
        return self.driver.db[COLLECTION]

    @retry.retried
    def list(self, project: str | None, marker: str | None = None,
             limit: int | None = None) -> list[dict]:
        query: dict = {"p": project}
        if marker is not None:
            query["q"] = {"$gt": marker}
        cursor = self._col.find(query).sort("q", 1).limit(limit or 0)
        return [_record(doc) for doc in cursor]

    @retry.retried
    def count(self, project: str | None, pool: str | None = None) -> int:
        query: dict = {"p": project}
        if pool is not None:
            query["pool"] = pool
        return self._col.count_documents(query)

    @retry.retried
    def get(self, project: str | None, queue: str) -> dict:
        doc = self._col.find_one({"p": project, "q": queue})
        if doc is None:
            raise errors.QueueNotMapped(queue, project)
        return _record(doc)

    @retry.retried
    def exists(self, project: str | None, queue: str) -> bool:
        return self._col.find_one({"p": project, "q": queue},
                                  {"_id": 1}) is not None

    @retry.retried
    def insert(self, project: str | None, queue: str, pool: str) -> None:
        """Map the queue to ``pool``; an existing entry is kept (the first
        of two concurrent inserts wins; read it back with ``get``)."""
        try:
            self._col.insert_one({"p": project, "q": queue, "pool": pool})
        except mongo_errors.DuplicateKeyError:
            pass

    @retry.retried
    def delete(self, project: str | None, queue: str) -> None:
        self._col.delete_one({"p": project, "q": queue})

    @retry.retried
    def update(self, project: str | None, queue: str, pool: str) -> None:
        result = self._col.update_one({"p": project, "q": queue},
                                      {"$set": {"pool": pool}})
        if result.matched_count == 0:
            raise errors.QueueNotMapped(queue, project)

    @retry.retried
    def drop_all(self) -> None:
        self._col.delete_many({})
