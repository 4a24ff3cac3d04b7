"""Backup/restore test helpers: a second throwaway database, data in every table, a snapshot."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import URL, make_url

from huntaze_ai.kit.db import Base, Database
from huntaze_ai.models import (
    Agency,
    AgencyCreator,
    AgencyInvite,
    AgencyMember,
    AIInsight,
    ApiToken,
    Assignment,
    CampaignInsight,
    ComplianceViolation,
    ComplianceWord,
    Draft,
    Fan,
    FanCaps,
    FanDay,
    FanMemory,
    FanMessage,
    FanNote,
    MarketingCampaign,
    OAuthAccount,
    QuotaAlert,
    QuotaLedger,
    QuotaReservation,
    ReplayedResponse,
    Subscription,
    UsageLog,
    User,
    UserStats,
    WebhookAttempt,
    WebhookEvent,
)
from tests.conftest import _pg_admin, require_service

Snapshot = dict[str, list[tuple[Any, ...]]]


@contextmanager
def another_database(like: URL, tmp_path: Path) -> Iterator[URL]:
    """An empty database on the same backend (and server) as `like`, dropped afterwards."""
    if like.get_backend_name() == "sqlite":
        yield make_url(f"sqlite+aiosqlite:///{tmp_path / f'other-{uuid.uuid4().hex[:8]}.db'}")
        return
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        require_service("PostgreSQL client tools", "pg_dump or pg_restore not on PATH")
    name = f"huntaze_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield like.set(database=name)
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def other_database_url(fresh_database_url: URL, tmp_path: Path) -> Iterator[URL]:
    with another_database(fresh_database_url, tmp_path) as url:
        yield url


def execute(url: URL, statement: str) -> None:
    async def go() -> None:
        db = Database.from_url(url)
        try:
            async with db.engine.begin() as conn:
                await conn.execute(text(statement))
        finally:
            await db.dispose()

    asyncio.run(go())


def add_user(url: URL, email: str) -> int:
    async def go() -> int:
        db = Database.from_url(url)
        try:
            async with db.sessionmaker() as session, session.begin():
                user = User(email=email, password_hash="x")
                session.add(user)
                await session.flush()
                return user.id
        finally:
            await db.dispose()

    return asyncio.run(go())


def seed_every_table(url: URL) -> None:
    """Rows in every table, with values a careless copy would mangle: NULLs, non-ASCII text,
    bytes with NUL, 64-bit integers, floats, nested JSON and microsecond UTC datetimes."""
    t0 = datetime(2026, 1, 31, 23, 59, 58, 123456, tzinfo=UTC)

    async def go() -> None:
        db = Database.from_url(url)
        try:
            async with db.sessionmaker() as session, session.begin():
                maya = User(
                    email="maya@example.com",
                    password_hash="$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
                    display_name="Maya ✨ Ølsen",
                    persona="Playful.\nSays 'hey' and \"babe\"; never; DROP TABLE users;--",
                    ai_plan="pro",
                    subscription_tier="vip",
                    created_at=t0,
                )
                bare = User(email="bare@example.com", password_hash="x", created_at=t0)
                session.add_all([maya, bare])
                await session.flush()
                campaign = MarketingCampaign(
                    user_id=maya.id, name="Été 🌞", stats={"ctr": 0.125, "by_day": [1, None]}
                )
                insight = AIInsight(
                    user_id=maya.id,
                    type="churn_alert",
                    confidence=0.8712345678901234,
                    summary="3 whales inactive",
                    data={"fans": ["a", "b"], "nested": {"x": 1.5e-7}},
                    request_id="req-insight",
                    created_at=t0,
                )
                session.add_all([campaign, insight])
                await session.flush()
                session.add_all(
                    [
                        ApiToken(
                            user_id=maya.id,
                            name="cli",
                            token_hash="ab" * 32,
                            prefix="hz_abcd",
                            last_used_at=t0,
                            expires_at=t0 + timedelta(days=30),
                        ),
                        OAuthAccount(
                            user_id=maya.id,
                            provider="onlyfans",
                            provider_account_id="of-123",
                            account_metadata={"handle": "maya", "scopes": ["read", "write"]},
                            access_token_encrypted=bytes(range(256)) + b"\x00gAAAA",
                        ),
                        OAuthAccount(
                            user_id=bare.id,
                            provider="x",
                            provider_account_id="x-1",
                            access_token_encrypted=None,
                        ),
                        UserStats(
                            user_id=maya.id,
                            messages_sent=1234,
                            messages_trend=-12.5,
                            response_rate=0.1 + 0.2,
                            revenue_micros=2**53 + 1,
                            revenue_trend=3.3333333333333335,
                            active_chats=7,
                        ),
                        Fan(
                            user_id=maya.id,
                            platform="fansly",
                            external_id="fan-9",
                            display_name=None,
                            notes="Tips on Fridays; asked about — custom audio",
                            total_spent_micros=2**63 - 1,
                            tips_micros=100_000_000,
                            last_active_at=t0,
                        ),
                        Subscription(
                            user_id=maya.id,
                            fan_id="fan-9",
                            tier="gold",
                            amount_micros=9_990_000,
                            platform="onlyfans",
                            status="cancelled",
                            started_at=t0,
                            ends_at=None,
                        ),
                        CampaignInsight(campaign_id=campaign.id, insight_id=insight.id),
                        UsageLog(
                            user_id=maya.id,
                            request_id="req-1",
                            feature="messaging",
                            model="gemini-2.5-pro",
                            input_tokens=1500,
                            cached_input_tokens=300,
                            output_tokens=420,
                            cost_micros=6_125,
                            latency_ms=812,
                            outcome="ok",
                            created_at=t0,
                        ),
                        QuotaLedger(
                            user_id=maya.id,
                            period=date(2026, 1, 1),
                            spent_micros=41_234_567,
                            reserved_micros=89,
                        ),
                        QuotaLedger(user_id=bare.id, period=date(2025, 12, 1), spent_micros=0),
                        QuotaReservation(
                            request_id="req-2",
                            user_id=maya.id,
                            period=date(2026, 1, 1),
                            amount_micros=89,
                            expires_at=t0 + timedelta(minutes=5),
                        ),
                        QuotaAlert(
                            user_id=maya.id,
                            period=date(2026, 1, 1),
                            threshold_percent=80,
                            spent_micros=40_000_000,
                            limit_micros=50_000_000,
                        ),
                        ComplianceWord(
                            creator_id=maya.id,
                            phrase="Sugar plum 🍑",
                            match_key="sugarpium",
                            verdict="escalate",
                            created_by=None,
                            created_at=t0,
                        ),
                        ComplianceViolation(
                            creator_id=maya.id,
                            actor_id=bare.id,
                            source="reply",
                            part="fan_message",
                            rule="refunds.money_back",
                            category="refunds",
                            verdict="escalate",
                            excerpt="I want a [refund] — «now»",
                            rules_version="onlyfans.2026.12.1+common.2026.12.1",
                            created_at=t0,
                        ),
                        ComplianceWord(
                            creator_id=maya.id,
                            phrase="Snapchat ✨",
                            match_key="snapchat",
                            verdict="block",
                            created_by=maya.id,
                        ),
                        ComplianceViolation(
                            creator_id=maya.id,
                            actor_id=maya.id,
                            source="reply",
                            part="message",
                            rule="contact.messenger",
                            category="messengers",
                            verdict="block",
                            excerpt="add me on sn***",
                            rules_version="onlyfans-1",
                        ),
                        Agency(name="Étoile Agency 🌟", created_at=t0),
                        ReplayedResponse(
                            request_id=f"{maya.id}:retry-1",
                            user_id=maya.id,
                            request_digest="0" * 64,
                            status_code=200,
                            body='{"reply": "Merci 💕", "status": "draft"}',
                            created_at=t0,
                        ),
                    ]
                )
            async with db.sessionmaker() as session, session.begin():
                agency = await session.scalar(select(Agency))
                assert agency is not None
                session.add_all(
                    [
                        AgencyMember(agency_id=agency.id, user_id=bare.id, role="chatter"),
                        AgencyCreator(agency_id=agency.id, creator_id=maya.id),
                        AgencyInvite(
                            agency_id=agency.id,
                            role="manager",
                            token_hash="f" * 64,
                            created_by=maya.id,
                            expires_at=t0,
                        ),
                    ]
                )
                await session.flush()
                session.add(Assignment(agency_id=agency.id, member_id=bare.id, creator_id=maya.id))
                session.add_all(
                    [
                        Draft(
                            creator_id=maya.id,
                            member_id=bare.id,
                            fan_id="fan-ü-1",
                            platform="onlyfans",
                            fan_message="Tu es où ? 💕",
                            text="Chez moi, et toi ? 😘",
                            guard_verdict="ok",
                            reasons=[],
                            upsell={"kind": "ppv", "price_usd": "12.50"},
                            request_id="req-draft",
                            status="approved",
                            final_text="Chez moi 😘",
                            edited=True,
                            decided_by=bare.id,
                            decided_at=t0,
                            created_at=t0,
                        ),
                        FanDay(
                            creator_id=maya.id,
                            platform="onlyfans",
                            fan_id="fan-ü-1",
                            day=t0.date(),
                            dms=1,
                            ppvs=0,
                        ),
                        FanCaps(creator_id=maya.id, dms_per_day=5, ppvs_per_day=2, updated_at=t0),
                        WebhookEvent(
                            id="0b6c3f0e-6f0c-4d53-9d5e-1f0c8a8e0001",
                            creator_id=maya.id,
                            type="message.approved",
                            created_at=t0,
                            data={"text": "Chez moi 😘", "fan_id": "fan-ü-1", "edited": True},
                            status="failed",
                            attempts=2,
                            next_attempt_at=t0,
                            lease_owner=None,
                            lease_expires_at=None,
                            last_error="HTTP 500",
                            delivered_at=None,
                        ),
                    ]
                )
                await session.flush()
                session.add(
                    WebhookAttempt(
                        event_id="0b6c3f0e-6f0c-4d53-9d5e-1f0c8a8e0001",
                        number=1,
                        instance="host-ü:1",
                        started_at=t0,
                        finished_at=None,
                        status_code=None,
                        error=None,
                        duration_ms=None,
                    )
                )
                draft = await session.scalar(select(Draft))
                assert draft is not None
                session.add_all(
                    [
                        FanMessage(
                            creator_id=maya.id,
                            platform="onlyfans",
                            fan_id="fan-ü-1",
                            sender="creator",
                            text="Chez moi 😘",
                            draft_id=draft.id,
                            member_id=bare.id,
                            created_at=t0,
                        ),
                        FanNote(
                            creator_id=maya.id,
                            platform="onlyfans",
                            fan_id="fan-ü-1",
                            category="personal",
                            text="Anniversaire le 3 mars 🎂",
                            text_key="anniversaire le 3 mars 🎂",
                            status="saved",
                            confidence=0.9312345678901234,
                            draft_id=draft.id,
                            created_by=bare.id,
                            created_at=t0,
                            updated_by=None,
                            updated_at=None,
                        ),
                        FanMemory(
                            creator_id=maya.id,
                            platform="onlyfans",
                            fan_id="fan-ü-1",
                            auto_notes=1,
                            auto_day=t0.date(),
                            auto_day_notes=1,
                            awaiting_key=None,
                            updated_at=t0,
                        ),
                    ]
                )
        finally:
            await db.dispose()

    asyncio.run(go())


def snapshot(url: URL) -> Snapshot:
    """Every row of every table (full tuples, ordered by primary key) and the schema revision."""

    async def go() -> Snapshot:
        db = Database.from_url(url)
        try:
            async with db.engine.connect() as conn:
                rows: Snapshot = {}
                for table in Base.metadata.sorted_tables:
                    query = select(table).order_by(*table.primary_key.columns)
                    rows[table.name] = [tuple(row) for row in await conn.execute(query)]
                version = await conn.execute(text("SELECT version_num FROM alembic_version"))
                rows["alembic_version"] = [tuple(row) for row in version]
                return rows
        finally:
            await db.dispose()

    return asyncio.run(go())
