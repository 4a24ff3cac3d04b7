"""Committed rows for API and concurrency tests (other connections must see them)."""

from __future__ import annotations

import uuid

from huntaze_ai.auth.service import create_api_token
from huntaze_ai.campaigns.service import create_campaign
from huntaze_ai.insights.service import InsightIn, save_insights
from huntaze_ai.kit.db import Database
from huntaze_ai.models import User
from tests.factories import create_user


async def new_creator(database: Database) -> User:
    async with database.sessionmaker() as session, session.begin():
        return await create_user(session, email=f"c-{uuid.uuid4().hex[:12]}@example.com")


async def bearer(database: Database, user: User) -> dict[str, str]:
    async with database.sessionmaker() as session, session.begin():
        token = await create_api_token(session, user)
    return {"Authorization": f"Bearer {token}"}


async def new_insights(database: Database, user: User, count: int = 1) -> list[int]:
    async with database.sessionmaker() as session, session.begin():
        rows = await save_insights(
            session,
            user.id,
            [
                InsightIn(type="churn_alert", confidence=0.5, summary=f"insight {n}", data={"n": n})
                for n in range(count)
            ],
            request_id=None,
        )
        return [r.id for r in rows]


async def new_campaign(database: Database, user: User, name: str = "Summer") -> int:
    async with database.sessionmaker() as session, session.begin():
        return (await create_campaign(session, user.id, name)).id
