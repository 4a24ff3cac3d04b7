"""The guard as the rest of the app uses it: the platform's pack plus the creator's own list,
and the violation log behind it. Endpoints get one per request (`GuardDep`, `PageGuardDep`).

Drafts (at most 1,000 characters) are checked inline, in well under a millisecond; a hand check
of up to 10,000 characters runs in the app's guard process (`offload.py`), where hostile input
cannot stall the event loop."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from huntaze_ai.agencies.access import Acting
from huntaze_ai.auth.dependencies import PageActing, ReaderActing
from huntaze_ai.compliance.offload import GuardProcess
from huntaze_ai.compliance.service import (
    ComplianceResult,
    CustomMatcher,
    CustomWord,
    Where,
    check_fan_message,
    check_message,
    check_with_words,
    custom_matcher,
)
from huntaze_ai.compliance.violations import Reason, record, rows_for
from huntaze_ai.compliance.words import words_for
from huntaze_ai.kit.db import Database
from huntaze_ai.kit.session_deps import ReaderDep
from huntaze_ai.models import User


@dataclass(frozen=True)
class Guard:
    creator_id: int
    actor_id: int | None  # who asked: the member acting for the creator
    words: tuple[CustomWord, ...]  # the creator's own list, as read for this request
    # Where violations are written; None only where nothing is to be logged (unit tests).
    sessionmaker: async_sessionmaker[AsyncSession] | None

    @functools.cached_property
    def custom(self) -> CustomMatcher | None:
        # Compiled once per distinct list; looked up once per request (a reply checks the fan's
        # message, the draft and its upsell with it).
        return custom_matcher(self.words)

    def check(
        self,
        text: str,
        *,
        platform: str | None = None,
        fan_message: str | None = None,
        where: Where = "message",
        incoming: ComplianceResult | None = None,
    ) -> ComplianceResult:
        return check_message(
            text,
            platform=platform,
            fan_message=fan_message,
            custom=self.custom,
            where=where,
            incoming=incoming,
        )

    def check_fan_message(self, text: str, *, platform: str | None = None) -> ComplianceResult:
        return check_fan_message(text, platform=platform, custom=self.custom)

    async def check_in(
        self,
        process: GuardProcess,
        text: str,
        *,
        platform: str | None = None,
        fan_message: str | None = None,
    ) -> ComplianceResult:
        """The same check, run in the guard process."""
        return await process.run(
            check_with_words, text, platform=platform, fan_message=fan_message, words=self.words
        )

    async def log(
        self,
        source: str,
        reasons: Sequence[Reason],
        texts: Mapping[str, str],
        rules_version: str,
    ) -> None:
        """Record every reason (each is a block or an escalation) in the violation log."""
        if self.sessionmaker is None or not reasons:
            return
        rows = rows_for(
            reasons,
            texts,
            creator_id=self.creator_id,
            actor_id=self.actor_id,
            source=source,
            rules_version=rules_version,
        )
        await record(self.sessionmaker, rows)


@dataclass(frozen=True)
class GuardFor:
    """A request's guard before its word list is read: a fan reply reads the list with its other
    reads (messaging/reads.py) and only then has a Guard, so nothing can check without it."""

    creator_id: int
    actor_id: int | None
    sessionmaker: async_sessionmaker[AsyncSession] | None

    def with_words(self, words: tuple[CustomWord, ...]) -> Guard:
        return Guard(self.creator_id, self.actor_id, words, self.sessionmaker)


async def load_guard(
    session: AsyncSession,
    creator: User,
    actor: User | None = None,
    sessionmaker: async_sessionmaker[AsyncSession] | None = None,
) -> Guard:
    """The creator's guard, their word list read now (so an edit applies to the next check)."""
    words = await words_for(session, creator.id)
    return Guard(creator.id, (actor or creator).id, words, sessionmaker)


async def _guard(request: Request, acting: Acting) -> Guard:
    database: Database = request.app.state.database
    async with database.reader() as reader:
        return await load_guard(reader, acting.creator, acting.member, database.sessionmaker)


async def get_guard(request: Request, acting: ReaderActing, reader: ReaderDep) -> Guard:
    # The request's reader session (the endpoint's ReaderDep is the same object): the login, the
    # word list, the fan and the platform account are read on one pooled connection, not one
    # each. Endpoints with a guard take ReaderActing / ReaderCreator too, or the login would be
    # looked up twice.
    database: Database = request.app.state.database
    return await load_guard(reader, acting.creator, acting.member, database.sessionmaker)


async def get_page_guard(request: Request, acting: PageActing) -> Guard:
    return await _guard(request, acting)


def guard_for(request: Request, acting: Acting) -> GuardFor:
    database: Database = request.app.state.database
    return GuardFor(acting.creator.id, acting.member.id, database.sessionmaker)


async def get_page_guard_for(request: Request, acting: PageActing) -> GuardFor:
    return guard_for(request, acting)


GuardDep = Annotated[Guard, Depends(get_guard)]
PageGuardDep = Annotated[Guard, Depends(get_page_guard)]
PageGuardForDep = Annotated[GuardFor, Depends(get_page_guard_for)]
