"""The schema filler: whatever it returns validates, reads like the prompt, and shrinks to fit."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal
from uuid import UUID

import pytest
from pydantic import BaseModel, Field
from pydantic_ai.profiles.google import GoogleJsonSchemaTransformer

from huntaze_ai.emulator.schema_fill import fill_schema
from huntaze_ai.emulator.tokens import estimate_tokens

WORDS = ["photoshoot", "beach", "weekend", "subscribers", "exclusive"]


class Tone(StrEnum):
    WARM = "warm"
    PLAYFUL = "playful"
    FORMAL = "formal"


class Reply(BaseModel):
    text: str = Field(min_length=5, max_length=80)
    tone: Tone
    confidence: float = Field(ge=0, le=1)


class Insight(BaseModel):
    title: str
    priority: int = Field(ge=1, le=3)
    tags: list[str] = Field(min_length=1, max_length=4)
    due: date | None
    at: datetime
    ref: UUID
    kind: Literal["growth", "churn"]
    amount: Decimal


class Node(BaseModel):
    name: str
    children: list[Node] = []


class Cat(BaseModel):
    pet: Literal["cat"]
    lives: int = Field(ge=1, le=9)


class Dog(BaseModel):
    pet: Literal["dog"]
    good: bool


class Bundle(BaseModel):
    replies: list[Reply] = Field(min_length=2, max_length=5)
    insight: Insight
    metrics: dict[str, int]
    pair: tuple[int, str]
    moods: set[Tone]
    animal: Cat | Dog = Field(discriminator="pet")
    tree: Node
    note: str | None = None
    share: float = Field(gt=0, lt=1)


def _as_gemini_receives(model: type[BaseModel]) -> dict[str, Any]:
    """The schema pydantic-ai sends Gemini: formats moved to descriptions, exclusive bounds gone."""
    return GoogleJsonSchemaTransformer(model.model_json_schema()).walk()


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


@pytest.mark.parametrize("seed", range(30))
def test_filled_values_validate_against_the_pydantic_schema(seed: int) -> None:
    value, shrunk = fill_schema(Bundle.model_json_schema(), seed, WORDS)
    Bundle.model_validate(value)
    assert not shrunk


@pytest.mark.parametrize("seed", range(30))
def test_filled_values_validate_against_the_schema_pydantic_ai_sends_gemini(seed: int) -> None:
    value, _ = fill_schema(_as_gemini_receives(Bundle), seed, WORDS)
    Bundle.model_validate(value)


def test_strings_are_prose_made_of_the_prompt_words_not_placeholders() -> None:
    value, _ = fill_schema(Bundle.model_json_schema(), 7, WORDS)
    prose = " ".join(_strings(value)).lower()
    assert "photoshoot" in prose or "beach" in prose
    assert "string" not in _strings(value)


def test_gemini_openapi_style_schemas_are_understood() -> None:
    # Gemini's own Schema: upper-case types, nullable, int64 bounds as strings, propertyOrdering.
    schema = {
        "type": "OBJECT",
        "properties": {
            "picks": {
                "type": "ARRAY",
                "minItems": "2",
                "maxItems": "3",
                "items": {"type": "STRING", "enum": ["a", "b", "c"]},
            },
            "count": {"type": "INTEGER", "minimum": 5, "maximum": 7},
            "label": {"type": "STRING", "maxLength": "6"},
            "maybe": {"type": "STRING", "nullable": True},
        },
        "required": ["picks", "count", "label", "maybe"],
        "propertyOrdering": ["count", "picks", "label", "maybe"],
    }
    for seed in range(20):
        value, _ = fill_schema(schema, seed, WORDS)
        assert list(value) == ["count", "picks", "label", "maybe"]
        assert 2 <= len(value["picks"]) <= 3
        assert set(value["picks"]) <= {"a", "b", "c"}
        assert 5 <= value["count"] <= 7
        assert len(value["label"]) <= 6
        assert value["maybe"] is None or isinstance(value["maybe"], str)


def test_the_same_seed_gives_the_same_value_and_another_seed_another() -> None:
    schema = Bundle.model_json_schema()
    assert fill_schema(schema, 3, WORDS) == fill_schema(schema, 3, WORDS)
    assert fill_schema(schema, 3, WORDS) != fill_schema(schema, 4, WORDS)


def test_a_token_budget_shrinks_the_value_but_keeps_it_valid() -> None:
    schema = Bundle.model_json_schema()
    natural, _ = fill_schema(schema, 1, WORDS)
    budget = estimate_tokens(json.dumps(natural)) // 2
    small, shrunk = fill_schema(schema, 1, WORDS, token_budget=budget)
    assert shrunk
    Bundle.model_validate(small)
    assert len(json.dumps(small)) < len(json.dumps(natural))
    assert len(small["replies"]) == 2  # minItems, no more


def test_string_length_bounds_hold_even_with_a_tiny_vocabulary() -> None:
    schema = {"type": "string", "minLength": 30, "maxLength": 32}
    for seed in range(10):
        value, _ = fill_schema(schema, seed, ["ok"])
        assert 30 <= len(value) <= 32
