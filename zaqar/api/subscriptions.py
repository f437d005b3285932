"""Subscription operations, shared by every API version and transport.

The same operations serve queue and topic subscriptions: a ``Namespace``
says how the subscribed-to resource is named in confirmation requests.
With ``[notification] require_confirmation``, subscribing (again, while
unconfirmed) sends the subscriber a confirmation request and
unsubscribing through ``confirm`` sends an unsubscribe confirmation.

Under ``auth_strategy = keystone`` a ``trust+http(s)`` subscriber gets a
Keystone trust from the caller (``zaqar.notification.trusts``), made on
create and again when an update changes its subscriber or ttl, deleted
(best effort) with the subscription or when it is replaced. Its id is kept
in the stored options under ``trusts.OPTION``: every representation leaves
that key out, and a client that sends it is refused.
"""

from __future__ import annotations

import dataclasses
import logging
import time
import typing

from zaqar.common import errors
from zaqar.context import RequestContext
from zaqar.notification import confirmation, service, trusts
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


def shown(subscription: dict) -> dict:
    """A stored subscription as clients see it: without its trust id."""
    options = subscription.get("options")
    if isinstance(options, dict) and trusts.OPTION in options:
        options = {key: value for key, value in options.items()
                   if key != trusts.OPTION}
        return dict(subscription, options=options)
    return subscription


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
        self._keystone = conf.auth_strategy == "keystone"

    def _check(self, document: dict) -> None:
        """The rules shared by create and update, in upstream's order."""
        if "subscriber" in document:
            self._validate.subscriber(document["subscriber"])
        if "options" in document:
            self._validate.subscription_options(document["options"])
            if trusts.OPTION in document["options"]:
                raise errors.ValidationFailed(
                    f"The option {trusts.OPTION} is reserved for the "
                    "server.")
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
        if "options" in document and document["options"] is None:
            # An explicit null is no options (upstream accepts it too).
            document = {k: v for k, v in document.items() if k != "options"}
        self._check(document)
        subscriber = document["subscriber"]
        ttl = document.get("ttl", self._default_ttl)
        options = document.get("options") or {}
        trust_id = None
        if self._wants_trust(subscriber):
            existing = self._subscriptions.get_with_subscriber(
                queue, subscriber, ctx.project_id)
            if existing is not None:  # no trust needed
                return self._again(ctx, queue, existing, conflict_headers,
                                   endpoint)
            trust_id = self._create_trust(ctx, ttl)
            options = dict(options, **{trusts.OPTION: trust_id})
        try:
            self._queues.create(queue, ctx.project_id)
            subscription_id = self._subscriptions.create(
                queue, subscriber, ttl, options, ctx.project_id)
        except storage_errors.SubscriptionAlreadyExists:
            self._drop_trust(ctx, trust_id)
            existing = self._subscriptions.get_with_subscriber(
                queue, subscriber, ctx.project_id)
            return self._again(ctx, queue, existing, conflict_headers,
                               endpoint)
        except Exception:
            self._drop_trust(ctx, trust_id)
            raise
        self._ask_confirmation(ctx, queue, subscription_id, endpoint,
                               unsubscribe=False)
        return subscription_id, True

    def _again(self, ctx: RequestContext, queue: str, existing: dict | None,
               conflict_headers: dict | None, endpoint: str | None
               ) -> tuple[str, bool]:
        """Subscribing an existing subscriber again."""
        if existing is None or existing["confirmed"]:
            raise errors.Conflict(_DUPLICATE, headers=conflict_headers)
        self._ask_confirmation(ctx, queue, existing["id"], endpoint,
                               unsubscribe=False)
        return existing["id"], False

    def list(self, ctx: RequestContext, queue: str, marker: str | None,
             limit: int | None) -> list[dict]:
        self._validate.subscription_listing(limit)
        return [shown(found) for found in self._subscriptions.list(
            queue, ctx.project_id, marker=marker, limit=limit or 10)]

    def get(self, ctx: RequestContext, queue: str,
            subscription_id: str) -> dict:
        return shown(self._stored(ctx, queue, subscription_id))

    def _stored(self, ctx: RequestContext, queue: str,
                subscription_id: str) -> dict:
        """The subscription as stored (its trust id included)."""
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
        replaced, made = None, None
        if self._keystone:
            fields, replaced, made = self._trust_fields(
                ctx, queue, subscription_id, fields)
        try:
            self._subscriptions.update(queue, subscription_id, ctx.project_id,
                                       **fields)
        except storage_errors.SubscriptionDoesNotExist as exc:
            self._drop_trust(ctx, made)
            raise errors.NotFound(str(exc)) from None
        except storage_errors.SubscriptionAlreadyExists as exc:
            self._drop_trust(ctx, made)
            raise errors.Conflict(str(exc)) from None
        except Exception:
            self._drop_trust(ctx, made)
            raise
        self._drop_trust(ctx, replaced)

    def _trust_fields(self, ctx: RequestContext, queue: str,
                      subscription_id: str, fields: dict
                      ) -> tuple[dict, str | None, str | None]:
        """The update's fields with the trust it needs kept or made;
        also the trust it replaces and the trust it made (to delete)."""
        current = self._stored(ctx, queue, subscription_id)
        old = (current.get("options") or {}).get(trusts.OPTION)
        subscriber = fields.get("subscriber", current["subscriber"])
        if "options" in fields:
            options = dict(fields["options"])
        else:
            options = shown(current)["options"]
        fields = dict(fields)
        if not self._wants_trust(subscriber):
            if old is not None:
                fields["options"] = options
            return fields, old, None
        changed = ("ttl" in fields or old is None
                   or subscriber != current["subscriber"])
        if not changed:
            if "options" in fields:
                fields["options"] = dict(options, **{trusts.OPTION: old})
            return fields, None, None
        ttl = fields["ttl"] if "ttl" in fields else max(
            1, current["ttl"] - current["age"])
        made = self._create_trust(ctx, ttl)
        fields["options"] = dict(options, **{trusts.OPTION: made})
        return fields, old, made

    def delete(self, ctx: RequestContext, queue: str,
               subscription_id: str) -> None:
        trust_id = None
        if self._keystone:
            try:
                current = self._subscriptions.get(queue, subscription_id,
                                                  ctx.project_id)
                trust_id = (current.get("options") or {}).get(trusts.OPTION)
            except storage_errors.SubscriptionDoesNotExist:
                pass
        self._subscriptions.delete(queue, subscription_id, ctx.project_id)
        self._drop_trust(ctx, trust_id)

    def purge(self, ctx: RequestContext, queue: str) -> None:
        """Delete every subscription of the queue, and the trusts they
        held, as deleting each would."""
        held = self._held_trusts(ctx, queue) if self._keystone else []
        self._subscriptions.purge(queue, ctx.project_id)
        for trust_id in held:
            self._drop_trust(ctx, trust_id)

    # -- trusts -----------------------------------------------------------

    def _held_trusts(self, ctx: RequestContext, queue: str) -> list[str]:
        held: list[str] = []
        marker = None
        while page := self._subscriptions.list(queue, ctx.project_id,
                                               marker=marker, limit=100):
            for item in page:
                trust_id = (item.get("options") or {}).get(trusts.OPTION)
                if isinstance(trust_id, str):
                    held.append(trust_id)
            marker = page[-1]["id"]
        return held

    def _wants_trust(self, subscriber: typing.Any) -> bool:
        """Without keystone there is nobody to delegate from: ``trust+``
        subscribers are then plain webhooks."""
        return self._keystone and trusts.is_trust_subscriber(subscriber)

    def _create_trust(self, ctx: RequestContext, ttl: int) -> str:
        if not ctx.auth_token:
            raise errors.ValidationFailed(
                "A trust+ subscriber needs the caller's Keystone token "
                "(X-Auth-Token) to create its trust: it cannot be "
                "subscribed with a pre-signed URL or over the websocket "
                "transport.")
        try:
            return trusts.for_conf(self._conf).create(
                ctx.auth_token, ctx.project_id, ttl)
        except trusts.KeystoneError as exc:
            refused = f"The trust of the subscriber was not created: {exc}"
            if exc.status in (401, 403):
                raise errors.Forbidden(refused) from None
            if exc.status is not None and not exc.temporary:
                raise errors.ValidationFailed(refused) from None
            LOG.error("no trust for a trust+ subscriber: %s", exc)
            raise errors.Unavailable(
                "The trust of the subscriber could not be created.") \
                from None

    def _drop_trust(self, ctx: RequestContext, trust_id: str | None) -> None:
        if trust_id is not None:
            trusts.for_conf(self._conf).delete(ctx.auth_token, trust_id)

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
