"""The team pages as a browser uses them: the creator switcher, /team for each role, invitations
and the join link."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import func, select
from sqlalchemy.engine import URL

from huntaze_ai.kit.db import Database
from huntaze_ai.metering.quota import QuotaLedger, UsageRecord
from huntaze_ai.models import AgencyInvite, User
from tests.agencies.helpers import new_team
from tests.apphelpers import app_client, csrf_of, login, settings_for, visible_text
from tests.fans.helpers import add_fan
from tests.web.conftest import Browser


@asynccontextmanager
async def logged_in(database_url: URL, user: User) -> AsyncIterator[Browser]:
    async with app_client(settings_for(database_url)) as client:
        response = await login(client, user.email)
        assert response.status_code == 303, response.text
        yield Browser(client, user)


def _switcher_options(html: str) -> list[str]:
    found = re.search(r'<select id="creator-switch".*?</select>', html, re.S)
    return re.findall(r"<option [^>]*>([^<]*)</option>", found[0]) if found else []


async def test_a_manager_switches_creators_and_every_page_follows(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    async with logged_in(database_url, team.manager) as browser:
        first = (await browser.get("/dashboard")).text
        switched = await browser.submit(
            "/dashboard", "/acting", creator_id=str(team.creator_2.id), next="/usage"
        )
        usage = await browser.get(switched.headers["location"])
        quota = await browser.client.get("/api/ai/quota")  # the pages' own API calls follow too
        foreign = await browser.submit(
            "/dashboard", "/acting", creator_id=str(team.outsider.id), next="/usage"
        )

    assert _switcher_options(first) == ["Cleo Creator", "Dana Creator"]
    assert switched.status_code == 303
    assert switched.headers["location"] == "/usage"
    assert re.search(f'<option value="{team.creator_2.id}" selected>Dana Creator', usage.text)
    assert quota.status_code == 200
    assert foreign.status_code == 404  # a creator outside the agency: as if it did not exist


async def test_switching_creator_lands_on_a_page_never_on_an_address_that_only_takes_a_form(
    database_url: URL, database: Database
) -> None:
    """A page rendered in answer to a refused form carries that form's address in the switcher's
    `next`: switching there must not GET a POST-only address (405), but the nearest page."""
    team = await new_team(database)
    landed: dict[str, str] = {}
    async with logged_in(database_url, team.manager) as browser:
        for next_ in (
            "/inbox/13/approve",
            "/team/members/5/role",
            "/fans/some-fan/notes",
            "/fans/some-fan",
            "/usage?month=2026-10",
            "/nowhere/at/all",
            "/api/me",
            "//evil.example/inbox",
        ):
            switched = await browser.submit(
                "/dashboard", "/acting", creator_id=str(team.creator_2.id), next=next_
            )
            assert switched.status_code == 303
            landed[next_] = switched.headers["location"]
        inbox = await browser.get(landed["/inbox/13/approve"])

    assert landed == {
        "/inbox/13/approve": "/inbox",
        "/team/members/5/role": "/team",
        # The old creator's fan page is still a page: for the new creator it is a 404 page.
        "/fans/some-fan/notes": "/fans/some-fan",
        "/fans/some-fan": "/fans/some-fan",
        "/usage?month=2026-10": "/usage?month=2026-10",
        "/nowhere/at/all": "/dashboard",
        "/api/me": "/dashboard",
        "//evil.example/inbox": "/dashboard",
    }
    assert inbox.status_code == 200


async def test_a_chatter_sees_only_the_assigned_creator_and_no_team_controls(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    async with logged_in(database_url, team.chatter_a) as browser:
        dashboard = (await browser.get("/dashboard")).text
        team_page = (await browser.get("/team")).text
        forced = await browser.submit(
            "/dashboard", "/acting", creator_id=str(team.creator_2.id), next="/dashboard"
        )
        assign = await browser.submit(
            "/team",
            "/team/assignments",
            chatter_id=str(team.chatter_a.id),
            creator_id=str(team.creator_2.id),
        )

    assert "Acting for <strong>Cleo Creator</strong>" in dashboard
    assert "Dana Creator" not in dashboard
    assert "You are a chatter" in team_page
    assert "Cleo Creator" in team_page
    assert "Who did what" not in team_page  # the figures are for managers
    assert forced.status_code == 404
    assert assign.status_code == 404
    assert "Only the agency&#39;s owners and managers" in assign.text


async def test_the_team_page_shows_managers_the_month_per_member_and_each_creators_quota(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    async with logged_in(database_url, team.chatter_a) as chatter:
        html = (await chatter.get("/messages")).text
        sent = await chatter.client.post(
            "/messages", data={"csrf_token": csrf_of(html), "fan-message": "Hey! Love your content"}
        )
        assert sent.status_code == 200, sent.text
    async with logged_in(database_url, team.manager) as browser:
        page = (await browser.get("/team")).text

    assert "Who did what" in page
    row = re.search(f'<tr data-member-id="{team.chatter_a.id}">(.*?)</tr>', page, re.S)
    assert row is not None
    assert "Ana Chatter" in row[1]
    assert "chatter" in row[1]
    assert re.search(r'<td class="num">1</td>', row[1])  # one AI call
    assert "Cleo Creator: 1 call," in row[1]
    assert 'aria-label="Cleo Creator: quota used"' in page
    assert 'aria-label="Dana Creator: quota used"' in page
    assert "Set role" not in page  # managers assign chatters; only owners change roles


async def test_the_team_page_writes_a_creators_share_of_the_quota_as_the_dashboard_does(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    settings = settings_for(database_url, quota_starter_usd="10")
    ledger = QuotaLedger(database.sessionmaker, settings)
    reservation = await ledger.reserve(team.creator_1.id, "starter", 3_400, uuid.uuid4().hex)
    await ledger.finish(
        reservation, UsageRecord("messaging", "gemini-2.5-flash", 10, 0, 10, 3_400, 5, "ok")
    )
    async with logged_in(database_url, team.manager) as browser:
        await browser.submit(
            "/dashboard", "/acting", creator_id=str(team.creator_1.id), next="/dashboard"
        )
        dashboard = visible_text((await browser.get("/dashboard")).text)
        team_page = visible_text((await browser.get("/team")).text)

    # $0.0034 of $10: the dashboard read 0.03 %, the team page 0.0 %.
    assert "0.03% used" in dashboard
    assert "Cleo Creator starter $0.0034 of $10.00 (0.03%)" in " ".join(team_page.split())


async def test_an_owner_invites_a_chatter_who_joins_by_the_link_once(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    async with logged_in(database_url, team.owner) as owner:
        posted = await owner.submit("/team", "/team/invites", role="chatter")
        assert posted.status_code == 303
        made = await owner.get(posted.headers["location"])
        link = re.search(
            r'<code class="invite-link"[^>]*>[^<]*(/team/join/[^<]+)</code>', made.text
        )
        assert link is not None, made.text
        # The link comes first on the page, with a Copy button (on a phone the form is far below).
        assert made.text.index(link[1]) < made.text.index("Creators this month")
        assert 'data-copy-target="new-invite-link"' in made.text
        listed = (await owner.get("/team")).text
    async with logged_in(database_url, team.outsider) as newcomer:
        offer = (await newcomer.get(link[1])).text
        joined = await newcomer.client.post(link[1], data={"csrf_token": csrf_of(offer)})
        landing = await newcomer.get(joined.headers["location"])
    async with logged_in(database_url, team.creator_1) as late:
        reused = await late.get(link[1])

    assert made.status_code == 200
    assert "shown only now" in made.text
    assert link[1] not in listed  # shown once
    assert "as a <strong>chatter</strong>" in offer
    assert joined.status_code == 303
    # The newcomer's own account is no creator of the agency, and nobody assigned them yet.
    assert landing.status_code == 404
    assert "not assigned to any creator yet" in landing.text
    assert reused.status_code == 410
    assert "expired or was already used" in reused.text


async def _invite_link(database_url: URL, owner: User, role: str) -> str:
    async with logged_in(database_url, owner) as browser:
        posted = await browser.submit("/team", "/team/invites", role=role)
        made = (await browser.get(posted.headers["location"])).text
    link = re.search(r'<code class="invite-link"[^>]*>[^<]*(/team/join/[^<]+)</code>', made)
    assert link is not None, made
    return link[1]


async def test_the_join_page_says_a_seat_ends_the_account_as_a_creator_of_its_own(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    seat = await _invite_link(database_url, team.owner, "chatter")
    creator_seat = await _invite_link(database_url, team.owner, "manager")
    as_creator = await _invite_link(database_url, team.owner, "creator")
    async with logged_in(database_url, team.outsider) as newcomer:
        offer = await newcomer.get(seat)
        offer_to_be_creator = visible_text((await newcomer.get(as_creator)).text)
        joined = await newcomer.client.post(seat, data={"csrf_token": csrf_of(offer.text)})
        landing = await newcomer.get(joined.headers["location"])
    # One of the agency's creators keeps their own account when they take a seat too.
    async with logged_in(database_url, team.creator_1) as creator:
        offer_to_a_creator = visible_text((await creator.get(creator_seat)).text)

    offered = visible_text(offer.text)
    assert offer.status_code == 200
    assert "you will work for the creators an owner or a manager assigns you" in offered
    assert "no longer as a creator account of its own" in offered
    assert "no longer as a creator account of its own" not in offer_to_be_creator
    assert "no longer as a creator account of its own" not in offer_to_a_creator
    assert "Accept and join" in offer_to_a_creator
    # After accepting, nothing tells them to open an invitation: they just did.
    assert landing.status_code == 404
    assert "You joined the agency." in landing.text
    assert "invitation" not in landing.text


async def test_the_join_page_refuses_before_the_button_what_accepting_would_refuse(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    await add_fan(database, team.outsider.id, "fan-1", "A fan of the lone creator")
    link = await _invite_link(database_url, team.owner, "chatter")
    async with logged_in(database_url, team.outsider) as lone_creator:
        offer = await lone_creator.get(link)

    text = visible_text(offer.text)
    assert offer.status_code == 409
    assert "a seat would close it" in text
    assert "as a chatter" in text  # what was offered stays on the page
    assert "Accept and join" not in text


async def test_reloading_the_page_of_a_new_invitation_makes_no_other_nor_shows_it_again(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    async with logged_in(database_url, team.owner) as owner:
        posted = await owner.submit("/team", "/team/invites", role="manager")
        assert posted.status_code == 303
        assert posted.headers["location"] == "/team"  # the link is not in the address
        shown = await owner.get("/team")
        reloaded = await owner.get("/team")

    link = re.search(r'<code class="invite-link"[^>]*>[^<]*(/team/join/[^<]+)</code>', shown.text)
    assert link is not None, shown.text
    assert link[1].removeprefix("/team/join/") not in posted.headers["location"]
    assert 'class="invite-link"' not in reloaded.text
    async with database.sessionmaker() as session:
        made = await session.scalar(
            select(func.count())
            .select_from(AgencyInvite)
            .where(AgencyInvite.agency_id == team.agency_id)
        )
    assert made == 1


async def test_a_lone_creator_creates_an_agency_and_stays_one_of_its_creators(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    async with logged_in(database_url, team.outsider) as browser:
        offer = (await browser.get("/team")).text
        created = await browser.submit(
            "/team", "/team/create", name="Solo Studio", owner_is_creator="true"
        )
        page = await browser.get(created.headers["location"])
        taken = await browser.submit("/team", "/team/create", name="Solo Studio")

    assert "Create agency" in offer
    assert created.status_code == 303
    assert "Agency created." in page.text
    assert "Team · Solo Studio" in page.text
    assert 'aria-label="Lone Creator: quota used"' in page.text
    assert taken.status_code == 409


async def test_a_form_from_a_tab_left_on_another_creator_changes_nothing(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    for creator in (team.creator_1, team.creator_2):
        await add_fan(database, creator.id, "same-id", f"Fan of {creator.display_name}")
    async with logged_in(database_url, team.manager) as max_:
        await max_.submit("/dashboard", "/acting", creator_id=str(team.creator_1.id), next="/")
        first_tab = (await max_.get("/fans/same-id?platform=onlyfans")).text
        drawn_for = re.search(r'name="for_creator" value="(\d+)"', first_tab)
        # Another tab switches to the second creator; then the first tab's form is sent.
        await max_.submit("/dashboard", "/acting", creator_id=str(team.creator_2.id), next="/")
        sent = await max_.client.post(
            "/fans/same-id/notes?platform=onlyfans",
            data={
                "csrf_token": csrf_of(first_tab),
                "for_creator": drawn_for[1] if drawn_for else "",
                "category": "important",
                "text": "Never mention his ex",
            },
            headers={"Accept": "text/html"},
        )
        on_second = (await max_.get("/fans/same-id?platform=onlyfans")).text
        await max_.submit("/dashboard", "/acting", creator_id=str(team.creator_1.id), next="/")
        on_first = (await max_.get("/fans/same-id?platform=onlyfans")).text

    assert drawn_for is not None
    assert drawn_for[1] == str(team.creator_1.id)
    assert sent.status_code == 409
    assert "You switched creator in another tab" in sent.text
    assert "Never mention his ex" not in on_second + on_first


async def test_the_creator_switched_page_names_both_creators_and_switches_back(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    await add_fan(database, team.creator_1.id, "fan-1", "Fan of Cleo")
    async with logged_in(database_url, team.manager) as max_:
        await max_.submit("/dashboard", "/acting", creator_id=str(team.creator_1.id), next="/")
        first_tab = (await max_.get("/fans/fan-1?platform=onlyfans")).text
        await max_.submit("/dashboard", "/acting", creator_id=str(team.creator_2.id), next="/")
        sent = await max_.client.post(
            "/fans/fan-1/notes?platform=onlyfans",
            data={
                "csrf_token": csrf_of(first_tab),
                "for_creator": str(team.creator_1.id),
                "category": "important",
                "text": "Likes cats",
            },
            headers={"Accept": "text/html"},
        )
        back = re.search(r'<form method="post" action="/acting"[^>]*>(.*?)</form>', sent.text, re.S)
        assert back is not None, sent.text
        fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', back[1]))
        switched = await max_.client.post("/acting", data=fields)
        dashboard = (await max_.get("/dashboard")).text

    text = visible_text(sent.text)
    assert sent.status_code == 409
    assert "This form was for Cleo Creator, but you now act for Dana Creator" in text
    assert "Switch back to Cleo Creator" in text
    assert fields["creator_id"] == str(team.creator_1.id)
    assert switched.status_code == 303
    assert switched.headers["location"] == "/fans/fan-1"  # the page above the form's address
    assert re.search(f'<option value="{team.creator_1.id}" selected>Cleo Creator', dashboard)


async def test_the_creator_switched_page_names_no_creator_the_login_may_not_act_for(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    async with logged_in(database_url, team.chatter_a) as ana:
        page = (await ana.get("/team")).text
        sent = await ana.client.post(
            "/team/create",
            data={"csrf_token": csrf_of(page), "for_creator": str(team.creator_2.id), "name": "x"},
            headers={"Accept": "text/html"},
        )

    text = visible_text(sent.text)
    assert sent.status_code == 409
    assert "a creator you no longer act for; you now act for Cleo Creator" in text
    assert "Dana Creator" not in text
    assert 'action="/acting"' not in sent.text


async def test_a_join_link_opened_logged_out_asks_to_log_in_to_accept_the_invitation(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    link = await _invite_link(database_url, team.owner, "chatter")
    async with app_client(settings_for(database_url)) as anonymous:
        opened = await anonymous.get(link)
        login_page = await anonymous.get(opened.headers["location"])
        wrong_password = await anonymous.post(
            "/auth/login",
            data={
                "csrf_token": csrf_of(login_page.text),
                "email": team.outsider.email,
                "password": "not the password",
                "next": link,
            },
        )
        plain = await anonymous.get("/auth/login")
        dead_link = await anonymous.get("/auth/login?next=/team/join/hzinv_nope")

    invited = f"Log in to accept your invitation to {team.agency_name}."
    assert opened.status_code == 303
    assert visible_text(login_page.text).count(invited) == 1
    # Accounts are made by an operator (huntaze-ai users create): no sign-up, but who to ask.
    assert "ask the person who invited you" in login_page.text
    assert wrong_password.status_code == 401
    assert invited in visible_text(wrong_password.text)
    assert "invitation" not in plain.text
    assert "invitation" not in dead_link.text


async def test_the_team_page_offers_no_change_to_the_only_owner_that_would_be_refused(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    own_row = f"/team/members/{team.owner.id}/"
    async with logged_in(database_url, team.owner) as owner:
        alone = (await owner.get("/team")).text
        promoted = await owner.submit(
            "/team", f"/team/members/{team.manager.id}/role", role="owner"
        )
        assert promoted.status_code == 303
        with_another = (await owner.get("/team")).text

    # The only owner: neither Set role nor Remove (both refused: an agency keeps an owner).
    assert f"{own_row}role" not in alone
    assert f"{own_row}remove" not in alone
    assert "the only owner: make someone else owner to change this" in visible_text(alone)
    assert f"/team/members/{team.manager.id}/remove" in alone
    # With a second owner, either may step down.
    assert f"{own_row}role" in with_another
    assert f"{own_row}remove" in with_another
    assert "the only owner" not in with_another
