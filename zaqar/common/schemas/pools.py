"""Bodies of ``PUT`` and ``PATCH /v2/pools/{pool}`` (the contract's
schema: the properties and bounds clients see in error texts)."""

from __future__ import annotations

from zaqar.common.schemas import validator

PROPERTIES = {
    "weight": {"type": "integer", "minimum": 0, "maximum": 2 ** 32 - 1},
    "flavor": {"type": "string", "minLength": 0, "maxLength": 255},
    "uri": {"type": "string", "minLength": 0, "maxLength": 255,
            "format": "uri"},
    "options": {"type": "object"},
}

CREATE = validator({"type": "object", "properties": PROPERTIES,
                    "required": ["uri", "weight"],
                    "additionalProperties": False})

PATCH = validator({"type": "object", "properties": PROPERTIES,
                   "additionalProperties": False})
