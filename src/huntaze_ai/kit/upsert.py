"""INSERT … ON CONFLICT, which SQLAlchemy spells per dialect: the atomic counters (the quota
ledger, per-fan caps) are one such statement on either database."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Executable

from huntaze_ai.kit.db import HotStatement


def insert_for(session: AsyncSession, table: Table) -> Any:
    """An insert with `on_conflict_do_update` and `on_conflict_do_nothing`, for this database."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


class HotUpsert:
    """An upsert run on every fan reply, built once for each database (`build` gets that
    database's `insert`) and sent as a `HotStatement`."""

    def __init__(self, build: Callable[[Callable[[Table], Any]], Executable]) -> None:
        self._by_dialect = {
            "postgresql": HotStatement(build(postgresql.insert)),
            "sqlite": HotStatement(build(sqlite.insert)),
        }

    async def rows_in(self, session: AsyncSession, params: dict[str, Any]) -> list[Any]:
        statement = self._by_dialect[session.get_bind().dialect.name]
        return await statement.rows_in(session, params)
