"""The models the emulator answers for, and which of them think before answering."""

from __future__ import annotations

from typing import Any

# The public Gemini models of late 2026 that the product may be configured with.
KNOWN_MODELS: tuple[str, ...] = (
    "gemini-2.5-pro",
    "gemini-2.5-flash",
    "gemini-2.5-flash-lite",
    "gemini-2.0-flash",
    "gemini-2.0-flash-lite",
    "gemini-3-pro-preview",
    "gemini-3-flash-preview",
)

_THINK_BY_DEFAULT = ("gemini-2.5-pro", "gemini-2.5-flash", "gemini-3")


def normalize_model(name: str) -> str:
    return name.removeprefix("models/")


def is_servable(name: str) -> bool:
    """Any `gemini-*` name: new model versions should not need an emulator release."""
    return normalize_model(name).startswith("gemini-")


def thinks(model: str, thinking_budget: int | None) -> bool:
    """Whether the model spends thinking tokens on this request.

    Flash-lite only thinks when given a budget; 2.5 Flash and 3 stop at a zero budget (2.5 Pro
    cannot, but pydantic-ai never sends it zero).
    """
    name = normalize_model(model)
    if thinking_budget == 0:
        return False
    if "flash-lite" in name:
        return thinking_budget is not None and thinking_budget != 0
    return name.startswith(_THINK_BY_DEFAULT)


def model_resource(model: str) -> dict[str, Any]:
    name = normalize_model(model)
    thinking = thinks(name, None)
    return {
        "name": f"models/{name}",
        "version": "001",
        "displayName": name.replace("-", " ").title() + " (emulated)",
        "description": "Served by the Huntaze built-in Gemini API emulator.",
        "inputTokenLimit": 1_048_576,
        "outputTokenLimit": 65_536 if thinking else 8_192,
        "supportedGenerationMethods": ["generateContent", "countTokens", "streamGenerateContent"],
        "temperature": 1.0,
        "topP": 0.95,
        "topK": 64,
        "maxTemperature": 2.0,
        "thinking": thinking,
    }


def models_list() -> dict[str, Any]:
    return {"models": [model_resource(name) for name in KNOWN_MODELS]}
