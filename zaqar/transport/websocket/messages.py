"""Message actions.

Websocket differences from HTTP (see the contract): ``message_post``
ignores delays, ``message_list`` does not force ``include_delayed`` and
answers 404 for a missing queue, ``message_get_many`` answers 200 with an
empty list when nothing is found.
"""

from __future__ import annotations

from zaqar.common import errors
from zaqar.storage import errors as storage_errors
from zaqar.transport import utils as json_utils
from zaqar.transport.websocket import views
from zaqar.transport.websocket.actions import Action, Call, bad_body, failure
from zaqar.transport.websocket.frames import Reply
from zaqar.transport.websocket.schemas import (ARRAY, BOOLEAN, INTEGER,
                                               STRING, STRINGS)

_CLAIMED = ("This message is claimed; it cannot be deleted without a valid "
            "claim ID.")
_NOT_CLAIMED = ("A claim was specified, but the message is not currently "
                "claimed.")
_NO_CLAIM = "The specified claim does not exist or has expired."

QUEUE = {"queue_name": STRING}


def _refused_deletion(exc: storage_errors.StorageError) -> Reply:
    if isinstance(exc, (storage_errors.MessageIsClaimed,
                        storage_errors.MessageIsClaimedBy)):
        return failure(403, str(exc), _CLAIMED)
    if isinstance(exc, storage_errors.MessageNotClaimed):
        return failure(400, str(exc), _NOT_CLAIMED)
    return failure(400, str(exc), _NO_CLAIM)


_DELETE_REFUSALS = (storage_errors.MessageConflict,
                    storage_errors.ClaimDoesNotExist)


def message_post(call: Call) -> Reply:
    ctx = call.context(uuid_client_id=True)
    queue, messages = call.body["queue_name"], call.body["messages"]
    api = call.api
    api.validate.queue_identification(queue, ctx.project_id)
    metadata = api.messages.queue_metadata(ctx, queue)
    api.validate.message_post_size(len(json_utils.dumps(messages)),
                                   metadata.get("_max_messages_post_size"))
    try:
        ids = api.messages.post(ctx, queue, messages, metadata,
                                honour_delay=False)
    except errors.InvalidBody as exc:
        return bad_body(exc)
    return Reply(201, {"message_ids": ids})


def message_list(call: Call) -> Reply:
    ctx = call.context(uuid_client_id=True)
    body, api = call.body, call.api
    queue, limit = body["queue_name"], body.get("limit")
    api.validate.message_listing(limit)
    if not api.queues.exists(ctx, queue):
        return failure(404, str(storage_errors.QueueDoesNotExist(
            queue, ctx.project_id)))
    messages = api.messages.list(
        ctx, queue, body.get("marker"), limit, body.get("echo", False),
        body.get("include_claimed", False),
        body.get("include_delayed") is True)
    return Reply(200, {"messages": [views.message(m) for m in messages]})


def message_get(call: Call) -> Reply:
    message = call.api.messages.get(call.context(), call.body["queue_name"],
                                    call.body["message_id"])
    return Reply(200, {"messages": views.message(message)})


def message_get_many(call: Call) -> Reply:
    found = call.api.messages.get_many(call.context(),
                                       call.body["queue_name"],
                                       call.body["message_ids"])
    return Reply(200, {"messages": [views.message(m) for m in found]})


def message_delete(call: Call) -> Reply:
    try:
        call.api.messages.delete(call.context(), call.body["queue_name"],
                                 call.body["message_id"],
                                 call.body.get("claim_id"))
    except _DELETE_REFUSALS as exc:
        return _refused_deletion(exc)
    return Reply(204, {})


def message_delete_many(call: Call) -> Reply:
    body = call.body
    try:
        popped = call.api.messages.delete_many(
            call.context(), body["queue_name"], body.get("message_ids"),
            body.get("pop"), body.get("claim_ids"))
    except _DELETE_REFUSALS as exc:
        return _refused_deletion(exc)
    if popped is None:
        return Reply(204, {})
    return Reply(200, {"messages": [views.popped(m) for m in popped]})


ACTIONS = (
    Action("message_post", message_post, {**QUEUE, "messages": ARRAY},
           ("queue_name", "messages"),
           unavailable="Messages could not be enqueued."),
    Action("message_list", message_list,
           {**QUEUE, "marker": STRING, "limit": INTEGER, "echo": BOOLEAN,
            "include_claimed": BOOLEAN},
           ("queue_name",), unavailable="Messages could not be listed."),
    Action("message_get", message_get, {**QUEUE, "message_id": STRING},
           ("queue_name", "message_id"),
           unavailable="Message could not be retrieved."),
    Action("message_get_many", message_get_many,
           {**QUEUE, "message_ids": STRINGS},
           ("queue_name", "message_ids"),
           unavailable="Messages could not be retrieved."),
    Action("message_delete", message_delete,
           {**QUEUE, "message_id": STRING, "claim_id": STRING},
           ("queue_name", "message_id"),
           unavailable="Message could not be deleted."),
    Action("message_delete_many", message_delete_many,
           {**QUEUE, "message_ids": STRINGS, "pop": INTEGER,
            "claim_ids": STRINGS},
           ("queue_name",), unavailable="Messages could not be deleted."),
)
