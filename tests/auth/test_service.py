from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.auth.service import (
    DUMMY_PASSWORD_HASH,
    authenticate_token,
    create_api_token,
    needs_touch,
    touch_token,
)
from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.db import Database
from huntaze_ai.kit.errors import Unauthenticated
from huntaze_ai.kit.security import hash_api_token, needs_rehash, verify_password
from huntaze_ai.models import ApiToken, TokenKind, User
from tests.factories import create_user


async def test_a_token_authenticates_its_creator_and_is_stored_only_hashed(
    session: AsyncSession,
) -> None:
    user = await create_user(session)
    token = await create_api_token(session, user)
    stored = (await session.scalars(select(ApiToken).where(ApiToken.user_id == user.id))).one()
    assert stored.token_hash == hash_api_token(token)
    assert token not in (stored.token_hash, stored.prefix)
    found, _, _ = await authenticate_token(session, token, TokenKind.API)
    assert found.id == user.id


async def test_unknown_revoked_and_expired_tokens_are_rejected(session: AsyncSession) -> None:
    user = await create_user(session)
    with pytest.raises(Unauthenticated):
        await authenticate_token(session, "hzai_not-a-real-token", TokenKind.API)

    revoked = await create_api_token(session, user)
    row = await session.scalar(
        select(ApiToken).where(ApiToken.token_hash == hash_api_token(revoked))
    )
    assert row is not None
    row.revoked_at = utcnow()
    with pytest.raises(Unauthenticated):
        await authenticate_token(session, revoked, TokenKind.API)

    expired = await create_api_token(session, user)
    row = await session.scalar(
        select(ApiToken).where(ApiToken.token_hash == hash_api_token(expired))
    )
    assert row is not None
    row.expires_at = utcnow() - timedelta(seconds=1)
    with pytest.raises(Unauthenticated):
        await authenticate_token(session, expired, TokenKind.API)


async def test_token_use_is_recorded_at_most_once_a_minute(database: Database) -> None:
    async with database.sessionmaker() as session, session.begin():
        user = await create_user(session)
        token = await create_api_token(session, user)
    async with database.sessionmaker() as session:
        _, api_token, _ = await authenticate_token(session, token, TokenKind.API)
    assert needs_touch(api_token)
    await touch_token(database.sessionmaker, api_token.id)
    async with database.sessionmaker() as session:
        _, api_token, _ = await authenticate_token(session, token, TokenKind.API)
    assert api_token.last_used_at is not None
    assert not needs_touch(api_token)


def test_the_dummy_hash_for_unknown_emails_costs_what_a_real_password_check_costs() -> None:
    # Written out in the source (not hashed at import): its parameters must stay the hasher's,
    # or a login with an unknown email would answer faster than one with a wrong password.
    assert not needs_rehash(DUMMY_PASSWORD_HASH)
    assert not verify_password(DUMMY_PASSWORD_HASH, "")


async def test_the_token_lookup_gives_the_account_as_the_orm_would_load_it(
    database: Database,
) -> None:
    async with database.sessionmaker() as session, session.begin():
        user = await create_user(session, plan="pro")
        user.display_name, user.persona, user.subscription_tier = "Luna", "warm, brief", "gold"
        token = await create_api_token(session, user)
    async with database.reader() as reader:
        found, _, _ = await authenticate_token(reader, token, TokenKind.API)
    async with database.sessionmaker() as session:
        loaded = await session.get(User, user.id)
    assert loaded is not None
    columns = [a.key for a in sa_inspect(User).column_attrs]
    assert {k: getattr(found, k) for k in columns} == {k: getattr(loaded, k) for k in columns}
    # Like an entity whose session has closed: usable, and attachable to another session.
    assert sa_inspect(found).detached
    async with database.sessionmaker() as session:
        assert (await session.merge(found)).email == loaded.email
