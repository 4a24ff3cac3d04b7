"""`huntaze-ai config verify [--production]`: all green against the emulator, the test databases
and Redis; each kind of failure exits 1 with its ✗ line; no secret value is ever printed."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import select
from sqlalchemy.engine import URL, make_url
from typer.testing import CliRunner

from huntaze_ai.cli import app
from huntaze_ai.emulator import EmulatorConfig, run_emulator_in_thread
from huntaze_ai.kit import migrations
from tests.conftest import _pg_admin

GOOD_KEY = f"good-key-{uuid.uuid4().hex}"
SECRET_KEY = secrets.token_urlsafe(36)
DB_PASSWORD = f"db-pw-{uuid.uuid4().hex[:12]}"
REDIS_PASSWORD = f"redis-pw-{uuid.uuid4().hex[:12]}"
VARIABLES = (
    "HUNTAZE_ENV",
    "SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "ELASTICACHE_REDIS_HOST",
    "ELASTICACHE_REDIS_PORT",
    "RATE_LIMIT_FAIL_MODE",
    "GEMINI_API_KEY",
    "GEMINI_MODEL",
    "GEMINI_BASE_URL",
    "MESSAGING_MODEL",
    "ANALYTICS_MODEL",
    "ANALYTICS_THINKING",
    "QUOTA_FALLBACK_MODEL",
    "QUOTA_STARTER_USD",
    "QUOTA_PRO_USD",
    "QUOTA_BUSINESS_USD",
    "FORWARDED_ALLOW_IPS",
    "METRICS_TOKEN",
    "METRICS_PUBLIC",
    "API_DOCS",
    "WEBHOOK_URL",
    "WEBHOOK_SECRET",
)
METRICS_TOKEN = secrets.token_urlsafe(24)


@pytest.fixture(scope="module")
def gemini() -> Iterator[str]:
    """A Gemini emulator that accepts GOOD_KEY only."""
    with run_emulator_in_thread(EmulatorConfig(port=0, api_keys=frozenset({GOOD_KEY}))) as url:
        yield url


@pytest.fixture(scope="module")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("verify") / "head.db"
    migrations.upgrade(make_url(f"sqlite+aiosqlite:///{path}"))
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def postgres_url(postgres_server: URL) -> Iterator[str]:
    """A migrated PostgreSQL database, reached with a password in its URL (the test server trusts
    local connections, so any password works: what matters is that it is never printed)."""
    name = f"huntaze_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    url = postgres_server.set(database=name, password=DB_PASSWORD)
    try:
        migrations.upgrade(url)
        yield url.set(drivername="postgresql").render_as_string(hide_password=False)
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


Verify = Callable[..., Result]


@pytest.fixture
def verify(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Verify:
    """`verify(ENV=value, ...)(*args)` runs the command with exactly these variables."""
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)

    def run(*args: str, **env: str) -> Result:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return CliRunner().invoke(app, ["config", "verify", *args])

    return run


def lines(result: Result) -> list[str]:
    return result.output.splitlines()


def line(result: Result, name: str) -> str:
    found = [text for text in lines(result) if text[2:].startswith(f"{name}:")]
    assert len(found) == 1, result.output
    return found[0]


def assert_no_secret(result: Result, *values: str) -> None:
    for value in (GOOD_KEY, SECRET_KEY, DB_PASSWORD, REDIS_PASSWORD, METRICS_TOKEN, *values):
        assert value not in result.output


def test_all_green_in_development(
    verify: Verify, database_url: URL, redis_url: str, gemini: str
) -> None:
    result = verify(
        DATABASE_URL=database_url.render_as_string(hide_password=False),
        REDIS_URL=redis_url,
        GEMINI_API_KEY=GOOD_KEY,
        GEMINI_BASE_URL=gemini,
    )
    assert result.exit_code == 0, result.output
    assert all(text.startswith("✓ ") for text in lines(result)), result.output
    assert line(result, "database").startswith("✓ database: reachable, schema at head")
    assert line(result, "redis").startswith(f"✓ redis: {redis_url}: PING ok")
    assert line(result, "gemini").startswith(f"✓ gemini: key accepted by {gemini}")
    names = [text[2:].split(":")[0] for text in lines(result)]
    assert names == [
        "settings",
        "SECRET_KEY",
        "DATABASE_URL",
        "RATE_LIMIT_FAIL_MODE",
        "QUOTA_*_USD",
        "FORWARDED_ALLOW_IPS",
        "METRICS_TOKEN",
        "API_DOCS",
        "HTTP limits",
        "messaging model",
        "content model",
        "analytics model",
        "sales model",
        "WEBHOOK_URL",
        "database",
        "API tokens",
        "redis",
        "gemini",
    ]
    assert_no_secret(result)


def test_all_green_in_production(
    verify: Verify, postgres_url: str, redis_url: str, gemini: str
) -> None:
    result = verify(
        "--production",
        HUNTAZE_ENV="production",
        SECRET_KEY=SECRET_KEY,
        DATABASE_URL=postgres_url,
        REDIS_URL=redis_url,
        GEMINI_API_KEY=GOOD_KEY,
        GEMINI_BASE_URL=gemini,
        FORWARDED_ALLOW_IPS="10.0.0.0/8",
        METRICS_TOKEN=METRICS_TOKEN,
    )
    assert result.exit_code == 0, result.output
    assert all(text.startswith("✓ ") for text in lines(result)), result.output
    assert line(result, "HUNTAZE_ENV") == "✓ HUNTAZE_ENV: production"
    assert line(result, "FORWARDED_ALLOW_IPS") == (
        "✓ FORWARDED_ALLOW_IPS: X-Forwarded-For believed from 10.0.0.0/8 only"
    )
    assert line(result, "METRICS_TOKEN").startswith("✓ METRICS_TOKEN: set (")
    assert line(result, "API_DOCS").startswith("✓ API_DOCS: off")
    assert line(result, "SECRET_KEY") == f"✓ SECRET_KEY: set ({len(SECRET_KEY)} characters)"
    assert ":***@" in line(result, "DATABASE_URL")
    assert_no_secret(result)


def test_without_a_key_the_model_is_emulated_outside_production(
    verify: Verify, sqlite_url: str
) -> None:
    result = verify(DATABASE_URL=sqlite_url)
    assert result.exit_code == 0, result.output
    assert line(result, "gemini") == "✓ gemini: emulated model (no GEMINI_API_KEY)"
    assert line(result, "redis") == "✓ redis: not configured (in-process rate limits)"


def test_an_unparsable_database_url_fails_the_settings(verify: Verify) -> None:
    result = verify(DATABASE_URL=f"postgresql//app:{DB_PASSWORD}@db/huntaze")
    assert result.exit_code == 1
    assert lines(result) == [
        "✗ settings: DATABASE_URL is not a valid database URL: "
        "Could not parse SQLAlchemy URL from given URL string"
    ]
    assert_no_secret(result)


def test_an_unreachable_database_fails_with_the_password_hidden(verify: Verify) -> None:
    result = verify(DATABASE_URL=f"postgresql://app:{DB_PASSWORD}@127.0.0.1:1/huntaze")
    assert result.exit_code == 1
    assert line(result, "database").startswith(
        "✗ database: postgresql://app:***@127.0.0.1:1/huntaze: unreachable"
    )
    assert_no_secret(result)


def test_a_database_behind_head_fails(verify: Verify, fresh_database_url: URL) -> None:
    result = verify(DATABASE_URL=fresh_database_url.render_as_string(hide_password=False))
    assert result.exit_code == 1
    assert "schema at empty, head is" in line(result, "database")
    assert "huntaze-ai db upgrade" in line(result, "database")
    assert line(result, "database").startswith("✗ ")


def test_an_unreachable_redis_fails_with_the_password_hidden(
    verify: Verify, sqlite_url: str
) -> None:
    result = verify(DATABASE_URL=sqlite_url, REDIS_URL=f"redis://:{REDIS_PASSWORD}@127.0.0.1:1/0")
    assert result.exit_code == 1
    assert line(result, "redis").startswith("✗ redis: redis://:***@127.0.0.1:1/0: unreachable")
    assert_no_secret(result)


def test_a_rejected_key_fails_without_printing_it(
    verify: Verify, sqlite_url: str, gemini: str
) -> None:
    wrong = f"wrong-key-{uuid.uuid4().hex}"
    result = verify(DATABASE_URL=sqlite_url, GEMINI_API_KEY=wrong, GEMINI_BASE_URL=gemini)
    assert result.exit_code == 1
    assert line(result, "gemini").startswith(f"✗ gemini: key rejected by {gemini} (HTTP 400")
    assert_no_secret(result, wrong)


def test_an_unreachable_gemini_fails(verify: Verify, sqlite_url: str) -> None:
    result = verify(
        DATABASE_URL=sqlite_url, GEMINI_API_KEY=GOOD_KEY, GEMINI_BASE_URL="http://127.0.0.1:1"
    )
    assert result.exit_code == 1
    assert line(result, "gemini") == "✗ gemini: http://127.0.0.1:1 unreachable: ConnectError"


def test_a_model_without_a_price_fails_naming_its_variable(verify: Verify, sqlite_url: str) -> None:
    result = verify(DATABASE_URL=sqlite_url, GEMINI_MODEL="gemini-0.1-unknown")
    assert result.exit_code == 1
    assert line(result, "models").startswith(
        "✗ models: GEMINI_MODEL: no published price for model 'gemini-0.1-unknown'"
    )
    result = verify(DATABASE_URL=sqlite_url, GEMINI_MODEL="", ANALYTICS_MODEL="gemini-0.1-unknown")
    assert line(result, "models").startswith("✗ models: ANALYTICS_MODEL: no published price")


def test_the_model_per_agent_is_listed_with_its_thinking_and_price(
    verify: Verify, sqlite_url: str
) -> None:
    result = verify(DATABASE_URL=sqlite_url, QUOTA_FALLBACK_MODEL="gemini-2.5-flash-lite")
    assert result.exit_code == 0, result.output
    assert line(result, "messaging model") == (
        "✓ messaging model: gemini-2.5-flash (default, no thinking; priced by genai-prices)"
    )
    assert line(result, "analytics model") == (
        "✓ analytics model: gemini-2.5-pro (default, thinking budget 1024; priced by genai-prices)"
    )
    assert line(result, "analytics fallback").startswith(
        "✓ analytics fallback: gemini-2.5-flash-lite (QUOTA_FALLBACK_MODEL, no thinking;"
    )
    one = verify(DATABASE_URL=sqlite_url, GEMINI_MODEL="gemini-2.5-flash-lite")
    assert line(one, "messaging model").startswith("✓ messaging model: gemini-2.5-flash-lite (")
    assert line(one, "analytics model").startswith(
        "✓ analytics model: gemini-2.5-flash-lite (GEMINI_MODEL, thinking budget 1024;"
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"ANALYTICS_THINKING": "0"},
            "ANALYTICS_THINKING: gemini-2.5-pro takes a thinking budget of 128 to 32768",
        ),
        ({"ANALYTICS_THINKING": "lots"}, "ANALYTICS_THINKING: 'lots' is not a thinking budget"),
        ({"MESSAGING_MODEL": "gpt-4o"}, "MESSAGING_MODEL: 'gpt-4o' is not a Gemini model"),
        (
            {"GEMINI_MODEL": "gemini-2.5-flash-lite", "QUOTA_FALLBACK_MODEL": "gemini-2.5-pro"},
            "QUOTA_FALLBACK_MODEL: gemini-2.5-pro costs more than gemini-2.5-flash-lite",
        ),
    ],
)
def test_a_bad_model_setting_is_one_line_naming_the_variable(
    verify: Verify, sqlite_url: str, env: dict[str, str], expected: str
) -> None:
    result = verify(DATABASE_URL=sqlite_url, **env)
    assert result.exit_code == 1
    assert line(result, "models").startswith(f"✗ models: {expected}")
    assert "Traceback" not in result.output


def test_production_refuses_the_default_secret_and_missing_key(
    verify: Verify, postgres_url: str, redis_url: str
) -> None:
    result = verify(HUNTAZE_ENV="production", DATABASE_URL=postgres_url, REDIS_URL=redis_url)
    assert result.exit_code == 1
    assert line(result, "settings").startswith("✗ settings: SECRET_KEY must be set")
    assert line(result, "SECRET_KEY").startswith("✗ SECRET_KEY: the development default")
    assert line(result, "gemini") == "✗ gemini: GEMINI_API_KEY is required in production"
    assert line(result, "database").startswith("✓ ")  # the rest is still checked
    assert_no_secret(result)


def test_production_flag_judges_a_development_setup(verify: Verify, sqlite_url: str) -> None:
    result = verify("--production", DATABASE_URL=sqlite_url, SECRET_KEY="too-short-secret")
    assert result.exit_code == 1
    failing = {text[2:].split(":")[0] for text in lines(result) if text.startswith("✗")}
    assert failing == {
        "HUNTAZE_ENV",
        "SECRET_KEY",
        "DATABASE_URL",
        "METRICS_TOKEN",
        "redis",
        "gemini",
    }
    assert line(result, "SECRET_KEY") == (
        "✗ SECRET_KEY: only 16 characters; production needs at least 32"
    )
    assert "production needs PostgreSQL" in line(result, "DATABASE_URL")
    assert "too-short-secret" not in result.output


def test_production_warns_about_choices_that_can_be_deliberate_without_failing(
    verify: Verify, postgres_url: str, redis_url: str, gemini: str
) -> None:
    result = verify(
        "--production",
        HUNTAZE_ENV="production",
        SECRET_KEY=SECRET_KEY,
        DATABASE_URL=postgres_url,
        REDIS_URL=redis_url,
        GEMINI_API_KEY=GOOD_KEY,
        GEMINI_BASE_URL=gemini,
        METRICS_PUBLIC="true",
        API_DOCS="true",
    )
    assert result.exit_code == 0, result.output
    warned = {text[2:].split(":")[0] for text in lines(result) if text.startswith("! ")}
    assert warned == {"FORWARDED_ALLOW_IPS", "METRICS_TOKEN", "API_DOCS"}
    assert "client address is the TCP peer" in line(result, "FORWARDED_ALLOW_IPS")
    assert "METRICS_PUBLIC=true" in line(result, "METRICS_TOKEN")
    assert "public in production" in line(result, "API_DOCS")


def test_production_without_a_metrics_token_fails(
    verify: Verify, postgres_url: str, redis_url: str
) -> None:
    result = verify(
        HUNTAZE_ENV="production",
        SECRET_KEY=SECRET_KEY,
        DATABASE_URL=postgres_url,
        REDIS_URL=redis_url,
    )
    assert result.exit_code == 1
    assert line(result, "settings").startswith("✗ settings: METRICS_TOKEN must be set")
    assert line(result, "METRICS_TOKEN").startswith("✗ METRICS_TOKEN: required in production")


def _old_cli_token(url: str, days: int) -> tuple[int, str]:
    """A token without expiry, made `days` ago, for a new account: (token id, email)."""
    from datetime import timedelta

    from huntaze_ai.auth.service import create_api_token
    from huntaze_ai.kit.clock import utcnow
    from huntaze_ai.kit.db import Database
    from huntaze_ai.models import ApiToken
    from tests.factories import create_user

    async def go() -> tuple[int, str]:
        database = Database.from_url(make_url(url).set(drivername="postgresql+asyncpg"))
        try:
            async with database.sessionmaker() as session, session.begin():
                user = await create_user(session)
                await create_api_token(session, user, "integration")
                token = await session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
                assert token is not None
                token.created_at = utcnow() - timedelta(days=days)
                return token.id, user.email
        finally:
            await database.dispose()

    return asyncio.run(go())


def test_production_names_tokens_without_expiry_that_are_due_for_rotation(
    verify: Verify, postgres_url: str, redis_url: str, gemini: str
) -> None:
    token_id, email = _old_cli_token(postgres_url, days=120)
    result = verify(
        "--production",
        HUNTAZE_ENV="production",
        SECRET_KEY=SECRET_KEY,
        DATABASE_URL=postgres_url,
        REDIS_URL=redis_url,
        GEMINI_API_KEY=GOOD_KEY,
        GEMINI_BASE_URL=gemini,
        FORWARDED_ALLOW_IPS="10.0.0.0/8",
        METRICS_TOKEN=METRICS_TOKEN,
    )
    assert result.exit_code == 0, result.output  # a warning, not a failure
    tokens = line(result, "API tokens")
    assert tokens.startswith("! API tokens: ")
    assert f"{token_id} ({email})" in tokens
    assert "without expiry older than 90 days" in tokens
    assert "tokens revoke" in tokens
