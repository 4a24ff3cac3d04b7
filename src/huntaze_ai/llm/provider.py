"""The models the agents call: Gemini with GEMINI_API_KEY, else the built-in emulator; or, with
LLM_PROVIDER=openai, any OpenAI-compatible endpoint (OpenAI, Ollama, vLLM).

One client per provider; one `AgentModel` per agent, whose engine holds what every request of
that agent sends (its model, thinking bound and the safety thresholds), so no agent builds its
own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field

from pydantic_ai.models import Model
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.providers.openai import OpenAIProvider

from huntaze_ai.config import Settings
from huntaze_ai.llm.engines import Engine, GeminiEngine, PydanticAIEngine
from huntaze_ai.llm.gemini import GeminiClient
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
    """One agent's model: its name (what is billed), the engine that calls it, and the thinking
    bound its requests send."""

    name: str
    engine: Engine
    thinking: Thinking | None = None

    def max_output_tokens(self, answer_tokens: int) -> int:
        """maxOutputTokens bounds thoughts and answer together, so both get room."""
        return answer_tokens + (self.thinking.allowance if self.thinking else 0)


@dataclass(frozen=True)
class LLM:
    agents: Mapping[Feature, AgentModel]
    emulated: bool
    base_url: str | None
    fallbacks: Mapping[Feature, AgentModel] = field(default_factory=dict)
    timeout_s: float = DEFAULT_TIMEOUT_S
    gemini: GeminiClient | None = None  # closed with the app

    @classmethod
    def uniform(cls, model: Model, name: str, *, emulated: bool = True) -> LLM:
        """Every agent on one pydantic-ai model, no thinking or safety settings (tests)."""
        agent = AgentModel(name, PydanticAIEngine(model))
        return cls(agents=dict.fromkeys(Feature, agent), emulated=emulated, base_url=None)

    def choices(self, feature: Feature) -> tuple[AgentModel, ...]:
        """The agent's model, then its budget fallback if there is one."""
        fallback = self.fallbacks.get(feature)
        return (self.agents[feature],) if fallback is None else (self.agents[feature], fallback)

    def client_models(self) -> list[Model]:
        """Each distinct pydantic-ai model once (to open and close them)."""
        found: dict[int, Model] = {}
        for agent in [*self.agents.values(), *self.fallbacks.values()]:
            if (model := agent.engine.client_model()) is not None:
                found.setdefault(id(model), model)
        return list(found.values())


def build_llm(
    settings: Settings, base_url: str | None = None, plan: ModelPlan | None = None
) -> LLM:
    """The models for the settings. `base_url` overrides GEMINI_BASE_URL (the emulator)."""
    plan = plan or plan_models(settings)
    if settings.llm_provider == "openai":
        return _build_openai(settings, plan)
    key = settings.gemini_api_key.get_secret_value() if settings.gemini_api_key else None
    url = base_url or settings.gemini_base_url
    client = GeminiClient(key or _EMULATOR_KEY, url)
    safety = settings.safety_thresholds()

    def agent(p: AgentModelPlan) -> AgentModel:
        thinking = p.thinking.config() if p.thinking else None
        return AgentModel(p.model, GeminiEngine(client, p.model, thinking, safety), p.thinking)

    return LLM(
        agents={f: agent(p) for f, p in plan.agents.items()},
        fallbacks={f: agent(p) for f, p in plan.fallbacks.items()},
        emulated=key is None,
        base_url=url,
        gemini=client,
    )


def _build_openai(settings: Settings, plan: ModelPlan) -> LLM:
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    provider = OpenAIProvider(base_url=settings.openai_base_url, api_key=key or _NO_KEY)
    name = settings.openai_model or ""
    agent = AgentModel(name, PydanticAIEngine(OpenAIChatModel(name, provider=provider)))
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
        for model in llm.client_models():
            await stack.enter_async_context(model)
        if llm.gemini is not None:
            stack.push_async_callback(llm.gemini.aclose)
        yield llm
