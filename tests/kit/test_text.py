"""Text rules where requests enter: no NUL in any string of any request body (nested too), and
no control or invisible formatting characters in names; every request body of the app obeys."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from huntaze_ai.config import Settings
from huntaze_ai.kit.text import DisplayName, RequestModel, is_blank
from huntaze_ai.main import create_app

INVISIBLE = {
    "right-to-left override": "\u202e",
    "left-to-right isolate": "\u2066",
    "pop directional isolate": "\u2069",
    "right-to-left mark": "\u200f",
    "zero-width space": "\u200b",
    "zero-width joiner": "\u200d",
    "byte order mark": "\ufeff",
    "soft hyphen": "\u00ad",
    "line separator": "\u2028",
    "newline": "\n",
    "tab": "\t",
    "private use": "\ue000",
    "Hangul filler": "\u3164",
    "braille blank": "\u2800",
}
VISIBLE = ["Maya ✨ Ølsen", "O'Brien-Smith", "李小龙", "محمد", "Zoë (VIP) 💎", "x"]


@pytest.mark.parametrize("char", INVISIBLE.values(), ids=INVISIBLE.keys())
def test_a_name_with_an_invisible_or_control_character_is_refused_naming_it(char: str) -> None:
    with pytest.raises(ValidationError, match=f"U\\+{ord(char):04X}"):
        TypeAdapter(DisplayName).validate_python(f"Maya{char}Olsen")


@pytest.mark.parametrize("name", VISIBLE)
def test_names_in_any_script_with_emoji_pass(name: str) -> None:
    assert TypeAdapter(DisplayName).validate_python(name) == name


@pytest.mark.parametrize("char", INVISIBLE.values(), ids=INVISIBLE.keys())
def test_text_of_invisible_characters_and_spaces_only_is_blank(char: str) -> None:
    assert is_blank(f" {char}{char}\u3000")


@pytest.mark.parametrize("text", [*VISIBLE, "\u200b.", "\u202ehi", "👨\u200d👩\u200d👧"])
def test_text_with_one_visible_character_is_not_blank(text: str) -> None:
    assert not is_blank(text)


class Inner(RequestModel):
    text: str


class Outer(RequestModel):
    title: str
    tags: list[str] = Field(default_factory=list)
    extra: dict[str, str] = Field(default_factory=dict)
    inner: list[Inner] = Field(default_factory=list)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "a\x00b"}, "title"),
        ({"title": "ok", "tags": ["fine", "bad\x00"]}, "tags"),
        ({"title": "ok", "extra": {"k": "v\x00"}}, "extra"),
        ({"title": "ok", "extra": {"k\x00": "v"}}, "extra"),
        ({"title": "ok", "inner": [{"text": "deep\x00"}]}, "inner.0.text"),
    ],
)
def test_a_nul_anywhere_in_a_request_body_is_refused_naming_the_field(
    body: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        Outer.model_validate(body)
    (error,) = raised.value.errors()
    assert ".".join(str(p) for p in error["loc"]) == field
    assert "NUL" in error["msg"]


def test_free_text_keeps_emoji_sequences_joined_by_zero_width_joiners() -> None:
    family = "👨\u200d👩\u200d👧"
    assert Outer.model_validate({"title": family}).title == family


def _routes(routes: list[Any]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):  # an included router
            yield from _routes(route.original_router.routes)


def test_every_json_request_body_of_the_app_is_a_request_model() -> None:
    app = create_app(Settings())
    bodies = {
        (route.path, param.field_info.annotation)
        for route in _routes(app.router.routes)
        for param in route.dependant.body_params
        if isinstance(param.field_info.annotation, type)
        and issubclass(param.field_info.annotation, BaseModel)
    }
    assert len(bodies) >= 8  # the walk found the API's bodies
    for path, model in bodies:
        assert issubclass(model, RequestModel), f"{path}: {model.__name__}"
