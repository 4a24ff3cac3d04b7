"""Which model each agent runs on, how much it may think, and what it falls back to (DESIGN §2.1).

With no setting, messaging, content and sales run on gemini-2.5-flash and analytics on
gemini-2.5-pro, as the origin app does. GEMINI_MODEL applies to every agent; MESSAGING_MODEL,
CONTENT_MODEL, ANALYTICS_MODEL and SALES_MODEL win over both. With LLM_PROVIDER=openai,
OPENAI_MODEL serves every agent; thinking and safety settings are Gemini's only, and a
QUOTA_FALLBACK_MODEL is refused there (it would have nothing to fall back to).

`plan_models` reads the settings without building any client, so `config verify` reports the same
plan the app would run; every problem is a ConfigError naming its variable.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from huntaze_ai.config import ConfigError, Settings
from huntaze_ai.llm.thinking import BadThinking, Thinking, default_thinking, parse_thinking
from huntaze_ai.metering.kinds import Feature
from huntaze_ai.metering.pricing import Prices, PublishedModelPrice, UnknownModelPrice

DEFAULT_MODELS = {
    Feature.MESSAGING: "gemini-2.5-flash",
    Feature.CONTENT: "gemini-2.5-flash",
    Feature.ANALYTICS: "gemini-2.5-pro",
    Feature.SALES: "gemini-2.5-flash",
}
# Analytics reasons over numbers; the others write short text, where thinking buys little.
_DEEP = frozenset({Feature.ANALYTICS})


@dataclass(frozen=True)
class AgentModelPlan:
    feature: Feature
    model: str
    source: str  # the variable that chose the model, or "default"
    thinking: Thinking | None  # None: nothing sent (no thinking model, or not Gemini)


@dataclass(frozen=True)
class ModelPlan:
    agents: dict[Feature, AgentModelPlan]
    # Per feature, the budget fallback when QUOTA_FALLBACK_MODEL differs from its model.
    fallbacks: dict[Feature, AgentModelPlan]

    def models(self) -> tuple[str, ...]:
        """Every model the app may call, each once."""
        names = [p.model for p in self.agents.values()] + [p.model for p in self.fallbacks.values()]
        return tuple(dict.fromkeys(names))

    def __iter__(self) -> Iterator[AgentModelPlan]:
        return iter(self.agents.values())


def _var(feature: Feature, what: str) -> str:
    return f"{feature.value.upper()}_{what}"


def _setting(settings: Settings, name: str) -> str | None:
    value = getattr(settings, name.lower())
    return value.strip() if isinstance(value, str) and value.strip() else None


def _thinking(settings: Settings, feature: Feature, model: str, var: str | None) -> Thinking | None:
    """The thinking bound from `var` (when given and set), else the agent's default."""
    raw = _setting(settings, var) if var else None
    if raw is None:
        return default_thinking(model, deep=feature in _DEEP)
    try:
        return parse_thinking(raw, model)
    except BadThinking as exc:
        raise ConfigError(f"{var}: {exc}") from None


def _require_gemini(var: str, model: str) -> None:
    name = model.removeprefix("models/")
    if not name.startswith("gemini-"):
        raise ConfigError(f"{var}: {model!r} is not a Gemini model (LLM_PROVIDER is gemini)")
    if name.endswith("-latest"):
        # Refused, not resolved: an alias moves to a new model without notice, so neither its
        # thinking rules (it would get no thinking room and answer MAX_TOKENS, billed) nor its
        # price (genai-prices guesses the target by date) can be known here.
        raise ConfigError(
            f"{var}: {model!r} is an alias for whichever model Google points it to; "
            "pin a versioned model (e.g. gemini-2.5-flash)"
        )


def plan_models(settings: Settings) -> ModelPlan:
    agents: dict[Feature, AgentModelPlan] = {}
    if settings.llm_provider == "openai":
        if _setting(settings, "QUOTA_FALLBACK_MODEL") is not None:
            # Refused rather than ignored: this provider serves its one model to every agent, so
            # the fallback would never run and creators would get the 402 it promises to avoid.
            raise ConfigError(
                "QUOTA_FALLBACK_MODEL: a budget fallback needs LLM_PROVIDER=gemini; with "
                "LLM_PROVIDER=openai every agent runs on OPENAI_MODEL (unset it)"
            )
        name = settings.openai_model or ""
        agents = {f: AgentModelPlan(f, name, "OPENAI_MODEL", None) for f in Feature}
        return ModelPlan(agents, {})
    for feature in Feature:
        var = _var(feature, "MODEL")
        source = next((v for v in (var, "GEMINI_MODEL") if _setting(settings, v)), "default")
        model = DEFAULT_MODELS[feature] if source == "default" else str(_setting(settings, source))
        _require_gemini(source, model)
        thinking = _thinking(settings, feature, model, _var(feature, "THINKING"))
        agents[feature] = AgentModelPlan(feature, model, source, thinking)
    fallbacks: dict[Feature, AgentModelPlan] = {}
    if (fallback := _setting(settings, "QUOTA_FALLBACK_MODEL")) is not None:
        _require_gemini("QUOTA_FALLBACK_MODEL", fallback)
        for feature, plan in agents.items():
            if fallback != plan.model:
                # The fallback exists to save money: it thinks as little as its model allows.
                thinking = default_thinking(fallback, deep=False)
                fallbacks[feature] = AgentModelPlan(
                    feature, fallback, "QUOTA_FALLBACK_MODEL", thinking
                )
    return ModelPlan(agents, fallbacks)


def build_prices(settings: Settings, plan: ModelPlan) -> Prices:
    """The prices of every planned model; refuses a model nobody prices, an override of a
    model genai-prices prices, and a fallback dearer than the model it stands in for."""
    for agent in [*plan.agents.values(), *plan.fallbacks.values()]:
        try:
            Prices([agent.model], settings.price_overrides)
        except UnknownModelPrice as exc:
            raise ConfigError(f"{agent.source}: {exc}") from None
        except PublishedModelPrice as exc:
            raise ConfigError(f"{_override_variable(settings, exc.model)}: {exc}") from None
    prices = Prices(plan.models(), settings.price_overrides)
    for feature, fallback in plan.fallbacks.items():
        model = plan.agents[feature].model
        if not prices.is_cheaper_or_equal(fallback.model, model):
            raise ConfigError(
                f"QUOTA_FALLBACK_MODEL: {fallback.model} costs more than {model}, the "
                f"{feature.value} agent's model; a fallback must be cheaper"
            )
    return prices


def _override_variable(settings: Settings, model: str) -> str:
    """The setting that priced `model`: the MODEL_PRICE_* pair wins over MODEL_PRICES for the
    one model it prices (Settings.price_overrides)."""
    paired = settings.model_price_input_usd_per_mtok is not None
    return (
        "MODEL_PRICE_INPUT_USD_PER_MTOK"
        if paired and model == settings.single_model
        else "MODEL_PRICES"
    )


def load_model_plan(settings: Settings) -> tuple[ModelPlan, Prices]:
    """The plan and its prices, as the app starts with them (ConfigError on any problem)."""
    plan = plan_models(settings)
    return plan, build_prices(settings, plan)
