"""INSERT … ON CONFLICT, which SQLAlchemy spells per dialect: the atomic counters (the quota
ledger, per-fan caps) are one such statement on either database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def insert_for(session: AsyncSession, table: Table) -> Any:
    """An insert with `on_conflict_do_update` and `on_conflict_do_nothing`, for this database."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
