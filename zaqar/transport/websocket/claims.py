"""Claim actions."""

from __future__ import annotations

from zaqar.common import errors
from zaqar.transport.websocket import views
from zaqar.transport.websocket.actions import Action, Call, bad_body, failure
from zaqar.transport.websocket.frames import Reply
from zaqar.transport.websocket.schemas import INTEGER, STRING

QUEUE = {"queue_name": STRING}
CLAIM = {**QUEUE, "claim_id": STRING}
TERMS = ("ttl", "grace")


def _terms(body: dict) -> dict:
    return {key: body[key] for key in TERMS if key in body}


def _missing(exc: errors.NotFound, claim_id: str) -> Reply:
    return failure(404, exc.description, f"Claim {claim_id} does not exist.")


def claim_create(call: Call) -> Reply:
    """201 with the claimed messages; 204 when nothing was claimed."""
    claim_id, messages = call.api.claims.create(
        call.context(), call.body["queue_name"], call.body.get("limit"),
        _terms(call.body))
    if not messages:
        return Reply(204, {"claim_id": claim_id})
    return Reply(201, {"claim_id": claim_id,
                       "messages": [views.message(m, claim_id)
                                    for m in messages]})


def claim_get(call: Call) -> Reply:
    claim_id = call.body["claim_id"]
    try:
        claim, messages = call.api.claims.get(
            call.context(), call.body["queue_name"], claim_id)
    except errors.NotFound as exc:
        return _missing(exc, claim_id)
    return Reply(200, {"age": claim["age"], "ttl": claim["ttl"],
                       "messages": [views.message(m, claim_id)
                                    for m in messages]})


def claim_update(call: Call) -> Reply:
    claim_id = call.body["claim_id"]
    try:
        call.api.claims.update(call.context(), call.body["queue_name"],
                               claim_id, _terms(call.body))
    except errors.InvalidBody as exc:  # grace, which the schema leaves open
        return bad_body(exc)
    except errors.NotFound as exc:
        return _missing(exc, claim_id)
    return Reply(204, f"Claim {claim_id} updated.")


def claim_delete(call: Call) -> Reply:
    claim_id = call.body["claim_id"]
    call.api.claims.delete(call.context(), call.body["queue_name"], claim_id)
    return Reply(204, f"Claim {claim_id} deleted.")


ACTIONS = (
    Action("claim_create", claim_create,
           {**QUEUE, "limit": INTEGER, "ttl": INTEGER, "grace": INTEGER},
           ("queue_name",), unavailable="Claim could not be created."),
    Action("claim_get", claim_get, CLAIM, ("queue_name", "claim_id"),
           unavailable="Claim could not be queried."),
    # As upstream, the schema takes any grace; the handler checks it.
    Action("claim_update", claim_update,
           {**CLAIM, "ttl": INTEGER, "grace": {}},
           ("queue_name", "claim_id"),
           unavailable="Claim could not be updated."),
    Action("claim_delete", claim_delete, CLAIM, ("queue_name", "claim_id"),
           unavailable="Claim could not be deleted."),
)
