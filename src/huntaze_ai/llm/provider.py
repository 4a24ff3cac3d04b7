"""The models the agents call: Gemini with GEMINI_API_KEY, else the built-in emulator; or, with
LLM_PROVIDER=openai, any OpenAI-compatible endpoint (OpenAI, Ollama, vLLM).

One client per provider; one pydantic-ai model per distinct model name; one `AgentModel` per agent
holding the settings every request of that agent sends (thinking bound, safety thresholds, no
retries, timeout), so no agent builds its own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, cast

from pydantic_ai.models import Model
from pydantic_ai.models.google import GoogleModel, GoogleModelSettings
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.providers.google import GoogleProvider
from pydantic_ai.providers.openai import OpenAIProvider
from pydantic_ai.settings import ModelSettings

from huntaze_ai.config import Settings
from huntaze_ai.llm.models import AgentModelPlan, ModelPlan, plan_models
from huntaze_ai.llm.thinking import Thinking
from huntaze_ai.metering.kinds import Feature

# Per-request budget: a slow answer becomes a 504 (and a released reservation), never a hung page.
DEFAULT_TIMEOUT_S = 60.0
_EMULATOR_KEY = "emulated-no-key"
# Ollama and vLLM need no key, but the OpenAI SDK wants a non-empty one.
_NO_KEY = "no-key"


@dataclass(frozen=True)
class AgentModel:
    """One agent's model and the settings each of its requests sends."""

    name: str
    model: Model
    thinking: Thinking | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)

    def max_output_tokens(self, answer_tokens: int) -> int:
        """maxOutputTokens bounds thoughts and answer together, so both get room."""
        return answer_tokens + (self.thinking.allowance if self.thinking else 0)

    def request_settings(self, answer_tokens: int, timeout_s: float) -> ModelSettings:
        settings = {
            **self.settings,
            "max_tokens": self.max_output_tokens(answer_tokens),
            "timeout": timeout_s,
            # The reservation covers exactly one request: no SDK retries.
            "max_retries": 0,
        }
        return cast(ModelSettings, settings)


@dataclass(frozen=True)
class LLM:
    agents: Mapping[Feature, AgentModel]
    emulated: bool
    base_url: str | None
    fallbacks: Mapping[Feature, AgentModel] = field(default_factory=dict)
    timeout_s: float = DEFAULT_TIMEOUT_S

    @classmethod
    def uniform(cls, model: Model, name: str, *, emulated: bool = True) -> LLM:
        """Every agent on one model, with no thinking or safety settings (tests, benchmarks)."""
        agent = AgentModel(name, model)
        return cls(agents=dict.fromkeys(Feature, agent), emulated=emulated, base_url=None)

    def choices(self, feature: Feature) -> tuple[AgentModel, ...]:
        """The agent's model, then its budget fallback if there is one."""
        fallback = self.fallbacks.get(feature)
        return (self.agents[feature],) if fallback is None else (self.agents[feature], fallback)

    def models(self) -> list[Model]:
        """Each distinct client model once (to open and close them)."""
        found: dict[int, Model] = {}
        for agent in [*self.agents.values(), *self.fallbacks.values()]:
            found.setdefault(id(agent.model), agent.model)
        return list(found.values())


def _google_settings(plan: AgentModelPlan, safety: dict[str, str]) -> GoogleModelSettings:
    settings: GoogleModelSettings = {
        "google_safety_settings": cast(
            Any, [{"category": c, "threshold": t} for c, t in safety.items()]
        )
    }
    if plan.thinking is not None:
        settings["google_thinking_config"] = cast(Any, plan.thinking.config())
    return settings


def build_llm(
    settings: Settings, base_url: str | None = None, plan: ModelPlan | None = None
) -> LLM:
    """The models for the settings. `base_url` overrides GEMINI_BASE_URL (the emulator)."""
    plan = plan or plan_models(settings)
    if settings.llm_provider == "openai":
        return _build_openai(settings, plan)
    key = settings.gemini_api_key.get_secret_value() if settings.gemini_api_key else None
    url = base_url or settings.gemini_base_url
    provider = GoogleProvider(api_key=key or _EMULATOR_KEY, base_url=url)
    models: dict[str, Model] = {}
    safety = settings.safety_thresholds()

    def agent(p: AgentModelPlan) -> AgentModel:
        model = models.setdefault(p.model, GoogleModel(p.model, provider=provider))
        return AgentModel(p.model, model, p.thinking, _google_settings(p, safety))

    return LLM(
        agents={f: agent(p) for f, p in plan.agents.items()},
        fallbacks={f: agent(p) for f, p in plan.fallbacks.items()},
        emulated=key is None,
        base_url=url,
    )


def _build_openai(settings: Settings, plan: ModelPlan) -> LLM:
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    provider = OpenAIProvider(base_url=settings.openai_base_url, api_key=key or _NO_KEY)
    name = settings.openai_model or ""
    model = OpenAIChatModel(name, provider=provider)
    agent = AgentModel(name, model)
    return LLM(
        agents=dict.fromkeys(plan.agents, agent),
        emulated=False,
        base_url=settings.openai_base_url,
    )


@asynccontextmanager
async def open_llm(settings: Settings, plan: ModelPlan | None = None) -> AsyncIterator[LLM]:
    """The app's models for its lifetime (their HTTP clients close with them). With the Gemini
    provider and neither GEMINI_API_KEY nor GEMINI_BASE_URL, an emulator is started in this
    process, so the embedded setup works offline with no configuration."""
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
        llm = build_llm(settings, base_url, plan)
        for model in llm.models():
            await stack.enter_async_context(model)
        yield llm
