"""Subscription operations, shared by every API version and transport.

The same operations serve queue and topic subscriptions: a ``Namespace``
says how the subscribed-to resource is named in confirmation requests.
With ``[notification] require_confirmation``, subscribing (again, while
unconfirmed) sends the subscriber a confirmation request and
unsubscribing through ``confirm`` sends an unsubscribe confirmation.
"""

from __future__ import annotations

import dataclasses
import logging
import time
import typing

from zaqar.common import errors
from zaqar.context import RequestContext
from zaqar.notification import confirmation, service
from zaqar.storage import errors as storage_errors

LOG = logging.getLogger(__name__)

UPDATABLE = ("subscriber", "ttl", "options")
_DUPLICATE = ("Such subscription already exists.Subscriptions are unique by "
              "project + queue + subscriber URI.")


@dataclasses.dataclass(frozen=True)
class Namespace:
    """``noun`` ("queue"/"topic") and ``base_path`` (``/v2/queues``) of
    the resources subscribed to."""

    noun: str
    base_path: str


QUEUES = Namespace("queue", "/v2/queues")
TOPICS = Namespace("topic", "/v2/topics")


class Subscriptions:
    def __init__(self, storage: typing.Any, validate: typing.Any,
                 conf: typing.Any, namespace: Namespace = QUEUES):
        self._storage = storage
        self._queues = storage.queue_controller
        self._subscriptions = storage.subscription_controller
        self._validate = validate
        self._conf = conf
        self._default_ttl = conf.transport.default_subscription_ttl
        self._namespace = namespace

    def _check(self, document: dict) -> None:
        """The rules shared by create and update, in upstream's order."""
        if "subscriber" in document:
            self._validate.subscriber(document["subscriber"])
        if "options" in document:
            self._validate.subscription_options(document["options"])
        if "ttl" in document:
            self._validate.subscription_ttl(document["ttl"], time.time())

    def create(self, ctx: RequestContext, queue: str, document: typing.Any,
               conflict_headers: dict | None = None,
               endpoint: str | None = None) -> tuple[str, bool]:
        """Subscribe; returns ``(id, created)``.

        Subscribing an existing subscriber again returns the existing id
        while it is unconfirmed (``created`` False) and is a conflict once
        it is confirmed. The queue is created if missing. ``endpoint`` is
        the Zaqar URL the client used (e-mail confirmation links carry
        it).
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
            subscription_id = self._subscriptions.create(
                queue, subscriber, ttl, options, ctx.project_id)
            created = True
        except storage_errors.SubscriptionAlreadyExists:
            existing = self._subscriptions.get_with_subscriber(
                queue, subscriber, ctx.project_id)
            if existing is None or existing["confirmed"]:
                raise errors.Conflict(_DUPLICATE,
                                      headers=conflict_headers) from None
            subscription_id, created = existing["id"], False
        self._ask_confirmation(ctx, queue, subscription_id, endpoint,
                               unsubscribe=False)
        return subscription_id, created

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
                document: typing.Any, endpoint: str | None = None) -> bool:
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
        except storage_errors.StorageError:
            LOG.exception("confirming subscription %s failed",
                          subscription_id)
            raise errors.APIError(
                f"Subscription {subscription_id} could not be confirmed.",
                title="Unable to confirm subscription") from None
        if not confirmed:
            self._ask_confirmation(ctx, queue, subscription_id, endpoint,
                                   unsubscribe=True)
        return confirmed

    def _ask_confirmation(self, ctx: RequestContext, queue: str,
                          subscription_id: str, endpoint: str | None,
                          unsubscribe: bool) -> None:
        """Record the (un)subscribe confirmation request, when required."""
        if not self._conf.notification.require_confirmation:
            return
        try:
            subscription = self._subscriptions.get(queue, subscription_id,
                                                   ctx.project_id)
        except storage_errors.SubscriptionDoesNotExist:
            return  # expired or deleted meanwhile: nobody to ask
        try:
            metadata = self._queues.get_metadata(queue, ctx.project_id)
        except storage_errors.QueueDoesNotExist:
            metadata = {}
        kind = (confirmation.UNSUBSCRIBE if unsubscribe
                else confirmation.SUBSCRIBE)
        job = confirmation.job(
            self._conf, kind, subscription, project=ctx.project_id,
            name=queue, base_path=self._namespace.base_path,
            noun=self._namespace.noun, metadata=metadata, endpoint=endpoint)
        if job is not None:
            service.for_storage(self._conf, self._storage).record([job])
