"""The drafts' quality on the pages: the dashboard shows the acting creator's month (per member
for the creator and the managers) with the authorship export's link; the team page shows each
member's; a chatter sees neither the figures nor the export."""

from __future__ import annotations

import re

import httpx
from sqlalchemy.engine import URL

from huntaze_ai.kit.db import Database
from huntaze_ai.models import User
from tests.agencies.helpers import bearer, new_team
from tests.apphelpers import app_client, login, settings_for, visible_text

HELLO = "Hey! Love your content"


async def _approve_one_edit_one_reject_one(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    ids = []
    for _ in range(3):
        reply = await client.post(
            "/api/ai/messages/reply", json={"fan_message": HELLO}, headers=headers
        )
        ids.append(reply.json()["draft_id"])
    await client.post(f"/api/drafts/{ids[0]}/approve", json={}, headers=headers)
    await client.post(f"/api/drafts/{ids[1]}/approve", json={"text": "Thank you!"}, headers=headers)
    await client.post(f"/api/drafts/{ids[2]}/reject", headers=headers)


async def _pages(client: httpx.AsyncClient, user: User, *paths: str) -> list[str]:
    client.cookies.clear()
    assert (await login(client, user.email)).status_code == 303
    return [(await client.get(path)).text for path in paths]


async def test_a_creator_alone_sees_their_month_of_drafts_and_downloads_who_wrote_them(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    async with app_client(settings_for(database_url)) as client:
        await _approve_one_edit_one_reject_one(client, await bearer(database, team.outsider))
        (dashboard,) = await _pages(client, team.outsider, "/dashboard")
        link = re.search(
            r'<a href="(/api/drafts/authorship\.csv\?month=[0-9-]+)" download>', dashboard
        )
        assert link is not None, dashboard
        export = await client.get(link[1])  # with the page's session, as the browser follows it

    text = " ".join(visible_text(re.sub(r"</d[td]>", " ", dashboard)).split())
    assert "Draft quality in" in text
    assert "Approved 2 of 3 (67%)" in text
    assert re.search(r"Edited before sending 50% · \d+ chars each", text)
    assert "Rejected 1 Escalated 0" in text
    assert "Asked by" not in text  # alone: no table of one
    assert export.status_code == 200
    assert export.text.count("\r\n") == 4  # the header and three drafts


async def test_managers_see_each_members_drafts_and_a_chatter_sees_no_figures_or_export(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    async with app_client(settings_for(database_url)) as client:
        chatter = await bearer(database, team.chatter_a)
        await _approve_one_edit_one_reject_one(client, chatter)
        dashboard, team_page, inbox = await _pages(
            client, team.manager, "/dashboard", "/team", "/inbox"
        )
        chatter_dashboard, chatter_inbox = await _pages(
            client, team.chatter_a, "/dashboard", "/inbox"
        )

    row = re.search(
        f'<tr data-quality-of="{team.chatter_a.id}"><th scope="row">(.*?)</tr>', dashboard, re.S
    )
    assert row is not None, dashboard
    assert visible_text(row[1]).startswith("Ana Chatter3")  # name, then 3 drafts
    assert "2 of 3 (67%)" in visible_text(row[1])
    member = re.search(f'<tr data-quality-of="{team.chatter_a.id}">(.*?)</tr>', team_page, re.S)
    assert member is not None
    cells = re.findall(r'<td class="num">(.*?)</td>', member[1], re.S)
    assert [visible_text(c) for c in cells[:2]] == ["3", "2 of 3 (67%)"]
    assert visible_text(cells[3]) == "1"  # rejected
    assert "authorship.csv" in inbox
    assert "Draft quality" not in chatter_dashboard
    assert "authorship.csv" not in chatter_dashboard + chatter_inbox
