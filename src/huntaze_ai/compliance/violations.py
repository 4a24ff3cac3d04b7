"""The violation log: every block and escalation the guard returns, with whose it was, who
asked, the rule, the verdict and a redacted excerpt. Managers read it by rule and over time.

Excerpts keep the words around a finding (the reason it was caught) but not the personal data
in it: digits, e-mail addresses, handles, links and payment tags are masked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from huntaze_ai.compliance import repository
from huntaze_ai.kit.clock import utcnow
from huntaze_ai.models import ComplianceViolation

_CONTEXT_CHARS = 30
_EXCERPT_CHARS = 200
# Personal data: e-mail addresses, @handles, $tags, links, anything with digits or an underscore
# (usernames).
_SENSITIVE = re.compile(
    r"[\w.%+\-]+@[\w\-]+(?:\.[\w\-]+)+|[@$]\s?\w[\w.]*|\b(?:https?://|www\.)\S+|\S*[\d_]\S*",
    re.IGNORECASE,
)
_PERSONAL_CODES = frozenset(
    {"phone_number", "email_address", "handle", "cashtag", "crypto_address", "external_link"}
)


class Reason(Protocol):
    """A guard finding, as the service returns it or as a reply carries it (ReasonOut)."""

    @property
    def code(self) -> str: ...
    @property
    def detail(self) -> str: ...
    @property
    def rule(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def verdict(self) -> str: ...
    @property
    def where(self) -> str: ...
    @property
    def start(self) -> int | None: ...
    @property
    def end(self) -> int | None: ...


def _mask(text: str) -> str:
    return _SENSITIVE.sub(lambda m: m.group()[0] + "•" * (len(m.group()) - 1), text)


def redact(reason: Reason, text: str) -> str:
    """The finding with some context, personal data masked; a detector's finding (a phone
    number, an address) is masked whole, keeping its first character."""
    if reason.start is None or reason.end is None:
        return reason.detail[:_EXCERPT_CHARS]
    before = text[max(0, reason.start - _CONTEXT_CHARS) : reason.start]
    found = text[reason.start : reason.end]
    after = text[reason.end : reason.end + _CONTEXT_CHARS]
    if reason.code in _PERSONAL_CODES:
        found = found[:1] + "".join("•" if not c.isspace() else c for c in found[1:])
    else:
        found = _mask(found)
    excerpt = f"{'…' if reason.start > _CONTEXT_CHARS else ''}{_mask(before)}[{found}]"
    excerpt += f"{_mask(after)}{'…' if reason.end + _CONTEXT_CHARS < len(text) else ''}"
    return " ".join(excerpt.split())[:_EXCERPT_CHARS]


def rows_for(
    reasons: Iterable[Reason],
    texts: Mapping[str, str],
    *,
    creator_id: int,
    actor_id: int | None,
    source: str,
    rules_version: str,
) -> list[ComplianceViolation]:
    """One log row per reason; `texts` are the texts the reasons point into, by `where`."""
    now = utcnow()
    return [
        ComplianceViolation(
            creator_id=creator_id,
            actor_id=actor_id,
            source=source,
            part=r.where,
            rule=r.rule[:64],
            category=r.category[:32],
            verdict=r.verdict,
            excerpt=redact(r, texts.get(r.where, "")),
            rules_version=rules_version[:64],
            created_at=now,
        )
        for r in reasons
    ]


async def record(
    sessionmaker: async_sessionmaker[AsyncSession], rows: Sequence[ComplianceViolation]
) -> None:
    """Written in a short transaction of its own: the reply's own session may be gone (a
    stream) or read-only, and a log row must not wait for anything else."""
    if not rows:
        return
    async with sessionmaker() as session, session.begin():
        session.add_all(rows)


@dataclass(frozen=True)
class RuleCount:
    rule: str
    category: str
    verdict: str
    count: int


@dataclass(frozen=True)
class ViolationReport:
    since: datetime
    total: int
    counts: list[RuleCount]
    violations: Sequence[ComplianceViolation]


MAX_DAYS = 366
MAX_LIMIT = 500


async def report(
    session: AsyncSession, creator_id: int, days: int = 30, limit: int = 100
) -> ViolationReport:
    since = utcnow() - timedelta(days=days)
    counts = [
        RuleCount(rule, category, verdict, int(count))
        for rule, category, verdict, count in await repository.counts_by_rule(
            session, creator_id, since
        )
    ]
    recent = await repository.recent_violations(session, creator_id, since, limit)
    return ViolationReport(since, sum(c.count for c in counts), counts, recent)
