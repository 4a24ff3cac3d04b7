"""The authorship export: a creator's month of messages as CSV, saying who drafted (the AI model
or a person), edited and approved each one, with cells a spreadsheet would run as formulas
written as text; for the creator and the agency's managers only."""

from __future__ import annotations

import csv
import io

import httpx
from sqlalchemy.engine import URL

from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.csv_cells import csv_text
from huntaze_ai.kit.db import Database
from tests.agencies.helpers import bearer, new_team
from tests.apphelpers import app_client, draft_reply, settings_for

EXPORT = "/api/drafts/authorship.csv"


def _rows(answer: httpx.Response) -> dict[str, dict[str, str]]:
    assert answer.status_code == 200, answer.text
    return {row["draft_id"]: row for row in csv.DictReader(io.StringIO(answer.text))}


def test_a_text_cell_that_starts_like_a_formula_is_written_as_text() -> None:
    document = csv_text(
        ["a", "b", "c", "d", "e", "f", "g"],
        [["=SUM(A1:A9)", "+1", "-2 babe", "@cmd", "\t=x", "plain", -3]],
    )
    (row,) = list(csv.reader(io.StringIO(document)))[1:]
    assert row == ["'=SUM(A1:A9)", "'+1", "'-2 babe", "'@cmd", "'\t=x", "plain", "-3"]


async def test_the_export_says_who_drafted_edited_and_approved_each_message(
    database_url: URL, database: Database
) -> None:
    team = await new_team(database)
    async with app_client(settings_for(database_url)) as client:
        chatter = await bearer(database, team.chatter_a)
        manager = await bearer(database, team.manager, team.creator_1)
        edited = await draft_reply(client, chatter, "Hey! Love your content", "@whale")
        await client.post(
            f"/api/drafts/{edited['draft_id']}/approve",
            json={"text": "=1+1 is us, babe"},
            headers=chatter,
        )
        rejected = await draft_reply(client, chatter, "Hey! Love your content", "fan-2")
        await client.post(f"/api/drafts/{rejected['draft_id']}/reject", headers=chatter)
        refund = await draft_reply(client, chatter, "I want a refund now", "fan-3")
        answered = await client.post(
            f"/api/escalations/{refund['draft_id']}/resolve",
            json={"text": "- sorry babe, I will look at it with support"},
            headers=manager,
        )
        assert answered.json()["status"] == "approved", answered.text
        model = (await client.get("/api/ai/usage", headers=chatter)).json()["rows"][0]["model"]
        by_owner = await client.get(
            EXPORT, headers=await bearer(database, team.owner, team.creator_1)
        )
        by_creator = await client.get(EXPORT, headers=await bearer(database, team.creator_1))
        by_chatter = await client.get(EXPORT, headers=chatter)
        other = await client.get(EXPORT, headers=await bearer(database, team.owner, team.creator_2))
        old_month = await client.get(EXPORT + "?month=2020-01", headers=manager)
        bad_month = await client.get(EXPORT + "?month=01-2020", headers=manager)

    month = utcnow().strftime("%Y-%m")
    assert by_owner.headers["content-type"].startswith("text/csv")
    assert by_owner.headers["content-disposition"] == (
        f'attachment; filename="huntaze-ai-authorship-{team.creator_1.id}-{month}.csv"'
    )
    rows = _rows(by_owner)
    assert rows == _rows(by_creator)
    assert list(rows) == [str(d["draft_id"]) for d in (edited, rejected, refund)]  # oldest first

    first = rows[str(edited["draft_id"])]
    assert first["fan_id"] == "'@whale"  # a cell a spreadsheet would run is text
    assert first["asked_by"] == team.chatter_a.email
    assert first["drafted_by"] == f"AI ({model})"
    assert first["edited_by"] == first["approved_by"] == team.chatter_a.email
    assert first["approved_at"].startswith(month)
    assert int(first["chars_changed"]) > 0
    assert (first["final_status"], first["final_text"]) == ("approved", "'=1+1 is us, babe")
    assert first["escalated_by"] == first["resolved_by"] == ""

    second = rows[str(rejected["draft_id"])]
    assert second["drafted_by"] == f"AI ({model})"
    assert second["edited_by"] == second["approved_by"] == second["approved_at"] == ""
    assert (second["final_status"], second["final_text"]) == ("rejected", "")

    third = rows[str(refund["draft_id"])]
    assert third["drafted_by"] == team.manager.email  # no model wrote anything: the manager did
    assert third["edited_by"] == ""
    assert third["approved_by"] == third["resolved_by"] == team.manager.email
    assert third["escalated_by"] == "compliance guard"
    assert third["escalated_at"]
    assert third["resolved_at"] >= third["escalated_at"]
    assert third["final_text"] == "'- sorry babe, I will look at it with support"

    assert by_chatter.status_code == 404  # a chatter: like the other managers' things
    assert _rows(other) == {}  # creator 2's month: none of creator 1's messages
    assert _rows(old_month) == {}
    assert bad_month.status_code == 422
