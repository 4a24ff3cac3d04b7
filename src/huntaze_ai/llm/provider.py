"""Which model the agents use: Gemini with GEMINI_API_KEY, else the built-in emulator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from pydantic_ai.models import Model
from pydantic_ai.models.google import GoogleModel
from pydantic_ai.providers.google import GoogleProvider

from huntaze_ai.config import Settings

# Per-request budget: a slow answer becomes a 504 (and a released reservation), never a hung page.
DEFAULT_TIMEOUT_S = 60.0
_EMULATOR_KEY = "emulated-no-key"


@dataclass(frozen=True)
class LLM:
    model: Model
    model_name: str
    emulated: bool
    base_url: str | None
    timeout_s: float = DEFAULT_TIMEOUT_S


def build_llm(settings: Settings, base_url: str | None = None) -> LLM:
    """A Gemini model for the settings. `base_url` overrides GEMINI_BASE_URL (the emulator)."""
    key = settings.gemini_api_key.get_secret_value() if settings.gemini_api_key else None
    url = base_url or settings.gemini_base_url
    provider = GoogleProvider(api_key=key or _EMULATOR_KEY, base_url=url)
    return LLM(
        model=GoogleModel(settings.gemini_model, provider=provider),
        model_name=settings.gemini_model,
        emulated=key is None,
        base_url=url,
    )


@asynccontextmanager
async def open_llm(settings: Settings) -> AsyncIterator[LLM]:
    """The app's model for its lifetime (its HTTP client closes with it). Without GEMINI_API_KEY
    and GEMINI_BASE_URL an emulator is started in this process, so the embedded setup works
    offline with no configuration."""
    async with AsyncExitStack() as stack:
        base_url = None
        if settings.gemini_api_key is None and not settings.gemini_base_url:
            from huntaze_ai.emulator import EmulatorConfig, run_emulator_in_thread

            base_url = stack.enter_context(
                run_emulator_in_thread(EmulatorConfig(port=0, latency_ms=300))
            )
        llm = build_llm(settings, base_url)
        await stack.enter_async_context(llm.model)
        yield llm
