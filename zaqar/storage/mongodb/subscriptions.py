"""Subscriptions: one document each in ``subscriptions``.

Fields: ``_id`` an ObjectId (its hex form is the subscription id, and
ids sort by creation), ``p`` project, ``s`` source queue, ``u``
subscriber URI, ``t`` TTL, ``c`` start of the current lifetime, ``e``
expiry (a date, for the TTL index), ``o`` options, ``cf`` confirmed.
(p, s, u) is unique; an expired subscription still in the collection is
removed when it blocks a new one.
"""

from __future__ import annotations

import functools
import time
import typing

import bson
from pymongo import errors as mongo_errors

from zaqar.storage import base
from zaqar.storage import errors
from zaqar.storage.mongodb import documents
from zaqar.storage.mongodb import retry

COLLECTION = "subscriptions"

INDEXES: list[tuple[str, list, dict]] = [
    (COLLECTION, [("p", 1), ("s", 1), ("u", 1)],
     {"unique": True, "name": "subscriber"}),
    (COLLECTION, [("e", 1)], {"expireAfterSeconds": 0, "name": "expiry"}),
]

_FIELDS = ("subscriber", "ttl", "options")


def _live(now: float) -> dict:
    return {"e": {"$gt": documents.to_datetime(now)}}


def _record(doc: dict, now: float) -> dict:
    return {
        "id": str(doc["_id"]),
        "source": doc["s"],
        "subscriber": doc["u"],
        "ttl": doc["t"],
        "age": max(0, int(now - doc["c"])),
        "options": documents.decode(doc.get("o") or {}),
        "confirmed": bool(doc.get("cf")),
    }


class SubscriptionController(base.SubscriptionBase):

    @functools.cached_property
    def _col(self):
        return self.driver.db[COLLECTION]

    def _find(self, queue: str, subscription_id: str, project: str | None,
              now: float) -> dict | None:
        oid = documents.object_id(subscription_id)
        if oid is None:
            return None
        query = {"_id": oid, "p": project, "s": queue}
        query.update(_live(now))
        return self._col.find_one(query)

    def _free_subscriber(self, queue: str, subscriber: str,
                         project: str | None, now: float) -> None:
        """Remove an expired subscription that still holds ``subscriber``
        (the TTL monitor may not have run yet)."""
        self._col.delete_one({"p": project, "s": queue, "u": subscriber,
                              "e": {"$lte": documents.to_datetime(now)}})

    @retry.retried
    def list(self, queue: str, project: str | None, marker: str | None = None,
             limit: int = 10) -> list[dict]:
        if limit <= 0:
            return []
        now = time.time()
        query: dict[str, typing.Any] = {"p": project, "s": queue}
        query.update(_live(now))
        if marker is not None and self._find(queue, marker, project,
                                             now) is not None:
            query["_id"] = {"$gt": bson.ObjectId(marker)}
        cursor = self._col.find(query).sort("_id", 1).limit(limit)
        return [_record(doc, now) for doc in cursor]

    @retry.retried
    def get(self, queue: str, subscription_id: str,
            project: str | None) -> dict:
        now = time.time()
        doc = self._find(queue, subscription_id, project, now)
        if doc is None:
            raise errors.SubscriptionDoesNotExist(subscription_id)
        return _record(doc, now)

    @retry.retried
    def create(self, queue: str, subscriber: str, ttl: int, options: dict,
               project: str | None) -> str:
        for _ in range(2):
            now = time.time()
            doc = {"_id": bson.ObjectId(), "p": project, "s": queue,
                   "u": subscriber, "t": int(ttl), "c": now,
                   "e": documents.to_datetime(now + int(ttl)),
                   "o": documents.encode(options or {}), "cf": False}
            try:
                self._col.insert_one(doc)
                return str(doc["_id"])
            except mongo_errors.DuplicateKeyError:
                self._free_subscriber(queue, subscriber, project, now)
        raise errors.SubscriptionAlreadyExists(subscriber)

    @retry.retried
    def update(self, queue: str, subscription_id: str, project: str | None,
               **fields: typing.Any) -> None:
        unknown = sorted(set(fields) - set(_FIELDS))
        if unknown:
            raise ValueError(
                f"subscriptions have no field(s) {', '.join(unknown)}; "
                f"only {', '.join(_FIELDS)} can be changed")
        now = time.time()
        if self._find(queue, subscription_id, project, now) is None:
            raise errors.SubscriptionDoesNotExist(subscription_id)
        changes: dict[str, typing.Any] = {}
        if "subscriber" in fields:
            changes["u"] = fields["subscriber"]
        if "ttl" in fields:
            ttl = int(fields["ttl"])
            changes.update({"t": ttl, "c": now,
                            "e": documents.to_datetime(now + ttl)})
        if "options" in fields:
            changes["o"] = documents.encode(fields["options"] or {})
        if not changes:
            return
        query = {"_id": bson.ObjectId(subscription_id), "p": project,
                 "s": queue}
        query.update(_live(now))
        for _ in range(2):
            try:
                result = self._col.update_one(query, {"$set": changes})
            except mongo_errors.DuplicateKeyError:
                self._free_subscriber(queue, changes["u"], project, now)
                continue
            if result.matched_count == 0:
                raise errors.SubscriptionDoesNotExist(subscription_id)
            return
        raise errors.SubscriptionAlreadyExists(changes["u"])

    @retry.retried
    def delete(self, queue: str, subscription_id: str,
               project: str | None) -> None:
        oid = documents.object_id(subscription_id)
        if oid is not None:
            self._col.delete_one({"_id": oid, "p": project, "s": queue})

    @retry.retried
    def exists(self, queue: str, subscription_id: str,
               project: str | None) -> bool:
        return self._find(queue, subscription_id, project,
                          time.time()) is not None

    @retry.retried
    def get_with_subscriber(self, queue: str, subscriber: str,
                            project: str | None) -> dict | None:
        now = time.time()
        query = {"p": project, "s": queue, "u": subscriber}
        query.update(_live(now))
        doc = self._col.find_one(query)
        return None if doc is None else _record(doc, now)

    @retry.retried
    def confirm(self, queue: str, subscription_id: str, project: str | None,
                confirmed: bool = True) -> None:
        now = time.time()
        oid = documents.object_id(subscription_id)
        matched = 0
        if oid is not None:
            query = {"_id": oid, "p": project, "s": queue}
            query.update(_live(now))
            matched = self._col.update_one(
                query, {"$set": {"cf": bool(confirmed)}}).matched_count
        if not matched:
            raise errors.SubscriptionDoesNotExist(subscription_id)

    @retry.retried
    def purge(self, queue: str, project: str | None) -> None:
        self._col.delete_many({"p": project, "s": queue})

    # -- helper for the driver ---------------------------------------------

    def remove_expired(self) -> None:
        self._col.delete_many(
            {"e": {"$lte": documents.to_datetime(time.time())}})
