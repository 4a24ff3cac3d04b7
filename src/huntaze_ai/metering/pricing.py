"""Prices from real token usage, as integer micro-USD, rounded up.

A model is priced by genai-prices under the provider that publishes it (Google's Gemini models,
OpenAI's hosted ones), else by the operator's explicit override (MODEL_PRICES, or
MODEL_PRICE_INPUT_USD_PER_MTOK / MODEL_PRICE_OUTPUT_USD_PER_MTOK), for a self-hosted model
genai-prices cannot know. A model with neither is `UnknownModelPrice`, never a free call; an
override for a published model is `PublishedModelPrice`: a flat input/output pair knows no cached
rate and no tiers, so it would misprice the model genai-prices prices right.

Which models the app may bill, and at what price, is settled once at start-up in a `Prices` object
that the Meter is given: every configured model (one per agent, and the budget fallback) must be in
it, so a model nobody can price stops the app from starting instead of running free.

Token counts follow genai-prices and pydantic-ai: `input_tokens` includes the cached ones, and
`output_tokens` includes thinking. Tiers (gemini-2.5-pro above 200k input tokens) are the library's.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from huntaze_ai.kit.money import usd_to_micros

# Where genai-prices is asked, in order; a model name is published by at most one of them.
PROVIDER_IDS = ("google", "openai")
# Role markers and turn framing the provider adds around the text we send.
PROMPT_OVERHEAD_TOKENS = 64
_TOKENS_PER_MTOK = Decimal(1_000_000)

PriceSource = Literal["override", "genai-prices"]


class UnknownModelPrice(LookupError):
    """No published price for the model: refusing to run rather than charging $0."""


class PublishedModelPrice(ValueError):
    """An operator's price for a model genai-prices already prices: refused, because it would
    charge cached input as input and ignore tiers (a cached token costs a tenth of an input token
    on gemini-2.5-flash; a gemini-2.5-pro prompt over 200k tokens costs twice the rate of one
    under)."""

    def __init__(self, model: str, provider: str) -> None:
        super().__init__(
            f"{model!r} is priced by genai-prices ({provider}), cached input and tiers included; "
            "an INPUT/OUTPUT price would misprice it: remove it (overrides are for models "
            "genai-prices does not know)"
        )
        self.model = model


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


@dataclass(frozen=True)
class ModelPrice:
    """An operator's price, USD per million tokens, for a model genai-prices does not know.
    Cached input is charged as input, and there are no tiers."""

    input_usd_per_mtok: Decimal
    output_usd_per_mtok: Decimal

    def __post_init__(self) -> None:
        if min(self.input_usd_per_mtok, self.output_usd_per_mtok) < 0:
            raise ValueError("prices cannot be negative")

    def total_usd(self, usage: TokenUsage) -> Decimal:
        return (
            usage.input_tokens * self.input_usd_per_mtok
            + usage.output_tokens * self.output_usd_per_mtok
        ) / _TOKENS_PER_MTOK


@functools.cache
def _published_provider(model: str) -> str | None:
    """The genai-prices provider that prices `model`, or None (cached per model)."""
    # genai-prices loads on first use: config.py imports ModelPrice, and every CLI command
    # would pay for the price tables (issue 16).
    from genai_prices import Usage, calc_price

    probe = Usage(input_tokens=1, output_tokens=1)
    for provider_id in PROVIDER_IDS:
        try:
            calc_price(probe, model, provider_id=provider_id)
        except LookupError:
            continue
        return provider_id
    return None


def price_source(model: str, override: ModelPrice | None = None) -> PriceSource:
    """Who prices `model` given `override`: raises UnknownModelPrice when nobody does, and
    PublishedModelPrice for an override of a model genai-prices prices."""
    provider = _published_provider(model)
    if override is not None:
        if provider is not None:
            raise PublishedModelPrice(model, provider)
        return "override"
    if provider is None:
        raise UnknownModelPrice(
            f"no published price for model {model!r}: set MODEL_PRICES (or "
            "MODEL_PRICE_INPUT_USD_PER_MTOK and MODEL_PRICE_OUTPUT_USD_PER_MTOK)"
        )
    return "genai-prices"


def _library_price(model: str, usage: TokenUsage) -> Decimal:
    from genai_prices import Usage, calc_price

    provider_id = _published_provider(model)
    if provider_id is None:
        raise UnknownModelPrice(f"no published price for model {model!r}")
    price = calc_price(
        Usage(
            input_tokens=usage.input_tokens,
            cache_read_tokens=usage.cached_input_tokens or None,
            output_tokens=usage.output_tokens,
        ),
        model,
        provider_id=provider_id,
    )
    return price.total_price


@functools.cache
def _linear_rates(model: str) -> tuple[Decimal, Decimal, Decimal] | None:
    """USD per million uncached input, cached input and output tokens, when genai-prices prices
    `model` with one flat price (no tiers, no dated prices): the cost is then
    linear in the token counts, and computing it here skips about 0.1 ms of the library's
    machinery per call, twice a reply (a test holds it equal to the library's). None for any
    other model, which the library prices on every call."""
    from genai_prices import data_snapshot
    from genai_prices.types import ModelPrice as PublishedPrice
    from genai_prices.types import TieredPrices

    provider_id = _published_provider(model)
    if provider_id is None:
        return None
    _, info = data_snapshot.get_snapshot().find_provider_model(model, None, provider_id, None)
    # Price variants (batch, flex tiers) apply only to a price context, which we never send.
    flat = isinstance(info.prices, PublishedPrice)
    if not flat or any(isinstance(v, TieredPrices) for v in info.prices.__dict__.values()):
        return None
    million = int(_TOKENS_PER_MTOK)
    return (
        _library_price(model, TokenUsage(million, 0)),
        _library_price(model, TokenUsage(million, 0, cached_input_tokens=million)),
        _library_price(model, TokenUsage(0, million)),
    )


def cost_micros(model: str, usage: TokenUsage) -> int:
    """What the provider charges for `usage` at `model`'s published price, rounded up to the
    next micro-dollar."""
    rates = _linear_rates(model)
    if rates is None:
        return usd_to_micros(_library_price(model, usage), round_up=True)
    uncached, cached, output = rates
    total = (
        (usage.input_tokens - usage.cached_input_tokens) * uncached
        + usage.cached_input_tokens * cached
        + usage.output_tokens * output
    ) / _TOKENS_PER_MTOK
    return usd_to_micros(total, round_up=True)


class Prices:
    """The price of every model the app may call, settled once at start-up and passed to the
    Meter: a model missing from it is `UnknownModelPrice`, never a free call."""

    def __init__(
        self, models: Iterable[str], overrides: Mapping[str, ModelPrice] | None = None
    ) -> None:
        self._overrides = dict(overrides or {})
        # Every override, used or not: one for a published model is refused, not left waiting
        # for the day that model is configured.
        for model, price in self._overrides.items():
            price_source(model, price)
        self._sources = {model: price_source(model, self._overrides.get(model)) for model in models}

    @property
    def models(self) -> tuple[str, ...]:
        return tuple(self._sources)

    def source(self, model: str) -> PriceSource:
        if model not in self._sources:
            raise UnknownModelPrice(f"model {model!r} was not priced at start-up")
        return self._sources[model]

    def cost_micros(self, model: str, usage: TokenUsage) -> int:
        """What the provider charges for `usage`, rounded up to the next micro-dollar."""
        if self.source(model) == "override":
            return usd_to_micros(self._overrides[model].total_usd(usage), round_up=True)
        return cost_micros(model, usage)

    def worst_case_micros(self, model: str, prompt: str, max_output_tokens: int) -> int:
        """The most a call can cost: the prompt's upper bound, uncached, plus every output token.

        Price is monotonic in each token count (tiers only raise it), so this bounds the real
        cost.
        """
        if max_output_tokens <= 0:
            raise ValueError("max_output_tokens must be positive")
        usage = TokenUsage(prompt_token_upper_bound(prompt), max_output_tokens)
        return self.cost_micros(model, usage)

    def is_cheaper_or_equal(self, model: str, than: str) -> bool:
        """Whether `model` costs no more than `than` per input token and per output token."""
        return all(
            self.cost_micros(model, probe) <= self.cost_micros(than, probe)
            for probe in (TokenUsage(1_000_000, 0), TokenUsage(0, 1_000_000))
        )


def prompt_token_upper_bound(prompt: str) -> int:
    """An upper bound on the tokens `prompt` can cost, without the provider's tokenizer.

    Gemini's tokenizer, like the byte-level BPE of OpenAI-compatible models, never emits a text
    token shorter than one UTF-8 byte, so bytes bound tokens from above; only the framing tokens
    need the fixed allowance.
    """
    return len(prompt.encode("utf-8")) + PROMPT_OVERHEAD_TOKENS
