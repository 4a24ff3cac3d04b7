from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.kit.errors import InvalidRequest
from huntaze_ai.kit.security import verify_password
from huntaze_ai.models import User
from huntaze_ai.users.service import EmailAlreadyRegistered, create_user, validate_user_create


async def test_creating_a_user_stores_a_lowercased_email_and_an_argon2_hash(
    session: AsyncSession,
) -> None:
    data = validate_user_create(email="Alice@Example.COM", password="s3cret-pass", plan="pro")
    user = await create_user(session, data)
    assert user.email == "alice@example.com"
    assert user.ai_plan == "pro"
    assert user.password_hash.startswith("$argon2")
    assert "s3cret-pass" not in user.password_hash
    assert verify_password(user.password_hash, "s3cret-pass")
    assert not verify_password(user.password_hash, "wrong")


async def test_the_default_plan_is_starter(session: AsyncSession) -> None:
    user = await create_user(session, validate_user_create(email="s@example.com", password="x" * 8))
    assert user.ai_plan == "starter"


async def test_an_email_differing_only_in_case_is_a_duplicate(session: AsyncSession) -> None:
    await create_user(session, validate_user_create(email="bob@example.com", password="x" * 8))
    with pytest.raises(EmailAlreadyRegistered):
        await create_user(session, validate_user_create(email="BOB@example.com", password="y" * 8))
    count = await session.scalar(
        select(func.count()).select_from(User).where(User.email == "bob@example.com")
    )
    assert count == 1


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"email": "a@example.com", "password": "x" * 8, "plan": "gold"}, "plan must be one of"),
        ({"email": "not-an-email", "password": "x" * 8}, "email"),
        ({"email": "a@example.com", "password": "short"}, "password"),
    ],
)
def test_bad_user_input_is_one_readable_error(fields: dict[str, str], expected: str) -> None:
    with pytest.raises(InvalidRequest, match=expected):
        validate_user_create(**fields)
