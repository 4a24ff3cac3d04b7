"""A request's thinkingConfig, checked the way the real API checks it, and the thoughts it buys.

`maxOutputTokens` bounds thoughts and answer together (see answer.py); here only how much the
model wants to think is decided. Error messages are the real API's wording.

A model left to decide (no budget, -1, a level) thinks what it wants: a log-uniform draw from
its span (catalog.py), seeded by the prompt (answer.thinking_seed) so that it varies with the
prompt, replays for a seed, and stays the same whatever else the request sets (budget, stream,
maxOutputTokens, includeThoughts). A `thinkingBudget` bounds that want; it is not an amount to
spend. A model that wants less thinks less (a recorded 2.5 Flash answer with budget 1,024: 16
thoughts), and one that wants more stops short of the budget rather than at it (reports of real
2.5 Flash traffic: 448 thoughts with budget 512, 21 with budget 50). So with a budget the
thoughts are the smaller of the want and a share of the budget (40-95 %, drawn per prompt):
never more than the budget, never fewer than the family's floor (the whole budget when it is
below that floor). A budget of 0 is no thinking. `includeThoughts` changes nothing here:
thoughts are billed either way, and their text is never returned.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from huntaze_ai.emulator.catalog import Family, Span, family_of
from huntaze_ai.emulator.wire import BadRequest, int_or_none, invalid_enum, pick

LEVELS = ("MINIMAL", "LOW", "MEDIUM", "HIGH")
_LEVEL_FIELD = "generation_config.thinking_config.thinking_level"
_LEVEL_TYPE = "google.ai.generativelanguage.v1beta.ThinkingConfig.ThinkingLevel"


# With a thinkingBudget the model stops within this share of it (see the module's docstring).
BUDGET_SHARE = (0.4, 0.95)


@dataclass(frozen=True)
class Thinking:
    """Thoughts drawn log-uniformly from `span` (None: no thinking), within a share of `cap`."""

    span: Span | None = None
    cap: int | None = None  # the request's thinkingBudget

    def draw(self, rng: random.Random) -> int:
        if self.span is None:
            return 0
        low, high = max(1, self.span[0]), max(1, self.span[1])
        wanted = round(math.exp(rng.uniform(math.log(low), math.log(high))))
        if self.cap is None:
            return wanted
        share = round(self.cap * rng.uniform(*BUDGET_SHARE))
        return min(wanted, max(share, min(low, self.cap)))


def _level(value: Any, family: Family) -> Thinking:
    level = str(value).upper()
    if level not in LEVELS and level != "THINKING_LEVEL_UNSPECIFIED":
        raise invalid_enum(_LEVEL_FIELD, _LEVEL_TYPE, value)
    if not family.levels:
        raise BadRequest("Thinking level is not supported for this model.")
    if level == "THINKING_LEVEL_UNSPECIFIED":
        return Thinking(family.dynamic)
    if level not in family.levels:
        raise BadRequest(f"Thinking level {level} is not supported for this model.")
    return Thinking(family.levels[level])


def _budget(budget: int, family: Family) -> Thinking:
    if budget == 0:
        if not family.can_stop_thinking:
            raise BadRequest("Budget 0 is invalid. This model only works in thinking mode.")
        return Thinking()
    if budget == -1:  # dynamic: the model decides
        return Thinking(family.dynamic)
    low, high = family.budget_range or (0, -1)
    if not low <= budget <= high:
        raise BadRequest(f"The thinking budget ({budget}) is invalid.")
    return Thinking(family.dynamic, cap=budget)


def resolve_thinking(model: str, generation_config: Mapping[str, Any]) -> Thinking:
    """How this request lets `model` think; BadRequest for what the real API refuses."""
    family = family_of(model)
    config = pick(generation_config, "thinkingConfig") or {}
    budget = int_or_none(pick(config, "thinkingBudget"))
    level = pick(config, "thinkingLevel")
    if budget is not None and level is not None:
        raise BadRequest(
            "Unable to submit request because thinking_budget and thinking_level are not "
            "supported together."
        )
    if family.dynamic is None:
        if level is not None or budget not in (None, 0):
            raise BadRequest("thinking_config is not supported.")
        return Thinking()
    if level is not None:
        return _level(level, family)
    if budget is not None:
        return _budget(budget, family)
    return Thinking(family.dynamic) if family.thinks_by_default else Thinking()
