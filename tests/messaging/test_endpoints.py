"""Messaging over HTTP through the real Gemini SDK against the emulator, streamed and not."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy.engine import URL

from huntaze_ai.emulator import EmulatorConfig, FaultKind, run_emulator_in_thread
from huntaze_ai.kit.db import Database
from huntaze_ai.messaging.schemas import ReplyRequest
from huntaze_ai.messaging.service import prepare
from huntaze_ai.messaging.streaming import stream_reply
from tests.apphelpers import app_client, creator_headers, settings_for
from tests.metering.conftest import books, make_meter, new_creator


def _events(body: str) -> list[tuple[str, dict[str, object]]]:
    events = []
    for block in body.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


async def test_a_reply_through_the_real_sdk_is_drafted_checked_and_charged(
    database_url: URL, database: Database
) -> None:
    user_id, headers = await creator_headers(database)
    body = {"fan_message": "hey gorgeous, loved your beach pics!", "platform": "instagram"}
    async with app_client(settings_for(database_url)) as client:
        response = await client.post("/api/ai/messages/reply", json=body, headers=headers)
    assert response.status_code == 200, response.text
    out = response.json()
    assert out["status"] in ("draft", "escalate")
    assert out["compliance"]["verdict"] in ("ok", "block", "escalate")
    assert (out["status"] == "draft") == (out["compliance"]["verdict"] == "ok")
    assert 0 <= out["confidence"] <= 1
    assert Decimal(out["usage"]["cost_usd"]) > 0
    b = await books(database, user_id)
    assert (b.rows, b.reserved, b.rows_cost) == (1, 0, b.spent)


async def test_a_streamed_reply_sends_deltas_then_the_checked_result(
    database_url: URL, database: Database
) -> None:
    user_id, headers = await creator_headers(database)
    body = {"fan_message": "what are you wearing for the weekend shoot?"}
    async with app_client(settings_for(database_url)) as client:
        response = await client.post("/api/ai/messages/reply/stream", json=body, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = _events(response.text)
    kinds = [kind for kind, _ in events]
    assert kinds[-1] == "done"
    # The reply is written as it is generated (JSON text, not a function call sent whole).
    assert kinds.count("delta") > 1
    done = events[-1][1]
    streamed = "".join(str(data["text"]) for kind, data in events if kind == "delta")
    assert done["reply"] in (streamed.strip(), "")
    assert Decimal(str(done["usage"]["cost_usd"])) > 0  # type: ignore[index]
    b = await books(database, user_id)
    assert (b.rows, b.reserved, b.spent) == (1, 0, b.rows_cost)
    assert b.spent == int(Decimal(str(done["usage"]["cost_usd"])) * 1_000_000)  # type: ignore[index]


async def test_a_stream_the_client_abandons_is_settled_and_releases_its_reservation(
    database: Database,
) -> None:
    creator = await new_creator(database)
    meter = make_meter(database)
    with run_emulator_in_thread(EmulatorConfig(port=0, latency_ms=2000)) as url:
        from huntaze_ai.llm.pipeline import AIPipeline
        from huntaze_ai.llm.provider import open_llm
        from tests.metering.conftest import make_settings

        async with open_llm(make_settings(gemini_base_url=url)) as llm:
            async with database.sessionmaker() as session:
                prepared = await prepare(session, creator, ReplyRequest(fan_message="hi there"))
            ai = AIPipeline(meter, llm)
            stream = stream_reply(ai, creator, prepared, "hi there", None)
            first = await anext(stream)
            assert first.startswith("event: delta")
            await stream.aclose()  # what Starlette does when the client goes away
            await meter.drain()
    b = await books(database, creator.id)
    assert (b.rows, b.reserved, b.open_reservations) == (1, 0, 0)
    assert b.spent == b.rows_cost
    assert b.spent > 0  # the tokens already produced are paid for


async def test_a_truncated_stream_ends_with_an_error_event_and_exact_books(
    database_url: URL, database: Database
) -> None:
    user_id, headers = await creator_headers(database)
    with run_emulator_in_thread(EmulatorConfig(port=0, fault=FaultKind.TRUNCATED_STREAM)) as url:
        async with app_client(settings_for(database_url, gemini_base_url=url)) as client:
            response = await client.post(
                "/api/ai/messages/reply/stream", json={"fan_message": "hey"}, headers=headers
            )
    kind, data = _events(response.text)[-1]
    assert kind == "error"
    assert data["error"] == "provider_error"
    b = await books(database, user_id)
    assert (b.rows, b.reserved, b.open_reservations) == (1, 0, 0)
    assert b.spent == b.rows_cost


async def test_a_stream_over_quota_is_refused_with_402_before_it_opens(
    database_url: URL, database: Database
) -> None:
    user_id, headers = await creator_headers(database)
    settings = settings_for(database_url, quota_starter_usd=Decimal("0.0001"))
    async with app_client(settings) as client:
        response = await client.post(
            "/api/ai/messages/reply/stream", json={"fan_message": "hey"}, headers=headers
        )
    assert response.status_code == 402
    # $0.0001 is left, less than a reply's worst case: not the month exceeded.
    assert response.json()["message"] == "Not enough quota left for this request"
    assert (await books(database, user_id)).rows == 0


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"fan_message": ""},
        {"fan_message": "x" * 4001},
        {"fan_message": "hi", "platform": "?"},
        {"fan_message": "hi", "fan_id": "fan\x00"},  # PostgreSQL refuses NUL: was a 500
    ],
)
async def test_bad_reply_requests_are_422_and_charge_nothing(
    database_url: URL, database: Database, body: dict[str, object]
) -> None:
    user_id, headers = await creator_headers(database)
    async with app_client(settings_for(database_url)) as client:
        response = await client.post("/api/ai/messages/reply", json=body, headers=headers)
    assert response.status_code == 422
    assert (await books(database, user_id)).rows == 0


async def test_a_draft_the_model_blocks_is_an_escalation_for_a_human_charged_as_billed(
    database_url: URL, database: Database
) -> None:
    # "subhuman" is one of the emulator's hate-speech triggers; BLOCK_ONLY_HIGH (our default for
    # the category) lets the block through, as Gemini would.
    user_id, headers = await creator_headers(database)
    body = {"fan_message": "you are subhuman and so is everyone who pays you"}
    async with app_client(settings_for(database_url)) as client:
        plain = await client.post("/api/ai/messages/reply", json=body, headers=headers)
        streamed = await client.post("/api/ai/messages/reply/stream", json=body, headers=headers)
    assert plain.status_code == 200, plain.text
    out = plain.json()
    assert (out["status"], out["reply"], out["compliance"]["verdict"]) == (
        "escalate",
        "",
        "escalate",
    )
    (reason,) = out["compliance"]["reasons"]
    assert reason["code"] == "model_blocked"
    assert "HARM_CATEGORY_HATE_SPEECH" in reason["detail"]
    assert Decimal(out["usage"]["cost_usd"]) > 0  # Google bills the prompt of a blocked answer
    events = _events(streamed.text)
    assert [name for name, _ in events if name != "delta"] == ["done"]
    done = events[-1][1]
    assert done["status"] == "escalate"
    assert done["compliance"]["reasons"][0]["code"] == "model_blocked"
    b = await books(database, user_id)
    assert (b.rows, b.reserved) == (2, 0)
    assert b.spent == b.rows_cost > 0


async def test_a_blocked_draft_under_a_lowered_threshold_is_not_blocked(
    database_url: URL, database: Database
) -> None:
    _, headers = await creator_headers(database)
    body = {"fan_message": "you are subhuman and so is everyone who pays you"}
    settings = settings_for(database_url, gemini_safety_hate_speech="BLOCK_NONE")
    async with app_client(settings) as client:
        response = await client.post("/api/ai/messages/reply", json=body, headers=headers)
    assert response.status_code == 200, response.text
    assert all(r["code"] != "model_blocked" for r in response.json()["compliance"]["reasons"])
