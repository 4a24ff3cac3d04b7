"""Fans for the fan tests, and what the messaging agent was told."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any
from unittest import mock

from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.db import Database
from huntaze_ai.kit.money import usd_to_micros
from huntaze_ai.messaging import service as messaging
from huntaze_ai.models import Fan


async def add_fan(
    database: Database,
    creator_id: int,
    external_id: str,
    name: str | None = None,
    platform: str = "onlyfans",
    spent_usd: int = 0,
) -> None:
    async with database.sessionmaker() as session, session.begin():
        session.add(
            Fan(
                user_id=creator_id,
                platform=platform,
                external_id=external_id,
                display_name=name,
                total_spent_micros=usd_to_micros(spent_usd),
                first_seen_at=utcnow() - timedelta(days=40),
                last_active_at=utcnow() - timedelta(days=1),
            )
        )


@contextmanager
def prompts_sent() -> Iterator[list[dict[str, Any]]]:
    """The data block of every fan reply prepared meanwhile, as the dict it was built from."""
    seen: list[dict[str, Any]] = []

    def record(data: dict[str, Any]) -> str:
        seen.append(data)
        return real(data)

    real = messaging.data_block
    with mock.patch.object(messaging, "data_block", record):
        yield seen
