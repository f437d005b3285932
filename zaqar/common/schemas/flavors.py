"""Bodies of ``PUT`` and ``PATCH /v2/flavors/{flavor}``."""

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
