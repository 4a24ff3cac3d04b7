"""Prices from real token usage with genai-prices, as integer micro-USD.

Token counts follow genai-prices and pydantic-ai: `input_tokens` includes the cached ones, and
`output_tokens` includes thinking. Tiers (gemini-2.5-pro above 200k input tokens) are the library's.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from genai_prices import Usage, calc_price

from huntaze_ai.kit.money import usd_to_micros

PROVIDER_ID = "google"
# Role markers and turn framing the provider adds around the text we send.
PROMPT_OVERHEAD_TOKENS = 64


class UnknownModelPrice(LookupError):
    """No published price for the model: refusing to run rather than charging $0."""


@dataclass(frozen=True)
class TokenUsage:
    input_tokens: int
    output_tokens: int
    cached_input_tokens: int = 0

    def __post_init__(self) -> None:
        if min(self.input_tokens, self.output_tokens, self.cached_input_tokens) < 0:
            raise ValueError("token counts cannot be negative")
        if self.cached_input_tokens > self.input_tokens:
            raise ValueError("cached input tokens are part of input tokens")


def cost_micros(model: str, usage: TokenUsage) -> int:
    """What the provider charges for `usage`, rounded up to the next micro-dollar."""
    try:
        price = calc_price(
            Usage(
                input_tokens=usage.input_tokens,
                cache_read_tokens=usage.cached_input_tokens or None,
                output_tokens=usage.output_tokens,
            ),
            model,
            provider_id=PROVIDER_ID,
        )
    except LookupError:
        raise UnknownModelPrice(f"no published price for model {model!r}") from None
    return usd_to_micros(price.total_price, round_up=True)


@functools.cache
def ensure_priced(model: str) -> None:
    """Startup check: raises UnknownModelPrice for a model we could not bill correctly."""
    cost_micros(model, TokenUsage(input_tokens=1, output_tokens=1))


def prompt_token_upper_bound(prompt: str) -> int:
    """An upper bound on the tokens `prompt` can cost, without the provider's tokenizer.

    Gemini's tokenizer never emits a text token shorter than one UTF-8 byte, so bytes bound tokens
    from above; only the framing tokens need the fixed allowance.
    """
    return len(prompt.encode("utf-8")) + PROMPT_OVERHEAD_TOKENS


def worst_case_cost_micros(model: str, prompt: str, max_output_tokens: int) -> int:
    """The most a call can cost: the prompt's upper bound, uncached, plus every output token.

    Price is monotonic in each token count (tiers only raise it), so this bounds the real cost.
    """
    if max_output_tokens <= 0:
        raise ValueError("max_output_tokens must be positive")
    return cost_micros(
        model,
        TokenUsage(input_tokens=prompt_token_upper_bound(prompt), output_tokens=max_output_tokens),
    )
