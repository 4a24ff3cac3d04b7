"""What a fan reply reads before its model call, in one statement: each part as the part alone
would read it, on the reply's platform, only the creator's own rows."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

import pytest
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.crypto import encrypt
from huntaze_ai.kit.db import Database
from huntaze_ai.kit.platforms import DEFAULT_PLATFORM
from huntaze_ai.messaging.reads import read_for_reply
from huntaze_ai.models import Fan, FanMessage, FanNote, NoteStatus, OAuthAccount, User
from tests.apphelpers import app_client, creator_headers, running_app, settings_for
from tests.factories import create_user, statements_sent
from tests.fans.helpers import add_fan, prompts_sent


def _note(creator: User, platform: str, fan: str, category: str, text: str) -> FanNote:
    return FanNote(
        creator_id=creator.id,
        platform=platform,
        fan_id=fan,
        category=category,
        text=text,
        text_key=text.lower(),
        status=NoteStatus.SAVED,
    )


async def _a_fan_on_two_platforms(session: AsyncSession) -> tuple[User, User]:
    """fan-1 on Fansly (active yesterday) and on OnlyFans (active a week ago), with messages and
    notes on each; another creator with a fan of the same id, a message and an account."""
    creator, other = await create_user(session), await create_user(session)
    now = utcnow()
    session.add_all(
        [
            Fan(
                user_id=creator.id,
                platform="onlyfans",
                external_id="fan-1",
                display_name="Sam on OnlyFans",
                last_active_at=now - timedelta(days=7),
            ),
            Fan(
                user_id=creator.id,
                platform="fansly",
                external_id="fan-1",
                display_name="Sam on Fansly",
                total_spent_micros=12_500_000,
                last_active_at=now - timedelta(days=1),
            ),
            Fan(user_id=other.id, platform="fansly", external_id="fan-1", display_name="Not Sam"),
            OAuthAccount(
                user_id=creator.id,
                provider="fansly",
                provider_account_id="fs-1",
                account_metadata={"username": "maya"},
                access_token_encrypted=encrypt("k", "secret-token"),
            ),
            OAuthAccount(user_id=other.id, provider="onlyfans", provider_account_id="of-9"),
        ]
    )
    for platform in ("fansly", "onlyfans"):
        for sender, text in [("fan", "first"), ("creator", "second"), ("fan", "third")]:
            session.add(
                FanMessage(
                    creator_id=creator.id,
                    platform=platform,
                    fan_id="fan-1",
                    sender=sender,
                    text=f"{text} on {platform}",
                )
            )
            await session.flush()  # ids in this order
        session.add_all(
            [
                _note(creator, platform, "fan-1", "interests", f"hiking on {platform}"),
                _note(creator, platform, "fan-1", "important", f"no calls on {platform}"),
            ]
        )
    session.add(
        FanMessage(creator_id=other.id, platform="onlyfans", fan_id="fan-1", sender="fan", text="x")
    )
    await session.flush()
    return creator, other


async def test_a_fan_named_without_a_platform_is_read_on_the_platform_it_was_last_active(
    session: AsyncSession,
) -> None:
    creator, _ = await _a_fan_on_two_platforms(session)

    reads = await read_for_reply(session, creator.id, "fan-1", None)

    assert reads.platform == "fansly"
    assert reads.fan is not None
    assert (reads.fan.display_name, reads.fan.total_spent_micros) == ("Sam on Fansly", 12_500_000)
    assert reads.messages == [
        ("fan", "third on fansly"),
        ("creator", "second on fansly"),
        ("fan", "first on fansly"),
    ]
    assert reads.notes == [("important", "no calls on fansly"), ("interests", "hiking on fansly")]
    assert reads.account is not None
    assert reads.account.model_dump() == {
        "provider": "fansly",
        "provider_account_id": "fs-1",
        "metadata": {"username": "maya"},
    }


async def test_the_platform_the_request_names_wins_and_reads_nothing_from_the_other(
    session: AsyncSession,
) -> None:
    creator, _ = await _a_fan_on_two_platforms(session)

    reads = await read_for_reply(session, creator.id, "fan-1", "onlyfans")

    assert reads.platform == "onlyfans"
    assert reads.fan is not None
    assert reads.fan.display_name == "Sam on OnlyFans"
    assert [text for _, text in reads.messages] == [
        "third on onlyfans",
        "second on onlyfans",
        "first on onlyfans",
    ]
    assert {text for _, text in reads.notes} == {"no calls on onlyfans", "hiking on onlyfans"}
    assert reads.account is None  # the other creator's OnlyFans account is not this creator's


async def test_another_creators_fan_of_the_same_id_is_never_read(session: AsyncSession) -> None:
    creator, other = await _a_fan_on_two_platforms(session)
    stranger = await create_user(session)

    theirs = await read_for_reply(session, other.id, "fan-1", None)
    nobody = await read_for_reply(session, stranger.id, "fan-1", None)

    assert theirs.fan is not None
    assert theirs.fan.display_name == "Not Sam"
    assert (theirs.messages, theirs.notes, theirs.account) == ([], [], None)  # fansly: no rows
    assert creator.id != other.id
    assert nobody.platform == DEFAULT_PLATFORM  # no such fan: the replies' default
    assert (nobody.fan, nobody.messages, nobody.notes, nobody.account) == (None, [], [], None)


async def test_no_fan_named_reads_only_the_account_and_the_voice(session: AsyncSession) -> None:
    creator, _ = await _a_fan_on_two_platforms(session)

    reads = await read_for_reply(session, creator.id, None, "fansly")

    assert (reads.platform, reads.fan, reads.messages, reads.notes) == ("fansly", None, [], [])
    assert reads.account is not None
    assert reads.account.provider_account_id == "fs-1"


async def test_on_postgresql_a_reply_to_a_named_fan_reads_its_context_in_one_statement(
    database_url: URL, database: Database
) -> None:
    if database.engine.dialect.name != "postgresql":
        pytest.skip("round trips cost on a network database; SQLite runs the same statement")
    creator_id, headers = await creator_headers(database, plan="business")
    await add_fan(database, creator_id, "fan-one-trip")
    async with running_app(settings_for(database_url)) as (app, client):
        await client.post("/api/ai/messages/reply", json={"fan_message": "Hi"}, headers=headers)
        with statements_sent(app.state.database) as sent:
            answer = await client.post(
                "/api/ai/messages/reply",
                json={"fan_message": "Morning! Coffee?", "fan_id": "fan-one-trip"},
                headers=headers,
            )
            await asyncio.sleep(0)

    assert answer.status_code == 200, answer.text
    reads = [s for s in sent if re.search(r"\bFROM (fans|fan_messages|fan_notes)\b", s)]
    assert len(reads) == 1, sent
    for table in ("oauth_accounts", "fan_messages", "fan_notes", "drafts"):
        assert f"FROM {table}" in reads[0]


async def test_the_drafts_data_holds_what_the_one_statement_read(
    database_url: URL, database: Database
) -> None:
    creator_id, headers = await creator_headers(database, plan="business")
    await add_fan(database, creator_id, "fan-used", "Robin", platform="fansly", spent_usd=40)
    asked = {"fan_message": "What are you up to?", "fan_id": "fan-used"}
    async with app_client(settings_for(database_url)) as client:
        first = await client.post("/api/ai/messages/reply", json=asked, headers=headers)
        await client.post(
            f"/api/drafts/{first.json()['draft_id']}/approve",
            json={"text": "Editing photos, Robin! 📸"},
            headers=headers,
        )
        await client.post(
            "/api/fans/fan-used/notes?platform=fansly",
            json={"category": "interests", "text": "loves film cameras"},
            headers=headers,
        )
        with prompts_sent() as prompts:
            again = await client.post(
                "/api/ai/messages/reply",
                json={**asked, "fan_message": "Send me one?"},
                headers=headers,
            )

    assert again.status_code == 200, again.text
    [data] = prompts
    assert data["fan"]["name"] == "Robin"
    assert data["fan"]["total_spent_usd"] == "40.000000"
    assert data["recent_conversation"] == [
        "fan: What are you up to?",
        "creator: Editing photos, Robin! 📸",
    ]
    assert data["fan_notes"] == ["interests: loves film cameras"]
    assert data["creator_voice"] == ["Editing photos, [fan's name]! 📸"]
