"""Which model the agents use: Gemini with GEMINI_API_KEY, else the built-in emulator; or, with
LLM_PROVIDER=openai, any OpenAI-compatible endpoint (OpenAI, Ollama, vLLM)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from pydantic_ai.models import Model
from pydantic_ai.models.google import GoogleModel
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.providers.google import GoogleProvider
from pydantic_ai.providers.openai import OpenAIProvider
from pydantic_ai.settings import ModelSettings

from huntaze_ai.config import Settings

# Per-request budget: a slow answer becomes a 504 (and a released reservation), never a hung page.
DEFAULT_TIMEOUT_S = 60.0
_EMULATOR_KEY = "emulated-no-key"
# Ollama and vLLM need no key, but the OpenAI SDK wants a non-empty one.
_NO_KEY = "no-key"
# The reservation covers exactly one request: the OpenAI SDK would otherwise retry twice.
_ONE_ATTEMPT = ModelSettings(max_retries=0)


@dataclass(frozen=True)
class LLM:
    model: Model
    model_name: str
    emulated: bool
    base_url: str | None
    timeout_s: float = DEFAULT_TIMEOUT_S


def build_llm(settings: Settings, base_url: str | None = None) -> LLM:
    """The model for the settings. `base_url` overrides GEMINI_BASE_URL (the emulator)."""
    if settings.llm_provider == "openai":
        return _build_openai(settings)
    key = settings.gemini_api_key.get_secret_value() if settings.gemini_api_key else None
    url = base_url or settings.gemini_base_url
    provider = GoogleProvider(api_key=key or _EMULATOR_KEY, base_url=url)
    return LLM(
        model=GoogleModel(settings.gemini_model, provider=provider),
        model_name=settings.gemini_model,
        emulated=key is None,
        base_url=url,
    )


def _build_openai(settings: Settings) -> LLM:
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    provider = OpenAIProvider(base_url=settings.openai_base_url, api_key=key or _NO_KEY)
    return LLM(
        model=OpenAIChatModel(settings.llm_model, provider=provider, settings=_ONE_ATTEMPT),
        model_name=settings.llm_model,
        emulated=False,
        base_url=settings.openai_base_url,
    )


@asynccontextmanager
async def open_llm(settings: Settings) -> AsyncIterator[LLM]:
    """The app's model for its lifetime (its HTTP client closes with it). With the Gemini provider
    and neither GEMINI_API_KEY nor GEMINI_BASE_URL, an emulator is started in this process, so the
    embedded setup works offline with no configuration."""
    async with AsyncExitStack() as stack:
        base_url = None
        if (
            settings.llm_provider == "gemini"
            and settings.gemini_api_key is None
            and not settings.gemini_base_url
        ):
            from huntaze_ai.emulator import EmulatorConfig, run_emulator_in_thread

            base_url = stack.enter_context(
                run_emulator_in_thread(EmulatorConfig(port=0, latency_ms=300))
            )
        llm = build_llm(settings, base_url)
        await stack.enter_async_context(llm.model)
        yield llm
