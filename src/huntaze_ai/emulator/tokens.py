"""Token accounting as Gemini reports it, approximated at four characters per token."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

CHARS_PER_TOKEN = 4


def tokens_for_chars(chars: int) -> int:
    return math.ceil(chars / CHARS_PER_TOKEN) if chars > 0 else 0


def estimate_tokens(text: str) -> int:
    return tokens_for_chars(len(text))


def truncate_to_tokens(text: str, budget: int) -> str:
    """The longest prefix of `text` that fits in `budget` tokens, cut at a word when possible."""
    limit = max(0, budget) * CHARS_PER_TOKEN
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip()


@dataclass(frozen=True)
class Usage:
    """usageMetadata: `prompt` includes the `cached` prefix, as Gemini counts it."""

    prompt: int
    candidates: int
    thoughts: int = 0
    cached: int = 0

    @property
    def total(self) -> int:
        return self.prompt + self.candidates + self.thoughts

    def metadata(self) -> dict[str, Any]:
        # Gemini leaves out the counts that are zero (a blocked answer has no candidatesTokenCount).
        data: dict[str, Any] = {"promptTokenCount": self.prompt}
        if self.candidates:
            data["candidatesTokenCount"] = self.candidates
        data["totalTokenCount"] = self.total
        data["promptTokensDetails"] = [{"modality": "TEXT", "tokenCount": self.prompt}]
        if self.cached:
            data["cachedContentTokenCount"] = self.cached
            data["cacheTokensDetails"] = [{"modality": "TEXT", "tokenCount": self.cached}]
        if self.thoughts:
            data["thoughtsTokenCount"] = self.thoughts
        return data
