"""What a request is about, read the way a model would: the data block and the instructions.

The app's agents put untrusted input in the last user message as one JSON document between
`<<<DATA` and `DATA>>>` (llm/prompts.py) and name the platform, the creator and the tone in the
instructions (llm/prompts/*.j2). A request without them still has a context: its text alone.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

_DATA = re.compile(r"<<<DATA\s*(.*?)\s*DATA>>>", re.DOTALL)
_PLATFORM = re.compile(
    r"(?:Platform:\s*|to a fan on\s+)(onlyfans|fansly|instagram|tiktok|x)\b", re.IGNORECASE
)
_CREATOR = re.compile(r"(?:named|creator \()\s*([^\n.,)]{1,60})")
_TONE = re.compile(r"\bin an? ([a-z][a-z -]{1,30}?) tone\b", re.IGNORECASE)


def _data(text: str) -> dict[str, Any]:
    match = _DATA.search(text)
    if match is None:
        return {}
    try:
        value = json.loads(match.group(1))
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True)
class Context:
    instructions: str = ""
    message: str = ""  # the last user message
    data: dict[str, Any] = field(default_factory=dict)
    # "contact" or "leak" when asked to misbehave (the misbehave fault); None otherwise.
    misbehave: str | None = None

    @classmethod
    def of(cls, instructions: str, message: str, misbehave: str | None = None) -> Context:
        return cls(instructions, message, _data(message), misbehave)

    def _find(self, pattern: re.Pattern[str]) -> str | None:
        match = pattern.search(self.instructions)
        return match.group(1).strip() if match else None

    @property
    def platform(self) -> str | None:
        found = self._find(_PLATFORM)
        return found.lower() if found else None

    @property
    def creator(self) -> str | None:
        return self._find(_CREATOR)

    @property
    def tone(self) -> str | None:
        found = self._find(_TONE)
        return found.lower() if found else None

    def text(self, key: str) -> str:
        """A string of the data block, else the message without the fence."""
        value = self.data.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
        return _DATA.sub(" ", self.message).strip() if not self.data else ""

    def number(self, key: str, default: float = 0.0, source: dict[str, Any] | None = None) -> float:
        """A number of the data block, whether it came as a number or a decimal string."""
        value = (self.data if source is None else source).get(key)
        try:
            return float(value) if value is not None and not isinstance(value, bool) else default
        except (TypeError, ValueError):
            return default

    @property
    def fan(self) -> dict[str, Any]:
        fan = self.data.get("fan")
        return fan if isinstance(fan, dict) else {}

    @property
    def fan_name(self) -> str | None:
        """The fan's first name ("Alex B." -> "Alex")."""
        name = self.fan.get("name")
        if not isinstance(name, str) or not name.strip():
            return None
        first = name.split()[0].strip(".,")
        return first if first.isalpha() else None

    @property
    def segments(self) -> list[str]:
        segments = self.fan.get("segments")
        return [str(s) for s in segments] if isinstance(segments, list) else []
