"""JSON-schema documents for request bodies, and how a failed check
reads."""

from __future__ import annotations

import typing

import jsonschema

from zaqar.common import errors


def validator(schema: dict) -> jsonschema.Draft4Validator:
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def check(checker: jsonschema.Draft4Validator, document: typing.Any) -> None:
    """Raises InvalidBody ("Invalid request body") with the validator's
    own explanation of the first violation."""
    failure = jsonschema.exceptions.best_match(checker.iter_errors(document))
    if failure is not None:
        raise errors.InvalidBody(str(failure))
