"""The delivery log where people see it: the API (`GET /api/webhooks`, retry), the /webhooks page
and `huntaze-ai webhooks list|retry`. A failed delivery is visible everywhere, a retry resends it
under the same id; another creator's event is 404; chatters do not see the log."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from sqlalchemy.engine import URL

from huntaze_ai.kit.db import Database
from huntaze_ai.models import User
from tests.agencies.helpers import Team, bearer, new_team
from tests.apphelpers import app_client, csrf_of, login, settings_for, visible_text
from tests.cli.conftest import Invoke
from tests.metering.conftest import new_creator
from tests.webhooks.helpers import events_of, receiver, set_aside_pending
from tests.webhooks.test_worker import wait_for, worker_for, write_events


@pytest.fixture(scope="module")
async def team(database: Database) -> Team:
    return await new_team(database)


async def _failed_and_delivered(database: Database, creator_id: int) -> tuple[str, str]:
    """One event the receiver refused (500) until it failed, one it took."""
    [failed] = await write_events(database, creator_id)
    with receiver(lambda _n: 500) as down:
        worker = worker_for(database, down.url, max_attempts=2)
        await worker.start()
        try:
            await wait_for(lambda: _all_settled(database, creator_id))
        finally:
            await worker.stop()
    [delivered] = await write_events(database, creator_id)
    with receiver() as up:
        worker = worker_for(database, up.url)
        await worker.start()
        try:
            await wait_for(lambda: _all_settled(database, creator_id))
        finally:
            await worker.stop()
    return failed, delivered


async def _all_settled(database: Database, creator_id: int) -> bool:
    return all(e.status != "pending" for e in await events_of(database, creator_id))


@pytest.mark.usefixtures("own_outbox")
async def test_a_failed_delivery_shows_in_the_api_and_a_retry_resends_it_with_its_id(
    database_url: URL, database: Database, team: Team
) -> None:
    creator = team.creator_1
    failed, delivered = await _failed_and_delivered(database, creator.id)
    owner = await bearer(database, team.owner, creator)
    async with app_client(settings_for(database_url)) as client:
        listed = (await client.get("/api/webhooks", headers=owner)).json()["events"]
        only_failed = await client.get("/api/webhooks?status=failed", headers=owner)
        not_failed = await client.post(f"/api/webhooks/{delivered}/retry", headers=owner)
        retried = await client.post(f"/api/webhooks/{failed}/retry", headers=owner)
        twice = await client.post(f"/api/webhooks/{failed}/retry", headers=owner)

    by_id = {e["id"]: e for e in listed}
    assert by_id[failed]["status"] == "failed"
    assert by_id[failed]["attempts"] == 2
    assert by_id[failed]["last_error"] == "HTTP 500"
    assert [(a["number"], a["status_code"]) for a in by_id[failed]["attempt_log"]] == [
        (1, 500),
        (2, 500),
    ]
    assert by_id[delivered]["status"] == "delivered"
    assert by_id[delivered]["delivered_at"] is not None
    assert [e["id"] for e in only_failed.json()["events"]] == [failed]
    assert not_failed.status_code == 409
    assert not_failed.json()["error"] == "webhook_not_failed"
    assert retried.status_code == 200
    assert (retried.json()["id"], retried.json()["status"]) == (failed, "pending")
    assert twice.status_code == 409  # pending now

    with receiver() as up:
        worker = worker_for(database, up.url)
        await worker.start()
        try:
            await wait_for(lambda: _all_settled(database, creator.id))
        finally:
            await worker.stop()
    assert up.ids() == [failed]
    [event] = [e for e in await events_of(database, creator.id) if e.id == failed]
    assert (event.status, event.attempts) == ("delivered", 3)


async def test_only_the_creator_and_the_agency_managers_see_the_log_and_only_its_own_events(
    database_url: URL, database: Database, team: Team
) -> None:
    [rival_event] = await write_events(database, team.rival_creator.id)
    [own_event] = await write_events(database, team.creator_2.id)
    async with app_client(settings_for(database_url)) as client:
        as_manager = await client.get(
            "/api/webhooks", headers=await bearer(database, team.manager, team.creator_2)
        )
        as_creator = await client.get(
            "/api/webhooks", headers=await bearer(database, team.creator_2)
        )
        as_chatter = await client.get(
            "/api/webhooks", headers=await bearer(database, team.chatter_b, team.creator_2)
        )
        chatter_retry = await client.post(
            f"/api/webhooks/{own_event}/retry",
            headers=await bearer(database, team.chatter_b, team.creator_2),
        )
        rival_retry = await client.post(
            f"/api/webhooks/{rival_event}/retry",
            headers=await bearer(database, team.owner, team.creator_2),
        )
    assert [e["id"] for e in as_manager.json()["events"]] == [own_event]
    assert [e["id"] for e in as_creator.json()["events"]] == [own_event]
    assert as_chatter.status_code == 404
    assert chatter_retry.status_code == 404
    assert rival_retry.status_code == 404
    assert rival_retry.json()["error"] == "not_found"


@pytest.mark.usefixtures("own_outbox")
async def test_the_page_lists_attempts_and_retries_a_failed_event_and_chatters_do_not_see_it(
    database_url: URL, database: Database, team: Team
) -> None:
    creator = team.outsider  # a creator working alone: their own log
    failed, delivered = await _failed_and_delivered(database, creator.id)
    async with app_client(settings_for(database_url)) as client:
        await login(client, creator.email)
        html = (await client.get("/webhooks")).text
        retried = await client.post(f"/webhooks/{failed}/retry", data={"csrf_token": csrf_of(html)})
        after = (await client.get(retried.headers["location"])).text
        again = await client.post(f"/webhooks/{failed}/retry", data={"csrf_token": csrf_of(html)})
    async with app_client(settings_for(database_url)) as client:
        await login(client, team.chatter_a.email)
        chatter_home = (await client.get("/dashboard")).text
        chatter_log = await client.get("/webhooks")

    text = visible_text(html)
    assert '<a href="/webhooks"' in html
    assert f'data-event-id="{failed}" data-status="failed"' in html
    assert f'data-event-id="{delivered}" data-status="delivered"' in html
    assert "Last error: HTTP 500" in text
    assert "Attempts (2)" in text
    assert html.count(">Retry</button>") == 1  # only the failed one
    assert "No webhook address is configured" in text
    assert retried.status_code == 303
    assert "Queued again" in visible_text(after)
    assert f'data-event-id="{failed}" data-status="pending"' in after
    assert again.status_code == 409
    assert "This event is pending, not failed" in visible_text(again.text)
    assert '<a href="/webhooks"' not in chatter_home
    assert chatter_log.status_code == 404


def test_the_cli_lists_every_creators_events_and_retries_one(
    database_url: URL, cli: Callable[[URL], Invoke]
) -> None:
    async def setup() -> tuple[User, str, str]:
        database = Database.from_url(database_url)  # this test's own loop
        try:
            await set_aside_pending(database)
            creator = await new_creator(database)
            return creator, *await _failed_and_delivered(database, creator.id)
        finally:
            await database.dispose()

    creator, failed, delivered = asyncio.run(setup())
    invoke = cli(database_url)
    everything = invoke("webhooks", "list", "--limit", "200")
    failed_only = invoke("webhooks", "list", "--status", "failed", "--attempts")
    theirs = invoke("webhooks", "list", "--creator", creator.email)
    retried = invoke("webhooks", "retry", failed)
    again = invoke("webhooks", "retry", failed)
    unknown = invoke("webhooks", "retry", "no-such-event")
    bad_status = invoke("webhooks", "list", "--status", "lost")

    assert everything.exit_code == 0, everything.output
    assert failed in everything.output
    assert delivered in everything.output
    rows = {line.split()[0]: line for line in failed_only.output.splitlines()[1:]}
    assert failed in rows
    assert delivered not in failed_only.output
    assert "HTTP 500" in rows[failed]
    assert f"{failed}  #2" in failed_only.output
    assert [line.split()[0] for line in theirs.output.splitlines()[1:]] == [delivered, failed]
    assert {line.split()[2] for line in theirs.output.splitlines()[1:]} == {str(creator.id)}
    assert retried.exit_code == 0
    assert "due again" in retried.output
    assert again.exit_code == 1
    assert "pending, not failed" in again.output
    assert unknown.exit_code == 1
    assert "No such webhook event" in unknown.output
    assert bad_status.exit_code != 0
