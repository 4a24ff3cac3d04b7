"""Request bodies over MAX_BODY_BYTES are refused with 413 before any endpoint acts on them."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.engine import URL

from huntaze_ai.kit.db import Database
from tests.apphelpers import app_client, creator_headers, settings_for
from tests.factories import count_campaigns
from tests.metering.conftest import books

LIMIT = 2048


def _json_of_size(size: int, **fields: str) -> bytes:
    """A valid JSON object of exactly `size` bytes: the fields, padded with whitespace, so only
    its size (never its content) can be the reason it is refused."""
    core = json.dumps(fields).encode()
    assert len(core) <= size
    return core[:-1] + b" " * (size - len(core)) + b"}"


async def _in_chunks(data: bytes, size: int = 512) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def _post(
    client: httpx.AsyncClient, path: str, body: bytes, headers: dict[str, str], chunked: bool
) -> httpx.Response:
    """POST `body` with a Content-Length, or as a stream of chunks without one."""
    response = await client.post(
        path,
        content=_in_chunks(body) if chunked else body,
        headers={"Content-Type": "application/json", **headers},
    )
    assert ("content-length" in response.request.headers) is not chunked
    return response


def _assert_too_large(response: httpx.Response) -> None:
    assert response.status_code == 413, response.text
    body = response.json()
    assert body["error"] == "payload_too_large"
    assert str(LIMIT) in body["message"]


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_a_body_over_the_limit_is_413_and_creates_nothing(
    database_url: URL, database: Database, chunked: bool
) -> None:
    user_id, headers = await creator_headers(database)
    async with app_client(settings_for(database_url, max_body_bytes=LIMIT)) as client:
        response = await _post(
            client, "/api/campaigns", _json_of_size(LIMIT + 1, name="x"), headers, chunked
        )

    _assert_too_large(response)
    assert await count_campaigns(database, user_id) == 0


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_an_oversized_ai_request_is_refused_before_anything_is_charged(
    database_url: URL, database: Database, chunked: bool
) -> None:
    user_id, headers = await creator_headers(database)
    body = _json_of_size(LIMIT * 4, fan_message="hey, how was your weekend?")
    async with app_client(settings_for(database_url, max_body_bytes=LIMIT)) as client:
        response = await _post(client, "/api/ai/messages/reply", body, headers, chunked)

    _assert_too_large(response)
    b = await books(database, user_id)
    assert (b.rows, b.spent, b.reserved, b.open_reservations) == (0, 0, 0, 0)


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_a_body_of_exactly_the_limit_is_accepted(
    database_url: URL, database: Database, chunked: bool
) -> None:
    user_id, headers = await creator_headers(database)
    async with app_client(settings_for(database_url, max_body_bytes=LIMIT)) as client:
        response = await _post(
            client, "/api/campaigns", _json_of_size(LIMIT, name="x"), headers, chunked
        )

    assert response.status_code == 201, response.text
    assert response.json()["name"] == "x"
    assert await count_campaigns(database, user_id) == 1


@pytest.mark.parametrize("declared", ["abc", "-1", "1e3", ""])
async def test_a_content_length_that_is_not_a_number_is_400(
    database_url: URL, database: Database, declared: str
) -> None:
    user_id, headers = await creator_headers(database)
    async with app_client(settings_for(database_url, max_body_bytes=LIMIT)) as client:
        response = await client.post(
            "/api/campaigns",
            content=b'{"name": "x"}',
            headers={"Content-Type": "application/json", "Content-Length": declared, **headers},
        )

    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_request"
    assert await count_campaigns(database, user_id) == 0


# 5,000 digits is past the 4,300 int() accepts from a string: it must still be a plain 413.
@pytest.mark.parametrize("digits", [30, 5000])
async def test_an_absurdly_long_declared_length_is_413_not_an_error(
    database_url: URL, database: Database, digits: int
) -> None:
    user_id, headers = await creator_headers(database)
    async with app_client(settings_for(database_url, max_body_bytes=LIMIT)) as client:
        response = await client.post(
            "/api/campaigns",
            content=b'{"name": "x"}',
            headers={
                "Content-Type": "application/json",
                "Content-Length": "9" * digits,
                **headers,
            },
        )

    _assert_too_large(response)
    assert await count_campaigns(database, user_id) == 0
