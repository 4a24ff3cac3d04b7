"""Safety blocks as Gemini reports them: request safetySettings, trigger phrases, ratings.

A candidate is blocked when the last user message contains a configured trigger phrase whose
harm category the request does not switch off: a trigger of probability P blocks unless the
category's threshold is BLOCK_NONE or OFF, or lets P through (BLOCK_ONLY_HIGH lets MEDIUM through).
A category the request does not set is treated as BLOCK_MEDIUM_AND_ABOVE. Real Gemini 2.5 models
default to OFF for the adjustable categories yet still block what they judge severe; the emulator
blocks by default so that an app which sends no safetySettings meets the blocks it must handle.
Triggers for a non-adjustable reason (PROHIBITED_CONTENT, BLOCKLIST, SPII) block whatever the
settings, as the real filters do.

DEFAULT_TRIGGERS, matched case-insensitively on whole words of the last user message:

- "kill yourself"  -> HARM_CATEGORY_HARASSMENT (HIGH)
- "subhuman"       -> HARM_CATEGORY_HATE_SPEECH (HIGH)
- "make a bomb"    -> HARM_CATEGORY_DANGEROUS_CONTENT (HIGH)
- "send nudes"     -> HARM_CATEGORY_SEXUALLY_EXPLICIT (HIGH): shows what the app's thresholds do
- "underage"       -> the prompt is blocked for PROHIBITED_CONTENT, whatever the settings
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from huntaze_ai.emulator.wire import invalid_enum, pick

# The adjustable categories of the Gemini API, in the order real responses list their ratings.
RATED_CATEGORIES = (
    "HARM_CATEGORY_HATE_SPEECH",
    "HARM_CATEGORY_DANGEROUS_CONTENT",
    "HARM_CATEGORY_HARASSMENT",
    "HARM_CATEGORY_SEXUALLY_EXPLICIT",
)
CATEGORIES = (*RATED_CATEGORIES, "HARM_CATEGORY_CIVIC_INTEGRITY")
# Probability at or above which each threshold blocks (None: never).
_THRESHOLDS: dict[str, str | None] = {
    "HARM_BLOCK_THRESHOLD_UNSPECIFIED": "MEDIUM",
    "BLOCK_LOW_AND_ABOVE": "LOW",
    "BLOCK_MEDIUM_AND_ABOVE": "MEDIUM",
    "BLOCK_ONLY_HIGH": "HIGH",
    "BLOCK_NONE": None,
    "OFF": None,
}
PROBABILITIES = ("NEGLIGIBLE", "LOW", "MEDIUM", "HIGH")
# Finish reasons (and prompt block reasons) no safety setting can switch off.
FIXED_REASONS = ("PROHIBITED_CONTENT", "BLOCKLIST", "SPII")
PROMPT_BLOCK_REASONS = ("SAFETY", "OTHER", "BLOCKLIST", "PROHIBITED_CONTENT")
_DEFAULT_THRESHOLD = "BLOCK_MEDIUM_AND_ABOVE"
_CATEGORY_TYPE = "google.ai.generativelanguage.v1beta.HarmCategory"
_THRESHOLD_TYPE = "google.ai.generativelanguage.v1beta.SafetySetting.HarmBlockThreshold"


@dataclass(frozen=True)
class SafetyTrigger:
    """A phrase that gets a request blocked.

    `block` is a harm category (blocked per the request's threshold, finishReason SAFETY) or one
    of FIXED_REASONS (always blocked). `prompt` blocks the prompt (promptFeedback) rather than
    the candidate.
    """

    phrase: str
    block: str
    probability: str = "HIGH"
    prompt: bool = False

    def __post_init__(self) -> None:
        if self.block not in CATEGORIES and self.block not in FIXED_REASONS:
            known = ", ".join((*CATEGORIES, *FIXED_REASONS))
            raise ValueError(f"safety trigger {self.phrase!r}: block must be one of {known}")
        if self.probability not in PROBABILITIES[1:]:
            raise ValueError(f"safety trigger {self.phrase!r}: probability LOW, MEDIUM or HIGH")
        if not self.phrase.strip():
            raise ValueError("a safety trigger needs a phrase")

    def matches(self, text: str) -> bool:
        words = r"\s+".join(re.escape(w) for w in self.phrase.split())
        return re.search(rf"(?<!\w){words}(?!\w)", text, re.IGNORECASE) is not None


DEFAULT_TRIGGERS: tuple[SafetyTrigger, ...] = (
    SafetyTrigger("kill yourself", "HARM_CATEGORY_HARASSMENT"),
    SafetyTrigger("subhuman", "HARM_CATEGORY_HATE_SPEECH"),
    SafetyTrigger("make a bomb", "HARM_CATEGORY_DANGEROUS_CONTENT"),
    SafetyTrigger("send nudes", "HARM_CATEGORY_SEXUALLY_EXPLICIT"),
    SafetyTrigger("underage", "PROHIBITED_CONTENT", prompt=True),
)


@dataclass(frozen=True)
class Block:
    """What was blocked and why: `reason` is the finishReason (or the prompt's blockReason)."""

    reason: str
    category: str | None = None
    probability: str = "HIGH"
    prompt: bool = False

    def ratings(self) -> list[dict[str, Any]]:
        """safetyRatings as real responses list them: every category, the blocking one flagged."""
        if self.category is None:
            return []
        ratings: list[dict[str, Any]] = []
        categories: tuple[str, ...] = RATED_CATEGORIES
        if self.category not in categories:
            categories = (*categories, self.category)
        for category in categories:
            if category == self.category:
                ratings.append(
                    {"category": category, "probability": self.probability, "blocked": True}
                )
            else:
                ratings.append({"category": category, "probability": "NEGLIGIBLE"})
        return ratings


def parse_safety_settings(raw: Any) -> dict[str, str]:
    """{category: threshold} of a request's safetySettings; BadRequest worded as the real API's."""
    if raw is None:
        return {}
    if not isinstance(raw, list):
        raise invalid_enum(
            "safety_settings", "google.ai.generativelanguage.v1beta.SafetySetting", raw
        )
    settings: dict[str, str] = {}
    for index, item in enumerate(raw):
        where = f"safety_settings[{index}]"
        category, threshold = pick(item, "category"), pick(item, "threshold")
        if category not in CATEGORIES:
            raise invalid_enum(f"{where}.category", _CATEGORY_TYPE, category)
        if threshold not in _THRESHOLDS:
            raise invalid_enum(f"{where}.threshold", _THRESHOLD_TYPE, threshold)
        settings[category] = threshold
    return settings


def blocks(threshold: str, probability: str) -> bool:
    floor = _THRESHOLDS[threshold]
    return floor is not None and PROBABILITIES.index(probability) >= PROBABILITIES.index(floor)


def triggered(
    text: str, settings: dict[str, str], triggers: Sequence[SafetyTrigger]
) -> Block | None:
    """The block the first matching trigger causes under these settings, if any."""
    for trigger in triggers:
        if not trigger.matches(text):
            continue
        if trigger.block in FIXED_REASONS:
            return Block(trigger.block, prompt=trigger.prompt)
        threshold = settings.get(trigger.block, _DEFAULT_THRESHOLD)
        if blocks(threshold, trigger.probability):
            return Block("SAFETY", trigger.block, trigger.probability, prompt=trigger.prompt)
    return None


def parse_trigger(text: str) -> SafetyTrigger:
    """`phrase=BLOCK` (a harm category, full or short, or PROHIBITED_CONTENT, BLOCKLIST, SPII);
    a trailing `:prompt` blocks the prompt instead of the candidate."""
    phrase, _, block = text.rpartition("=")
    block, _, where = block.partition(":")
    if not phrase.strip() or where not in ("", "prompt"):
        raise ValueError(f"safety trigger {text!r}: write it as phrase=CATEGORY[:prompt]")
    named = block.strip().upper()
    if named not in FIXED_REASONS:
        named = category_named(block) or named
    return SafetyTrigger(phrase.strip(), named, prompt=where == "prompt")


def category_named(value: str) -> str | None:
    """The category a fault header names, in full or short ("harassment"); None if unknown."""
    name = value.strip().upper()
    if not name.startswith("HARM_CATEGORY_"):
        name = f"HARM_CATEGORY_{name}"
    return name if name in CATEGORIES else None
