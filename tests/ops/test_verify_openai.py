"""`config verify` with LLM_PROVIDER=openai: the endpoint's models list and the price source."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import SecretStr

from huntaze_ai.config import Settings
from huntaze_ai.ops.verify import _models, _openai
from tests.llm.fake_openai import MODEL, FakeOpenAI

KEY = "sk-verify-0123456789"


def _settings(base_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "llm_provider": "openai",
        "openai_base_url": base_url,
        "openai_model": MODEL,
        **overrides,
    }
    return Settings(**values)


async def test_the_endpoint_is_asked_for_its_models_with_the_key() -> None:
    with FakeOpenAI(api_key=KEY).run_in_thread() as url:
        ok = await _openai(_settings(url, openai_api_key=SecretStr(KEY)))
        refused = await _openai(_settings(url, openai_api_key=SecretStr("sk-wrong-000000")))
        missing = await _openai(_settings(url, openai_api_key=SecretStr(KEY), openai_model="x"))
    assert ok.ok, ok.detail
    assert f"{MODEL} offered" in ok.detail
    assert not refused.ok
    assert "HTTP 401: invalid api key" in refused.detail
    assert not missing.ok
    assert "does not offer x" in missing.detail


async def test_an_unreachable_endpoint_fails_the_check() -> None:
    check = await _openai(_settings("http://127.0.0.1:9/v1"))
    assert not check.ok
    assert "unreachable" in check.detail


def test_the_price_source_is_reported() -> None:
    free = _settings(
        "http://x/v1",
        model_price_input_usd_per_mtok=Decimal("0.1"),
        model_price_output_usd_per_mtok=Decimal("0.3"),
    )
    (check,) = _models(free)
    assert (check.name, check.ok) == ("every agent's model", True)
    assert "priced by override: $0.1 in, $0.3 out per 1M tokens" in check.detail
    (unpriced,) = _models(_settings("http://x/v1"))
    assert not unpriced.ok
    assert "OPENAI_MODEL" in unpriced.detail
    assert "MODEL_PRICE_INPUT_USD_PER_MTOK" in unpriced.detail
    (hosted,) = _models(_settings("https://api.openai.com/v1", openai_model="gpt-4o-mini"))
    assert hosted.ok
    assert hosted.detail == "gpt-4o-mini (OPENAI_MODEL; priced by genai-prices)"


def test_a_fallback_is_a_failed_check_with_the_openai_provider() -> None:
    settings = _settings(
        "http://x/v1",
        model_price_input_usd_per_mtok=Decimal("0.1"),
        model_price_output_usd_per_mtok=Decimal("0.3"),
        quota_fallback_model="gemini-2.5-flash-lite",
    )
    (check,) = _models(settings)
    assert (check.name, check.ok) == ("models", False)
    assert check.detail.startswith(
        "QUOTA_FALLBACK_MODEL: a budget fallback needs LLM_PROVIDER=gemini"
    )
