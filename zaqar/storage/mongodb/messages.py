"""Messages: one document each in ``messages``.

Fields: ``p`` project, ``q`` queue, ``k`` sequence number in the queue
(unique with p and q; FIFO order and paging follow it), ``b`` body,
``t`` current TTL, ``c`` creation time, ``e`` expiry (a date, for the TTL
index), ``d`` the time its delay ends (0 without delay), ``u`` the poster's client id,
``cl``/``ce`` the id and expiry of the claim that last took it, ``cc`` the
number of claims counted for it.

Sequence numbers come from the queue's counter, advanced inside the same
transaction that inserts the messages. Two producers on one queue thus
conflict on the counter and commit one after the other, so a message with
number k is never visible before every message numbered below k: a reader
paging by marker never skips one. A duplicate (p, q, k) (a post racing
with the deletion of its queue) moves the counter past the stored numbers
and the post is retried.
"""

from __future__ import annotations

import functools
import threading
import time
import typing
import uuid

import bson
from pymongo import ReturnDocument
from pymongo import errors as mongo_errors
from pymongo import read_concern

from zaqar.storage import base
from zaqar.storage import errors
from zaqar.storage.mongodb import documents
from zaqar.storage.mongodb import queues
from zaqar.storage.mongodb import retry

COLLECTION = "messages"

INDEXES: list[tuple[str, list, dict]] = [
    (COLLECTION, [("p", 1), ("q", 1), ("k", 1)],
     {"unique": True, "name": "queue_order"}),
    (COLLECTION, [("p", 1), ("q", 1), ("cl", 1)], {"name": "queue_claim"}),
    (COLLECTION, [("e", 1)], {"expireAfterSeconds": 0, "name": "expiry"}),
]

# How often a post is retried after a duplicate sequence number.
_POST_ATTEMPTS = 10

# Lifetime of the internal claim a pop holds between taking and deleting.
_POP_CLAIM_SECONDS = 30

# Posts to one queue conflict on its counter inside their transactions,
# and MongoDB aborts all but one, which then start over. The threads of a
# process take turns instead (one lock per stripe of queues), so that only
# posts from different processes meet in the database.
_POST_TURNS = [threading.Lock() for _ in range(64)]


def _post_turn(queue: str, project: str | None) -> threading.Lock:
    return _POST_TURNS[hash((project, queue)) % len(_POST_TURNS)]


def live(now: float) -> dict:
    """Query part: not expired."""
    return {"e": {"$gt": documents.to_datetime(now)}}


def unclaimed(now: float) -> dict:
    """Query part: not under a live claim."""
    return {"$or": [{"cl": None}, {"ce": {"$lte": now}}]}


def free(now: float) -> dict:
    """Query part: live, delay elapsed, not under a live claim."""
    query = live(now)
    query["d"] = {"$lte": now}
    query.update(unclaimed(now))
    return query


def to_record(doc: dict, now: float) -> base.Message:
    claim_id = doc.get("cl")
    if claim_id is not None and (doc.get("ce") or 0) <= now:
        claim_id = None
    return {
        "id": str(doc["_id"]),
        "ttl": doc["t"],
        "age": max(0, int(now - doc["c"])),
        "body": documents.decode(doc.get("b")),
        "created": doc["c"],
        "claim_id": claim_id,
        "claim_count": doc.get("cc", 0),
        "client_uuid": doc.get("u"),
    }


def _is_duplicate(exc: Exception) -> bool:
    if isinstance(exc, mongo_errors.DuplicateKeyError):
        return True
    if isinstance(exc, mongo_errors.BulkWriteError):
        return any(err.get("code") == 11000
                   for err in exc.details.get("writeErrors", []))
    return False


class MessageController(base.MessageBase):

    @functools.cached_property
    def _col(self):
        return self.driver.db[COLLECTION]

    @functools.cached_property
    def _queues(self):
        return self.driver.db[queues.COLLECTION]

    @functools.cached_property
    def _snapshot(self):
        """The collection read at one point in time. A plain query may
        yield and continue on a newer snapshot: it could pass the place of
        message k before k committed and then see k+1, and a reader paging
        by marker would skip k. Commits are ordered by the counter, so any
        single snapshot holding k+1 holds k."""
        if not self.driver.connection.transactions:
            return self._col  # standalone: no snapshot reads
        return self._col.with_options(
            read_concern=read_concern.ReadConcern("snapshot"))

    # -- sequence numbers -----------------------------------------------

    def reserve(self, session: typing.Any, queue: str, project: str | None,
                count: int, now: float) -> int:
        """Advance the queue counter by ``count`` (creating the queue with
        empty metadata when missing); return the first number reserved."""
        doc = self._queues.find_one_and_update(
            {"p": project, "n": queue},
            {"$inc": {"s": count}, "$setOnInsert": {"m": {}, "c": now}},
            projection={"s": 1}, upsert=True,
            return_document=ReturnDocument.AFTER, session=session)
        return doc["s"] - count + 1

    def _catch_up_counter(self, queue: str, project: str | None) -> None:
        """After a duplicate: move the counter past every stored number."""
        last = self._col.find_one({"p": project, "q": queue}, {"k": 1},
                                  sort=[("k", -1)])
        if last is not None:
            self._queues.update_one({"p": project, "n": queue},
                                    {"$max": {"s": last["k"]}})

    # -- reads ------------------------------------------------------------

    def _marker_seq(self, queue: str, project: str | None,
                    marker: str | None, now: float) -> int | None:
        oid = documents.object_id(marker)
        if oid is None:
            return None
        query = {"_id": oid, "p": project, "q": queue}
        query.update(live(now))
        doc = self._col.find_one(query, {"k": 1})
        return None if doc is None else doc["k"]

    @retry.retried
    def list(self, queue: str, project: str | None,
             client_uuid: str | None = None, marker: str | None = None,
             limit: int = 10, echo: bool = False,
             include_claimed: bool = False,
             include_delayed: bool = False) -> list[base.Message]:
        if limit <= 0:
            return []
        now = time.time()
        query: dict[str, typing.Any] = {"p": project, "q": queue}
        query.update(live(now))
        after = self._marker_seq(queue, project, marker, now)
        if after is not None:
            query["k"] = {"$gt": after}
        if not echo and client_uuid is not None:
            query["u"] = {"$ne": client_uuid}
        if not include_claimed:
            query.update(unclaimed(now))
        if not include_delayed:
            query["d"] = {"$lte": now}
        cursor = self._snapshot.find(query).sort("k", 1).limit(limit)
        return [to_record(doc, now) for doc in cursor]

    @retry.retried
    def get(self, queue: str, message_id: str,
            project: str | None) -> base.Message:
        now = time.time()
        oid = documents.object_id(message_id)
        doc = None
        if oid is not None:
            query = {"_id": oid, "p": project, "q": queue}
            query.update(live(now))
            doc = self._col.find_one(query)
        if doc is None:
            if not self.driver.queue_controller.exists(queue, project):
                raise errors.QueueDoesNotExist(queue, project)
            raise errors.MessageDoesNotExist(message_id, queue, project)
        return to_record(doc, now)

    @retry.retried
    def bulk_get(self, queue: str, message_ids: list[str],
                 project: str | None) -> list[base.Message]:
        now = time.time()
        wanted = [oid for oid in map(documents.object_id, message_ids)
                  if oid is not None]
        if not wanted:
            return []
        query = {"_id": {"$in": wanted}, "p": project, "q": queue}
        query.update(live(now))
        found = {doc["_id"]: doc for doc in self._col.find(query)}
        result, seen = [], set()
        for oid in wanted:
            if oid in found and oid not in seen:
                seen.add(oid)
                result.append(to_record(found[oid], now))
        return result

    def stats(self, queue: str, project: str | None) -> dict:
        """Counts and oldest/newest of a queue (called by the queue
        controller, which checks that the queue exists)."""
        now = time.time()
        base_query = {"p": project, "q": queue}
        base_query.update(live(now))
        total = self._col.count_documents(base_query)
        claimed_query = dict(base_query)
        claimed_query["cl"] = {"$ne": None}
        claimed_query["ce"] = {"$gt": now}
        claimed = self._col.count_documents(claimed_query)
        result: dict[str, typing.Any] = {
            "claimed": claimed, "free": max(0, total - claimed),
            "total": total}
        if total:
            oldest = self._col.find_one(base_query, sort=[("k", 1)])
            newest = self._col.find_one(base_query, sort=[("k", -1)])
            # Both may have expired between the count and these reads.
            if oldest is not None and newest is not None:
                result["oldest"] = to_record(oldest, now)
                result["newest"] = to_record(newest, now)
        return result

    # -- writes -----------------------------------------------------------

    @retry.retried
    def post(self, queue: str, messages: list[dict], project: str | None,
             client_uuid: str | None) -> list[str]:
        if not messages:
            return []
        now = time.time()
        docs = []
        for message in messages:
            ttl = int(message["ttl"])
            delay = int(message.get("delay") or 0)
            docs.append({
                "_id": bson.ObjectId(), "p": project, "q": queue,
                "b": documents.encode(message.get("body")), "t": ttl,
                "c": now, "e": documents.to_datetime(now + ttl),
                # Undelayed messages get 0, not "now": the clocks of two
                # producers need not agree with the order in which they
                # commit, and a later message visible before an earlier
                # one would make marker paging skip the earlier.
                "d": now + delay if delay > 0 else 0, "u": client_uuid,
                "cl": None, "ce": None, "cc": 0,
            })
        ids = [doc["_id"] for doc in docs]

        def insert(session: typing.Any) -> None:
            first = self.reserve(session, queue, project, len(docs), now)
            for offset, doc in enumerate(docs):
                doc["k"] = first + offset
            try:
                self._col.insert_many(docs, ordered=True, session=session)
            except mongo_errors.PyMongoError:
                if session is None:
                    # No transaction to roll back: undo the part written.
                    self._col.delete_many({"_id": {"$in": ids}})
                raise

        for attempt in range(_POST_ATTEMPTS):
            try:
                with _post_turn(queue, project):
                    self.driver.atomic(insert)
                break
            except mongo_errors.PyMongoError as exc:
                if not _is_duplicate(exc) or attempt == _POST_ATTEMPTS - 1:
                    raise
                self._catch_up_counter(queue, project)
        return [str(oid) for oid in ids]

    @retry.retried
    def delete(self, queue: str, message_id: str, project: str | None,
               claim: str | None = None) -> None:
        oid = documents.object_id(message_id)
        if oid is None:
            return
        # The usual case in one round trip: the message is in the state
        # the caller expects (held by its claim, or unclaimed).
        now = time.time()
        expected: dict[str, typing.Any] = {"_id": oid, "p": project,
                                           "q": queue}
        if claim is None:
            expected.update(unclaimed(now))
        else:
            expected.update({"cl": claim, "ce": {"$gt": now}})
        if self._col.delete_one(expected).deleted_count:
            return
        # Otherwise decide on what is read, then delete only if the message
        # is still in that state; or look again (a claim came or went).
        for _ in range(10):
            now = time.time()
            query = {"_id": oid, "p": project, "q": queue}
            query.update(live(now))
            doc = self._col.find_one(query, {"cl": 1, "ce": 1})
            if doc is None:
                return
            holder = doc.get("cl") if (doc.get("ce") or 0) > now else None
            if holder is None:
                if claim is not None:
                    raise errors.MessageNotClaimed(message_id)
                condition: dict[str, typing.Any] = {
                    "$or": [{"cl": None}, {"ce": {"$lte": now}}]}
            else:
                if claim is None:
                    raise errors.MessageIsClaimed(message_id)
                if claim != holder:
                    if self.driver.claim_controller.is_live(
                            queue, claim, project):
                        raise errors.MessageIsClaimedBy(message_id, claim)
                    raise errors.ClaimDoesNotExist(claim, queue, project)
                condition = {"cl": holder, "ce": {"$gt": now}}
            condition.update({"_id": oid, "p": project, "q": queue})
            if self._col.delete_one(condition).deleted_count:
                return
        raise errors.StorageError(
            f"Message {message_id} kept changing while being deleted")

    @retry.retried
    def bulk_delete(self, queue: str, message_ids: list[str],
                    project: str | None,
                    claim_ids: list[str] | None = None) -> None:
        wanted = [oid for oid in map(documents.object_id, message_ids)
                  if oid is not None]
        if not wanted:
            return
        target = {"_id": {"$in": wanted}, "p": project, "q": queue}
        if claim_ids is None:
            self._col.delete_many(target)
            return
        holders = [c for c in claim_ids if c]
        named = ", ".join(holders)

        def check_and_delete(session: typing.Any) -> None:
            now = time.time()
            query = dict(target)
            query.update(live(now))
            for doc in self._col.find(query, {"cl": 1, "ce": 1},
                                      session=session):
                holder = doc.get("cl") if (doc.get("ce") or 0) > now \
                    else None
                if holder is None:
                    raise errors.MessageNotClaimed(str(doc["_id"]))
                if holder not in holders:
                    raise errors.MessageIsClaimedBy(str(doc["_id"]), named)
            self._col.delete_many(target, session=session)

        self.driver.atomic(check_and_delete)

    @retry.retried
    def pop(self, queue: str, limit: int,
            project: str | None) -> list[base.Message]:
        if limit <= 0:
            return []
        claim_id = str(uuid.uuid4())
        now = time.time()
        taken = self.take(queue, project, limit, claim_id,
                          now + _POP_CLAIM_SECONDS, extend=None,
                          count=False, dead_letter=None)
        if taken:
            self._col.delete_many({"_id": {"$in": [d["_id"] for d in taken]},
                                   "cl": claim_id})
        return [to_record(doc, now) for doc in taken]

    @retry.retried
    def purge(self, queue: str, project: str | None) -> None:
        # The claims go too: with every message deleted they would hold
        # nothing (as the SQL and Redis drivers do).
        self.remove_all(queue, project)
        self.driver.claim_controller.remove_all(queue, project)

    # -- helpers for the queue and claim controllers -----------------------

    def remove_all(self, queue: str, project: str | None) -> None:
        self._col.delete_many({"p": project, "q": queue})

    def remove_expired(self) -> None:
        self._col.delete_many({"e": {"$lte": documents.to_datetime(
            time.time())}})

    def take(self, queue: str, project: str | None, limit: int,
             claim_id: str, claim_expires: float,
             extend: "Extension | None", count: bool,
             dead_letter: "DeadLetter | None") -> list[dict]:
        """Put up to ``limit`` free messages, oldest first, under
        ``claim_id`` until ``claim_expires``; return their documents.

        The oldest free messages are read, then put under the claim by one
        update that matches only those still free: each document's update
        is atomic, so concurrent takers never share one. ``extend``
        lengthens the life of messages that would expire before the claim;
        ``count`` adds one to their claim count. Messages whose count
        reached ``dead_letter.max_claims`` are moved to the dead-letter
        queue instead; they count against ``limit`` (they were selected).
        """
        taken: list[dict] = []
        selected = 0
        passed: int | None = None
        while selected < limit:
            now = time.time()
            query = {"p": project, "q": queue}
            query.update(free(now))
            if passed is not None:
                query["k"] = {"$gt": passed}
            candidates = list(self._col.find(query).sort("k", 1)
                              .limit(limit - selected))
            if not candidates:
                break
            passed = candidates[-1]["k"]
            wanted = []
            for candidate in candidates:
                if dead_letter is not None and \
                        candidate.get("cc", 0) >= dead_letter.max_claims:
                    if self._move_dead(candidate["_id"], queue, project,
                                       dead_letter):
                        selected += 1
                else:
                    wanted.append(candidate)
            if wanted:
                got = self._take_all(wanted, project, queue, claim_id,
                                     claim_expires, extend, count)
                taken += got
                selected += len(got)
        return taken

    def _take_all(self, wanted: list[dict], project: str | None, queue: str,
                  claim_id: str, claim_expires: float,
                  extend: "Extension | None", count: bool) -> list[dict]:
        """Claim those of ``wanted`` still free; their documents as
        updated, in the order given."""
        now = time.time()
        ids = [doc["_id"] for doc in wanted]
        query = {"_id": {"$in": ids}, "p": project, "q": queue}
        query.update(free(now))
        changes: dict[str, typing.Any] = {"cl": claim_id,
                                          "ce": claim_expires}
        if count:
            changes["cc"] = {"$add": [{"$ifNull": ["$cc", 0]}, 1]}
        changes.update(extension(extend))
        modified = self._col.update_many(query,
                                         [{"$set": changes}]).modified_count
        if modified == len(wanted):
            # All were still free, so nothing else wrote them between the
            # read and the update (a claim taken since would still be
            # live): they are what was read, with these changes applied.
            return [taken_document(doc, claim_id, claim_expires, extend,
                                   count) for doc in wanted]
        if modified == 0:
            return []
        return list(self._col.find({"_id": {"$in": ids}, "cl": claim_id})
                    .sort("k", 1))

    def _move_dead(self, oid: bson.ObjectId, queue: str,
                   project: str | None, dead_letter: "DeadLetter") -> bool:
        """Move a free message to the dead-letter queue, unclaimed, at the
        end of its order; False when someone else took it first."""

        def move(session: typing.Any) -> bool:
            now = time.time()
            seq = self.reserve(session, dead_letter.queue, project, 1, now)
            changes: dict[str, typing.Any] = {
                "q": dead_letter.queue, "k": seq, "cl": None, "ce": None}
            if dead_letter.ttl:
                changes["t"] = dead_letter.ttl
                changes["e"] = documents.to_datetime(now + dead_letter.ttl)
            query = {"_id": oid, "p": project, "q": queue,
                     "cc": {"$gte": dead_letter.max_claims}}
            query.update(free(now))
            result = self._col.update_one(query, {"$set": changes},
                                          session=session)
            if result.modified_count == 0 and session is not None:
                # Lost the race: give the reserved number back.
                raise _Lost()
            return result.modified_count == 1

        for attempt in range(_POST_ATTEMPTS):
            try:
                return self.driver.atomic(move)
            except _Lost:
                return False
            except mongo_errors.PyMongoError as exc:
                if not _is_duplicate(exc) or attempt == _POST_ATTEMPTS - 1:
                    raise
                self._catch_up_counter(dead_letter.queue, project)
        return False


class _Lost(Exception):
    """A conditional update inside a transaction matched nothing."""


class DeadLetter(typing.NamedTuple):
    queue: str
    max_claims: int
    ttl: int | None


class Extension(typing.NamedTuple):
    """Messages expiring before ``threshold`` get ``expires`` and ``ttl``."""
    threshold: float
    expires: float
    ttl: int


def taken_document(doc: dict, claim_id: str, claim_expires: float,
                   extend: Extension | None, count: bool) -> dict:
    """``doc`` as the update of ``MessageController._take_all`` leaves
    it (the same rules as ``extension``, applied here)."""
    doc = dict(doc, cl=claim_id, ce=claim_expires)
    if count:
        doc["cc"] = (doc.get("cc") or 0) + 1
    if extend is not None and \
            documents.timestamp(doc["e"]) < extend.threshold:
        doc["e"] = documents.to_datetime(extend.expires)
        doc["t"] = extend.ttl
    return doc


def extension(extend: Extension | None) -> dict:
    """``$set`` stage fields applying ``extend`` to a message."""
    if extend is None:
        return {}
    shorter = {"$lt": ["$e", documents.to_datetime(extend.threshold)]}
    expires_at = documents.to_datetime(extend.expires)
    return {"e": {"$cond": [shorter, expires_at, "$e"]},
            "t": {"$cond": [shorter, extend.ttl, "$t"]}}
