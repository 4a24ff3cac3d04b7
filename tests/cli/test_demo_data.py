from __future__ import annotations

import asyncio
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.engine import URL

from huntaze_ai.kit.db import Database
from huntaze_ai.models import Fan, OAuthAccount
from tests.cli.conftest import Invoke


def _fans_and_tokens(url: URL) -> tuple[int, list[bytes | None]]:
    async def go() -> tuple[int, list[bytes | None]]:
        db = Database.from_url(url)
        try:
            async with db.sessionmaker() as session:
                fans = int(await session.scalar(select(func.count()).select_from(Fan)) or 0)
                tokens = list(await session.scalars(select(OAuthAccount.access_token_encrypted)))
                return fans, tokens
        finally:
            await db.dispose()

    return asyncio.run(go())


def test_demo_data_fills_a_creator_and_can_run_again(
    cli: Callable[[URL], Invoke], fresh_database_url: URL
) -> None:
    run = cli(fresh_database_url)
    assert run("db", "upgrade").exit_code == 0
    created = run("users", "create", "--email", "demo@example.com", "--password", "pw-123456")
    assert created.exit_code == 0, created.output

    first = run("demo-data", "--email", "Demo@Example.com")
    assert first.exit_code == 0, first.output
    assert "demo@example.com" in first.output
    assert "40 fans" in first.output
    second = run("demo-data", "--email", "demo@example.com", "--seed", "5")
    assert second.exit_code == 0, second.output

    fans, tokens = _fans_and_tokens(fresh_database_url)
    assert fans == 40
    assert len(tokens) == 3
    assert all(t is not None and b"demo-" not in t for t in tokens)


def test_demo_data_for_an_unknown_email_is_one_line_and_exit_1(
    cli: Callable[[URL], Invoke], fresh_database_url: URL
) -> None:
    run = cli(fresh_database_url)
    assert run("db", "upgrade").exit_code == 0
    result = run("demo-data", "--email", "nobody@example.com")
    assert result.exit_code == 1
    assert result.output.strip() == "error: no user with email nobody@example.com"
