"""Which model and thinking bound each agent gets, and what refuses to start."""

from __future__ import annotations

from typing import Any

import pytest

from huntaze_ai.config import ConfigError, Settings
from huntaze_ai.llm.models import load_model_plan, plan_models
from huntaze_ai.llm.thinking import BadThinking, Thinking, parse_thinking
from huntaze_ai.metering.kinds import Feature


def _plan(**values: Any) -> Any:
    return plan_models(Settings(**values))


def _models(**values: Any) -> dict[str, str]:
    return {f.value: p.model for f, p in _plan(**values).agents.items()}


def test_with_no_setting_each_agent_runs_on_the_origin_apps_model() -> None:
    plan = _plan()
    assert _models() == {
        "messaging": "gemini-2.5-flash",
        "content": "gemini-2.5-flash",
        "analytics": "gemini-2.5-pro",
        "sales": "gemini-2.5-flash",
    }
    # Flash stops thinking at 0; analytics on pro gets room to reason.
    assert plan.agents[Feature.MESSAGING].thinking == Thinking(budget=0)
    assert plan.agents[Feature.ANALYTICS].thinking == Thinking(budget=1024)
    assert plan.fallbacks == {}


def test_gemini_model_applies_to_every_agent_and_a_per_agent_setting_wins() -> None:
    assert set(_models(gemini_model="gemini-2.5-flash-lite").values()) == {"gemini-2.5-flash-lite"}
    models = _models(gemini_model="gemini-2.5-flash-lite", analytics_model="gemini-2.5-pro")
    assert models["analytics"] == "gemini-2.5-pro"
    assert models["messaging"] == "gemini-2.5-flash-lite"
    assert _models(sales_model="gemini-2.5-pro")["sales"] == "gemini-2.5-pro"


def test_pro_cannot_stop_thinking_so_its_least_is_128() -> None:
    plan = _plan(gemini_model="gemini-2.5-pro")
    assert plan.agents[Feature.MESSAGING].thinking == Thinking(budget=128)
    assert plan.agents[Feature.MESSAGING].thinking.allowance == 128


def test_gemini_3_takes_a_level_and_older_models_no_thinking_setting() -> None:
    plan = _plan(gemini_model="gemini-3-flash-preview", content_thinking="minimal")
    assert plan.agents[Feature.CONTENT].thinking == Thinking(level="minimal")
    assert plan.agents[Feature.CONTENT].thinking.config() == {"thinkingLevel": "MINIMAL"}
    assert plan.agents[Feature.SALES].thinking == Thinking(level="low")
    assert _plan(gemini_model="gemini-2.0-flash").agents[Feature.SALES].thinking is None


@pytest.mark.parametrize(
    ("raw", "model", "expected"),
    [
        ("0", "gemini-2.5-flash", Thinking(budget=0)),
        ("24576", "gemini-2.5-flash", Thinking(budget=24576)),
        ("dynamic", "gemini-2.5-pro", Thinking(budget=-1)),
        ("-1", "gemini-2.5-flash", Thinking(budget=-1)),
        ("128", "gemini-2.5-pro", Thinking(budget=128)),
        ("512", "gemini-2.5-flash-lite", Thinking(budget=512)),
        ("HIGH", "gemini-3-pro-preview", Thinking(level="high")),
    ],
)
def test_thinking_settings_the_model_accepts(raw: str, model: str, expected: Thinking) -> None:
    assert parse_thinking(raw, model) == expected


@pytest.mark.parametrize(
    ("raw", "model"),
    [
        ("0", "gemini-2.5-pro"),  # the real API answers 400
        ("127", "gemini-2.5-pro"),
        ("40000", "gemini-2.5-flash"),
        ("100", "gemini-2.5-flash-lite"),
        ("minimal", "gemini-3-pro-preview"),
        ("1024", "gemini-3-flash-preview"),
        ("lots", "gemini-2.5-flash"),
        ("0", "gemini-2.0-flash"),
    ],
)
def test_thinking_settings_the_model_would_refuse(raw: str, model: str) -> None:
    with pytest.raises(BadThinking):
        parse_thinking(raw, model)


def test_dynamic_thinking_gets_the_room_unbounded_calls_always_had() -> None:
    assert Thinking(budget=-1).allowance == 1024
    assert Thinking(budget=-1).config() == {"thinkingBudget": -1}


def test_the_fallback_stands_in_for_every_dearer_agent_and_thinks_least() -> None:
    plan = _plan(quota_fallback_model="gemini-2.5-flash")
    # Messaging, content and sales already run on flash: only analytics falls back.
    assert set(plan.fallbacks) == {Feature.ANALYTICS}
    assert plan.fallbacks[Feature.ANALYTICS].thinking == Thinking(budget=0)
    _, prices = load_model_plan(Settings(quota_fallback_model="gemini-2.5-flash"))
    assert set(prices.models) == {"gemini-2.5-flash", "gemini-2.5-pro"}


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"messaging_model": "gemini-9-ultra"}, "MESSAGING_MODEL"),
        ({"gemini_model": "gemini-0.1"}, "GEMINI_MODEL"),
        ({"quota_fallback_model": "gemini-9-ultra"}, "QUOTA_FALLBACK_MODEL"),
        ({"sales_model": "gpt-4o"}, "SALES_MODEL"),
        ({"analytics_thinking": "0"}, "ANALYTICS_THINKING"),
        (
            {"gemini_model": "gemini-2.5-flash", "quota_fallback_model": "gemini-2.5-pro"},
            "QUOTA_FALLBACK_MODEL",
        ),
    ],
)
def test_a_bad_model_setting_refuses_to_start_naming_its_variable(
    values: dict[str, Any], named: str
) -> None:
    with pytest.raises(ConfigError, match=f"^{named}: "):
        load_model_plan(Settings(**values))


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"gemini_model": "gemini-flash-latest"}, "GEMINI_MODEL"),
        ({"analytics_model": "gemini-pro-latest"}, "ANALYTICS_MODEL"),
        ({"messaging_model": "models/gemini-flash-lite-latest"}, "MESSAGING_MODEL"),
        ({"quota_fallback_model": "gemini-flash-lite-latest"}, "QUOTA_FALLBACK_MODEL"),
    ],
)
def test_a_latest_alias_refuses_to_start_asking_for_a_pinned_model(
    values: dict[str, Any], named: str
) -> None:
    """An alias's thinking family and price are those of whatever model it points to today,
    which the app cannot know: it would send no thinking bound to a model that thinks."""
    with pytest.raises(ConfigError, match=f"^{named}: .*-latest.*pin a versioned model"):
        load_model_plan(Settings(**values))


def test_an_explicit_price_makes_an_unknown_model_usable() -> None:
    settings = Settings(messaging_model="gemini-9-ultra", model_prices="gemini-9-ultra=0.1/0.4")
    plan, prices = load_model_plan(settings)
    assert plan.agents[Feature.MESSAGING].model == "gemini-9-ultra"
    assert prices.source("gemini-9-ultra") == "override"


def test_the_openai_provider_serves_every_agent_with_its_one_model() -> None:
    plan = _plan(llm_provider="openai", openai_base_url="http://x/v1", openai_model="llama3.1")
    assert {p.model for p in plan} == {"llama3.1"}
    assert all(p.thinking is None for p in plan)


def test_a_fallback_with_the_openai_provider_refuses_to_start_rather_than_being_ignored() -> None:
    """Every agent runs on OPENAI_MODEL, so a fallback would be silently unused and creators
    would get the 402 it promises to avoid: the app refuses to start, naming it."""
    settings = Settings(
        llm_provider="openai",
        openai_base_url="http://x/v1",
        openai_model="llama3.1",
        model_prices="llama3.1=0.1/0.3",
        quota_fallback_model="gemini-2.5-flash-lite",
    )
    with pytest.raises(ConfigError, match=r"^QUOTA_FALLBACK_MODEL: .*LLM_PROVIDER=openai"):
        load_model_plan(settings)


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"model_prices": "gemini-2.5-flash=0.30/2.50"}, "MODEL_PRICES"),
        # Not a configured model, still refused: it would misprice the day it is.
        ({"model_prices": "my-model=1/2, gpt-4o=2.5/10"}, "MODEL_PRICES"),
        (
            {
                "gemini_model": "gemini-2.5-pro",
                "model_price_input_usd_per_mtok": "1.25",
                "model_price_output_usd_per_mtok": "10",
            },
            "MODEL_PRICE_INPUT_USD_PER_MTOK",
        ),
    ],
)
def test_an_override_of_a_model_genai_prices_prices_refuses_to_start_naming_its_variable(
    values: dict[str, Any], named: str
) -> None:
    with pytest.raises(ConfigError, match=f"^{named}: '.+' is priced by genai-prices"):
        load_model_plan(Settings(**values))
