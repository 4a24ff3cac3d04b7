"""Schemathesis against the app's own OpenAPI schema: whatever a client sends, valid or not, the
answer is never a 5xx (DESIGN §4: never a 500 for bad input).

Every operation of /openapi.json gets schemathesis' coverage cases (boundaries, missing and
wrongly typed fields, unexpected methods) and hypothesis-generated inputs, positive and negative
(a negative case may also drop the token: a 401), sent in-process to the real app, lifespan
included, with the Bearer token of a committed creator. On each database backend: PostgreSQL
refuses input SQLite stores (a NUL in text), so every generated body is also sent with NULs.
Responses must also match their documented schema where one is documented.

Derandomized, so CI replays the same inputs; a failure prints a curl command to reproduce it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance
from sqlalchemy.engine import URL

from huntaze_ai.config import Settings
from huntaze_ai.kit.db import Database
from huntaze_ai.main import create_app
from tests.apphelpers import app_client, creator_headers, settings_for

# Loaded at import so pytest shows one test per operation (`schemathesis.pytest.from_fixture`
# would build the schema from a fixture, but 4.32 breaks on pytest 9.2: it writes
# `Function._nodeid`, which pytest no longer has). The app is only built here, never started;
# `test_the_fuzzed_schema_is_the_one_the_app_serves` checks this is what /openapi.json serves.
OPENAPI: dict[str, Any] = create_app(
    Settings(database_url="sqlite+aiosqlite://", huntaze_env="test")
).openapi()

schema = schemathesis.openapi.from_dict(OPENAPI)
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])


def _with_nul(value: Any) -> Any:
    """`value` with the first character of every string a NUL (same lengths, same keys)."""
    if isinstance(value, str):
        return "\x00" + value[1:] if value else value
    if isinstance(value, dict):
        return {key: _with_nul(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_with_nul(item) for item in value]
    return value


@schema.hook
def flatmap_body(context: schemathesis.HookContext, body: Any) -> st.SearchStrategy[Any]:
    # Every generated body is also tried with NULs in its strings: PostgreSQL text cannot hold
    # one, so a NUL that reaches a query is a 500 there (and silently stored by SQLite). Random
    # text rarely contains one; this makes the probe systematic.
    return st.sampled_from([body, _with_nul(body)])


@pytest.fixture(scope="module")
async def api_headers(database: Database) -> dict[str, str]:
    # business: its quota does not run out; its rate limit may answer 429, which is fine.
    _, headers = await creator_headers(database, plan="business")
    return headers


@pytest.fixture(scope="module")
async def chatter_headers(database: Database) -> dict[str, str]:
    """A chatter of an agency, assigned to one creator: the requests act for that creator, and
    the team API answers as it does to a chatter (404s where only owners and managers may go)."""
    from tests.agencies.helpers import bearer, new_team

    team = await new_team(database)
    return await bearer(database, team.chatter_a)


@pytest.fixture(scope="module")
def api_app(database_url: URL) -> Iterator[FastAPI]:
    """The real app on the test database; schemathesis starts its lifespan on the first call and
    runs it until `shutdown_lifespans`."""
    with pytest.MonkeyPatch.context() as patch:
        # Each login attempt spends ~0.1 s of argon2 CPU, by design; a fuzzed email never names
        # an account, so a refusing stand-in answers exactly as the real check would, fast.
        patch.setattr("huntaze_ai.auth.service.verify_password", lambda *_: False)
        yield create_app(settings_for(database_url))
        asgi.shutdown_lifespans()


async def test_the_fuzzed_schema_is_the_one_the_app_serves(database_url: URL) -> None:
    async with app_client(settings_for(database_url)) as client:
        served = await client.get("/openapi.json")
    assert served.json() == OPENAPI


@schema.parametrize()
@settings(max_examples=30, deadline=None, derandomize=True, database=None)
def test_no_generated_input_gets_a_server_error(
    case: schemathesis.Case, api_app: FastAPI, api_headers: dict[str, str]
) -> None:
    case.call_and_validate(
        app=api_app,
        headers=api_headers,
        checks=[not_a_server_error, status_code_conformance, response_schema_conformance],
    )


@schema.parametrize()
@settings(max_examples=8, deadline=None, derandomize=True, database=None)
def test_no_generated_input_from_a_chatter_gets_a_server_error(
    case: schemathesis.Case, api_app: FastAPI, chatter_headers: dict[str, str]
) -> None:
    case.call_and_validate(
        app=api_app,
        headers=chatter_headers,
        checks=[not_a_server_error, status_code_conformance, response_schema_conformance],
    )
