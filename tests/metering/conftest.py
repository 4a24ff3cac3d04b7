from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from huntaze_ai.config import Settings
from huntaze_ai.kit import clock
from huntaze_ai.kit.db import Database
from huntaze_ai.metering.pricing import Prices
from huntaze_ai.metering.quota import QuotaLedger, month_start
from huntaze_ai.metering.rate_limit import CreatorRateLimiter
from huntaze_ai.metering.service import Meter
from huntaze_ai.models import QuotaLedger as LedgerRow
from huntaze_ai.models import QuotaReservation, UsageLog, User
from tests.factories import create_user

MODEL = "gemini-2.5-pro"


def make_settings(**overrides: Any) -> Settings:
    return Settings(**{"gemini_model": MODEL, **overrides})


# The Gemini models the tests call, priced as the app prices them at start-up.
PRICES = Prices([MODEL, "gemini-2.5-flash", "gemini-2.5-flash-lite"])


def make_meter(
    database: Database,
    settings: Settings | None = None,
    limiter: CreatorRateLimiter | None = None,
    prices: Prices = PRICES,
    **ledger_kwargs: Any,
) -> Meter:
    settings = settings or make_settings()
    limiter = limiter or CreatorRateLimiter(
        limits={"starter": 10_000, "pro": 10_000, "business": 10_000}
    )
    return Meter(QuotaLedger(database.sessionmaker, settings, **ledger_kwargs), limiter, prices)


async def new_creator(database: Database, plan: str = "starter") -> User:
    """A committed creator (concurrency tests need rows other connections can see)."""
    async with database.sessionmaker() as session, session.begin():
        user = await create_user(session, email=f"c-{uuid.uuid4().hex[:12]}@example.com", plan=plan)
    return user


@dataclass
class Books:
    spent: int
    reserved: int
    rows: int
    rows_cost: int
    open_reservations: int


async def books(database: Database, user_id: int, at: datetime | None = None) -> Books:
    """Everything the money invariants talk about, read straight from the database."""
    period = month_start(at or clock.utcnow())
    async with database.sessionmaker() as session:
        ledger = await session.get(LedgerRow, (user_id, period))
        rows, rows_cost = (
            await session.execute(
                select(func.count(), func.coalesce(func.sum(UsageLog.cost_micros), 0)).where(
                    UsageLog.user_id == user_id
                )
            )
        ).one()
        open_reservations = await session.scalar(
            select(func.count()).where(
                QuotaReservation.user_id == user_id, QuotaReservation.settled_at.is_(None)
            )
        )
    return Books(
        spent=ledger.spent_micros if ledger else 0,
        reserved=ledger.reserved_micros if ledger else 0,
        rows=int(rows),
        rows_cost=int(rows_cost),
        open_reservations=int(open_reservations or 0),
    )


@pytest.fixture
def frozen_clock() -> Iterator[Callable[[datetime], None]]:
    """Set `utcnow()` for the test: `frozen_clock(datetime(...))`; restored afterwards."""

    def set_to(moment: datetime) -> None:
        clock.set_clock(lambda: moment)

    yield set_to
    clock.set_clock(None)
