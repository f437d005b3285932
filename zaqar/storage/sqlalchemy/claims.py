"""Claims: a row per claim plus the claim id and expiry on each message.

Claiming is one transaction: select the oldest free messages with
``FOR UPDATE SKIP LOCKED`` (PostgreSQL, MariaDB/MySQL; rows another
claimer is taking are skipped, not waited for) or under SQLite's
``BEGIN IMMEDIATE`` write lock, then mark them. A message therefore never
belongs to two live claims.
"""

from __future__ import annotations

import math
import time
import typing
import uuid

import sqlalchemy as sa

from zaqar.storage import base, errors
from zaqar.storage.sqlalchemy import columns as col
from zaqar.storage.sqlalchemy import messages as msgs
from zaqar.storage.sqlalchemy import queues as queue_rows
from zaqar.storage.sqlalchemy import tables

M = tables.messages
C = tables.claims


class _DeadLetter(typing.NamedTuple):
    max_claims: int
    queue: str
    ttl: int | None


def _dead_letter(metadata: base.Metadata, queue: str) -> _DeadLetter | None:
    """The queue's dead-letter settings, when both are set (truthy)."""
    max_claims = metadata.get(base.MAX_CLAIM_COUNT)
    target = metadata.get(base.DEAD_LETTER_QUEUE)
    if not max_claims or not target or not isinstance(target, str):
        return None
    if target == queue:
        return None
    try:
        ttl = metadata.get(base.DEAD_LETTER_QUEUE_MESSAGES_TTL)
        return _DeadLetter(int(max_claims), target, int(ttl) if ttl else None)
    except (TypeError, ValueError):
        return None


def _expires_first(message_expires: typing.Any,
                   claim_expires: float) -> typing.Any:
    """Whether a message expires before the claim, in whole seconds:
    ``floor(message) < floor(claim)``, i.e. ``message < floor(claim)``.
    Takes a float or the ``expires`` column."""
    return message_expires < math.floor(claim_expires)


# Statements of the hot paths, built once (see tables.QUEUE_NAMED).
_NOW = sa.bindparam("now", type_=M.c.expires.type)
_TARGETS = M.c.id.in_(sa.bindparam("ids", expanding=True))
# Put messages under a claim, in one statement; those expiring before
# floor(claim expiry) live on with it. ttl is set before expires: MySQL
# evaluates SET left to right, each expression seeing the values already
# assigned, and both conditions must see the old expiry.
_LIVES_ON = M.c.expires < sa.bindparam("claim_floor")
_MARK = (sa.update(M).where(_TARGETS).ordered_values(
    (M.c.ttl, sa.case((_LIVES_ON, sa.bindparam("new_ttl")),
                      else_=M.c.ttl)),
    (M.c.expires, sa.case((_LIVES_ON, sa.bindparam("new_expires")),
                          else_=M.c.expires)),
    (M.c.claim_id, sa.bindparam("set_claim_id")),
    (M.c.claim_expires, sa.bindparam("set_claim_expires")),
    (M.c.claim_count, M.c.claim_count + sa.bindparam("step"))))
_QUEUE_ROW = sa.select(tables.queues.c.id,
                       tables.queues.c.meta).where(tables.QUEUE_NAMED)
_FREE = (sa.select(*msgs.COLUMNS, M.c.expires)
         .where(M.c.queue_id == sa.bindparam("queue_id"), msgs.free(_NOW))
         .order_by(M.c.id).limit(sa.bindparam("limit"))
         .with_for_update(skip_locked=True))
_INSERT = sa.insert(C)


def _mark(conn: sa.Connection, message_ids: list[int], claim_id: str,
          claim_ttl: int, claim_expires: float, grace: int,
          count_step: int) -> None:
    """Put the messages under the claim; those that would expire before it
    live on until ``grace`` seconds after it."""
    if not message_ids:
        return
    conn.execute(_MARK, {"ids": message_ids,
                         "claim_floor": math.floor(claim_expires),
                         "new_ttl": claim_ttl + grace,
                         "new_expires": claim_expires + grace,
                         "set_claim_id": claim_id,
                         "set_claim_expires": claim_expires,
                         "step": count_step})


class ClaimController(base.ClaimBase):

    @property
    def _db(self):
        return self.driver.database

    def create(self, queue: str, metadata: dict, project: str | None,
               limit: int = 10) -> tuple[str | None, list[base.Message]]:
        ttl = int(metadata["ttl"])
        grace = int(metadata.get("grace") or 0)

        def work(conn: sa.Connection
                 ) -> tuple[str | None, list[base.Message]]:
            now = time.time()
            row = conn.execute(_QUEUE_ROW,
                               tables.named(queue, project)).first()
            if row is None:
                return None, []
            queue_id = row.id
            dead_letter = _dead_letter(col.from_json(row.meta), queue)
            rows = conn.execute(_FREE, {"queue_id": queue_id, "now": now,
                                        "limit": limit}).all()
            if dead_letter is not None:
                dead = [r.id for r in rows
                        if r.claim_count >= dead_letter.max_claims]
                if dead:
                    self._move(conn, dead, dead_letter, project, now)
                rows = [r for r in rows
                        if r.claim_count < dead_letter.max_claims]
            if not rows:
                return None, []
            claim_id = str(uuid.uuid4())
            claim_expires = now + ttl
            conn.execute(_INSERT, {"id": claim_id, "queue_id": queue_id,
                                   "ttl": ttl, "updated": now,
                                   "expires": claim_expires})
            step = 1 if dead_letter is not None else 0
            _mark(conn, [r.id for r in rows], claim_id, ttl, claim_expires,
                  grace, step)
            claimed = []
            for r in rows:
                message = msgs.record(r, now, claim_id=claim_id)
                message["claim_count"] += step
                if _expires_first(r.expires, claim_expires):
                    message["ttl"] = ttl + grace
                claimed.append(message)
            return claim_id, claimed

        return self._db.write(work)

    @staticmethod
    def _move(conn: sa.Connection, message_ids: list[int],
              dead_letter: _DeadLetter, project: str | None,
              now: float) -> None:
        """Move messages, unclaimed, to the dead-letter queue."""
        target = queue_rows.ensure(conn, dead_letter.queue, project)
        values: dict[str, typing.Any] = {
            "queue_id": target, "claim_id": None, "claim_expires": None}
        if dead_letter.ttl:
            values.update(ttl=dead_letter.ttl, expires=now + dead_letter.ttl)
        conn.execute(sa.update(M).where(M.c.id.in_(message_ids))
                     .values(**values))

    def get(self, queue: str, claim_id: str,
            project: str | None) -> tuple[dict, list[base.Message]]:
        def work(conn: sa.Connection) -> tuple[dict, list[base.Message]]:
            now = time.time()
            queue_id, claim = self._live(conn, queue, claim_id, project, now)
            rows = conn.execute(
                sa.select(*msgs.COLUMNS)
                .where(M.c.claim_id == claim_id, M.c.queue_id == queue_id,
                       M.c.expires > now, M.c.claim_expires > now)
                .order_by(M.c.id)).all()
            info = {"id": claim_id, "ttl": claim.ttl,
                    "age": max(0, int(now - claim.updated))}
            return info, [msgs.record(r, now) for r in rows]
        return self._db.read(work)

    def update(self, queue: str, claim_id: str, metadata: dict,
               project: str | None) -> None:
        ttl = int(metadata["ttl"])
        grace = int(metadata.get("grace") or 0)

        def work(conn: sa.Connection) -> None:
            now = time.time()
            queue_id, _ = self._live(conn, queue, claim_id, project, now,
                                     lock=True)
            claim_expires = now + ttl
            conn.execute(sa.update(C).where(C.c.id == claim_id).values(
                ttl=ttl, updated=now, expires=claim_expires))
            held = sa.select(M.c.id).where(
                M.c.claim_id == claim_id, M.c.queue_id == queue_id,
                M.c.expires > now, M.c.claim_expires > now)
            ids = list(conn.execute(held).scalars())
            _mark(conn, ids, claim_id, ttl, claim_expires, grace, 0)
        self._db.write(work)

    def delete(self, queue: str, claim_id: str, project: str | None) -> None:
        if not base.is_claim_id(claim_id):
            return

        def work(conn: sa.Connection) -> None:
            queue_id = queue_rows.find(conn, queue, project)
            if queue_id is None:
                return
            conn.execute(sa.update(M).where(
                M.c.claim_id == claim_id, M.c.queue_id == queue_id)
                .values(claim_id=None, claim_expires=None))
            conn.execute(sa.delete(C).where(C.c.id == claim_id,
                                            C.c.queue_id == queue_id))
        self._db.write(work)

    @staticmethod
    def _live(conn: sa.Connection, queue: str, claim_id: str,
              project: str | None, now: float, lock: bool = False):
        """``(queue row id, claim row)`` of a live claim, else
        ClaimDoesNotExist."""
        queue_id = (queue_rows.find(conn, queue, project)
                    if base.is_claim_id(claim_id) else None)
        claim = None
        if queue_id is not None:
            query = sa.select(C.c.ttl, C.c.updated).where(
                C.c.id == claim_id, C.c.queue_id == queue_id,
                C.c.expires > now)
            if lock:
                query = query.with_for_update()
            claim = conn.execute(query).first()
        if claim is None:
            raise errors.ClaimDoesNotExist(claim_id, queue, project)
        return queue_id, claim
