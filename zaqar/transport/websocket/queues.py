"""Queue actions."""

from __future__ import annotations

from zaqar.storage import errors as storage_errors
from zaqar.transport import utils as json_utils
from zaqar.transport.websocket import views
from zaqar.transport.websocket.actions import Action, Call
from zaqar.transport.websocket.frames import Reply
from zaqar.transport.websocket.schemas import (ARRAY, BOOLEAN, INTEGER,
                                               OBJECT, STRING)

QUEUE = {"queue_name": STRING}
EMPTY_STATS = {"claimed": 0, "free": 0, "total": 0}


def queue_list(call: Call) -> Reply:
    body = call.body
    detailed = body.get("detailed", False)
    items, _ = call.api.queues.list(call.context(), marker=body.get("marker"),
                                    limit=body.get("limit"),
                                    detailed=detailed)
    return Reply(200, {"queues": [views.queue(item, detailed)
                                  for item in items]})


def queue_create(call: Call) -> Reply:
    ctx, name = call.context(), call.body["queue_name"]
    metadata = call.body.get("metadata") or {}
    call.api.validate.queue_identification(name, ctx.project_id)
    call.api.validate.queue_metadata_length(len(json_utils.dumps(metadata)))
    created = call.api.queues.create(ctx, name, metadata)
    return Reply(201 if created else 204, f"Queue {name} created.")


def queue_get(call: Call) -> Reply:
    return Reply(200, call.api.queues.get_metadata(
        call.context(), call.body["queue_name"]))


def queue_delete(call: Call) -> Reply:
    name = call.body["queue_name"]
    call.api.queues.delete(call.context(), name)
    return Reply(204, f"Queue {name} removed.")


def queue_get_stats(call: Call) -> Reply:
    try:
        stats = call.api.queues.stats(call.context(),
                                      call.body["queue_name"])
    except storage_errors.QueueDoesNotExist:
        return Reply(404, {"messages": dict(EMPTY_STATS)})
    return Reply(200, views.stats(stats))


def queue_purge(call: Call) -> Reply:
    """Unknown resource types are ignored (not validated)."""
    ctx, name = call.context(), call.body["queue_name"]
    if "resource_types" in call.body:
        types = [t for t in call.body["resource_types"] if isinstance(t, str)]
        call.api.queues.purge(ctx, name, types)
    else:
        call.api.queues.purge(ctx, name)
    return Reply(204, {})


ACTIONS = (
    Action("queue_list", queue_list,
           {"marker": STRING, "limit": INTEGER, "detailed": BOOLEAN},
           body_required=False, unavailable="Queues could not be listed."),
    Action("queue_create", queue_create, {**QUEUE, "metadata": OBJECT},
           ("queue_name",),
           unavailable="Queue {queue_name} could not be created."),
    Action("queue_get", queue_get, QUEUE, ("queue_name",),
           unavailable="Cannot retrieve queue {queue_name}."),
    Action("queue_delete", queue_delete, QUEUE, ("queue_name",),
           unavailable="Queue {queue_name} could not be deleted."),
    Action("queue_get_stats", queue_get_stats, QUEUE, ("queue_name",),
           unavailable="Cannot retrieve queue {queue_name} stats."),
    Action("queue_purge", queue_purge, {**QUEUE, "resource_types": ARRAY},
           ("queue_name",),
           unavailable="Queue {queue_name} could not be purged."),
)
