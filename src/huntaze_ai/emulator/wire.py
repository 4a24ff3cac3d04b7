"""Reading Gemini's JSON wire format: both key spellings, proto integers, and its 400 wording."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from typing import Any


class BadRequest(ValueError):
    """The body is not a request Gemini would accept; the message goes back to the caller.

    `field` names the offending field (proto path) for the BadRequest detail real errors carry.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field

    def details(self) -> list[dict[str, Any]] | None:
        if self.field is None:
            return None
        violation = {"field": self.field, "description": str(self)}
        return [
            {"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [violation]}
        ]


@functools.cache
def _snake(camel: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", camel).lower()


def pick(obj: Any, camel: str, default: Any = None) -> Any:
    """The value under `camel` or its snake_case spelling: the SDK sends both in one body."""
    if not isinstance(obj, Mapping):
        return default
    if camel in obj:
        return obj[camel]
    return obj.get(_snake(camel), default)


def int_or_none(value: Any) -> int | None:
    # Proto int64 fields travel as JSON strings.
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        raise BadRequest(f"Invalid value {value!r}: expected an integer") from None


def invalid_enum(field: str, proto_type: str, value: Any) -> BadRequest:
    """How the API words an enum value it does not know (proto JSON parsing)."""
    shown = json.dumps(value, ensure_ascii=False)
    return BadRequest(
        f"Invalid value at '{field}' (type.googleapis.com/{proto_type}), {shown}", field
    )
