"""Bodies of ``PUT`` and ``PATCH /v2/flavors/{flavor}`` and of their
v1.1 forms (``capabilities`` given and stored, ``pool_list`` optional)."""

from __future__ import annotations

from zaqar.common.schemas import validator

PROPERTIES = {
    "pool_list": {"type": "array",
                  "items": {"type": "string", "minLength": 1,
                            "maxLength": 255}},
    "capabilities": {"type": "object"},
}

CREATE = validator({"type": "object", "properties": PROPERTIES,
                    "oneOf": [{"required": ["pool_list"]}],
                    "additionalProperties": False})

PATCH = validator({"type": "object", "properties": PROPERTIES,
                   "additionalProperties": False})

LEGACY_CREATE = validator({"type": "object", "properties": PROPERTIES,
                           "required": ["capabilities"],
                           "additionalProperties": False})
