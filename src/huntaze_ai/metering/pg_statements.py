"""The quota's reserve and settle as one PostgreSQL statement each, sent outside a transaction
block (autocommit): one round trip instead of BEGIN, two or three statements and COMMIT.

A statement with data-modifying CTEs is atomic on its own: either every part applies or none.
- reserve: the ledger upsert (conditional on spent + reserved + amount <= limit, and on the
  request id not being billed already) feeds the reservation insert, so a reservation row exists
  iff the money was held; a replayed request id violates the reservation key and rolls the ledger
  change back with it.
- settle: marking the reservation settled feeds the ledger update (the amount it frees), and the
  usage row is inserted in the same statement, so a settled call always has its one row. The new
  spent total feeds the 80 / 95 % alerts (insert-if-absent on their per-month key) and each alert
  this statement created feeds its `quota.alert` webhook event: an alert and its event exist
  exactly when the spend that crossed the threshold was committed.
SQLite (one process, no network) keeps the equivalent multi-statement transactions.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, Date, Integer, String, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncEngine

from huntaze_ai.kit.db import HotStatement, UTCDateTime
from huntaze_ai.kit.money import format_usd
from huntaze_ai.webhooks import outbox

_TYPES: dict[str, Any] = {
    "user_id": Integer(),
    "period": Date(),
    "amount": BigInteger(),
    "limit": BigInteger(),
    "cost": BigInteger(),
    "now": UTCDateTime(),
    "expires_at": UTCDateTime(),
    "created_at": UTCDateTime(),
    "request_id": String(),
    "outcome": String(),
    "member_id": Integer(),
    "event_80": String(),
    "event_95": String(),
    "period_label": String(),
    "limit_usd": String(),
    "resets_at": String(),
}


def _typed(sql: str, *names: str) -> Any:
    return text(sql).bindparams(*(bindparam(n, type_=_TYPES[n]) for n in names))


RESERVE = HotStatement(_typed(
    """
    WITH logged AS (
        -- A request id already billed: reservations are forgotten after the idempotency window,
        -- usage rows never are, so a late replay is caught here.
        SELECT 1 FROM usage_logs WHERE request_id = :request_id
    ), led AS (
        INSERT INTO quota_ledger AS l (user_id, period, spent_micros, reserved_micros, updated_at)
        SELECT :user_id, :period, 0, :amount, :now
        WHERE :amount <= :limit AND NOT EXISTS (SELECT 1 FROM logged)
        ON CONFLICT (user_id, period) DO UPDATE
            SET reserved_micros = l.reserved_micros + :amount, updated_at = :now
            WHERE l.spent_micros + l.reserved_micros + :amount <= :limit
                AND NOT EXISTS (SELECT 1 FROM logged)
        RETURNING l.user_id
    )
    INSERT INTO quota_reservations
        (request_id, user_id, period, amount_micros, created_at, expires_at)
    SELECT :request_id, user_id, :period, :amount, :now, :expires_at FROM led
    RETURNING request_id
    """,
    "user_id", "period", "amount", "limit", "now", "expires_at", "request_id",
).columns(request_id=String()))  # fmt: skip

SETTLE = HotStatement(_typed(
    """
    WITH held AS (
        UPDATE quota_reservations SET settled_at = :now, outcome = :outcome
        WHERE request_id = :request_id AND settled_at IS NULL
        RETURNING amount_micros
    ), led AS (
        UPDATE quota_ledger
        SET spent_micros = spent_micros + :cost,
            reserved_micros = reserved_micros - COALESCE((SELECT amount_micros FROM held), 0),
            updated_at = :now
        WHERE user_id = :user_id AND period = :period
        RETURNING spent_micros
    ), logged AS (
        INSERT INTO usage_logs (user_id, request_id, feature, model, input_tokens,
            cached_input_tokens, output_tokens, cost_micros, latency_ms, outcome, created_at,
            member_id)
        VALUES (:user_id, :request_id, :feature, :model, :input_tokens, :cached_input_tokens,
            :output_tokens, :cost, :latency_ms, :outcome, :created_at, :member_id)
    ), alerted AS (
        -- The thresholds are quota.ALERT_THRESHOLDS (and quota_alerts' check constraint).
        INSERT INTO quota_alerts AS a
            (user_id, period, threshold_percent, spent_micros, limit_micros, created_at)
        SELECT :user_id, :period, t.threshold, led.spent_micros, :limit, :now
        FROM led, (VALUES (80), (95)) AS t (threshold)
        WHERE :cost > 0 AND led.spent_micros * 100 >= t.threshold * :limit
        ON CONFLICT (user_id, period, threshold_percent) DO NOTHING
        RETURNING a.threshold_percent, a.spent_micros
    ), announced AS (
        -- webhooks/outbox.py quota_alert_data, in SQL.
        INSERT INTO webhook_events (id, creator_id, type, created_at, data, status, attempts,
            next_attempt_at)
        SELECT CASE alerted.threshold_percent WHEN 80 THEN :event_80 ELSE :event_95 END,
            :user_id, 'quota.alert', :now,
            json_build_object(
                'creator_id', :user_id,
                'threshold_percent', alerted.threshold_percent,
                'period', :period_label,
                'spent_usd', (alerted.spent_micros::numeric / 1000000)::numeric(30, 6)::text,
                'limit_usd', :limit_usd,
                'resets_at', :resets_at),
            'pending', 0, :now
        FROM alerted
    )
    SELECT (SELECT spent_micros FROM led) AS spent, EXISTS (SELECT 1 FROM held) AS held,
        ARRAY(SELECT threshold_percent FROM alerted ORDER BY 1) AS alerts
    """,
    "user_id", "period", "cost", "now", "created_at", "request_id", "outcome", "member_id",
    "limit", "event_80", "event_95", "period_label", "limit_usd", "resets_at",
).columns(spent=BigInteger(), held=Boolean(), alerts=ARRAY(Integer())))  # fmt: skip


async def reserve(
    engine: AsyncEngine,
    *,
    request_id: str,
    user_id: int,
    period: date,
    amount: int,
    limit: int,
    now: datetime,
    expires_at: datetime,
) -> bool:
    """True when the amount is held (and the reservation row written). False when refused: over
    the limit, or the request id is already billed (see `already_billed`). IntegrityError on a
    replayed request id whose reservation is still kept."""
    rows = await RESERVE.alone(
        engine,
        {
            "request_id": request_id,
            "user_id": user_id,
            "period": period,
            "amount": amount,
            "limit": limit,
            "now": now,
            "expires_at": expires_at,
        },
    )
    return bool(rows)


async def settle(
    engine: AsyncEngine,
    *,
    request_id: str,
    user_id: int,
    period: date,
    created_at: datetime,
    now: datetime,
    usage: dict[str, Any],
    limit: int,
    resets_at: datetime,
) -> tuple[int, bool, list[int]]:
    """(the month's spent total after this call, whether the reservation was still held, the
    alert thresholds this call crossed first)."""
    params = {
        "request_id": request_id,
        "user_id": user_id,
        "period": period,
        "created_at": created_at,
        "now": now,
        "limit": limit,
        "event_80": outbox.new_event_id(),
        "event_95": outbox.new_event_id(),
        "period_label": period.strftime("%Y-%m"),
        "limit_usd": format_usd(limit),
        "resets_at": resets_at.isoformat(),
        "cost": usage["cost_micros"],
        "outcome": usage["outcome"],
        **{
            k: usage[k]
            for k in (
                "feature",
                "model",
                "input_tokens",
                "cached_input_tokens",
                "output_tokens",
                "latency_ms",
                "member_id",
            )
        },
    }
    (row,) = await SETTLE.alone(engine, params)
    if row.spent is None:
        raise RuntimeError(f"no ledger row for creator {user_id} in {period}")
    alerts = [int(t) for t in row.alerts]
    if alerts:
        outbox.notify()  # autocommit: the statement is committed by now
    return int(row.spent), bool(row.held), alerts
