"""Everything a fan reply reads before its model call, in one statement (kit/hot_reads.py): the
reply's platform, the fan, the creator's account there, the fan's stored conversation and notes,
the creator's recent approved replies and word list. Six round trips cost the app CPU for each
wake-up, more when served (issue 16). The statements stay their domains'; this module only
puts them together."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import String, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.compliance.repository import WORD_ENTRIES
from huntaze_ai.compliance.service import CustomWord
from huntaze_ai.compliance.words import as_words
from huntaze_ai.creator_data import repository as creator_data
from huntaze_ai.creator_data.service import FanContext, PlatformContext, fan_context
from huntaze_ai.creator_data.service import platform_context as account_context
from huntaze_ai.drafts.repository import RECENT_APPROVED
from huntaze_ai.fans.context import MESSAGES, NOTES
from huntaze_ai.kit.hot_reads import HotReads
from huntaze_ai.messaging.voice import RECENT

# The platform the request names, else its fan's (the same id elsewhere is someone else).
_PLATFORM = creator_data.fan_platform_sql(bindparam("asked_platform", type_=String))

_READS = HotReads(
    {
        "platform": select(_PLATFORM.label("platform")),
        "fan": creator_data.FAN_ON,
        "account": creator_data.ACCOUNT_ON,
        "messages": MESSAGES,
        "notes": NOTES,
        "approved": RECENT_APPROVED,
        "words": WORD_ENTRIES,
    },
    derived={"platform": _PLATFORM},
)


@dataclass(frozen=True)
class ReplyReads:
    platform: str
    fan: FanContext | None  # None: no fan named, or none by that id on the platform
    account: PlatformContext | None
    messages: list[tuple[str, str]]  # (sender, text), newest first
    notes: list[tuple[str, str]]  # (category, text), important first, then the newest
    approved: list[tuple[str | None, bool | None, str | None]]  # the creator's voice
    words: tuple[CustomWord, ...]  # the creator's own list, for the guard


async def read_for_reply(
    session: AsyncSession, creator_id: int, fan_id: str | None, platform: str | None
) -> ReplyReads:
    parts = await _READS.read(
        session,
        {
            "creator_id": creator_id,
            "fan": fan_id,
            "asked_platform": platform,
            "limit": RECENT,
        },
    )
    fan, account = parts["fan"], parts["account"]
    return ReplyReads(
        platform=parts["platform"][0].platform,
        fan=fan_context(creator_data.FanRow(*fan[0])) if fan else None,
        account=account_context(account[0]) if account else None,
        messages=[(r.sender, r.text) for r in parts["messages"]],
        notes=[(r.category, r.text) for r in parts["notes"]],
        approved=[tuple(r) for r in parts["approved"]],
        words=as_words(parts["words"]),
    )
