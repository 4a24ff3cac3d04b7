"""Structured logs: JSON lines, the request id, the Meter's one line per call, and what must never
be logged (secrets, prompt text)."""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import URL

from huntaze_ai.auth.service import create_api_token
from huntaze_ai.kit.db import Database
from huntaze_ai.kit.http_middleware import HttpMiddleware
from huntaze_ai.kit.logging import (
    JsonFormatter,
    configure_logging,
    redact,
    request_id_var,
    sane_request_id,
)
from tests.apphelpers import app_client, settings_for
from tests.metering.conftest import MODEL, make_meter, new_creator


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """Everything logged at INFO and above during the test, as our JSON lines."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield buffer
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def lines(buffer: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_a_line_is_one_json_object_with_the_core_fields_and_extras() -> None:
    logger = logging.getLogger("huntaze_ai.test")
    record = logger.makeRecord(
        logger.name,
        logging.WARNING,
        __file__,
        1,
        "spent %s",
        ("1.50",),
        None,
        extra={"creator_id": 7, "feature": "content", "tokens": 12},
    )
    token = request_id_var.set("req-1")
    try:
        line = JsonFormatter().format(record)
    finally:
        request_id_var.reset(token)
    assert "\n" not in line
    body = json.loads(line)
    assert body["level"] == "WARNING"
    assert body["logger"] == "huntaze_ai.test"
    assert body["message"] == "spent 1.50"
    assert body["time"].endswith("Z")
    assert body["request_id"] == "req-1"
    assert body["creator_id"] == 7
    assert body["feature"] == "content"
    assert body["cost_usd"] is None
    assert body["outcome"] is None
    assert body["tokens"] == 12


def test_a_traceback_stays_inside_the_one_line() -> None:
    logger = logging.getLogger("huntaze_ai.test")
    try:
        raise ValueError("bad\nthing")
    except ValueError:
        import sys

        record = logger.makeRecord(
            logger.name, logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
        )
    line = JsonFormatter().format(record)
    assert len(line.splitlines()) == 1
    assert "ValueError: bad" in json.loads(line)["exc_info"]


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("connect postgresql://app:S3cret-pw@db:5432/x failed", "S3cret-pw"),
        ("redis://:R3dis-pw@cache:6379/0 down", "R3dis-pw"),
        ("sent Authorization: Bearer hz_abcdef0123456789", "hz_abcdef0123456789"),
        ("GET /v1beta/models?key=AIzaSyD-secret&pageSize=5", "AIzaSyD-secret"),
    ],
)
def test_secrets_that_slip_into_a_message_are_masked(text: str, hidden: str) -> None:
    assert hidden not in redact(text)
    assert "***" in redact(text)
    record = logging.LogRecord("x", logging.INFO, __file__, 1, text, None, None)
    assert hidden not in JsonFormatter().format(record)


@pytest.mark.parametrize(
    ("incoming", "kept"),
    [
        ("abc-123", True),
        ("a" * 64, True),
        ("a" * 65, False),
        ("", False),
        ("has space", False),
        ("tab\there", False),
        ("é-accent", False),
        (None, False),
    ],
)
def test_only_sane_request_ids_are_kept(incoming: str | None, kept: bool) -> None:
    assert sane_request_id(incoming) == (incoming if kept else None)


def _tiny_app() -> FastAPI:
    app = FastAPI()
    log = logging.getLogger("huntaze_ai.test.endpoint")

    @app.get("/work")
    async def work() -> dict[str, str]:
        log.info("working")
        return {"request_id": request_id_var.get() or ""}

    app.add_middleware(HttpMiddleware, body_timeout_s=15, hsts=False)
    return app


async def test_the_request_id_is_echoed_and_carried_by_every_line_of_the_request(
    json_log: io.StringIO,
) -> None:
    transport = httpx.ASGITransport(app=_tiny_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        given = await client.get("/work", headers={"X-Request-ID": "lb-4f1c"})
        too_long = await client.get("/work", headers={"X-Request-ID": "x" * 65})
        none = await client.get("/work")
    assert given.headers["X-Request-ID"] == "lb-4f1c" == given.json()["request_id"]
    generated = [too_long.headers["X-Request-ID"], none.headers["X-Request-ID"]]
    assert all(len(rid) == 32 and int(rid, 16) >= 0 for rid in generated)
    assert generated[0] != generated[1]

    logged = lines(json_log)
    work_lines = [line for line in logged if line["message"] == "working"]
    assert [line["request_id"] for line in work_lines] == ["lb-4f1c", *generated]
    access = [line for line in logged if line["logger"] == "huntaze_ai.access"]
    assert [line["request_id"] for line in access] == ["lb-4f1c", *generated]
    assert access[0]["status"] == 200
    assert access[0]["route"] == "/work"
    assert access[0]["duration_ms"] >= 0
    assert request_id_var.get() is None  # nothing leaks out of the request


async def test_the_app_answers_with_a_request_id(database_url: URL) -> None:
    async with app_client(settings_for(database_url)) as client:
        response = await client.get("/healthz", headers={"X-Request-ID": "probe-1"})
        unauthenticated = await client.get("/api/ai/quota")
    assert response.headers["X-Request-ID"] == "probe-1"
    assert unauthenticated.status_code == 401
    assert len(unauthenticated.headers["X-Request-ID"]) == 32


async def test_the_meter_logs_one_line_per_call_without_the_prompt(
    database: Database, json_log: io.StringIO
) -> None:
    marker = f"MARKER-{uuid.uuid4().hex}"
    meter = make_meter(database)
    user = await new_creator(database)
    async with meter.call(user, "messaging", MODEL, 400, f"Fan says: {marker}") as call:
        call.record_usage(input_tokens=80, output_tokens=120)
    text = json_log.getvalue()
    assert marker not in text
    settled = [line for line in lines(json_log) if line["message"] == "ai call settled"]
    assert len(settled) == 1
    line = settled[0]
    assert line["level"] == "INFO"
    assert line["creator_id"] == user.id
    assert line["feature"] == "messaging"
    assert line["model"] == MODEL
    assert (line["input_tokens"], line["output_tokens"], line["cached_input_tokens"]) == (
        80,
        120,
        0,
    )
    assert line["cost_usd"] == "0.001300"
    assert line["outcome"] == "ok"
    assert line["call_id"] == call.request_id


async def test_a_real_caption_request_logs_no_fan_text_at_info(
    database_url: URL, database: Database, json_log: io.StringIO
) -> None:
    marker = f"MARKER-{uuid.uuid4().hex}"
    user = await new_creator(database, plan="pro")
    async with database.sessionmaker() as session, session.begin():
        token = await create_api_token(session, user)
    async with app_client(settings_for(database_url, gemini_model=MODEL)) as client:
        response = await client.post(
            "/api/ai/content/caption",
            json={"platform": "instagram", "description": f"beach photo {marker}"},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 200, response.text
    text = json_log.getvalue()
    assert marker not in text
    assert token not in text
    assert any(line["message"] == "ai call settled" for line in lines(json_log))
    access = [line for line in lines(json_log) if line.get("route") == "/api/ai/content/caption"]
    assert access
    assert access[0]["creator_id"] == user.id


def test_configure_logging_reads_log_level_and_installs_one_handler(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    try:
        monkeypatch.setenv("LOG_LEVEL", "debug")
        configure_logging()
        configure_logging()
        assert root.level == logging.DEBUG
        ours = [h for h in root.handlers if isinstance(h.formatter, JsonFormatter)]
        assert len(ours) == 1
        assert logging.getLogger("httpx").level == logging.WARNING  # URLs are not our log
        monkeypatch.setenv("LOG_LEVEL", "nonsense")
        configure_logging()
        assert root.level == logging.INFO
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
