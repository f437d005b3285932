"""Queues: one document per (project, name) in ``queues``.

Fields: ``p`` project (null for the v1 global namespace), ``n`` name,
``m`` metadata (keys escaped, see ``documents``), ``c`` creation time and
``s`` the message counter: the sequence number of the last message posted
to the queue, advanced by ``messages`` inside the posting transaction.
"""

from __future__ import annotations

import functools
import re
import time
import typing

from pymongo import errors as mongo_errors

from zaqar.storage import base
from zaqar.storage import errors
from zaqar.storage.mongodb import documents
from zaqar.storage.mongodb import retry

COLLECTION = "queues"

INDEXES: list[tuple[str, list, dict]] = [
    (COLLECTION, [("p", 1), ("n", 1)], {"unique": True, "name": "queue"}),
]


def _matching(value: typing.Any) -> typing.Any:
    """Query for a metadata value equal to ``value``; a string that parses
    as an integer (query strings are text) also matches that integer.
    BSON keeps booleans apart from numbers, so true never matches 1."""
    if isinstance(value, str):
        try:
            number = int(value)
        except ValueError:
            return value
        if not -2 ** 63 <= number < 2 ** 63:  # no such integer in BSON
            return value
        return {"$in": [value, number]}
    if isinstance(value, (dict, list)):
        return {"$eq": documents.encode(value)}
    return value


class QueueController(base.QueueBase):

    @functools.cached_property
    def _col(self):
        return self.driver.db[COLLECTION]

    @retry.retried
    def list(self, project: str | None, marker: str | None = None,
             limit: int = 10, detailed: bool = False,
             name: str | None = None,
             filters: base.Metadata | None = None) -> list[dict]:
        if limit <= 0:
            return []
        query: dict[str, typing.Any] = {"p": project}
        names: dict[str, typing.Any] = {}
        if marker is not None:
            names["$gt"] = marker
        if name:
            names["$regex"] = re.escape(name)
        if names:
            query["n"] = names
        for key, value in (filters or {}).items():
            query["m." + documents.encode_key(str(key))] = _matching(value)
        projection = {"_id": 0, "n": 1, "m": 1} if detailed else \
            {"_id": 0, "n": 1}
        cursor = self._col.find(query, projection).sort("n", 1).limit(limit)
        result = []
        for doc in cursor:
            item: dict[str, typing.Any] = {"name": doc["n"]}
            if detailed:
                item["metadata"] = documents.decode(doc.get("m") or {})
            result.append(item)
        return result

    @retry.retried
    def count(self, project: str | None) -> int:
        return self._col.count_documents({"p": project})

    @retry.retried
    def create(self, name: str, project: str | None,
               metadata: base.Metadata | None = None) -> bool:
        doc = {"p": project, "n": name,
               "m": documents.encode(metadata or {}),
               "c": time.time(), "s": 0}
        try:
            self._col.insert_one(doc)
        except mongo_errors.DuplicateKeyError:
            return False
        return True

    @retry.retried
    def exists(self, name: str, project: str | None) -> bool:
        return self._col.find_one({"p": project, "n": name},
                                  {"_id": 1}) is not None

    @retry.retried
    def get_metadata(self, name: str, project: str | None) -> base.Metadata:
        doc = self._col.find_one({"p": project, "n": name}, {"m": 1})
        if doc is None:
            raise errors.QueueDoesNotExist(name, project)
        return documents.decode(doc.get("m") or {})

    @retry.retried
    def set_metadata(self, name: str, metadata: base.Metadata,
                     project: str | None) -> None:
        result = self._col.update_one(
            {"p": project, "n": name},
            {"$set": {"m": documents.encode(metadata)}})
        if result.matched_count == 0:
            raise errors.QueueDoesNotExist(name, project)

    @retry.retried
    def delete(self, name: str, project: str | None) -> None:
        # The queue document goes first: a post racing with the deletion
        # then re-creates the queue instead of writing into a ghost.
        self._col.delete_one({"p": project, "n": name})
        self.driver.message_controller.remove_all(name, project)
        self.driver.claim_controller.remove_all(name, project)

    @retry.retried
    def stats(self, name: str, project: str | None) -> dict:
        if not self.exists(name, project):
            raise errors.QueueDoesNotExist(name, project)
        return self.driver.message_controller.stats(name, project)
