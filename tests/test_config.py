from __future__ import annotations

from decimal import Decimal

import pytest

from huntaze_ai.config import DEFAULT_SECRET_KEY, HARM_CATEGORIES, ConfigError, load_settings
from huntaze_ai.metering.pricing import ModelPrice


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    for name in (
        "HUNTAZE_ENV",
        "SECRET_KEY",
        "DATABASE_URL",
        "REDIS_URL",
        "ELASTICACHE_REDIS_HOST",
        "ELASTICACHE_REDIS_PORT",
        "QUOTA_STARTER_USD",
        "QUOTA_PRO_USD",
        "QUOTA_BUSINESS_USD",
        "RATE_LIMIT_FAIL_MODE",
        "GEMINI_MODEL",
        "LLM_PROVIDER",
        "OPENAI_BASE_URL",
        "OPENAI_API_KEY",
        "OPENAI_MODEL",
        "MODEL_PRICE_INPUT_USD_PER_MTOK",
        "MODEL_PRICE_OUTPUT_USD_PER_MTOK",
        "MODEL_PRICES",
        "QUOTA_FALLBACK_MODEL",
        *(
            f"{a}_{w}"
            for a in ("MESSAGING", "CONTENT", "ANALYTICS", "SALES")
            for w in ("MODEL", "THINKING")
        ),
        *(f"GEMINI_SAFETY_{c.removeprefix('HARM_CATEGORY_')}" for c in HARM_CATEGORIES),
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_defaults_are_the_embedded_setup(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = load_settings()
    assert settings.async_database_url.drivername == "sqlite+aiosqlite"
    assert settings.async_database_url.database == str(tmp_path / "huntaze_ai.db")
    assert settings.effective_redis_url is None
    assert settings.rate_limit_fail_mode == "closed"
    assert settings.gemini_model is None  # each agent's own model (llm/models.py)
    assert settings.llm_provider == "gemini"
    assert settings.price_overrides == {}
    assert settings.safety_thresholds()["HARM_CATEGORY_SEXUALLY_EXPLICIT"] == "BLOCK_NONE"
    assert settings.quota_limit_micros("starter") == 10_000_000
    assert settings.quota_limit_micros("pro") == 50_000_000
    assert settings.quota_limit_micros("business") == 999_999_000_000


def test_production_refuses_the_default_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUNTAZE_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_settings()
    monkeypatch.setenv("SECRET_KEY", DEFAULT_SECRET_KEY)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_settings()
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("METRICS_TOKEN", "m" * 24)
    assert load_settings().is_production


@pytest.mark.parametrize(
    ("raw", "driver"),
    [
        ("postgres://u:p@db:5432/app", "postgresql+asyncpg"),
        ("postgresql://u@db/app", "postgresql+asyncpg"),
        ("sqlite:///./x.db", "sqlite+aiosqlite"),
    ],
)
def test_database_urls_are_normalised_to_async_drivers(
    monkeypatch: pytest.MonkeyPatch, raw: str, driver: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", raw)
    assert load_settings().async_database_url.drivername == driver


@pytest.mark.parametrize("raw", ["not a url", "mysql://u@h/db", "://"])
def test_a_malformed_database_url_is_reported_by_name(
    monkeypatch: pytest.MonkeyPatch, raw: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", raw)
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        load_settings()


def test_quota_overrides_and_redis_host_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("QUOTA_STARTER_USD", "2.5")
    monkeypatch.setenv("ELASTICACHE_REDIS_HOST", "cache.internal")
    monkeypatch.setenv("ELASTICACHE_REDIS_PORT", "6380")
    settings = load_settings()
    assert settings.quota_limit_micros("starter") == 2_500_000
    assert settings.effective_redis_url == "redis://cache.internal:6380/0"
    monkeypatch.setenv("REDIS_URL", "redis://other:6379/1")
    assert load_settings().effective_redis_url == "redis://other:6379/1"


@pytest.mark.parametrize("value", ["1e13", "1e22", "1000000000.01"])
def test_a_quota_past_a_billion_dollars_is_refused_naming_it(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    # "Unlimited" written as a huge number would pass, then overflow the micro-USD columns on
    # every call (a 500): refused here, in one line.
    monkeypatch.setenv("QUOTA_BUSINESS_USD", value)
    with pytest.raises(ConfigError, match="QUOTA_BUSINESS_USD: Input should be less than or"):
        load_settings()
    monkeypatch.setenv("QUOTA_BUSINESS_USD", "1000000000")
    assert load_settings().quota_limit_micros("business") == 10**15


def test_an_invalid_fail_mode_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RATE_LIMIT_FAIL_MODE", "sideways")
    with pytest.raises(ConfigError, match="RATE_LIMIT_FAIL_MODE"):
        load_settings()


def test_the_openai_provider_takes_its_endpoint_model_and_optional_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LLM_PROVIDER", "openai")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://localhost:11434/v1")
    monkeypatch.setenv("OPENAI_MODEL", "llama3.1")
    settings = load_settings()
    assert settings.single_model == "llama3.1"
    assert settings.openai_api_key is None  # Ollama needs none
    monkeypatch.setenv("OPENAI_API_KEY", "sk-123456")
    assert "sk-123456" not in repr(load_settings())


@pytest.mark.parametrize("missing", ["OPENAI_BASE_URL", "OPENAI_MODEL"])
def test_the_openai_provider_names_a_missing_variable(
    monkeypatch: pytest.MonkeyPatch, missing: str
) -> None:
    monkeypatch.setenv("LLM_PROVIDER", "openai")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://localhost:11434/v1")
    monkeypatch.setenv("OPENAI_MODEL", "llama3.1")
    monkeypatch.setenv(missing, " ")
    with pytest.raises(ConfigError, match=missing):
        load_settings()
    monkeypatch.delenv(missing)
    with pytest.raises(ConfigError, match=missing):
        load_settings()


def test_an_unknown_provider_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLM_PROVIDER", "anthropic")
    with pytest.raises(ConfigError, match="LLM_PROVIDER"):
        load_settings()


def test_a_price_override_is_both_prices_or_neither(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEMINI_MODEL", "gemini-2.5-flash")
    monkeypatch.setenv("MODEL_PRICE_INPUT_USD_PER_MTOK", "0.2")
    with pytest.raises(ConfigError, match="MODEL_PRICE_OUTPUT_USD_PER_MTOK"):
        load_settings()
    monkeypatch.setenv("MODEL_PRICE_OUTPUT_USD_PER_MTOK", "0.6")
    prices = load_settings().price_overrides
    assert prices == {"gemini-2.5-flash": ModelPrice(Decimal("0.2"), Decimal("0.6"))}
    monkeypatch.delenv("MODEL_PRICE_INPUT_USD_PER_MTOK")
    with pytest.raises(ConfigError, match="MODEL_PRICE_INPUT_USD_PER_MTOK"):
        load_settings()


def test_a_free_override_is_allowed_but_a_negative_one_is_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GEMINI_MODEL", "gemini-2.5-flash")
    monkeypatch.setenv("MODEL_PRICE_INPUT_USD_PER_MTOK", "0")
    monkeypatch.setenv("MODEL_PRICE_OUTPUT_USD_PER_MTOK", "0")
    free = ModelPrice(Decimal(0), Decimal(0))
    assert load_settings().price_overrides == {"gemini-2.5-flash": free}
    monkeypatch.setenv("MODEL_PRICE_OUTPUT_USD_PER_MTOK", "-1")
    with pytest.raises(ConfigError, match="MODEL_PRICE_OUTPUT_USD_PER_MTOK"):
        load_settings()


def test_the_price_pair_needs_one_model_to_price(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MODEL_PRICE_INPUT_USD_PER_MTOK", "0.2")
    monkeypatch.setenv("MODEL_PRICE_OUTPUT_USD_PER_MTOK", "0.6")
    with pytest.raises(ConfigError, match="MODEL_PRICES"):
        load_settings()


def test_per_model_prices_parse_and_a_bad_entry_names_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MODEL_PRICES", "my-model=0.5/1.5, gemini-2.5-flash=0/0")
    assert load_settings().price_overrides == {
        "my-model": ModelPrice(Decimal("0.5"), Decimal("1.5")),
        "gemini-2.5-flash": ModelPrice(Decimal(0), Decimal(0)),
    }
    for bad in ("my-model=0.5", "=1/2", "m=a/b", "m=-1/2"):
        monkeypatch.setenv("MODEL_PRICES", bad)
        with pytest.raises(ConfigError, match="MODEL_PRICES"):
            load_settings()


def test_a_malformed_safety_threshold_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEMINI_SAFETY_HARASSMENT", "BLOCK_SOME")
    with pytest.raises(ConfigError, match="GEMINI_SAFETY_HARASSMENT"):
        load_settings()
    monkeypatch.setenv("GEMINI_SAFETY_HARASSMENT", "BLOCK_LOW_AND_ABOVE")
    assert load_settings().safety_thresholds()["HARM_CATEGORY_HARASSMENT"] == "BLOCK_LOW_AND_ABOVE"
