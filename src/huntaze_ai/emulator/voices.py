"""Answers that read like what was asked, for the output schemas the app's agents use.

The schema filler (schema_fill.py) asks a voice for each node of the value it builds: a voice
that knows the schema returns the node's value (a reply, a caption, an insight), or NO_VALUE to
let the filler make one. The filler still holds every value to the schema (enums, lengths,
bounds, item counts), so a voice cannot make an answer invalid. Unknown schemas get no voice and
keep the generic filler.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any, Final

from huntaze_ai.emulator.config import seeded_rng
from huntaze_ai.emulator.context import Context

NodePath = tuple[str | int, ...]


class _NoValue:
    def __repr__(self) -> str:
        return "NO_VALUE"


NO_VALUE: Final = _NoValue()


class Voice:
    """The default voice has no opinion on anything."""

    def __init__(self, context: Context, rng: random.Random) -> None:
        self.context = context
        self.rng = rng

    def value(self, path: NodePath, schema: Mapping[str, Any], level: int) -> Any:
        """The value at `path`, or NO_VALUE. `level` 2 is natural, 0 the shortest (see filler)."""
        return NO_VALUE

    def count(self, path: NodePath, level: int) -> int | None:
        """How many items the array at `path` should have, or None to let the filler draw."""
        return None

    def keep(self, path: NodePath) -> bool | None:
        """Whether to fill the optional property at `path`, or None to let the filler draw."""
        return None


def enum_choice(schema: Mapping[str, Any], wanted: str, fallback: int = 0) -> Any:
    """`wanted` when the schema's enum allows it, else one of the values it does allow."""
    values = schema.get("enum")
    if not isinstance(values, list) or not values:
        return wanted
    if wanted in values:
        return wanted
    return values[min(fallback, len(values) - 1)]


def _names(schema: Any) -> set[str]:
    """Every property name anywhere in the schema (items and $defs included)."""
    found: set[str] = set()
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, Mapping):
            properties = node.get("properties")
            if isinstance(properties, Mapping):
                found.update(properties)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def voice_for(schema: Mapping[str, Any], context: Context, seed: int) -> Voice | None:
    """The voice for an output schema of one of the app's agents, or None."""
    # Imported here: the voices import this module for their base class.
    from huntaze_ai.emulator.business_text import InsightsVoice, SalesVoice
    from huntaze_ai.emulator.caption_text import CaptionsVoice
    from huntaze_ai.emulator.persona_text import ReplyVoice

    properties = schema.get("properties")
    if not isinstance(properties, Mapping):
        return None
    rng = seeded_rng(seed)
    if "reply" in properties:
        return ReplyVoice(context, rng)
    names = _names(schema)
    if "captions" in properties and "hashtags" in names:
        return CaptionsVoice(context, rng)
    if "insights" in properties and "recommended_action" in names:
        return InsightsVoice(context, rng)
    if "suggestions" in properties and "price_min_usd" in names:
        return SalesVoice(context, rng)
    return None
