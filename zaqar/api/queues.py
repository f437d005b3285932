"""Queue operations, shared by every API version and transport."""

from __future__ import annotations

import typing

from zaqar.api import jsonpatch
from zaqar.common import errors
from zaqar.context import RequestContext
from zaqar.storage import errors as storage_errors

PURGE_TYPES = ("messages", "subscriptions")


def reserved_defaults(conf: typing.Any) -> tuple[tuple[str, typing.Any], ...]:
    """Reserved attributes shown with their defaults, in display order."""
    return (
        ("_max_messages_post_size", conf.transport.max_messages_post_size),
        ("_default_message_ttl", conf.transport.default_message_ttl),
        ("_default_message_delay", conf.transport.default_message_delay),
        ("_dead_letter_queue", None),
        ("_dead_letter_queue_messages_ttl", None),
        ("_max_claim_count", None),
        ("_enable_encrypt_messages", False),
    )


class Queues:
    def __init__(self, storage: typing.Any, validate: typing.Any,
                 conf: typing.Any, subscriptions: typing.Any):
        """``subscriptions``: the Subscriptions operations of the same
        storage, which a purge of subscriptions goes through."""
        self._queues = storage.queue_controller
        self._messages = storage.message_controller
        self._subscriptions = subscriptions
        self._validate = validate
        self._defaults = reserved_defaults(conf)
        self._reserved = frozenset(k for k, _ in self._defaults)

    def with_defaults(self, metadata: dict) -> dict:
        """Stored metadata plus every reserved attribute that is missing or
        falsy, replaced by its default (as upstream shows it)."""
        shown = dict(metadata)
        for key, default in self._defaults:
            if not shown.get(key):
                shown[key] = default
        return shown

    def list(self, ctx: RequestContext, marker: str | None = None,
             limit: int | None = None, detailed: bool = False,
             name: str | None = None, filters: dict | None = None,
             with_count: bool = False) -> tuple[list[dict], int | None]:
        self._validate.queue_listing(limit)
        items = self._queues.list(ctx.project_id, marker=marker,
                                  limit=limit or 10, detailed=detailed,
                                  name=name, filters=filters or None)
        count = self._queues.count(ctx.project_id) if with_count else None
        return items, count

    def create(self, ctx: RequestContext, name: str,
               metadata: dict | None) -> bool:
        metadata = metadata or {}
        self._validate.queue_metadata(metadata)
        try:
            return self._queues.create(name, ctx.project_id, metadata)
        except storage_errors.FlavorDoesNotExist as exc:  # pooling
            raise errors.ValidationFailed(str(exc)) from None

    def get_metadata(self, ctx: RequestContext, name: str) -> dict:
        """Stored metadata; a queue that does not exist has ``{}``."""
        try:
            return self._queues.get_metadata(name, ctx.project_id)
        except storage_errors.QueueDoesNotExist:
            return {}

    def exists(self, ctx: RequestContext, name: str) -> bool:
        return self._queues.exists(name, ctx.project_id)

    def stored_metadata(self, ctx: RequestContext, name: str) -> dict:
        """Stored metadata; NotFound when the queue does not exist."""
        try:
            return self._queues.get_metadata(name, ctx.project_id)
        except storage_errors.QueueDoesNotExist as exc:
            raise errors.NotFound(str(exc)) from None

    def replace_metadata(self, ctx: RequestContext, name: str,
                         metadata: dict) -> None:
        """Replace the metadata but for the reserved (``_``) attributes,
        which stay: v1 can neither see a use in them nor set them, and
        must not switch off what v2 clients configured."""
        kept = {key: value for key, value in
                self.stored_metadata(ctx, name).items()
                if key.startswith("_")}
        try:
            self._queues.set_metadata(name, {**metadata, **kept},
                                      ctx.project_id)
        except storage_errors.QueueDoesNotExist as exc:
            raise errors.NotFound(str(exc)) from None

    def patch(self, ctx: RequestContext, name: str,
              document: typing.Any) -> dict:
        """Apply a metadata JSON-patch; return the stored result."""
        operations = jsonpatch.parse(document)
        try:
            current = self._queues.get_metadata(name, ctx.project_id)
        except storage_errors.QueueDoesNotExist as exc:
            raise errors.NotFound(str(exc)) from None
        updated = jsonpatch.apply(current, operations, self._reserved)
        self._validate.queue_metadata(updated, error=errors.InvalidBody)
        try:
            self._queues.set_metadata(name, updated, ctx.project_id)
        except storage_errors.QueueDoesNotExist as exc:
            raise errors.NotFound(str(exc)) from None
        return updated

    def delete(self, ctx: RequestContext, name: str) -> None:
        self._queues.delete(name, ctx.project_id)

    def stats(self, ctx: RequestContext, name: str) -> dict:
        """Raises QueueDoesNotExist: transports differ on that answer."""
        return self._queues.stats(name, ctx.project_id)

    def purge(self, ctx: RequestContext, name: str,
              resource_types: typing.Iterable[str] = PURGE_TYPES) -> None:
        types = set(resource_types)
        if "messages" in types:
            self._messages.purge(name, ctx.project_id)
        if "subscriptions" in types:
            self._subscriptions.purge(ctx, name)

    @staticmethod
    def purge_types(document: typing.Any) -> list[str]:
        """``resource_types`` of a purge body, validated."""
        if not isinstance(document, dict) or "resource_types" not in document:
            raise errors.ValidationFailed(
                'Post body must contain key "resource_types".')
        types = document["resource_types"]
        if not isinstance(types, list) or not all(
                isinstance(t, str) and t in PURGE_TYPES for t in types):
            raise errors.ValidationFailed(
                "Resource types must be a sub set of "
                "{'subscriptions', 'messages'}.")
        return types
