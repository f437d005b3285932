"""Claims: one document each in ``claims``, plus the claim fields of the
messages it holds.

Claim fields: ``_id`` the claim id (a UUID string), ``p``/``q`` project and
queue, ``t`` TTL, ``g`` grace, ``c`` time of creation or last renewal,
``e`` expiry (a date, for the TTL index). A message is held by a claim
while its ``cl`` names it and its ``ce`` (claim expiry) is in the future,
so an expired claim frees its messages without any write. Messages are
taken one by one with updates conditional on them being free (see
``messages.MessageController.take``): two live claims never share one.
"""

from __future__ import annotations

import functools
import math
import time
import typing
import uuid

from zaqar.storage import base
from zaqar.storage import errors
from zaqar.storage.mongodb import documents
from zaqar.storage.mongodb import messages
from zaqar.storage.mongodb import queues
from zaqar.storage.mongodb import retry

COLLECTION = "claims"

INDEXES: list[tuple[str, list, dict]] = [
    (COLLECTION, [("e", 1)], {"expireAfterSeconds": 0, "name": "expiry"}),
]


def _dead_letter(metadata: dict,
                 source: str) -> messages.DeadLetter | None:
    """The dead-letter settings of queue ``source`` when both are set (a
    stored 0 or empty value means unset, as the API shows it); a queue
    named as its own dead-letter queue has none."""
    max_claims = metadata.get(base.MAX_CLAIM_COUNT)
    queue = metadata.get(base.DEAD_LETTER_QUEUE)
    if not max_claims or not queue or not isinstance(queue, str):
        return None
    if queue == source:
        return None
    try:
        max_claims = int(max_claims)
    except (TypeError, ValueError):
        return None
    ttl = metadata.get(base.DEAD_LETTER_QUEUE_MESSAGES_TTL)
    try:
        ttl = int(ttl) if ttl else None
    except (TypeError, ValueError):
        ttl = None
    return messages.DeadLetter(queue=queue, max_claims=max_claims, ttl=ttl)


def _extension(claim_expires: float, ttl: int,
               grace: int) -> messages.Extension:
    """Messages expiring before the claim, in whole seconds
    (``floor(e) < floor(claim)``, i.e. ``e < floor(claim)``), live on until
    ``grace`` seconds after it."""
    return messages.Extension(threshold=math.floor(claim_expires),
                              expires=claim_expires + grace,
                              ttl=ttl + grace)


class ClaimController(base.ClaimBase):

    @functools.cached_property
    def _col(self):
        return self.driver.db[COLLECTION]

    @functools.cached_property
    def _messages(self):
        return self.driver.db[messages.COLLECTION]

    @functools.cached_property
    def _queues(self):
        return self.driver.db[queues.COLLECTION]

    def _live_claim(self, queue: str, claim_id: str, project: str | None,
                    now: float) -> dict | None:
        if not base.is_claim_id(claim_id):
            return None
        return self._col.find_one(
            {"_id": claim_id, "p": project, "q": queue,
             "e": {"$gt": documents.to_datetime(now)}})

    def is_live(self, queue: str, claim_id: str, project: str | None) -> bool:
        return self._live_claim(queue, claim_id, project,
                                time.time()) is not None

    @staticmethod
    def _ttl_grace(metadata: dict) -> tuple[int, int]:
        try:
            ttl = int(metadata["ttl"])
            grace = int(metadata.get("grace") or 0)
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(
                "claim metadata needs an integer 'ttl' (and optionally "
                f"'grace'), got {metadata!r}") from exc
        return ttl, grace

    @retry.retried
    def create(self, queue: str, metadata: dict, project: str | None,
               limit: int = 10) -> tuple[str | None, list[base.Message]]:
        ttl, grace = self._ttl_grace(metadata)
        if limit <= 0:
            return None, []
        queue_doc = self._queues.find_one(
            {"p": project, "n": queue}, {"m": 1})
        if queue_doc is None:
            return None, []
        dead_letter = _dead_letter(
            documents.decode(queue_doc.get("m") or {}), queue)
        claim_id = str(uuid.uuid4())
        now = time.time()
        expires = now + ttl
        taken = self.driver.message_controller.take(
            queue, project, limit, claim_id, expires,
            extend=_extension(expires, ttl, grace),
            count=dead_letter is not None, dead_letter=dead_letter)
        if not taken:
            return None, []
        self._col.insert_one({"_id": claim_id, "p": project, "q": queue,
                              "t": ttl, "g": grace, "c": now,
                              "e": documents.to_datetime(expires)})
        now = time.time()
        return claim_id, [messages.to_record(doc, now) for doc in taken]

    @retry.retried
    def get(self, queue: str, claim_id: str,
            project: str | None) -> tuple[dict, list[base.Message]]:
        now = time.time()
        claim = self._live_claim(queue, claim_id, project, now)
        if claim is None:
            raise errors.ClaimDoesNotExist(claim_id, queue, project)
        query = {"p": project, "q": queue, "cl": claim_id,
                 "ce": {"$gt": now}}
        query.update(messages.live(now))
        held = [messages.to_record(doc, now)
                for doc in self._messages.find(query).sort("k", 1)]
        info = {"id": claim_id, "ttl": claim["t"],
                "age": max(0, int(now - claim["c"]))}
        return info, held

    @retry.retried
    def update(self, queue: str, claim_id: str, metadata: dict,
               project: str | None) -> None:
        ttl, grace = self._ttl_grace(metadata)
        now = time.time()
        expires = now + ttl
        if not base.is_claim_id(claim_id):
            raise errors.ClaimDoesNotExist(claim_id, queue, project)
        result = self._col.update_one(
            {"_id": claim_id, "p": project, "q": queue,
             "e": {"$gt": documents.to_datetime(now)}},
            {"$set": {"t": ttl, "g": grace, "c": now,
                      "e": documents.to_datetime(expires)}})
        if result.matched_count == 0:
            raise errors.ClaimDoesNotExist(claim_id, queue, project)
        changes: dict[str, typing.Any] = {"ce": expires}
        changes.update(messages.extension(_extension(expires, ttl, grace)))
        self._messages.update_many(
            {"p": project, "q": queue, "cl": claim_id, "ce": {"$gt": now}},
            [{"$set": changes}])

    @retry.retried
    def delete(self, queue: str, claim_id: str, project: str | None) -> None:
        if not base.is_claim_id(claim_id):
            return
        # Only the hold goes; the claim count stays (every claim counts).
        self._messages.update_many(
            {"p": project, "q": queue, "cl": claim_id},
            {"$set": {"cl": None, "ce": None}})
        self._col.delete_one({"_id": claim_id, "p": project, "q": queue})

    # -- helpers for the driver and the queue controller ------------------

    def remove_all(self, queue: str, project: str | None) -> None:
        self._col.delete_many({"p": project, "q": queue})

    def remove_expired(self) -> None:
        self._col.delete_many(
            {"e": {"$lte": documents.to_datetime(time.time())}})
