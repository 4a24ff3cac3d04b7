"""A browser that asks the site for something that fails gets a page with the same status; the
API (and the machine endpoints) keep the JSON error contract whatever the Accept header says."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.engine import URL

from huntaze_ai.main import create_app
from tests.apphelpers import app_client, settings_for, visible_text
from tests.metering.conftest import books
from tests.web.conftest import Browser

BROWSER_ACCEPT = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"
}


def assert_error_page(response: httpx.Response, status: int, title: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    text = visible_text(response.text)
    assert f"<title>{title} · Huntaze AI</title>" in response.text
    assert title in text
    assert f"Error {status}" in text
    assert '"error"' not in response.text  # no JSON body shown as the page
    return text


async def test_a_mistyped_address_is_a_not_found_page(database_url: URL) -> None:
    async with app_client(settings_for(database_url)) as client:
        response = await client.get("/dashbaord", headers=BROWSER_ACCEPT)
        hostile = await client.get("/<script>alert(1)</script>", headers=BROWSER_ACCEPT)
    text = assert_error_page(response, 404, "Page not found")
    assert "/dashbaord" in text
    assert 'href="/dashboard"' in response.text
    assert hostile.status_code == 404
    assert "<script>alert(1)" not in hostile.text


@pytest.mark.parametrize("path", ["/api/nowhere", "/api/ai/quota/nowhere", "/metrics/x"])
async def test_the_api_answers_json_even_to_a_browser(database_url: URL, path: str) -> None:
    async with app_client(settings_for(database_url)) as client:
        response = await client.get(path, headers=BROWSER_ACCEPT)
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "message": "Not Found"}


async def test_a_program_asking_the_site_still_gets_json(database_url: URL) -> None:
    async with app_client(settings_for(database_url)) as client:
        response = await client.get("/nowhere")  # httpx sends Accept: */*
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


async def test_an_expired_form_is_a_page_that_says_so_and_charges_nothing(
    browser: Browser, database: object
) -> None:
    response = await browser.client.post(
        "/messages", data={"fan-message": "hey", "csrf_token": "stale"}, headers=BROWSER_ACCEPT
    )
    assert_error_page(response, 403, "This form has expired")
    assert (await books(database, browser.user.id)).rows == 0  # type: ignore[arg-type]


async def test_bad_values_in_a_page_address_are_a_page_naming_them(browser: Browser) -> None:
    query = await browser.client.get("/compliance/violations?days=abc", headers=BROWSER_ACCEPT)
    text = assert_error_page(query, 422, "Not a valid request")
    assert 'days must be a whole number, not "abc"' in text
    month = await browser.client.get("/usage.csv?month=2026-13", headers=BROWSER_ACCEPT)
    assert "month must look like 2026-11" in assert_error_page(month, 422, "Not a valid request")
    get_a_form = await browser.client.get("/analytics/refresh", headers=BROWSER_ACCEPT)
    assert_error_page(get_a_form, 405, "Page not found")


@pytest.mark.parametrize(
    ("address", "said"),
    [
        ("/compliance/violations?days=abc", 'days must be a whole number, not "abc"'),
        ("/compliance/violations?days=99999", 'days must be at most 366, not "99999"'),
        (
            "/compliance?platform=myspace",
            'platform must be one of onlyfans, fansly, instagram, tiktok or x, not "myspace"',
        ),
        (
            "/webhooks?status=weird",
            'status must be one of pending, delivered or failed, not "weird"',
        ),
    ],
)
async def test_a_bad_value_in_a_page_address_is_said_in_a_plain_sentence(
    browser: Browser, address: str, said: str
) -> None:
    response = await browser.client.get(address, headers=BROWSER_ACCEPT)
    text = assert_error_page(response, 422, "Not a valid request")
    assert "This page's address has a value the page cannot use:" in text
    assert said in text
    assert "Input should" not in text  # pydantic's wording, not the page's
    assert "query." not in text
    path = address.partition("?")[0]
    assert f'<a class="button" href="{path}">Open the page without it</a>' in response.text


async def test_a_page_that_crashes_is_a_page_without_the_trace(database_url: URL) -> None:
    app = create_app(settings_for(database_url))

    async def boom() -> None:
        raise RuntimeError("secret internals")

    app.add_api_route("/boom", boom)
    app.add_api_route("/api/boom", boom)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            page = await client.get("/boom", headers=BROWSER_ACCEPT)
            api = await client.get("/api/boom", headers=BROWSER_ACCEPT)
    assert_error_page(page, 500, "Something went wrong on our side")
    assert "secret internals" not in page.text
    assert api.status_code == 500
    assert api.json() == {"error": "internal_error", "message": "Internal error"}
