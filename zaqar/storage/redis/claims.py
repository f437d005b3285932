"""Claims on Redis. Selection, marking and dead-letter moves happen in
one script, so two consumers never hold the same message; the claim
takes messages from the queue's ``:free`` index, which holds only
claimable messages, so claiming costs O(log n + limit)."""

from __future__ import annotations

import typing

from zaqar.common import ids as common_ids
from zaqar.storage import base
from zaqar.storage import errors
from zaqar.storage.redis import connection
from zaqar.storage.redis import keys
from zaqar.storage.redis import records


def _lease(metadata: dict) -> tuple[int, int]:
    """(ttl, grace) from claim metadata, as whole seconds."""
    if not isinstance(metadata, dict):
        raise ValueError("claim metadata must be an object")
    ttl, grace = metadata.get("ttl"), metadata.get("grace", 0)
    for name, value in (("ttl", ttl), ("grace", grace)):
        if isinstance(value, bool) or not isinstance(value, int) \
                or value < 0:
            raise ValueError(f"claim {name} must be a non-negative "
                             f"integer, not {value!r}")
    return typing.cast(int, ttl), typing.cast(int, grace)


class ClaimController(base.ClaimBase):

    def create(self, queue: str, metadata: dict, project: str | None,
               limit: int = 10) -> tuple[str | None, list[base.Message]]:
        ttl, grace = _lease(metadata)
        if limit <= 0:
            return None, []
        # Chosen outside the retry loop: a retried claim returns what
        # the first attempt claimed instead of claiming more.
        claim_id = common_ids.new_uuid4()

        def attempt() -> tuple[int, list]:
            now = records.now_ms()
            return now, self.driver.queue_script(
                "claim_create", project, queue,
                [claim_id, ttl, grace, int(limit)], now=now)

        now, flat = connection.call(self.driver.settings, attempt)
        if not flat:
            return None, []
        return claim_id, records.messages(flat, now)

    @connection.guarded
    def get(self, queue: str, claim_id: str,
            project: str | None) -> tuple[dict, list[base.Message]]:
        now = records.now_ms()
        res = self.driver.queue_script("claim_get", project, queue,
                                       [keys.to_bytes(claim_id)], now=now)
        if res is None:
            raise errors.ClaimDoesNotExist(claim_id, queue, project)
        ttl, renewed, flat = res
        claim = {"id": claim_id, "ttl": int(ttl),
                 "age": max(0, (now - int(renewed)) // 1000)}
        return claim, records.messages(flat, now)

    @connection.guarded
    def update(self, queue: str, claim_id: str, metadata: dict,
               project: str | None) -> None:
        ttl, grace = _lease(metadata)
        renewed = self.driver.queue_script(
            "claim_renew", project, queue,
            [keys.to_bytes(claim_id), ttl, grace])
        if not renewed:
            raise errors.ClaimDoesNotExist(claim_id, queue, project)

    @connection.guarded
    def delete(self, queue: str, claim_id: str, project: str | None) -> None:
        self.driver.queue_script("claim_release", project, queue,
                                 [keys.to_bytes(claim_id)])
