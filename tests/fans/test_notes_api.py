"""Notes over the API: a chatter adds, edits and deletes them (who and when recorded), accepts or
dismisses the assistant's proposals; bad input is a 422 naming the field, a duplicate a 409, and
another creator's fan is a 404 for every member who may not act for it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.engine import URL

from huntaze_ai.fans.service import Proposal, remember
from huntaze_ai.kit.db import Database
from tests.agencies.helpers import Team, bearer, new_team
from tests.apphelpers import app_client, creator_headers, settings_for
from tests.fans.helpers import add_fan

NOTES = "/api/fans/fan-1/notes"


async def _add(
    client: httpx.AsyncClient, headers: dict[str, str], category: str, text: str
) -> httpx.Response:
    return await client.post(NOTES, json={"category": category, "text": text}, headers=headers)


async def test_a_chatter_adds_edits_and_deletes_notes_and_who_did_it_is_recorded(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    await add_fan(database, team.creator_1.id, "fan-1", "Sam")
    chatter = await bearer(database, team.chatter_a, team.creator_1)
    manager = await bearer(database, team.manager, team.creator_1)
    async with app_client(settings_for(database_url)) as client:
        added = await _add(client, chatter, "interests", "  Loves  jazz ")
        important = await _add(client, chatter, "important", "Never mention his ex")
        twice = await _add(client, manager, "preferences", "loves jazz.")
        edited = await client.put(
            f"{NOTES}/{added.json()['id']}",
            json={"category": "preferences", "text": "Loves jazz and vinyl"},
            headers=manager,
        )
        listed = await client.get(NOTES, headers=chatter)
        deleted = await client.delete(f"{NOTES}/{important.json()['id']}", headers=chatter)
        gone = await client.delete(f"{NOTES}/{important.json()['id']}", headers=chatter)
        after = await client.get(NOTES, headers=chatter)

    assert added.status_code == 201
    note = added.json()
    assert (note["text"], note["status"], note["confidence"]) == ("Loves  jazz", "saved", None)
    assert note["created_by"] == team.chatter_a.id
    assert twice.status_code == 409
    assert twice.json()["error"] == "note_exists"
    assert edited.json()["text"] == "Loves jazz and vinyl"
    assert edited.json()["category"] == "preferences"
    assert edited.json()["updated_by"] == team.manager.id
    assert edited.json()["updated_at"] is not None
    assert [n["category"] for n in listed.json()["notes"]] == ["important", "preferences"]
    assert deleted.status_code == 204
    assert gone.status_code == 404
    assert [n["text"] for n in after.json()["notes"]] == ["Loves jazz and vinyl"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"category": "hobbies", "text": "Jazz"}, "category"),
        ({"category": "interests", "text": "   "}, "text"),
        ({"category": "interests", "text": "x" * 301}, "text"),
        ({"category": "interests"}, "text"),
    ],
)
async def test_a_bad_note_is_a_422_naming_the_field(
    body: dict[str, Any], field: str, database_url: URL, database: Database
) -> None:
    creator_id, headers = await creator_headers(database)
    await add_fan(database, creator_id, "fan-1")
    async with app_client(settings_for(database_url)) as client:
        answer = await client.post(NOTES, json=body, headers=headers)
    assert answer.status_code == 422
    assert answer.json()["error"] == "invalid_request"
    assert field in answer.text


@pytest.mark.parametrize("text", ["\u202e\u200b", "\u2800", " \ufeff\u3164 "])
async def test_a_note_of_invisible_characters_only_is_a_422_added_or_edited(
    text: str, database_url: URL, database: Database
) -> None:
    creator_id, headers = await creator_headers(database)
    await add_fan(database, creator_id, "fan-1")
    async with app_client(settings_for(database_url)) as client:
        added = await _add(client, headers, "interests", text)
        kept = await _add(client, headers, "interests", "Loves jazz")
        edited = await client.put(
            f"{NOTES}/{kept.json()['id']}",
            json={"category": "interests", "text": text},
            headers=headers,
        )
        listed = await client.get(NOTES, headers=headers)

    assert (added.status_code, edited.status_code) == (422, 422)
    assert [f["field"] for f in added.json()["fields"]] == ["text"]
    assert [f["field"] for f in edited.json()["fields"]] == ["text"]
    assert [n["text"] for n in listed.json()["notes"]] == ["Loves jazz"]


async def test_a_proposal_is_accepted_or_dismissed_once_and_a_dismissed_one_is_not_asked_again(
    database_url: URL, database: Database
) -> None:
    creator_id, headers = await creator_headers(database, plan="business")
    await add_fan(database, creator_id, "fan-1")
    message = "I like cooking and I prefer mornings. Rough week"
    async with app_client(settings_for(database_url)) as client:
        reply = await client.post(
            "/api/ai/messages/reply",
            json={"fan_message": message, "fan_id": "fan-1"},
            headers=headers,
        )
        proposals = (await client.get(NOTES, headers=headers)).json()["proposals"]
        by_text = {p["text"]: p["id"] for p in proposals}
        base = "/api/fans/fan-1/proposals"
        accepted = await client.post(f"{base}/{by_text['Likes cooking']}/accept", headers=headers)
        late = await client.post(f"{base}/{by_text['Likes cooking']}/dismiss", headers=headers)
        dismissed_id = by_text["Was feeling down (rough week)"]
        dismissed = await client.post(f"{base}/{dismissed_id}/dismiss", headers=headers)
        again = await client.post(
            "/api/ai/messages/reply",
            json={"fan_message": message + "!", "fan_id": "fan-1"},
            headers=headers,
        )
        after = (await client.get(NOTES, headers=headers)).json()

    assert reply.status_code == 200
    assert accepted.json()["status"] == "saved"
    assert accepted.json()["decided_by"] == creator_id
    assert accepted.json()["decided_at"] is not None
    assert late.status_code == 409
    assert late.json()["error"] == "proposal_decided"
    assert dismissed.json()["status"] == "dismissed"
    assert again.json()["fan_notes"] == []
    assert after["proposals"] == []
    assert {n["text"] for n in after["notes"]} == {"Likes cooking", "Prefers mornings"}


async def test_a_person_writing_a_pending_proposal_makes_it_their_note(
    database_url: URL, database: Database
) -> None:
    creator_id, headers = await creator_headers(database, plan="business")
    await add_fan(database, creator_id, "fan-1")
    async with app_client(settings_for(database_url)) as client:
        await client.post(
            "/api/ai/messages/reply",
            json={"fan_message": "I like cooking", "fan_id": "fan-1"},
            headers=headers,
        )
        written = await _add(client, headers, "interests", "Likes cooking!")
        notes = (await client.get(NOTES, headers=headers)).json()
    assert written.status_code == 201
    assert written.json()["confidence"] is None
    assert notes["proposals"] == []
    assert [n["text"] for n in notes["notes"]] == ["Likes cooking!"]


@pytest.fixture(scope="module")
async def team(database: Database) -> Team:
    team = await new_team(database)
    await add_fan(database, team.creator_1.id, "fan-1", "Sam")
    return team


async def test_another_creators_fan_is_a_404_everywhere(
    database_url: URL, database: Database, team: Team
) -> None:
    owner = await bearer(database, team.owner, team.creator_1)
    other_creator = await bearer(database, team.owner, team.creator_2)
    rival = await bearer(database, team.rival_owner)
    async with app_client(settings_for(database_url)) as client:
        note = (await _add(client, owner, "interests", "Likes jazz")).json()
        answers = [
            await client.request(method, path, headers=headers, json=body)
            for headers in (other_creator, rival)
            for method, path, body in [
                ("GET", "/api/fans/fan-1", None),
                ("GET", NOTES, None),
                ("POST", NOTES, {"category": "interests", "text": "Mine now"}),
                ("PUT", f"{NOTES}/{note['id']}", {"category": "important", "text": "Mine"}),
                ("DELETE", f"{NOTES}/{note['id']}", None),
                ("POST", f"/api/fans/fan-1/proposals/{note['id']}/accept", None),
                ("POST", f"/api/fans/fan-1/proposals/{note['id']}/dismiss", None),
            ]
        ]
        still = (await client.get(NOTES, headers=owner)).json()

    assert [a.status_code for a in answers] == [404] * len(answers)
    assert [n["text"] for n in still["notes"]] == ["Likes jazz"]


async def test_an_unassigned_chatter_cannot_reach_the_fan(
    database_url: URL, database: Database, team: Team
) -> None:
    chatter_b = await bearer(database, team.chatter_b, team.creator_1)
    async with app_client(settings_for(database_url)) as client:
        seen = await client.get("/api/fans/fan-1", headers=chatter_b)
        added = await _add(client, chatter_b, "interests", "Sneaky")
    assert seen.status_code == added.status_code == 404
    assert seen.json()["message"] == "No such creator"


async def test_many_chatters_adding_notes_at_once_all_get_their_note_and_none_a_503(
    database_url: URL, database: Database
) -> None:
    """Adding reads the fan first: on a transaction that read before writing, SQLite refuses the
    write lock once another note committed ("database is locked", a 503)."""
    import asyncio

    team = await new_team(database)
    await add_fan(database, team.creator_1.id, "fan-1", "Sam")
    chatter = await bearer(database, team.chatter_a, team.creator_1)
    async with app_client(settings_for(database_url)) as client:
        answers = await asyncio.gather(
            *(_add(client, chatter, "interests", f"Likes band number {i}") for i in range(20))
        )
        listed = await client.get(NOTES, headers=chatter)

    assert [a.status_code for a in answers] == [201] * 20
    assert len(listed.json()["notes"]) == 20


async def test_a_note_changed_without_a_platform_leaves_the_same_id_on_another_platform_alone(
    database_url: URL, database: Database
) -> None:
    creator_id, headers = await creator_headers(database)
    await add_fan(database, creator_id, "twin", "On OnlyFans", platform="onlyfans")
    await add_fan(database, creator_id, "twin", "On Fansly", platform="fansly")
    # The assistant proposed "Loves hiking" for the Fansly fan; nobody decided yet.
    await remember(
        database.sessionmaker,
        creator_id=creator_id,
        platform="fansly",
        fan_id="twin",
        fan_message="I love hiking",
        draft_id=None,
        member_id=None,
        proposals=[Proposal("interests", "Loves hiking", 0.5)],
    )
    base = "/api/fans/twin/notes"
    async with app_client(settings_for(database_url)) as client:
        mine = await client.post(
            f"{base}?platform=onlyfans",
            json={"category": "interests", "text": "Likes cats"},
            headers=headers,
        )
        note = mine.json()["id"]
        wrong_fan = await client.delete(f"{base}/{note}?platform=fansly", headers=headers)
        # The note's id names it: its own fan's proposals with the new text go, not the other's.
        edited = await client.put(
            f"{base}/{note}",
            json={"category": "interests", "text": "Loves hiking"},
            headers=headers,
        )
        on_fansly = (await client.get(f"{base}?platform=fansly", headers=headers)).json()
        on_onlyfans = (await client.get(f"{base}?platform=onlyfans", headers=headers)).json()

    assert wrong_fan.status_code == 404
    assert edited.status_code == 200, edited.text
    assert [p["text"] for p in on_fansly["proposals"]] == ["Loves hiking"]
    assert on_fansly["notes"] == []
    assert [n["text"] for n in on_onlyfans["notes"]] == ["Loves hiking"]


async def test_notes_changed_at_once_without_a_platform_get_answers_and_none_a_503(
    database_url: URL, database: Database
) -> None:
    """A change that names no platform finds the note's own first: on the reader, since a write
    transaction that read first cannot take SQLite's write lock once another change committed."""
    import asyncio

    creator_id, headers = await creator_headers(database)
    await add_fan(database, creator_id, "fan-1", "Sam")
    await remember(
        database.sessionmaker,
        creator_id=creator_id,
        platform="onlyfans",
        fan_id="fan-1",
        fan_message="I love hiking",
        draft_id=None,
        member_id=None,
        proposals=[Proposal("interests", "Loves hiking", 0.5)],
    )
    async with app_client(settings_for(database_url)) as client:
        notes = [
            (await _add(client, headers, "interests", f"Likes band {i}")).json() for i in "abc"
        ]
        proposal = (await client.get(NOTES, headers=headers)).json()["proposals"][0]["id"]
        base = "/api/fans/fan-1"
        answers = await asyncio.gather(
            client.put(
                f"{NOTES}/{notes[0]['id']}",
                json={"category": "interests", "text": "Likes band x"},
                headers=headers,
            ),
            client.put(
                f"{NOTES}/{notes[1]['id']}",
                json={"category": "interests", "text": "Likes band y"},
                headers=headers,
            ),
            client.delete(f"{NOTES}/{notes[2]['id']}", headers=headers),
            *(
                client.post(f"{base}/proposals/{proposal}/{decision}", headers=headers)
                for decision in ("accept", "dismiss", "accept")
            ),
        )

    assert [a.status_code for a in answers[:3]] == [200, 200, 204]
    assert sorted(a.status_code for a in answers[3:]) == [200, 409, 409]


async def test_a_proposed_note_of_invisible_characters_only_is_never_offered(
    database_url: URL, database: Database
) -> None:
    creator_id, headers = await creator_headers(database)
    await add_fan(database, creator_id, "fan-blank", "Sam")
    remembered = await remember(
        database.sessionmaker,
        creator_id=creator_id,
        platform="onlyfans",
        fan_id="fan-blank",
        fan_message="hi",
        draft_id=None,
        member_id=None,
        proposals=[
            Proposal("interests", "\u200b\u202e", 0.5),  # blank to a reader, as a person's is
            Proposal("personal", "\u2800", 0.99),
            Proposal("interests", "Loves hiking", 0.5),
        ],
    )
    async with app_client(settings_for(database_url)) as client:
        listed = (await client.get("/api/fans/fan-blank/notes", headers=headers)).json()

    assert len(remembered) == 1
    assert [p["text"] for p in listed["proposals"]] == ["Loves hiking"]
    assert listed["notes"] == []
