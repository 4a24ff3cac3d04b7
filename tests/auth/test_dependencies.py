"""Which login lookup each endpoint runs: the bearer token is read once per request."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from sqlalchemy.engine import make_url

from huntaze_ai.auth.dependencies import get_login, get_page_login, get_reader_login
from huntaze_ai.main import create_app
from tests.apphelpers import settings_for

LOOKUPS = {get_login, get_page_login, get_reader_login}


def _routes(routes: list[Any]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif (included := getattr(route, "original_router", None)) is not None:
            yield from _routes(included.routes)  # FastAPI keeps included routers whole


def _calls(dependant: Dependant) -> Iterator[object]:
    for dependency in dependant.dependencies:
        yield dependency.call
        yield from _calls(dependency)


def test_no_endpoint_looks_its_login_up_twice() -> None:
    # An endpoint mixing CurrentActing with a guard (which takes ReaderActing) would read the
    # token twice, on two pooled connections: what ReaderActing is there to avoid.
    app = create_app(settings_for(make_url("sqlite+aiosqlite://")))
    mixed = {
        f"{sorted(route.methods)} {route.path}": names
        for route in _routes(app.routes)
        if len(names := {c.__name__ for c in _calls(route.dependant) if c in LOOKUPS}) > 1
    }
    assert len(list(_routes(app.routes))) > 50  # the walk reaches the included routers
    assert mixed == {}


def test_the_fan_reply_reads_its_login_on_the_reader_session() -> None:
    app = create_app(settings_for(make_url("sqlite+aiosqlite://")))
    reply = next(r for r in _routes(app.routes) if r.path == "/api/ai/messages/reply")
    assert get_reader_login in set(_calls(reply.dependant))
