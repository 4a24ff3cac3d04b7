"""Token accounting as Gemini reports it, approximated at four characters per token."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

CHARS_PER_TOKEN = 4
# Thinking adds this fraction of the answer's tokens on top of it, drawn per request.
THOUGHTS_FRACTION = (0.0, 0.3)


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


def draw_thoughts(rng: random.Random, answer_tokens: int, thinking_budget: int | None) -> int:
    thoughts = round(answer_tokens * rng.uniform(*THOUGHTS_FRACTION))
    if thinking_budget is not None and thinking_budget > 0:
        thoughts = min(thoughts, thinking_budget)
    return thoughts


def split_output_budget(max_output_tokens: int | None, thoughts: int) -> tuple[int, int | None]:
    """(thoughts, answer budget) so that thoughts + answer never exceed maxOutputTokens.

    Thinking keeps at most a quarter of the budget so that a short limit still leaves an answer.
    """
    if max_output_tokens is None:
        return thoughts, None
    thoughts = min(thoughts, max_output_tokens // 4)
    return thoughts, max_output_tokens - thoughts


@dataclass(frozen=True)
class Usage:
    prompt: int
    candidates: int
    thoughts: int = 0

    @property
    def total(self) -> int:
        return self.prompt + self.candidates + self.thoughts

    def metadata(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "promptTokenCount": self.prompt,
            "candidatesTokenCount": self.candidates,
            "totalTokenCount": self.total,
            "promptTokensDetails": [{"modality": "TEXT", "tokenCount": self.prompt}],
        }
        if self.thoughts:
            data["thoughtsTokenCount"] = self.thoughts
        return data
