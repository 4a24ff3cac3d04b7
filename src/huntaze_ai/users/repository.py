from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.models import User


async def get_by_email(session: AsyncSession, email: str) -> User | None:
    return await session.scalar(select(User).where(User.email == email.strip().lower()))


async def get_by_id(session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)


async def display_names(session: AsyncSession, ids: Collection[int]) -> dict[int, str]:
    """Each account's name as the team knows it (its display name, else its email)."""
    if not ids:
        return {}
    rows = await session.execute(
        select(User.id, User.display_name, User.email).where(User.id.in_(set(ids)))
    )
    return {row[0]: row[1] or row[2] for row in rows}
