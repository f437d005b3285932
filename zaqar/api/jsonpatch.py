"""The JSON-patch subset used to update queue (and topic) metadata.

Only ``add``, ``replace`` and ``remove`` on ``/metadata/<key>`` exist. The
error texts are the upstream ones, which clients display.
"""

from __future__ import annotations

import typing

from zaqar.common import errors

OPERATIONS = ("add", "remove", "replace")
_OPS_TEXT = ", ".join(OPERATIONS)


def parse(document: typing.Any) -> list[tuple[str, str, typing.Any]]:
    """Validate a patch document; return ``(op, key, value)`` triples."""
    if not isinstance(document, list):
        raise errors.InvalidBody(
            "Request body must be a JSON array of operation objects.")
    parsed = []
    for operation in document:
        if not isinstance(operation, dict):
            raise errors.InvalidBody("Operations must be JSON objects.")
        if "op" not in operation:
            raise errors.InvalidBody(
                "Unable to find `op` in JSON Schema change. It must be one "
                f"of the following: {_OPS_TEXT}.")
        op = operation["op"]
        if op not in OPERATIONS:
            raise errors.InvalidBody(
                f"Invalid operation: `{op}`. It must be one of the "
                f"following: {_OPS_TEXT}.")
        if "path" not in operation:
            raise errors.InvalidBody(
                "Unable to find 'path' in JSON Schema change")
        segments = _pointer(operation["path"])
        if len(segments) != 2:
            raise errors.InvalidBody(
                "Invalid JSON pointer for this resource: "
                f"'/{'/'.join(segments)}, e.g /metadata/key'")
        if op != "remove" and "value" not in operation:
            raise errors.InvalidBody(
                f'Operation "{op}" requires a member named "value".')
        parsed.append((op, segments, operation.get("value")))
    for _, segments, _ in parsed:
        if segments[0].lower() != "metadata":
            raise errors.InvalidBody(
                "The root of path must be metadata, e.g /metadata/key.")
    return [(op, segments[1], value) for op, segments, value in parsed]


def _pointer(pointer: typing.Any) -> list[str]:
    if not isinstance(pointer, str) or not pointer.startswith("/"):
        raise errors.InvalidBody(
            f'Pointer `{pointer}` does not start with "/".')
    if "//" in pointer:
        raise errors.InvalidBody(f'Pointer `{pointer}` contains adjacent "/".')
    if len(pointer) > 1 and pointer.endswith("/"):
        raise errors.InvalidBody(f'Pointer `{pointer}` end with "/".')
    segments = []
    for raw in pointer[1:].split("/"):
        if "~" in raw.replace("~0", "").replace("~1", ""):
            raise errors.InvalidBody(
                f'Pointer `{pointer}` contains "~" not part of a recognized '
                "escape sequence.")
        segments.append(raw.replace("~1", "/").replace("~0", "~").strip())
    return segments


def apply(metadata: dict, operations: list[tuple[str, str, typing.Any]],
          reserved: typing.Container[str]) -> dict:
    """Apply parsed operations in order to a copy of ``metadata``.

    Removing or replacing an absent key is a conflict, except for reserved
    attributes (clients remove every reserved key they have seen).
    """
    result = dict(metadata)
    for op, key, value in operations:
        if op == "add":
            result[key] = value
        elif op == "replace":
            if key not in result and key not in reserved:
                raise errors.Conflict(
                    f"Can't replace non-existent object {key}.")
            result[key] = value
        elif key in result:
            del result[key]
        elif key not in reserved:
            raise errors.Conflict(f"Can't remove non-existent object {key}.")
    return result
