"""Invariant 6 across the whole API and the pages: for every operation that acts for a creator,
a login that may not act for that creator gets 404 (or 401 once removed), never data."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy.engine import URL

from huntaze_ai.agencies import service
from huntaze_ai.auth.dependencies import CREATOR_COOKIE
from huntaze_ai.config import Settings
from huntaze_ai.kit.db import Database
from huntaze_ai.main import create_app
from tests.agencies.helpers import Team, bearer, new_team
from tests.apphelpers import app_client, login, settings_for
from tests.factories import create_user


def _takes_creator_header(operation: dict[str, Any]) -> bool:
    return any(
        p["in"] == "header" and p["name"].lower() == "x-creator-id"
        for p in operation.get("parameters", [])
    )


# The API as its schema documents it: an operation that acts for a creator takes X-Creator-Id.
SCHEMA = create_app(Settings(database_url="sqlite+aiosqlite://", huntaze_env="test")).openapi()
OPERATIONS = [
    (method.upper(), path, operation)
    for path, item in SCHEMA["paths"].items()
    for method, operation in item.items()
]
ACTING = [(m, p) for m, p, op in OPERATIONS if _takes_creator_header(op)]
# Operations that need no creator: they concern the login itself (its tokens, its team) or come
# before any login.
LOGIN_ONLY = {
    "/api/auth/token",
    "/api/auth/tokens",
    "/api/auth/tokens/{token_id}",
    "/api/me",
    "/api/invites/accept",
}
PUBLIC = {"/healthz", "/readyz"}


def test_every_api_operation_either_acts_for_a_creator_or_concerns_only_the_login() -> None:
    for _, path, operation in OPERATIONS:
        if _takes_creator_header(operation) or path in PUBLIC:
            continue
        assert path in LOGIN_ONLY or path.startswith("/api/agency"), path
    assert len(ACTING) >= 19  # every creator operation at the time of writing


@pytest.fixture(scope="module")
async def team(database: Database) -> Team:
    return await new_team(database)


async def _removed_chatter(database: Database, team: Team) -> dict[str, str]:
    """The headers of a chatter who worked for creator 1 and was then removed from the team."""
    async with database.sessionmaker() as session, session.begin():
        user = await create_user(session)
        await service.add_member(session, team.agency_id, user, "chatter")
        await service.assign(session, team.agency_id, user.id, team.creator_1.id)
    headers = await bearer(database, user, team.creator_1)
    async with database.sessionmaker() as session, session.begin():
        await service.remove_member(session, team.agency_id, user.id)
    return headers


@pytest.mark.parametrize(("method", "path"), ACTING)
async def test_no_operation_acts_for_a_creator_the_login_may_not_act_for(
    method: str, path: str, database_url: URL, database: Database, team: Team
) -> None:
    url = re.sub(r"\{[^}]+\}", "1", path)
    intruders = {
        "an unassigned chatter": (team.chatter_b, team.creator_1),
        "a member of another agency": (team.rival_owner, team.creator_1),
        "a creator outside the agency": (team.outsider, team.creator_1),
        "an owner, for a creator outside the agency": (team.owner, team.outsider),
    }
    async with app_client(settings_for(database_url)) as client:
        for who, (user, target) in intruders.items():
            headers = await bearer(database, user, target)
            answer = await client.request(method, url, headers=headers, json={})
            assert answer.status_code == 404, (who, method, path, answer.text)
            assert answer.json()["message"] == "No such creator", (who, path)
        removed = await _removed_chatter(database, team)
        answer = await client.request(method, url, headers=removed, json={})
        assert answer.status_code == 401, (method, path)


PAGES = ["/dashboard", "/messages", "/content/create", "/analytics", "/usage", "/compliance"]


async def test_a_remembered_creator_the_chatter_may_not_act_for_never_shows_on_a_page(
    database_url: URL, team: Team
) -> None:
    async with app_client(settings_for(database_url)) as client:
        await login(client, team.chatter_a.email)
        client.cookies.set(CREATOR_COOKIE, str(team.creator_2.id))
        pages = {path: (await client.get(path)).text for path in PAGES}
    for path, html in pages.items():
        assert "Acting for <strong>Cleo Creator</strong>" in html, path
        assert "Dana Creator" not in html, path
