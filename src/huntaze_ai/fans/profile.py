"""One fan as the API and the fan page show it: the profile from the creator's data, the
memory, and what is left of today's caps. Above drafts (it reads their caps), unlike
fans.service, which drafts call."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.creator_data.repository import same_id_elsewhere
from huntaze_ai.creator_data.service import FanContext, get_fan
from huntaze_ai.drafts.service import fan_today
from huntaze_ai.fans import service
from huntaze_ai.fans.schemas import FanElsewhere, FanOut, MessageOut, NoteOut, TodayOut
from huntaze_ai.kit.errors import NotFound
from huntaze_ai.models import FanNote, NoteStatus


class FanNotFound(NotFound):
    default_message = "No such fan"


async def known_fan(
    session: AsyncSession, creator_id: int, fan_id: str, platform: str | None = None
) -> FanContext:
    """The creator's fan, or 404: another creator's fan is no different from none."""
    fan = await get_fan(session, creator_id, fan_id, platform)
    if fan is None:
        raise FanNotFound()
    return fan


def note_out(note: FanNote) -> NoteOut:
    return NoteOut.model_validate(note, from_attributes=True)


async def today(session: AsyncSession, creator_id: int, platform: str, fan_id: str) -> TodayOut:
    dms, ppvs, resets = await fan_today(session, creator_id, platform, fan_id)
    auto_today, auto_all = await service.auto_notes_left(session, creator_id, platform, fan_id)
    return TodayOut(
        dms_left=dms,
        ppvs_left=ppvs,
        auto_notes_left=auto_today,
        auto_notes_left_in_all=auto_all,
        resets_at=resets,
    )


async def fan_profile(
    session: AsyncSession, creator_id: int, fan_id: str, platform: str | None = None
) -> FanOut:
    """With no `platform`, the fan id's on the platform `get_fan` picks; the memory is always
    that one fan's."""
    fan = await known_fan(session, creator_id, fan_id, platform)
    key = (fan.platform, fan.external_id)
    messages = await service.conversation(session, creator_id, *key)
    return FanOut(
        fan_id=fan.external_id,
        platform=fan.platform,
        display_name=fan.display_name,
        segments=fan.segments,
        total_spent_usd=fan.total_spent_usd,
        tips_usd=fan.tips_usd,
        first_seen_at=fan.first_seen_at,
        last_active_at=fan.last_active_at,
        notes=[note_out(n) for n in await service.notes(session, creator_id, *key)],
        proposals=[
            note_out(n) for n in await service.notes(session, creator_id, *key, NoteStatus.PROPOSED)
        ],
        conversation=[MessageOut.model_validate(m, from_attributes=True) for m in messages],
        today=await today(session, creator_id, *key),
        also_on=[
            FanElsewhere(platform=p, display_name=name)
            for p, name in await same_id_elsewhere(
                session, creator_id, fan.external_id, fan.platform
            )
        ],
    )
