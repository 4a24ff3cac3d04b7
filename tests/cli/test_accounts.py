from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import URL

from huntaze_ai.auth.service import authenticate_token
from huntaze_ai.kit.db import Database
from huntaze_ai.kit.security import TOKEN_PREFIX
from huntaze_ai.models import ApiToken, TokenKind, User
from tests.cli.conftest import Invoke


def _count(url: URL, model: type) -> int:
    async def go() -> int:
        db = Database.from_url(url)
        try:
            async with db.sessionmaker() as session:
                return int(await session.scalar(select(func.count()).select_from(model)) or 0)
        finally:
            await db.dispose()

    return asyncio.run(go())


@pytest.fixture
def migrated(cli: Callable[[URL], Invoke], fresh_database_url: URL) -> tuple[Invoke, URL]:
    run = cli(fresh_database_url)
    assert run("db", "upgrade").exit_code == 0
    return run, fresh_database_url


def test_users_create_then_tokens_create_prints_a_working_token_once(
    migrated: tuple[Invoke, URL],
) -> None:
    run, url = migrated
    created = run(
        "users", "create", "--email", "Maya@Example.com", "--password", "pw-123456", "--plan", "pro"
    )
    assert created.exit_code == 0, created.output
    assert "maya@example.com" in created.output
    assert "plan pro" in created.output

    issued = run("tokens", "create", "--email", "maya@example.com")
    assert issued.exit_code == 0, issued.output
    token = issued.output.strip()
    assert token.startswith(TOKEN_PREFIX)

    async def whoami() -> str:
        db = Database.from_url(url)
        try:
            async with db.sessionmaker() as session:
                stored = await session.scalar(select(ApiToken.token_hash))
                assert stored is not None
                assert token not in stored
                found, _, _ = await authenticate_token(session, token, TokenKind.API)
                return found.email
        finally:
            await db.dispose()

    assert asyncio.run(whoami()) == "maya@example.com"


def test_users_create_takes_a_plan_in_any_case(migrated: tuple[Invoke, URL]) -> None:
    run, _ = migrated
    created = run(
        "users", "create", "--email", "up@example.com", "--password", "pw-123456", "--plan", "PRO"
    )
    assert created.exit_code == 0, created.output
    assert "plan pro" in created.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--plan", "gold"], "plan must be one of starter, pro, business"),
        (["--plan", "GOLD"], "plan must be one of starter, pro, business"),
        (["--password", "short"], "password"),
        (["--email", "nope"], "email"),
    ],
)
def test_users_create_with_bad_input_prints_one_line_and_writes_nothing(
    migrated: tuple[Invoke, URL], args: list[str], message: str
) -> None:
    run, url = migrated
    base = {"--email": "x@example.com", "--password": "pw-123456", "--plan": "starter"}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    result = run("users", "create", *[part for pair in base.items() for part in pair])
    assert result.exit_code == 1
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert _count(url, User) == 0


def test_users_create_with_a_duplicate_email_fails_and_writes_nothing(
    migrated: tuple[Invoke, URL],
) -> None:
    run, url = migrated
    args = ["users", "create", "--email", "dup@example.com", "--password", "pw-123456"]
    assert run(*args).exit_code == 0
    again = run("users", "create", "--email", "DUP@example.com", "--password", "other-pass")
    assert again.exit_code == 1
    assert again.output.strip() == "error: A user with this email already exists"
    assert _count(url, User) == 1


def test_tokens_create_for_an_unknown_email_fails_and_writes_nothing(
    migrated: tuple[Invoke, URL],
) -> None:
    run, url = migrated
    result = run("tokens", "create", "--email", "ghost@example.com")
    assert result.exit_code == 1
    assert "no user with email ghost@example.com" in result.output
    assert _count(url, ApiToken) == 0
