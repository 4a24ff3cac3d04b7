"""The monthly USD quota, kept in the database (DESIGN §2.3, invariants 1–3 and 5).

A call reserves its worst-case cost before it runs and settles to the real cost after. Reserving is
one conditional statement on the creator's ledger row for the month, so spent + reserved can never
pass the limit whatever the number of processes. Each reservation leaves `reserved_micros` exactly
once: settled, released, or expired by the sweep.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from huntaze_ai.config import Plan, Settings
from huntaze_ai.kit import metrics
from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.errors import Conflict, HuntazeError
from huntaze_ai.kit.money import format_usd, usd_to_micros
from huntaze_ai.metering import pg_statements, repository, wording
from huntaze_ai.webhooks import outbox

log = logging.getLogger(__name__)

ALERT_THRESHOLDS = (80, 95)
# Longer than any provider call (timeouts are far shorter, and a stream ends within half of it:
# llm/pipeline.py) so only a dead process's reservation ever expires; the sweep gives that money
# back to the creator.
DEFAULT_RESERVATION_TTL = timedelta(minutes=10)
# Settled reservations are kept this long: their key is what refuses a replayed request id.
IDEMPOTENCY_WINDOW = timedelta(days=7)


class QuotaExceeded(HuntazeError):
    """A call whose worst case the quota cannot hold. The message says which situation it is
    (metering/wording.py): "Monthly quota exceeded" only when the month is spent, else "Not
    enough quota left for this request"; `reason` says it in a sentence for a person."""

    status_code = 402
    code = "quota_exceeded"
    default_message = wording.MONTH_SPENT

    def __init__(
        self,
        spent_micros: int,
        limit_micros: int,
        resets_at: datetime,
        *,
        reserved_micros: int = 0,
        needed_micros: int | None = None,
    ) -> None:
        figures = wording.QuotaFigures(spent_micros, reserved_micros, limit_micros, resets_at)
        needed = figures.left_micros + 1 if needed_micros is None else needed_micros
        super().__init__(
            wording.refusal_message(figures),
            spent_usd=format_usd(spent_micros),
            limit_usd=format_usd(limit_micros),
            resets_at=resets_at.isoformat(),
            reserved_usd=format_usd(reserved_micros),
            remaining_usd=format_usd(figures.left_micros),
            needed_usd=format_usd(needed),
            reason=wording.refusal_reason(figures, needed),
        )

    @classmethod
    def for_snapshot(cls, snap: QuotaSnapshot, needed_micros: int) -> QuotaExceeded:
        return cls(
            snap.spent_micros,
            snap.limit_micros,
            snap.period_end,
            reserved_micros=snap.reserved_micros,
            needed_micros=needed_micros,
        )


class DuplicateRequest(Conflict):
    code = "duplicate_request"
    default_message = "This request id was already used; it is not run or charged again"


def month_start(moment: datetime) -> date:
    moment = moment.astimezone(UTC)
    return date(moment.year, moment.month, 1)


def month_bounds(period: date) -> tuple[datetime, datetime]:
    """[start, end) of the calendar month in UTC; `end` is when the quota resets."""
    start = datetime(period.year, period.month, 1, tzinfo=UTC)
    nxt = date(period.year + period.month // 12, period.month % 12 + 1, 1)
    return start, datetime(nxt.year, nxt.month, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Reservation:
    request_id: str
    user_id: int
    period: date
    amount_micros: int
    limit_micros: int
    started_at: datetime


@dataclass(frozen=True)
class UsageRecord:
    """What the usage log keeps of one finished call."""

    feature: str
    model: str
    input_tokens: int
    cached_input_tokens: int
    output_tokens: int
    cost_micros: int
    latency_ms: int
    outcome: str
    member_id: int | None = None  # who asked: an agency member, or the creator themself


@dataclass(frozen=True)
class QuotaSnapshot:
    plan: Plan
    period_start: datetime
    period_end: datetime
    limit_micros: int
    spent_micros: int
    reserved_micros: int

    @property
    def remaining_micros(self) -> int:
        return max(0, self.limit_micros - self.spent_micros - self.reserved_micros)

    @property
    def percent_used(self) -> Decimal:
        if self.limit_micros == 0:
            return Decimal(100)
        return (Decimal(self.spent_micros) * 100 / self.limit_micros).quantize(Decimal("0.01"))


def _log_alert(r: Reservation, threshold: int, spent: int) -> None:
    log.warning(
        "quota alert: creator %d reached %d%% of its monthly AI quota (%s of %s USD)",
        r.user_id,
        threshold,
        format_usd(spent),
        format_usd(r.limit_micros),
    )


class QuotaLedger:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        reservation_ttl: timedelta = DEFAULT_RESERVATION_TTL,
    ) -> None:
        self._sessions = sessionmaker
        self._settings = settings
        self.reservation_ttl = reservation_ttl
        engine = sessionmaker.kw["bind"]
        # PostgreSQL reserves and settles in one statement each, outside a transaction block
        # (pg_statements.py).
        self._pg_engine = engine if engine.dialect.name == "postgresql" else None

    def limit_micros(self, plan: Plan) -> int:
        return self._settings.quota_limit_micros(plan)

    async def reserve(
        self, user_id: int, plan: Plan, amount_micros: int, request_id: str
    ) -> Reservation:
        """Hold `amount_micros` for a call, or raise QuotaExceeded / DuplicateRequest."""
        reservation, _ = await self.reserve_first(user_id, plan, [amount_micros], request_id)
        return reservation

    async def reserve_first(
        self, user_id: int, plan: Plan, amounts_micros: Sequence[int], request_id: str
    ) -> tuple[Reservation, int]:
        """Hold the first of `amounts_micros` (a call's worst case on its model, then on its
        fallback) that the quota can hold; which one, by index. Or raise QuotaExceeded /
        DuplicateRequest. Each attempt is the same atomic statement, so the choice is too."""
        now = utcnow()
        period, limit = month_start(now), self.limit_micros(plan)
        options = [
            Reservation(request_id, user_id, period, amount, limit, now)
            for amount in amounts_micros
        ]
        for index, reservation in enumerate(options):
            if await self._try_reserve(reservation):
                return reservation, index
        # Money held by a crashed process may be what stands in the way: free it, then retry once.
        if await self.sweep(user_id=user_id):
            for index, reservation in enumerate(options):
                if await self._try_reserve(reservation):
                    return reservation, index
        snapshot = await self.snapshot(user_id, plan)
        metrics.QUOTA_REJECTIONS.labels(plan).inc()
        raise QuotaExceeded.for_snapshot(snapshot, min(amounts_micros))

    async def _try_reserve(self, r: Reservation) -> bool:
        if self._pg_engine is not None:
            try:
                held = await pg_statements.reserve(
                    self._pg_engine,
                    request_id=r.request_id,
                    user_id=r.user_id,
                    period=r.period,
                    amount=r.amount_micros,
                    limit=r.limit_micros,
                    now=r.started_at,
                    expires_at=r.started_at + self.reservation_ttl,
                )
            except IntegrityError:
                raise DuplicateRequest(request_id=r.request_id) from None
            if not held:
                await self._refuse_if_billed(r.request_id)
            return held
        try:
            async with self._sessions() as session, session.begin():
                # The key insert comes first: a replayed request id fails before touching money.
                await repository.insert_reservation(
                    session,
                    request_id=r.request_id,
                    user_id=r.user_id,
                    period=r.period,
                    amount=r.amount_micros,
                    created_at=r.started_at,
                    expires_at=r.started_at + self.reservation_ttl,
                )
                if await repository.already_billed(session, r.request_id):
                    raise DuplicateRequest(request_id=r.request_id)
                row = await repository.try_reserve(
                    session,
                    user_id=r.user_id,
                    period=r.period,
                    amount=r.amount_micros,
                    limit=r.limit_micros,
                    now=r.started_at,
                )
                if row is None:
                    await session.rollback()
                    return False
        except IntegrityError:
            raise DuplicateRequest(request_id=r.request_id) from None
        return True

    async def _refuse_if_billed(self, request_id: str) -> None:
        async with self._sessions() as session:
            if await repository.already_billed(session, request_id):
                raise DuplicateRequest(request_id=request_id)

    async def finish(self, reservation: Reservation, record: UsageRecord) -> int:
        """Settle a call: charge `record.cost_micros` (0 for a failed call), free the reservation,
        write its one usage row and any alert it triggers, with its webhook event, all in one
        transaction (one statement on PostgreSQL). Returns the month's spent total."""
        now = utcnow()
        if record.cost_micros > reservation.amount_micros:
            log.error(
                "call %s cost %d micro-USD, above its %d reservation",
                reservation.request_id,
                record.cost_micros,
                reservation.amount_micros,
            )
        if self._pg_engine is not None:
            spent, was_held, alerts = await pg_statements.settle(
                self._pg_engine,
                request_id=reservation.request_id,
                user_id=reservation.user_id,
                period=reservation.period,
                created_at=reservation.started_at,
                now=now,
                usage=record.__dict__,
                limit=reservation.limit_micros,
                resets_at=month_bounds(reservation.period)[1],
            )
            if not was_held:
                log.error("reservation %s settled after expiry", reservation.request_id)
            for threshold in alerts:
                _log_alert(reservation, threshold, spent)
            return spent
        async with self._sessions() as session, session.begin():
            held = await repository.settle_reservation(
                session, request_id=reservation.request_id, outcome=record.outcome, now=now
            )
            if held is None:
                # The sweep expired it (this process stalled past the TTL) and already freed the
                # hold; the provider still billed us, so the spend is recorded all the same.
                log.error("reservation %s settled after expiry", reservation.request_id)
            spent = await repository.apply_to_ledger(
                session,
                user_id=reservation.user_id,
                period=reservation.period,
                spent=record.cost_micros,
                unreserve=0 if held is None else reservation.amount_micros,
                now=now,
            )
            await repository.insert_usage(
                session,
                user_id=reservation.user_id,
                request_id=reservation.request_id,
                # The call belongs to the month that admitted it, so a month's rows sum to that
                # month's ledger even for a call that straddles midnight on the 1st.
                created_at=reservation.started_at,
                **record.__dict__,
            )
            if record.cost_micros:
                await self._raise_alerts(session, reservation, spent, now)
        return spent

    async def release(self, reservation: Reservation) -> None:
        """Give back a reservation whose call never ran (the rate limit refused it): no charge,
        no usage row, and the request id is free again. A rare path, so one transaction on both
        databases rather than a PostgreSQL statement of its own."""
        async with self._sessions() as session, session.begin():
            if await repository.delete_reservation(session, reservation.request_id):
                await repository.apply_to_ledger(
                    session,
                    user_id=reservation.user_id,
                    period=reservation.period,
                    spent=0,
                    unreserve=reservation.amount_micros,
                    now=utcnow(),
                )

    async def _raise_alerts(
        self, session: AsyncSession, r: Reservation, spent: int, now: datetime
    ) -> None:
        for threshold in ALERT_THRESHOLDS:
            if spent * 100 < threshold * r.limit_micros:
                break
            created = await repository.record_alert(
                session,
                user_id=r.user_id,
                period=r.period,
                threshold=threshold,
                spent=spent,
                limit=r.limit_micros,
                now=now,
            )
            if created:
                await outbox.quota_alert(
                    session,
                    creator_id=r.user_id,
                    threshold=threshold,
                    period=r.period,
                    spent=spent,
                    limit=r.limit_micros,
                    resets_at=month_bounds(r.period)[1],
                )
                _log_alert(r, threshold, spent)

    async def sweep(self, user_id: int | None = None) -> int:
        """Return expired reservations to their ledgers; how many were freed."""
        now = utcnow()
        async with self._sessions() as session, session.begin():
            freed = await repository.expire_reservations(session, now=now, user_id=user_id)
            totals: dict[tuple[int, date], int] = {}
            for row in freed:
                key = (row.user_id, row.period)
                totals[key] = totals.get(key, 0) + row.amount_micros
            # A fixed order keeps two concurrent sweeps from deadlocking on ledger rows.
            for (uid, period), amount in sorted(totals.items()):
                await repository.apply_to_ledger(
                    session, user_id=uid, period=period, spent=0, unreserve=amount, now=now
                )
        if freed:
            log.warning("swept %d expired quota reservations", len(freed))
        return len(freed)

    async def purge_settled(self) -> int:
        """Forget settled reservations, and the responses kept for replays, older than the
        idempotency window; how many reservations went."""
        cutoff = utcnow() - IDEMPOTENCY_WINDOW
        async with self._sessions() as session, session.begin():
            await repository.delete_replays_before(session, cutoff)
            return await repository.delete_settled_before(session, cutoff)

    async def snapshot(self, user_id: int, plan: Plan, at: datetime | None = None) -> QuotaSnapshot:
        period = month_start(at or utcnow())
        start, end = month_bounds(period)
        async with self._sessions() as session:
            row = await repository.get_ledger(session, user_id, period)
        return QuotaSnapshot(
            plan=plan,
            period_start=start,
            period_end=end,
            limit_micros=self.limit_micros(plan),
            spent_micros=row.spent_micros if row else 0,
            reserved_micros=row.reserved_micros if row else 0,
        )

    async def assert_within_monthly_quota(
        self, creator_id: int, plan: Plan, estimated_cost_usd: Decimal | int | str
    ) -> None:
        """The origin's assertWithinMonthlyQuota, as a read-only pre-check for callers that want
        to fail early. It is advisory: only `reserve` is atomic, and every call goes through it."""
        estimate = usd_to_micros(estimated_cost_usd, round_up=True)
        snap = await self.snapshot(creator_id, plan)
        if snap.spent_micros + snap.reserved_micros + estimate > snap.limit_micros:
            metrics.QUOTA_REJECTIONS.labels(plan).inc()
            raise QuotaExceeded.for_snapshot(snap, estimate)
