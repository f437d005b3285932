"""Node actions with the semantics of their HTTP counterparts:
``ping_node`` (``/v2/ping``), ``get_home_doc`` (``/v2/``) and, with
``admin_mode``, ``check_node_health`` (``/v2/health``)."""

from __future__ import annotations

import json
import typing

from zaqar.transport.websocket.actions import Action, Call
from zaqar.transport.websocket.frames import Reply
from zaqar.transport.wsgi.v2_0 import home


def ping_node(call: Call) -> Reply:
    """204 when the storage answers, else 503 (both without content)."""
    return Reply(204 if call.api.ping() else 503, {})


def check_node_health(call: Call) -> Reply:
    return Reply(200, call.api.health())


def actions(conf: typing.Any) -> tuple[Action, ...]:
    document = json.loads(home.document(conf.admin_mode))

    def get_home_doc(call: Call) -> Reply:
        return Reply(200, document)

    found = [Action("ping_node", ping_node, body_required=False),
             Action("get_home_doc", get_home_doc, body_required=False)]
    if conf.admin_mode:
        found.append(Action("check_node_health", check_node_health,
                            body_required=False,
                            unavailable="Health status could not be read."))
    return tuple(found)
