"""Small `create_*` helpers for tests."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.kit.db import Database
from huntaze_ai.models import MarketingCampaign, User
from huntaze_ai.users.schemas import UserCreate
from huntaze_ai.users.service import create_user as create_user_service

DEFAULT_PASSWORD = "correct horse battery"


async def create_user(
    session: AsyncSession, *, email: str | None = None, plan: str = "starter"
) -> User:
    email = email or f"creator-{uuid.uuid4().hex[:10]}@example.com"
    return await create_user_service(
        session,
        UserCreate(email=email, password=DEFAULT_PASSWORD, plan=plan),  # type: ignore[arg-type]
    )


async def count_campaigns(database: Database, user_id: int) -> int:
    async with database.sessionmaker() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(MarketingCampaign)
            .where(MarketingCampaign.user_id == user_id)
        )
    return int(count or 0)
