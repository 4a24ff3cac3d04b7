"""How much a model may think, per model family, so an agent's answer still fits.

On Gemini 2.5 `maxOutputTokens` bounds thoughts and answer together: a model left to think as it
likes can spend the whole limit on thoughts, answer nothing and still be billed for them. So every
request sends a thinking bound, and its allowance is added to the agent's answer tokens.

    family            setting                      rules (Gemini API)
    gemini-2.5-pro    thinkingBudget 128..32768    cannot stop thinking: 0 is a 400
    gemini-2.5-flash  thinkingBudget 0..24576      0 turns thinking off
    flash-lite        thinkingBudget 0, 512..24576 does not think unless given a budget
    gemini-3          thinkingLevel                minimal/low/medium/high (pro: low/high)
    others            none                         (gemini-2.0, OpenAI-compatible models)

`dynamic` (-1) lets the model decide; it gets the same room as today's unbounded calls had.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

DYNAMIC = -1
DYNAMIC_ALLOWANCE = 1024
# Room reserved for a Gemini 3 level's thoughts; a model that thinks past it answers MAX_TOKENS.
LEVEL_ALLOWANCE = {"minimal": 256, "low": 1024, "medium": 2048, "high": 4096}


class Family(StrEnum):
    PRO_25 = "gemini-2.5-pro"
    FLASH_25 = "gemini-2.5-flash"
    FLASH_LITE_25 = "gemini-2.5-flash-lite"
    GEMINI_3 = "gemini-3"
    NO_THINKING = "no-thinking"


# family → (smallest budget, largest budget, whether 0 turns thinking off)
_BUDGETS = {
    Family.PRO_25: (128, 32768, False),
    Family.FLASH_25: (1, 24576, True),
    Family.FLASH_LITE_25: (512, 24576, True),
}


def family(model: str) -> Family:
    name = model.removeprefix("models/")
    if name.startswith("gemini-3"):
        return Family.GEMINI_3
    if name.startswith("gemini-2.5-flash-lite"):
        return Family.FLASH_LITE_25
    if name.startswith("gemini-2.5-flash"):
        return Family.FLASH_25
    if name.startswith("gemini-2.5-pro"):
        return Family.PRO_25
    return Family.NO_THINKING


def _levels(model: str) -> tuple[str, ...]:
    return ("low", "high") if "pro" in model else ("minimal", "low", "medium", "high")


@dataclass(frozen=True)
class Thinking:
    """The thinking bound one agent sends on one model."""

    budget: int | None = None  # tokens; DYNAMIC lets the model decide
    level: str | None = None  # Gemini 3

    @property
    def allowance(self) -> int:
        """Output tokens reserved for thoughts on top of the answer."""
        if self.level is not None:
            return LEVEL_ALLOWANCE[self.level]
        if self.budget == DYNAMIC:
            return DYNAMIC_ALLOWANCE
        return self.budget or 0

    def config(self) -> dict[str, Any]:
        """The request's thinkingConfig, as the REST API spells it."""
        if self.level is not None:
            return {"thinkingLevel": self.level.upper()}
        return {"thinkingBudget": self.budget}

    def describe(self) -> str:
        if self.level is not None:
            return f"thinking level {self.level}"
        if self.budget == DYNAMIC:
            return "dynamic thinking"
        return "no thinking" if self.budget == 0 else f"thinking budget {self.budget}"


class BadThinking(ValueError):
    """A thinking setting the model would refuse; the message says what it accepts."""


def default_thinking(model: str, *, deep: bool) -> Thinking | None:
    """The least thinking the model allows, or (`deep`, for analytics) a budget of 1,024."""
    fam = family(model)
    if fam is Family.NO_THINKING:
        return None
    if fam is Family.GEMINI_3:
        return Thinking(level="low")
    if deep:
        return Thinking(budget=1024)
    return Thinking(budget=_BUDGETS[fam][0] if fam is Family.PRO_25 else 0)


def parse_thinking(raw: str, model: str) -> Thinking:
    """A thinking setting (`512`, `dynamic`, `low`) checked against what `model` accepts."""
    value = raw.strip().lower()
    fam = family(model)
    if fam is Family.NO_THINKING:
        raise BadThinking(f"{model} does not take a thinking setting; leave it unset")
    if fam is Family.GEMINI_3:
        if value not in _levels(model):
            raise BadThinking(f"{model} takes a thinking level: {', '.join(_levels(model))}")
        return Thinking(level=value)
    if value in ("dynamic", "-1"):
        return Thinking(budget=DYNAMIC)
    try:
        budget = int(value)
    except ValueError:
        raise BadThinking(
            f"{value!r} is not a thinking budget: a number of tokens or dynamic"
        ) from None
    low, high, can_stop = _BUDGETS[fam]
    if budget == 0 and can_stop:
        return Thinking(budget=0)
    if not low <= budget <= high:
        zero = "0 or " if can_stop else ""
        raise BadThinking(f"{model} takes a thinking budget of {zero}{low} to {high}, or dynamic")
    return Thinking(budget=budget)
