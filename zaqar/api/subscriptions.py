"""Subscription operations, shared by every API version and transport."""

from __future__ import annotations

import time
import typing

from zaqar.common import errors
from zaqar.context import RequestContext
from zaqar.storage import errors as storage_errors

UPDATABLE = ("subscriber", "ttl", "options")
_DUPLICATE = ("Such subscription already exists.Subscriptions are unique by "
              "project + queue + subscriber URI.")


class Subscriptions:
    def __init__(self, storage: typing.Any, validate: typing.Any,
                 conf: typing.Any):
        self._queues = storage.queue_controller
        self._subscriptions = storage.subscription_controller
        self._validate = validate
        self._default_ttl = conf.transport.default_subscription_ttl

    def _check(self, document: dict) -> None:
        """The rules shared by create and update, in upstream's order."""
        if "subscriber" in document:
            self._validate.subscriber(document["subscriber"])
        if "options" in document:
            self._validate.subscription_options(document["options"])
        if "ttl" in document:
            self._validate.subscription_ttl(document["ttl"], time.time())

    def create(self, ctx: RequestContext, queue: str, document: typing.Any,
               conflict_headers: dict | None = None) -> tuple[str, bool]:
        """Subscribe; returns ``(id, created)``.

        Subscribing an existing subscriber again returns the existing id
        while it is unconfirmed (``created`` False) and is a conflict once
        it is confirmed. The queue is created if missing.
        """
        if not isinstance(document, dict) or "subscriber" not in document:
            raise errors.ValidationFailed(
                "Missing parameter subscriber in body.")
        self._check(document)
        subscriber = document["subscriber"]
        ttl = document.get("ttl", self._default_ttl)
        options = document.get("options") or {}
        self._queues.create(queue, ctx.project_id)
        try:
            return self._subscriptions.create(queue, subscriber, ttl, options,
                                              ctx.project_id), True
        except storage_errors.SubscriptionAlreadyExists:
            existing = self._subscriptions.get_with_subscriber(
                queue, subscriber, ctx.project_id)
            if existing is None or existing["confirmed"]:
                raise errors.Conflict(_DUPLICATE,
                                      headers=conflict_headers) from None
            return existing["id"], False

    def list(self, ctx: RequestContext, queue: str, marker: str | None,
             limit: int | None) -> list[dict]:
        self._validate.subscription_listing(limit)
        return self._subscriptions.list(queue, ctx.project_id, marker=marker,
                                        limit=limit or 10)

    def get(self, ctx: RequestContext, queue: str,
            subscription_id: str) -> dict:
        try:
            return self._subscriptions.get(queue, subscription_id,
                                           ctx.project_id)
        except storage_errors.SubscriptionDoesNotExist as exc:
            raise errors.NotFound(str(exc)) from None

    def update(self, ctx: RequestContext, queue: str, subscription_id: str,
               document: typing.Any) -> None:
        if not isinstance(document, dict) or not document:
            raise errors.ValidationFailed("No subscription to create.")
        self._check(document)
        fields = {key: document[key] for key in UPDATABLE if key in document}
        if not fields:
            raise errors.APIError(
                f"Subscription {subscription_id} could not be updated.",
                title="Unable to update subscription")
        try:
            self._subscriptions.update(queue, subscription_id, ctx.project_id,
                                       **fields)
        except storage_errors.SubscriptionDoesNotExist as exc:
            raise errors.NotFound(str(exc)) from None
        except storage_errors.SubscriptionAlreadyExists as exc:
            raise errors.Conflict(str(exc)) from None

    def delete(self, ctx: RequestContext, queue: str,
               subscription_id: str) -> None:
        self._subscriptions.delete(queue, subscription_id, ctx.project_id)

    def confirm(self, ctx: RequestContext, queue: str, subscription_id: str,
                document: typing.Any) -> bool:
        """Set the confirmed flag; returns the new value."""
        confirmed = document.get("confirmed") if isinstance(
            document, dict) else None
        if not isinstance(confirmed, bool):
            raise errors.ValidationFailed(
                "The 'confirmed' should be boolean.")
        try:
            self._subscriptions.confirm(queue, subscription_id,
                                        ctx.project_id, confirmed=confirmed)
        except storage_errors.SubscriptionDoesNotExist as exc:
            raise errors.NotFound(str(exc)) from None
        return confirmed
