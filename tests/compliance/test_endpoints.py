"""The compliance API: the check, the word list (add, import, delete), the violation log and the
rules, each scoped to the calling creator."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy.engine import URL

from huntaze_ai.kit.db import Database
from tests.apphelpers import app_client, creator_headers, settings_for


@dataclass
class Api:
    client: httpx.AsyncClient
    headers: dict[str, str]
    creator_id: int

    async def check(self, text: str, **extra: object) -> httpx.Response:
        return await self.client.post(
            "/api/ai/compliance/check", json={"text": text, **extra}, headers=self.headers
        )

    async def add(self, phrase: str, verdict: str = "block") -> httpx.Response:
        return await self.client.post(
            "/api/compliance/words",
            json={"phrase": phrase, "verdict": verdict},
            headers=self.headers,
        )

    async def upload(self, text: str | bytes, verdict: str = "block") -> httpx.Response:
        return await self.client.post(
            f"/api/compliance/words/import?verdict={verdict}",
            content=text.encode() if isinstance(text, str) else text,
            headers={**self.headers, "Content-Type": "text/plain"},
        )

    async def words(self) -> list[dict[str, object]]:
        response = await self.client.get("/api/compliance/words", headers=self.headers)
        assert response.status_code == 200
        words: list[dict[str, object]] = response.json()["words"]
        return words

    async def violations(self, **params: object) -> dict[str, object]:
        response = await self.client.get(
            "/api/compliance/violations", params=params, headers=self.headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, object] = response.json()
        return body


@pytest.fixture
async def api(database_url: URL, database: Database) -> AsyncIterator[Api]:
    creator_id, headers = await creator_headers(database)
    async with app_client(settings_for(database_url)) as client:
        yield Api(client, headers, creator_id)


async def _other(api: Api, database: Database) -> Api:
    creator_id, headers = await creator_headers(database)
    return Api(api.client, headers, creator_id)


async def test_check_returns_the_verdict_every_reason_and_sendable(api: Api) -> None:
    ok = await api.check("Hi love 💕")
    blocked = await api.check("w h a t s a p p me at foo.com", platform="onlyfans")
    escalated = await api.check("I'll refund you")
    usage = await api.client.get("/api/ai/usage", headers=api.headers)
    assert ok.status_code == 200
    assert ok.json()["verdict"] == "ok"
    assert ok.json()["sendable"] is True
    assert ok.json()["reasons"] == []
    assert ok.json()["rules_version"].startswith("onlyfans.")
    body = blocked.json()
    assert (body["verdict"], body["sendable"]) == ("block", False)
    first = body["reasons"][0]
    assert first["rule"] == "other_platforms.messengers"
    assert first["code"] == "forbidden_word"
    assert (first["start"], first["end"], first["excerpt"]) == (0, 15, "w h a t s a p p")
    assert first["why"]
    assert first["clause"].startswith("OnlyFans")
    assert {r["code"] for r in body["reasons"]} >= {"external_link", "forbidden_word"}
    assert escalated.json()["verdict"] == "escalate"
    assert escalated.json()["sendable"] is False
    assert usage.json()["rows"] == []  # no model call, no charge


async def test_the_check_reads_the_fan_message_for_escalations(api: Api) -> None:
    response = await api.check("Let me look into it", fan_message="I'm 15 btw")
    assert response.json()["verdict"] == "escalate"
    (reason,) = response.json()["reasons"]
    assert (reason["where"], reason["category"]) == ("fan_message", "minors")


async def test_a_text_over_the_cap_but_within_the_request_limit_is_too_long(api: Api) -> None:
    response = await api.check("a" * 5000)
    assert response.status_code == 200
    assert response.json()["reasons"][0]["code"] == "too_long"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "a" * 10_001}, "text"),
        ({}, "text"),
        ({"text": 42}, "text"),
        ({"text": "hi", "platform": "myspace"}, "platform"),
    ],
)
async def test_bad_check_input_is_a_422_naming_the_field(
    api: Api, body: dict[str, object], field: str
) -> None:
    response = await api.client.post("/api/ai/compliance/check", json=body, headers=api.headers)
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"
    assert response.json()["fields"][0]["field"] == field


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/ai/compliance/check"),
        ("GET", "/api/compliance/words"),
        ("POST", "/api/compliance/words"),
        ("POST", "/api/compliance/words/import"),
        ("DELETE", "/api/compliance/words/1"),
        ("GET", "/api/compliance/violations"),
        ("GET", "/api/compliance/rules"),
    ],
)
@pytest.mark.parametrize("auth", [None, "Bearer hzai_forged"])
async def test_every_endpoint_needs_a_valid_bearer_token(
    database_url: URL, auth: str | None, method: str, path: str
) -> None:
    headers = {"Authorization": auth} if auth else {}
    async with app_client(settings_for(database_url)) as client:
        response = await client.request(method, path, json={"text": "hi"}, headers=headers)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthenticated"


async def test_a_custom_phrase_added_through_the_api_blocks_its_disguised_spellings(
    api: Api,
) -> None:
    assert (await api.check("you're my favourite sugar plum")).json()["verdict"] == "ok"
    added = await api.add("Sugar Plum")
    assert added.status_code == 201, added.text
    word = added.json()
    assert (word["phrase"], word["verdict"]) == ("Sugar Plum", "block")
    for disguise in ("sugar plum", "SUGARPLUM", "$ug4r p1um", "s u g a r p l u m", "ѕugar рlum"):
        response = await api.check(f"you're my favourite {disguise} 😘")
        body = response.json()
        assert body["verdict"] == "block", disguise
        assert body["reasons"][0]["rule"] == f"custom.{word['id']}"
        assert body["reasons"][0]["code"] == "custom_word"
    assert (await api.check("sugar and plums")).json()["verdict"] == "ok"


async def test_a_custom_escalation_phrase_in_the_fan_message_escalates(api: Api) -> None:
    await api.add("my manager", "escalate")
    response = await api.check("sure!", fan_message="let me talk to your manager... MY MANAGER")
    assert response.json()["verdict"] == "escalate"


async def test_a_deleted_phrase_stops_blocking_on_the_next_check(api: Api) -> None:
    word = (await api.add("pineapple")).json()
    assert (await api.check("pineapple pizza")).json()["verdict"] == "block"
    deleted = await api.client.delete(f"/api/compliance/words/{word['id']}", headers=api.headers)
    assert deleted.status_code == 204
    assert (await api.check("pineapple pizza")).json()["verdict"] == "ok"
    assert await api.words() == []


async def test_the_same_phrase_twice_is_a_409(api: Api) -> None:
    assert (await api.add("pineapple")).status_code == 201
    again = await api.add("P I N E A P P L E")
    assert again.status_code == 409
    assert again.json()["error"] == "conflict"
    assert len(await api.words()) == 1


@pytest.mark.parametrize(
    "phrase", ["", "   ", "x" * 201, "!!!", "💕💕", "tab\tinside", "nul\x00inside"]
)
async def test_an_empty_or_too_long_or_unmatchable_phrase_is_a_422(api: Api, phrase: str) -> None:
    response = await api.add(phrase)
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "invalid_request"
    assert response.json()["fields"][0]["field"] == "phrase"
    assert await api.words() == []


async def test_an_import_adds_every_line_skipping_comments_blanks_and_duplicates(api: Api) -> None:
    await api.add("pineapple")
    text = "# my agency's list\nmango\n\n  Kiwi  \nPINEAPPLE\nmango\npassion fruit\n"
    response = await api.upload(text, "escalate")
    assert response.status_code == 201, response.text
    body = response.json()
    assert [w["phrase"] for w in body["added"]] == ["mango", "Kiwi", "passion fruit"]
    assert {w["verdict"] for w in body["added"]} == {"escalate"}
    assert body["skipped"] == 2
    assert len(await api.words()) == 4
    assert (await api.check("ok", fan_message="k1wi?")).json()["verdict"] == "escalate"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("mango\n" + "x" * 201 + "\nkiwi\n", 2),
        ("mango\nkiwi\n!!!\n", 3),
        ("mango\nbad\x01control\n", 2),
    ],
)
async def test_an_import_with_a_bad_line_names_it_and_saves_nothing(
    api: Api, text: str, line: int
) -> None:
    response = await api.upload(text)
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request"
    assert response.json()["line"] == line
    assert f"line {line}" in response.json()["message"]
    assert await api.words() == []


async def test_an_import_that_is_not_utf8_is_a_422(api: Api) -> None:
    response = await api.upload(b"mango\n\xff\xfe\n")
    assert response.status_code == 422
    assert await api.words() == []


async def test_another_creators_word_is_a_404_and_stays(api: Api, database: Database) -> None:
    other = await _other(api, database)
    theirs = (await other.add("pineapple")).json()
    response = await api.client.delete(f"/api/compliance/words/{theirs['id']}", headers=api.headers)
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    assert [w["id"] for w in await other.words()] == [theirs["id"]]
    assert await api.words() == []
    # and their list does not apply to this creator's checks
    assert (await api.check("pineapple pizza")).json()["verdict"] == "ok"


@pytest.mark.parametrize("word_id", ["0", "-1", "abc", str(2**63)])
async def test_a_malformed_word_id_is_a_422(api: Api, word_id: str) -> None:
    response = await api.client.delete(f"/api/compliance/words/{word_id}", headers=api.headers)
    assert response.status_code == 422


async def test_blocks_and_escalations_are_logged_with_a_redacted_excerpt(
    api: Api, database: Database
) -> None:
    await api.check("text me at 555-201-8890 or mia.rose@gmail.com, love")
    await api.check("ok", fan_message="I want a refund")
    await api.check("all good here")  # ok: not logged
    log = await api.violations()
    assert log["total"] == 4
    counts = {(c["rule"], c["verdict"]): c["count"] for c in log["counts"]}  # type: ignore[union-attr,index]
    assert counts == {
        ("contact.request", "block"): 1,
        ("contact.phone_number", "block"): 1,
        ("contact.email", "block"): 1,
        ("refunds.money_back", "escalate"): 1,
    }
    rows = log["violations"]
    assert isinstance(rows, list)
    assert {r["source"] for r in rows} == {"check"}
    assert {r["actor_id"] for r in rows} == {api.creator_id}
    excerpts = " ".join(r["excerpt"] for r in rows)
    for secret in ("555", "8890", "rose@gmail", "gmail.com"):
        assert secret not in excerpts
    phone = next(r for r in rows if r["rule"] == "contact.phone_number")
    assert phone["excerpt"] == "text me at [5•••••••••••] or m•••••••••••••••••, love"
    refund = next(r for r in rows if r["rule"] == "refunds.money_back")
    assert (refund["part"], refund["excerpt"]) == ("fan_message", "I want a [refund]")
    assert refund["rules_version"].startswith("onlyfans.")
    other = await _other(api, database)
    assert (await other.violations())["total"] == 0


async def test_the_log_window_and_limit_are_bounded(api: Api) -> None:
    for bad in ({"days": 0}, {"days": 367}, {"limit": 0}, {"limit": 501}):
        response = await api.client.get(
            "/api/compliance/violations", params=bad, headers=api.headers
        )
        assert response.status_code == 422, bad


async def test_the_rules_of_a_platform_are_listed_with_why_and_clause(api: Api) -> None:
    response = await api.client.get(
        "/api/compliance/rules", params={"platform": "onlyfans"}, headers=api.headers
    )
    body = response.json()
    assert body["ppv"] == {"min_usd": "3.00", "max_usd": "200.00", "allow_free": True}
    rules = {r["id"]: r for r in body["rules"]}
    assert rules["minors.age_statement"]["verdict"] == "escalate"
    assert all(r["why"] and r["clause"] for r in body["rules"])
    instagram = await api.client.get(
        "/api/compliance/rules", params={"platform": "instagram"}, headers=api.headers
    )
    assert instagram.json()["ppv"] is None
