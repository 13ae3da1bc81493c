"""Annotated field types shared by the models: formatted strings and free JSON values."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, StrictBool, StrictFloat, StrictInt, StrictStr, WithJsonSchema

from ._formats import is_datetime, is_uuid

__all__ = ["DateTimeStr", "JsonValue", "UuidStr"]


def _check_uuid(value: str) -> str:
    if not is_uuid(value):
        raise ValueError("must be a UUID in 8-4-4-4-12 hexadecimal form")
    return value


def _check_datetime(value: str) -> str:
    if not is_datetime(value):
        raise ValueError("must be an ISO 8601 date-time such as 2025-01-31T12:00:00Z")
    return value


# Both stay strings in the models: a payload is checked, never re-formatted, so a validated
# payload serialises back byte for byte.
UuidStr = Annotated[
    StrictStr, AfterValidator(_check_uuid), WithJsonSchema({"type": "string", "format": "uuid"})
]
DateTimeStr = Annotated[
    StrictStr,
    AfterValidator(_check_datetime),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]

# One value of a free-form map (``data_schema``, ``data``, ``extraction_metadata``, ...): an
# object, an array, a string, a number, a boolean or null, as the official client types it.
JsonValue = Annotated[
    dict[str, Any] | list[Any] | StrictStr | StrictInt | StrictFloat | StrictBool | None,
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "object", "additionalProperties": True},
                {"type": "array", "items": {}},
                {"type": "string"},
                {"type": "number"},
                {"type": "boolean"},
                {"type": "null"},
            ]
        }
    ),
]
