"""Subscription actions, including subscribing the connection itself."""

from __future__ import annotations

import typing

from zaqar.common import errors
from zaqar.context import RequestContext
from zaqar.transport.websocket import views
from zaqar.transport.websocket.actions import Action, Call, failure
from zaqar.transport.websocket.frames import Reply
from zaqar.transport.websocket.schemas import INTEGER, OBJECT, STRING

QUEUE = {"queue_name": STRING}
SUBSCRIPTION = {**QUEUE, "subscription_id": STRING}
FIELDS = ("subscriber", "ttl", "options")


def subscription_create(call: Call) -> Reply:
    """Without ``subscriber`` the connection subscribes itself: the stored
    subscriber is its URL on the notification listener.

    Subscribing a subscriber again is a 409, confirmed or not.
    """
    ctx, queue = call.context(), call.body["queue_name"]
    call.api.validate.queue_identification(queue, ctx.project_id)
    document = {key: call.body[key] for key in FIELDS if key in call.body}
    own = "subscriber" not in document
    if own:
        document["subscriber"] = call.session.subscriber
    try:
        subscription_id, created = call.api.subscriptions.create(
            ctx, queue, document)
    except errors.Conflict:
        created = False
    if not created:
        return Reply(409, f"Subscription {queue} not created.")
    if own:
        call.session.subscribed(ctx.project_id, queue, subscription_id,
                                call.request.binary)
    return Reply(201, {"subscription_id": subscription_id,
                       "message": f"Subscription {queue} created."})


def subscription_list(call: Call) -> Reply:
    found = call.api.subscriptions.list(
        call.context(), call.body["queue_name"], call.body.get("marker"),
        call.body.get("limit"))
    return Reply(200, {"subscriptions": [views.subscription(s)
                                         for s in found]})


def subscription_get(call: Call) -> Reply:
    queue, subscription_id = (call.body["queue_name"],
                              call.body["subscription_id"])
    try:
        found = call.api.subscriptions.get(call.context(), queue,
                                           subscription_id)
    except errors.NotFound as exc:
        return failure(404, exc.description,
                       f"Subscription {subscription_id} for queue {queue} "
                       "does not exist.")
    return Reply(200, views.subscription(found))


def subscription_delete(call: Call) -> Reply:
    subscription_id = call.body["subscription_id"]
    call.api.subscriptions.delete(call.context(), call.body["queue_name"],
                                  subscription_id)
    return Reply(204, f"Subscription {subscription_id} removed.")


def unsubscribe_session(api: typing.Any, session: typing.Any) -> None:
    """Delete the subscriptions a closed connection made for itself."""
    for own in session.subscriptions:
        api.subscriptions.delete(RequestContext(project_id=own.project),
                                 own.queue, own.subscription_id)
    session.subscriptions.clear()


ACTIONS = (
    Action("subscription_create", subscription_create,
           {**QUEUE, "subscriber": STRING, "ttl": INTEGER,
            "options": OBJECT},
           ("queue_name",),
           unavailable="Subscription {queue_name} could not be created."),
    Action("subscription_list", subscription_list,
           {**QUEUE, "marker": STRING, "limit": INTEGER}, ("queue_name",),
           unavailable="Subscriptions could not be listed."),
    Action("subscription_get", subscription_get, SUBSCRIPTION,
           ("queue_name", "subscription_id"),
           unavailable="Subscription {subscription_id} could not be "
                       "retrieved."),
    Action("subscription_delete", subscription_delete, SUBSCRIPTION,
           ("queue_name", "subscription_id"),
           unavailable="Subscription {subscription_id} could not be "
                       "deleted."),
)
