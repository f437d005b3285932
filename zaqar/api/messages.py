"""Message operations, shared by every API version and transport."""

from __future__ import annotations

import typing

from zaqar.common import errors
from zaqar.context import RequestContext
from zaqar.storage import base as storage_base
from zaqar.storage import errors as storage_errors
from zaqar.transport.validation import int_field


class Messages:
    def __init__(self, storage: typing.Any, validate: typing.Any,
                 conf: typing.Any):
        self._queues = storage.queue_controller
        self._messages = storage.message_controller
        self._validate = validate
        self._default_ttl = conf.transport.default_message_ttl
        self._default_delay = conf.transport.default_message_delay

    def queue_metadata(self, ctx: RequestContext, queue: str) -> dict:
        """What posting and listing need to know about the queue."""
        try:
            return self._queues.get_metadata(queue, ctx.project_id)
        except storage_errors.QueueDoesNotExist:
            return {}

    def default_delay(self, metadata: dict) -> int:
        return metadata.get("_default_message_delay") or self._default_delay

    def post(self, ctx: RequestContext, queue: str,
             messages: typing.Any, metadata: dict,
             honour_delay: bool = True) -> list[str]:
        """Validate ``messages`` (the posted array), apply the queue's
        defaults and store them, creating the queue if needed.

        ``honour_delay`` is False on the websocket transport, which
        ignores delays (as its contract says).
        """
        if not isinstance(messages, list):
            raise errors.InvalidBody("Document type not supported.")
        if not messages:
            raise errors.ValidationFailed("No messages to enqueu.")
        for message in messages:
            if not isinstance(message, dict):
                raise errors.InvalidBody("Document type not supported.")
            if "body" not in message:
                raise errors.InvalidBody('Missing "body" field.')
            int_field(message, "ttl")
            if honour_delay:
                int_field(message, "delay")

        ttl = metadata.get("_default_message_ttl") or self._default_ttl
        delay = self.default_delay(metadata) if honour_delay else 0
        accepted = []
        checked = set()  # (ttl, delay) pairs already found valid
        for message in messages:
            item = {"body": message["body"],
                    "ttl": message.get("ttl", ttl),
                    "delay": message.get("delay", delay) if honour_delay
                    else 0}
            terms = (item["ttl"], item["delay"])
            if terms not in checked:
                self._validate.message_ttl(item["ttl"])
                self._validate.message_delay(item["delay"])
                checked.add(terms)
            accepted.append(item)
        return self._messages.post(queue, accepted, ctx.project_id,
                                   ctx.client_id)

    def list(self, ctx: RequestContext, queue: str, marker: str | None,
             limit: int | None, echo: bool, include_claimed: bool,
             include_delayed: bool) -> list[storage_base.Message]:
        self._validate.message_listing(limit)
        return self._messages.list(
            queue, ctx.project_id, client_uuid=ctx.client_id, marker=marker,
            limit=limit or 10, echo=echo, include_claimed=include_claimed,
            include_delayed=include_delayed)

    def get(self, ctx: RequestContext, queue: str,
            message_id: str) -> storage_base.Message:
        """Raises NotFound with the queue or the message text."""
        try:
            return self._messages.get(queue, message_id, ctx.project_id)
        except storage_errors.DoesNotExist as exc:
            raise errors.NotFound(str(exc)) from None

    def get_many(self, ctx: RequestContext, queue: str,
                 ids: list[str]) -> list[storage_base.Message]:
        self._validate.message_ids(ids)
        return self._messages.bulk_get(queue, ids, ctx.project_id)

    def delete(self, ctx: RequestContext, queue: str, message_id: str,
               claim_id: str | None) -> None:
        """Raises the storage claim errors; transports word them."""
        if claim_id is not None and not storage_base.is_claim_id(claim_id):
            # As upstream: a message that is gone is deleted whatever the
            # claim id says; one that is there is refused before any other
            # check.
            try:
                self._messages.get(queue, message_id, ctx.project_id)
            except storage_errors.DoesNotExist:
                return
            raise storage_errors.ClaimDoesNotExist(claim_id, queue,
                                                   ctx.project_id)
        self._messages.delete(queue, message_id, ctx.project_id,
                              claim=claim_id)

    def delete_many(self, ctx: RequestContext, queue: str,
                    ids: list[str] | None, pop: int | None,
                    claim_ids: list[str] | None = None
                    ) -> list[storage_base.Message] | None:
        """Delete by ids (returns None) or pop (returns the messages)."""
        self._validate.message_deletion(ids, pop, claim_ids)
        if pop is not None:
            return self._messages.pop(queue, pop, ctx.project_id)
        if not self._validate.limits.message_delete_with_claim_id:
            claim_ids = None
        self._messages.bulk_delete(queue, ids, ctx.project_id,
                                   claim_ids=claim_ids)
        return None
