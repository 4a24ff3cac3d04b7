"""The models the emulator answers for, and how each family thinks and caches.

Figures follow Google's documentation (ai.google.dev/gemini-api/docs/thinking and /caching, read
2026-11-30): thinking budgets 128..32768 on 2.5 Pro (which cannot stop thinking), 0..24576 on 2.5
Flash, 0 or 512..24576 on 2.5 Flash-Lite (which does not think unless asked); Gemini 3 models take
a `thinkingLevel` instead (Pro: low/high, Flash: minimal/low/medium/high). Implicit caching needs a
prompt of at least 2,048 tokens on 2.5 models and 4,096 on Gemini 3 (the October 2026 table).

How many tokens a model spends thinking is not documented. `dynamic` is what a model thinks when
left to decide, drawn log-uniformly per prompt (thinking.py). The 2.5 floors are just under the
fewest thoughts that public recordings of real traffic report with thinking on: 2.5 Pro 101,
111, 147, 285 and 759 on short prompts (pydantic/pydantic-ai tests/models/cassettes/test_google/:
test_google_model_retry, _thinking_config, _thinking_part_iter), 2.5 Flash 16 to 204 on short
prompts (test_gemini/test_gemini_model_thinking_part, test_google/ *_native_output and
test_google_stream_usage_is_live_mid_stream; simonw/llm-gemini tests/cassettes/test_gemini/
test_tools) and a thousand or more on long ones. Google documents dynamic thinking on 2.5 models
as "up to 8,192" tokens, above every ceiling here. The Gemini 3 and Flash-Lite ranges are
unchanged estimates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# The public Gemini models of late 2026 that the product may be configured with.
KNOWN_MODELS: tuple[str, ...] = (
    "gemini-2.5-pro",
    "gemini-2.5-flash",
    "gemini-2.5-flash-lite",
    "gemini-2.0-flash",
    "gemini-2.0-flash-lite",
    "gemini-3-pro-preview",
    "gemini-3-flash-preview",
)

Span = tuple[int, int]


@dataclass(frozen=True)
class Family:
    """How one family of models thinks, caches and bounds its output."""

    name: str
    # Thoughts drawn when the model thinks as it sees fit; None: it cannot think at all.
    dynamic: Span | None
    thinks_by_default: bool = True
    # Accepted positive thinkingBudget values; None: thinkingBudget is not supported.
    budget_range: Span | None = None
    can_stop_thinking: bool = True
    # Thoughts drawn per thinkingLevel; empty: thinkingLevel is not supported.
    levels: dict[str, Span] = field(default_factory=dict)
    cache_min_tokens: int | None = None
    output_limit: int = 65_536

    @property
    def thinks(self) -> bool:
        return self.dynamic is not None


_PRO_25 = Family(
    "gemini-2.5-pro",
    dynamic=(100, 4_000),
    budget_range=(128, 32_768),
    can_stop_thinking=False,
    cache_min_tokens=2_048,
)
_FLASH_25 = Family(
    "gemini-2.5-flash", dynamic=(15, 2_000), budget_range=(1, 24_576), cache_min_tokens=2_048
)
_FLASH_LITE_25 = Family(
    "gemini-2.5-flash-lite",
    dynamic=(80, 1_500),
    thinks_by_default=False,
    budget_range=(512, 24_576),
    cache_min_tokens=2_048,
)
_PRO_3 = Family(
    "gemini-3-pro",
    dynamic=(400, 6_000),
    budget_range=(128, 32_768),
    can_stop_thinking=False,
    levels={"LOW": (150, 1_200), "HIGH": (400, 6_000)},
    cache_min_tokens=4_096,
)
_FLASH_3 = Family(
    "gemini-3-flash",
    dynamic=(300, 4_000),
    budget_range=(1, 24_576),
    levels={"MINIMAL": (0, 40), "LOW": (80, 800), "MEDIUM": (200, 2_000), "HIGH": (300, 4_000)},
    cache_min_tokens=4_096,
)
_NO_THINKING = Family("gemini", dynamic=None, thinks_by_default=False, output_limit=8_192)


def normalize_model(name: str) -> str:
    return name.removeprefix("models/")


def family_of(model: str) -> Family:
    """The family of a model name, by prefix, so that dated and preview versions behave alike."""
    name = normalize_model(model)
    if name.startswith("gemini-3"):
        return _FLASH_3 if "flash" in name else _PRO_3
    if name.startswith("gemini-2.5-flash-lite"):
        return _FLASH_LITE_25
    if name.startswith("gemini-2.5-flash"):
        return _FLASH_25
    if name.startswith("gemini-2.5-pro"):
        return _PRO_25
    return _NO_THINKING


def is_servable(name: str) -> bool:
    """Any `gemini-*` name: new model versions should not need an emulator release."""
    return normalize_model(name).startswith("gemini-")


def model_resource(model: str) -> dict[str, Any]:
    name = normalize_model(model)
    family = family_of(name)
    return {
        "name": f"models/{name}",
        "version": "001",
        "displayName": name.replace("-", " ").title() + " (emulated)",
        "description": "Served by the Huntaze built-in Gemini API emulator.",
        "inputTokenLimit": 1_048_576,
        "outputTokenLimit": family.output_limit,
        "supportedGenerationMethods": ["generateContent", "countTokens", "streamGenerateContent"],
        "temperature": 1.0,
        "topP": 0.95,
        "topK": 64,
        "maxTemperature": 2.0,
        "thinking": family.thinks,
    }


def models_list() -> dict[str, Any]:
    return {"models": [model_resource(name) for name in KNOWN_MODELS]}
