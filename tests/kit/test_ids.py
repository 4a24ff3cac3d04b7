"""Numbers where requests enter: a JSON boolean is no count and no id, in every request body of
the app, while a numeric string still is one (the page forms send numbers as text)."""

from __future__ import annotations

import types
from typing import Any, Union, get_args, get_origin

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from huntaze_ai.config import Settings
from huntaze_ai.kit.ids import Count, RowId
from huntaze_ai.main import create_app
from tests.kit.test_text import _routes


@pytest.mark.parametrize("kind", [Count, RowId], ids=["Count", "RowId"])
@pytest.mark.parametrize("value", [True, False])
def test_a_boolean_is_refused_where_an_integer_goes(kind: Any, value: bool) -> None:
    with pytest.raises(ValidationError, match="not a boolean"):
        TypeAdapter(kind).validate_python(value)


@pytest.mark.parametrize("kind", [Count, RowId], ids=["Count", "RowId"])
def test_a_number_as_digits_is_still_a_number(kind: Any) -> None:
    assert TypeAdapter(kind).validate_python("5") == 5


def _takes_int(annotation: Any) -> bool:
    if annotation is int:
        return True
    if get_origin(annotation) in (Union, types.UnionType):
        return any(_takes_int(arg) for arg in get_args(annotation))
    return False


def test_every_integer_field_of_every_request_body_refuses_a_boolean() -> None:
    app = create_app(Settings())
    models = {
        param.field_info.annotation
        for route in _routes(app.router.routes)
        for param in route.dependant.body_params
        if isinstance(param.field_info.annotation, type)
        and issubclass(param.field_info.annotation, BaseModel)
    }
    checked = []
    for model in models:
        for name, field in model.model_fields.items():
            if not _takes_int(field.annotation):
                continue
            with pytest.raises(ValidationError) as raised:
                model.model_validate({field.alias or name: True})
            refused = [e for e in raised.value.errors() if e["loc"] == (field.alias or name,)]
            assert refused, f"{model.__name__}.{name} took true as a number"
            checked.append(f"{model.__name__}.{name}")
    assert len(checked) >= 4, checked  # the walk found the caps, the variants and the ids
