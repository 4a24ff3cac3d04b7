"""/docs and /redoc render in chromium with every host but the app's unreachable: Swagger UI and
ReDoc, their styles and the schema all come from the app (and their Content-Security-Policy would
print a console error, which fails the test, for anything that tried to go elsewhere)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Route, expect

from tests.e2e.conftest import AppServer

pytestmark = pytest.mark.slow


def test_the_api_docs_work_with_no_internet(
    new_context: Callable[..., BrowserContext], app_server: AppServer
) -> None:
    context = new_context()
    requested: list[str] = []

    def only_the_app(route: Route) -> None:
        requested.append(route.request.url)
        if route.request.url.startswith(app_server.url + "/"):
            route.continue_()
        else:
            route.abort("internetdisconnected")

    context.route("**/*", only_the_app)
    page = context.new_page()

    page.goto(app_server.at("/docs"))
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Huntaze AI")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    expect(page.locator(".swagger-ui")).to_contain_text("/api/ai/quota")

    page.goto(app_server.at("/redoc"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Huntaze AI")
    expect(page.get_by_text(re.compile(r"^/api/ai/quota$")).first).to_be_attached()

    elsewhere = [url for url in requested if not url.startswith(app_server.url + "/")]
    assert elsewhere == []
    assert app_server.at("/docs/swagger-ui-bundle.js") in requested
    assert app_server.at("/redoc/redoc.standalone.js") in requested
