"""Idempotent replay over HTTP: a retry with the same Idempotency-Key and request gets the original
response without a new call or charge; another request under the key is 422; a retry while the
first call runs is 409; another creator's key of the same name is theirs."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
from sqlalchemy.engine import URL

from huntaze_ai.emulator import EmulatorConfig, FaultKind, run_emulator_in_thread
from huntaze_ai.kit import clock
from huntaze_ai.kit.db import Database
from tests.apphelpers import app_client, creator_headers, settings_for
from tests.metering.conftest import books

CAPTION = {"platform": "instagram", "description": "golden hour beach shoot", "variants": 2}


def _keyed(headers: dict[str, str], key: str) -> dict[str, str]:
    return {**headers, "Idempotency-Key": key}


async def _emulator_requests(client: httpx.AsyncClient, url: str) -> int:
    stats = (await client.get(f"{url}/emulator/stats")).json()
    return int(stats["requests"])


async def _model_called(client: httpx.AsyncClient, url: str) -> None:
    """Wait until a call reached the model: its reservation is made before, on a busy machine
    (the suite runs in parallel) maybe much later than the request was sent."""
    async with asyncio.timeout(10):
        while True:
            stats = (await client.get(f"{url}/emulator/stats")).json()
            if stats["requests_by_endpoint"].get("generateContent"):
                return
            await asyncio.sleep(0.02)


async def test_a_retry_gets_the_original_response_with_no_new_call_or_charge(
    database_url: URL, database: Database
) -> None:
    user_id, headers = await creator_headers(database)
    with run_emulator_in_thread(EmulatorConfig(port=0)) as url:
        async with (
            app_client(settings_for(database_url, gemini_base_url=url)) as client,
            httpx.AsyncClient() as emulator,
        ):
            first = await client.post(
                "/api/ai/content/caption", json=CAPTION, headers=_keyed(headers, "cap-1")
            )
            spent = (await books(database, user_id)).spent
            calls = await _emulator_requests(emulator, url)
            again = await client.post(
                "/api/ai/content/caption", json=CAPTION, headers=_keyed(headers, "cap-1")
            )
            assert await _emulator_requests(emulator, url) == calls
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    b = await books(database, user_id)
    assert (b.spent, b.rows) == (spent, 1)


async def test_the_same_key_for_another_request_is_422_and_runs_nothing(
    database_url: URL, database: Database
) -> None:
    user_id, headers = await creator_headers(database)
    async with app_client(settings_for(database_url)) as client:
        await client.post("/api/ai/content/caption", json=CAPTION, headers=_keyed(headers, "k"))
        other = await client.post(
            "/api/ai/content/caption",
            json={**CAPTION, "variants": 3},
            headers=_keyed(headers, "k"),
        )
        elsewhere = await client.post(
            "/api/ai/messages/reply", json={"fan_message": "hi"}, headers=_keyed(headers, "k")
        )
    for response in (other, elsewhere):
        assert response.status_code == 422, response.text
        assert response.json()["error"] == "idempotency_key_reused"
    assert (await books(database, user_id)).rows == 1


async def test_a_key_too_long_is_a_422_naming_the_header_and_runs_nothing(
    database_url: URL, database: Database
) -> None:
    user_id, headers = await creator_headers(database)
    async with app_client(settings_for(database_url)) as client:
        response = await client.post(
            "/api/ai/content/caption", json=CAPTION, headers=_keyed(headers, "k" * 41)
        )
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "Idempotency-Key"
    assert response.json()["message"].startswith("Idempotency-Key must be 1 to 40")
    assert (await books(database, user_id)).rows == 0


async def test_a_key_too_long_is_a_422_before_a_reply_stream_starts(
    database_url: URL, database: Database
) -> None:
    user_id, headers = await creator_headers(database)
    body = {"fan_message": "hey you", "fan_id": "fan-key"}
    async with app_client(settings_for(database_url)) as client:
        answers = [
            await client.post(path, json=body, headers=_keyed(headers, "k" * 50))
            for path in ("/api/ai/messages/reply/stream", "/api/ai/messages/reply")
        ]
        drafts = await client.get("/api/drafts?fan_id=fan-key", headers=headers)
    for response in answers:
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/json"
        assert response.json()["fields"] == [
            {"field": "Idempotency-Key", "message": "1 to 40 printable characters"}
        ]
    assert drafts.json()["drafts"] == []
    assert (await books(database, user_id)).rows == 0


async def test_a_retry_while_the_first_call_runs_is_409(
    database_url: URL, database: Database
) -> None:
    user_id, headers = await creator_headers(database)
    with run_emulator_in_thread(EmulatorConfig(port=0, latency_ms=800)) as url:
        async with (
            app_client(settings_for(database_url, gemini_base_url=url)) as client,
            httpx.AsyncClient() as emulator,
        ):
            keyed = _keyed(headers, "slow")
            first = asyncio.create_task(
                client.post("/api/ai/content/caption", json=CAPTION, headers=keyed)
            )
            await _model_called(emulator, url)  # so the first call holds its reservation
            during = await client.post("/api/ai/content/caption", json=CAPTION, headers=keyed)
            done = await first
            after = await client.post("/api/ai/content/caption", json=CAPTION, headers=keyed)
    assert during.status_code == 409
    assert during.json()["error"] == "duplicate_request"
    assert done.status_code == after.status_code == 200
    assert after.json() == done.json()
    assert (await books(database, user_id)).rows == 1


async def test_a_billed_failure_is_replayed_as_it_was(
    database_url: URL, database: Database
) -> None:
    user_id, headers = await creator_headers(database)
    body = {"platform": "x", "description": "how to make a bomb of a look"}
    with run_emulator_in_thread(EmulatorConfig(port=0)) as url:
        async with app_client(settings_for(database_url, gemini_base_url=url)) as client:
            keyed = _keyed(headers, "blocked")
            first = await client.post("/api/ai/content/caption", json=body, headers=keyed)
            again = await client.post("/api/ai/content/caption", json=body, headers=keyed)
    assert first.status_code == again.status_code == 422
    assert first.json()["error"] == "content_blocked"
    assert again.json() == first.json()
    b = await books(database, user_id)
    assert (b.rows, b.rows_cost) == (1, b.spent)


async def test_a_refusal_before_any_call_is_not_kept_so_the_retry_runs(
    database_url: URL, database: Database
) -> None:
    user_id, headers = await creator_headers(database)
    with run_emulator_in_thread(EmulatorConfig(port=0, fault=FaultKind.HTTP_ERROR)) as down:
        async with app_client(settings_for(database_url, gemini_base_url=down)) as client:
            body = {"fan_id": "no-such-fan"}
            missing = await client.post(
                "/api/ai/sales/suggestions", json=body, headers=_keyed(headers, "s")
            )
            assert missing.status_code == 404
    async with app_client(settings_for(database_url)) as client:
        ran = await client.post("/api/ai/sales/suggestions", json={}, headers=_keyed(headers, "s"))
    assert ran.status_code == 200, ran.text
    assert (await books(database, user_id)).rows == 1


async def test_another_creator_with_the_same_key_gets_their_own_answer(
    database_url: URL, database: Database
) -> None:
    alice_id, alice = await creator_headers(database)
    bob_id, bob = await creator_headers(database)
    async with app_client(settings_for(database_url)) as client:
        mine = await client.post("/api/ai/analytics/refresh", headers=_keyed(alice, "same"))
        theirs = await client.post("/api/ai/analytics/refresh", headers=_keyed(bob, "same"))
    assert mine.status_code == theirs.status_code == 200
    assert {i["id"] for i in mine.json()["insights"]}.isdisjoint(
        i["id"] for i in theirs.json()["insights"]
    )
    assert (await books(database, alice_id)).rows == (await books(database, bob_id)).rows == 1


async def test_after_the_window_a_retry_is_refused_not_run_again(
    database_url: URL, database: Database
) -> None:
    user_id, headers = await creator_headers(database)
    async with app_client(settings_for(database_url)) as client:
        keyed = _keyed(headers, "old")
        await client.post("/api/ai/content/caption", json=CAPTION, headers=keyed)
        now = clock.utcnow()
        clock.set_clock(lambda: now + timedelta(days=8))
        try:
            late = await client.post("/api/ai/content/caption", json=CAPTION, headers=keyed)
        finally:
            clock.set_clock(None)
    assert late.status_code == 409
    assert (await books(database, user_id)).rows == 1
