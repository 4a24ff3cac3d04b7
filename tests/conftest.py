"""Test fixtures: every database test runs on SQLite and on PostgreSQL, both migrated for real.

PostgreSQL and Redis are expected at 127.0.0.1 (TEST_POSTGRES_URL / TEST_REDIS_URL override). With
CI=true a missing service fails the run; elsewhere those tests skip with a one-line reason.

The suite runs in parallel (pytest-xdist, `-n auto` in pyproject): each worker has its own
databases, PostgreSQL ones by name and Redis ones by number (`redis_database`).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import pytest
import redis
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.kit import migrations
from huntaze_ai.kit.db import Database

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
_REDIS_BASE_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


# What each test Redis database holds. Rate-limit windows are keyed by creator id, and every
# worker's databases number their creators from 1: two workers sharing a window would fill it for
# each other, so a worker's windows never leave its own databases.
REDIS_SLOTS = ("tests", "smoke", "e2e")
_REDIS_DATABASES = 16  # Redis's default `databases`


def redis_database(slot: str) -> str:
    """The Redis URL of this worker's database for `slot` (one of REDIS_SLOTS)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")  # gw0, gw1, … (absent without xdist)
    parts = urlsplit(_REDIS_BASE_URL)
    base = int(parts.path.strip("/") or 0)
    number = base + int(worker.removeprefix("gw")) * len(REDIS_SLOTS) + REDIS_SLOTS.index(slot)
    if number >= _REDIS_DATABASES:
        raise pytest.UsageError(f"Redis has {_REDIS_DATABASES} databases: fewer workers (-n)")
    return parts._replace(path=f"/{number}").geturl()


REDIS_URL = redis_database("tests")


def require_service(name: str, reason: str) -> None:
    """Skip on a laptop, fail in CI: a CI run that skips the real databases proves nothing."""
    message = f"{name} unavailable ({reason})"
    if IN_CI:
        pytest.fail(f"{message}; CI=true requires it", pytrace=False)
    pytest.skip(message)


def _asyncpg_dsn(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


async def _pg_admin(statement: str) -> None:
    conn = await asyncpg.connect(_asyncpg_dsn(make_url(POSTGRES_ADMIN_URL)), timeout=3)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def postgres_server() -> URL:
    try:
        asyncio.run(_pg_admin("SELECT 1"))
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        require_service("PostgreSQL", f"{POSTGRES_ADMIN_URL}: {type(exc).__name__}")
    return make_url(POSTGRES_ADMIN_URL)


@pytest.fixture(scope="session")
def redis_url() -> str:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        require_service("Redis", f"{REDIS_URL}: {type(exc).__name__}")
    finally:
        client.close()
    return REDIS_URL


def _new_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[URL]:
    backend = request.param
    if backend == "sqlite":
        path = tmp_path_factory.mktemp("sqlite") / "test.db"
        yield make_url(f"sqlite+aiosqlite:///{path}")
        return
    server: URL = request.getfixturevalue("postgres_server")
    name = f"huntaze_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name)
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def empty_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[URL]:
    """A fresh, empty database of the requested backend, dropped at the end of the session."""
    yield from _new_database(request, tmp_path_factory)


@pytest.fixture
def fresh_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[URL]:
    """An empty database for one test: for tests that migrate, downgrade or restore."""
    yield from _new_database(request, tmp_path_factory)


BACKENDS = ["sqlite", "postgresql"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # Any test that (indirectly) needs a database runs once per backend.
    if "empty_database_url" in metafunc.fixturenames:
        metafunc.parametrize("empty_database_url", BACKENDS, indirect=True, scope="session")
    if "fresh_database_url" in metafunc.fixturenames:
        metafunc.parametrize("fresh_database_url", BACKENDS, indirect=True)


@pytest.fixture(scope="session")
def database_url(empty_database_url: URL) -> URL:
    """The test database, migrated to head with the real Alembic migrations (never create_all)."""
    migrations.upgrade(empty_database_url)
    return empty_database_url


@pytest.fixture(scope="session")
async def database(database_url: URL) -> AsyncIterator[Database]:
    db = Database.from_url(database_url)
    yield db
    await db.dispose()


@pytest.fixture
async def session(database: Database) -> AsyncIterator[AsyncSession]:
    """A session inside a transaction that is rolled back after the test: nothing persists."""
    async with database.engine.connect() as conn:
        transaction = await conn.begin()
        session = AsyncSession(
            bind=conn, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )
        try:
            yield session
        finally:
            await session.close()
            await transaction.rollback()


@pytest.fixture
def sqlite_path(tmp_path: Path) -> Path:
    return tmp_path / "huntaze_ai.db"


@pytest.fixture(autouse=True, scope="session")
def _one_argon2_hash_per_password() -> Iterator[None]:
    """argon2 costs about 0.15 s of CPU a hash, by design, and the tests create thousands of
    accounts with a handful of passwords: each password is hashed once per run (a hash carries
    its salt, so it verifies the same for every account). Servers the tests start as processes
    hash as shipped."""
    import functools

    from huntaze_ai.users import service as users_service

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            users_service,
            "hash_password",
            functools.lru_cache(maxsize=64)(users_service.hash_password),
        )
        yield
