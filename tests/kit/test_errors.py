"""The error contract's edge: whatever is wrong with a JSON body's syntax or encoding, the answer
is one shape, 422 "The request body is not valid JSON" naming the body."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import URL

from huntaze_ai.kit.db import Database
from tests.apphelpers import app_client, creator_headers, settings_for

UNPARSABLE = {
    "trailing garbage": b'{"text": "hi"} xx',
    "cut off": b'{"text": "hi"',
    "trailing comma": b'{"text": "hi",}',
    "not UTF-8": b'{"text": "h\xffi"}',
    "UTF-16 bytes": b"\xff\xfe{",
    "UTF-16 without a byte order mark": b"\x00{",
}


@pytest.mark.parametrize("body", UNPARSABLE.values(), ids=UNPARSABLE.keys())
async def test_every_unparsable_json_body_is_the_same_422_naming_the_body(
    database_url: URL, database: Database, body: bytes
) -> None:
    _, headers = await creator_headers(database)
    async with app_client(settings_for(database_url)) as client:
        response = await client.post(
            "/api/ai/compliance/check",
            content=body,
            headers={**headers, "Content-Type": "application/json"},
        )
    assert response.status_code == 422, response.text
    error = response.json()
    assert (error["error"], error["message"]) == (
        "invalid_request",
        "The request body is not valid JSON",
    )
    assert [f["field"] for f in error["fields"]] == ["body"]
