from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from huntaze_ai.metering import pricing
from huntaze_ai.metering.pricing import (
    ModelPrice,
    Prices,
    PublishedModelPrice,
    TokenUsage,
    UnknownModelPrice,
    cost_micros,
    price_source,
    prompt_token_upper_bound,
)

PRO = "gemini-2.5-pro"
SELF_HOSTED = "llama3.1:8b"
PRO_PRICES = Prices([PRO])


def test_gemini_pro_is_priced_per_published_rates_in_micro_usd() -> None:
    # $1.25 / 1M input, $10 / 1M output up to 200k input tokens.
    assert cost_micros(PRO, TokenUsage(input_tokens=1_000, output_tokens=1_000)) == 11_250
    # Output includes thinking: 500 visible + 1500 thinking tokens are 2000 output tokens.
    assert cost_micros(PRO, TokenUsage(input_tokens=0, output_tokens=2_000)) == 20_000


def test_the_long_context_tier_prices_everything_at_the_higher_rate() -> None:
    # Above 200k input tokens: $2.50 in, $15 out.
    assert cost_micros(PRO, TokenUsage(input_tokens=300_000, output_tokens=1_000)) == 765_000
    at_limit = cost_micros(PRO, TokenUsage(input_tokens=200_000, output_tokens=0))
    assert at_limit == 250_000


def test_cached_input_is_charged_at_the_cache_rate() -> None:
    uncached = cost_micros(PRO, TokenUsage(input_tokens=100_000, output_tokens=0))
    cached = cost_micros(
        PRO, TokenUsage(input_tokens=100_000, output_tokens=0, cached_input_tokens=100_000)
    )
    assert uncached == 125_000
    assert cached == 12_500


def test_flash_models_have_their_own_prices() -> None:
    usage = TokenUsage(input_tokens=1_000_000, output_tokens=1_000_000)
    assert cost_micros("gemini-2.5-flash", usage) == 2_800_000
    assert cost_micros("gemini-2.5-flash-lite", usage) == 500_000


def test_a_model_without_a_price_is_an_error_never_a_free_call() -> None:
    with pytest.raises(UnknownModelPrice, match="gemini-9-ultra"):
        cost_micros("gemini-9-ultra", TokenUsage(10, 10))
    with pytest.raises(UnknownModelPrice):
        Prices(["not-a-model"])


def test_openai_hosted_models_are_priced_by_genai_prices() -> None:
    usage = TokenUsage(input_tokens=1_000_000, output_tokens=1_000_000)
    # gpt-4o: $2.50 in, $10 out; gpt-4o-mini: $0.15 in, $0.60 out per 1M tokens.
    assert cost_micros("gpt-4o", usage) == 12_500_000
    assert cost_micros("gpt-4o-mini", usage) == 750_000
    assert price_source("gpt-4o") == "genai-prices"
    assert Prices(["gpt-4o"]).cost_micros("gpt-4o", usage) == 12_500_000


def test_a_self_hosted_model_without_an_override_is_refused() -> None:
    with pytest.raises(UnknownModelPrice, match="MODEL_PRICES"):
        Prices([SELF_HOSTED])
    with pytest.raises(UnknownModelPrice):
        cost_micros(SELF_HOSTED, TokenUsage(10, 10))


def test_an_override_prices_an_unknown_model_exactly_rounded_up() -> None:
    prices = Prices([SELF_HOSTED], {SELF_HOSTED: ModelPrice(Decimal("0.15"), Decimal("0.45"))})
    assert prices.source(SELF_HOSTED) == "override"
    # 1234 × $0.15/M + 567 × $0.45/M = $0.00044025: 441 micro-USD, never 440.
    assert prices.cost_micros(SELF_HOSTED, TokenUsage(1_234, 567)) == 441
    # Cached input is charged as input (no cache rate was given).
    cached = TokenUsage(1_000_000, 0, cached_input_tokens=1_000_000)
    assert prices.cost_micros(SELF_HOSTED, cached) == 150_000
    assert prices.worst_case_micros(SELF_HOSTED, "x" * 936, 2_000) == 150 + 900


def test_an_explicit_zero_override_is_free_and_a_table_without_it_refuses() -> None:
    free = Prices([SELF_HOSTED], {SELF_HOSTED: ModelPrice(Decimal(0), Decimal(0))})
    assert free.cost_micros(SELF_HOSTED, TokenUsage(10_000, 10_000)) == 0
    with pytest.raises(UnknownModelPrice):
        Prices([SELF_HOSTED])


def test_a_model_not_priced_at_start_up_is_refused_never_free() -> None:
    with pytest.raises(UnknownModelPrice, match="start-up"):
        PRO_PRICES.cost_micros("gemini-2.5-flash", TokenUsage(10, 10))


def test_an_override_for_a_model_genai_prices_prices_is_refused_as_it_would_misprice_it() -> None:
    flash = "gemini-2.5-flash"
    # What a flat pair cannot say: flash's cached input at a tenth of its input rate, and pro's
    # prompts over 200k tokens at twice its rate (a $1.25 pair would charge 312_500).
    cached = TokenUsage(1_000_000, 0, cached_input_tokens=1_000_000)
    assert cost_micros(flash, cached) * 10 == cost_micros(flash, TokenUsage(1_000_000, 0))
    assert cost_micros(PRO, TokenUsage(250_000, 0)) == 625_000
    with pytest.raises(PublishedModelPrice, match=r"'gemini-2\.5-flash' is priced by genai-prices"):
        Prices([flash], {flash: ModelPrice(Decimal("0.30"), Decimal("2.50"))})
    with pytest.raises(PublishedModelPrice, match="gpt-4o"):
        price_source("gpt-4o", ModelPrice(Decimal(1), Decimal(2)))
    # Refused even where no configured model uses it yet.
    with pytest.raises(PublishedModelPrice, match="gpt-4o"):
        Prices([PRO], {"gpt-4o": ModelPrice(Decimal(1), Decimal(2))})
    # An unknown model's override is still what prices it, alongside published ones.
    mixed = Prices([SELF_HOSTED, PRO], {SELF_HOSTED: ModelPrice(Decimal(1), Decimal(2))})
    assert mixed.cost_micros(SELF_HOSTED, TokenUsage(1_000_000, 1_000_000)) == 3_000_000
    assert mixed.cost_micros(PRO, TokenUsage(input_tokens=1_000, output_tokens=1_000)) == 11_250


def test_a_cheaper_model_is_cheaper_on_input_and_output_alike() -> None:
    prices = Prices([PRO, "gemini-2.5-flash", "gemini-2.5-flash-lite"])
    assert prices.is_cheaper_or_equal("gemini-2.5-flash", PRO)
    assert prices.is_cheaper_or_equal("gemini-2.5-flash-lite", "gemini-2.5-flash")
    assert not prices.is_cheaper_or_equal(PRO, "gemini-2.5-flash")


def test_a_negative_override_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        ModelPrice(Decimal("-0.01"), Decimal(1))


def test_inconsistent_token_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        TokenUsage(-1, 0)
    with pytest.raises(ValueError, match="cached"):
        TokenUsage(10, 0, cached_input_tokens=11)


def test_the_prompt_bound_counts_bytes_so_non_ascii_text_is_not_underestimated() -> None:
    assert prompt_token_upper_bound("héllo") == len("héllo".encode()) + 64
    assert prompt_token_upper_bound("🙂" * 10) == 40 + 64


tokens = st.integers(min_value=0, max_value=2_000_000)


@settings(max_examples=200, deadline=None)
@given(tokens, tokens, tokens, tokens)
def test_cost_never_decreases_when_any_token_count_grows(a: int, b: int, da: int, db: int) -> None:
    base = cost_micros(PRO, TokenUsage(a, b))
    assert base >= 0
    assert cost_micros(PRO, TokenUsage(a + da, b)) >= base
    assert cost_micros(PRO, TokenUsage(a, b + db)) >= base


@settings(max_examples=200, deadline=None)
@given(
    st.text(max_size=3_000),
    st.integers(min_value=1, max_value=65_536),
    st.data(),
)
def test_the_worst_case_bounds_every_real_usage_within_the_limits(
    prompt: str, max_output: int, data: st.DataObject
) -> None:
    bound = prompt_token_upper_bound(prompt)
    real_in = data.draw(st.integers(min_value=0, max_value=bound))
    cached = data.draw(st.integers(min_value=0, max_value=real_in))
    real_out = data.draw(st.integers(min_value=0, max_value=max_output))
    real = cost_micros(PRO, TokenUsage(real_in, real_out, cached))
    assert real <= PRO_PRICES.worst_case_micros(PRO, prompt, max_output)


FLAT_MODELS = ["gemini-2.5-flash", "gemini-2.5-flash-lite", "gemini-2.0-flash", "gpt-4o-mini"]


def test_flat_priced_models_take_the_fast_path_and_tiered_ones_the_library() -> None:
    assert all(pricing._linear_rates(model) is not None for model in FLAT_MODELS)
    assert pricing._linear_rates(PRO) is None  # the long-context tier


@settings(max_examples=300, deadline=None)
@given(
    model=st.sampled_from([*FLAT_MODELS, PRO]),
    input_tokens=st.integers(0, 2_000_000),
    cached_share=st.floats(0, 1),
    output_tokens=st.integers(0, 200_000),
)
def test_every_cost_is_the_libraries_to_the_micro_dollar(
    model: str, input_tokens: int, cached_share: float, output_tokens: int
) -> None:
    usage = TokenUsage(input_tokens, output_tokens, int(input_tokens * cached_share))
    library = pricing.usd_to_micros(pricing._library_price(model, usage), round_up=True)
    assert cost_micros(model, usage) == library
