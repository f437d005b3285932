"""JSON schemas (Draft 4) of the request frames, compiled once.

A frame is ``{"action", "headers", "body"}``; the identifying headers are
strings (the signed-request lists excepted) and every action declares the
types of its body keys. Unknown keys are allowed everywhere.
"""

from __future__ import annotations

import typing

import jsonschema

STRING = {"type": "string"}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}
OBJECT = {"type": "object"}
ARRAY = {"type": "array"}
STRINGS = {"type": "array", "items": STRING}
# Project ids with control characters are refused: storage uses such ids
# for namespaces no client may reach (topics, notification jobs), and
# HTTP header values cannot carry them either.
PROJECT_ID = {"type": "string", "pattern": "^[^\\x00-\\x1f\\x7f]*$"}

HEADERS = {
    "type": "object",
    "properties": {
        "Client-ID": STRING,
        "X-Project-ID": PROJECT_ID,
        "X-Auth-Token": STRING,
        "User-Agent": STRING,
        "Date": STRING,
        "Accept": STRING,
        "URL-Signature": STRING,
        "URL-Expires": STRING,
        "URL-Methods": STRINGS,
        "URL-Paths": STRINGS,
    },
    "required": ["Client-ID", "X-Project-ID"],
}


def frame_schema(action: typing.Any) -> dict:
    """The schema of a whole frame of ``action`` (an ``actions.Action``)."""
    body: dict = {"type": "object", "properties": dict(action.params)}
    if action.required:
        body["required"] = list(action.required)
    required = ["action", "headers"]
    if action.body_required:
        required.append("body")
    return {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "type": "object",
        "properties": {"action": {"enum": [action.name]},
                       "headers": HEADERS, "body": body},
        "required": required,
    }


def compile_validators(actions: typing.Iterable[typing.Any]
                       ) -> dict[str, jsonschema.Draft4Validator]:
    validators = {}
    for action in actions:
        schema = frame_schema(action)
        jsonschema.Draft4Validator.check_schema(schema)
        validators[action.name] = jsonschema.Draft4Validator(schema)
    return validators
