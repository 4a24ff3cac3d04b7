"""/docs and /redoc work offline: every script, style, icon and font they name is served by the
app itself, and their Content-Security-Policy lets the browser load nothing from elsewhere (the
browser test in tests/e2e/test_api_docs.py renders both with every other host unreachable)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.engine import URL

from tests.apphelpers import app_client, settings_for

# Every address an HTML page can make the browser fetch: src/href attributes, CSS url(), and the
# schema URL handed to the UI's script.
_REFERENCES = re.compile(
    r"""(?:src|href|spec-url)\s*=\s*["']([^"']*)["']|url\(\s*["']?([^"')]+)|url:\s*'([^']*)'"""
)


def references(html: str) -> list[str]:
    return [next(g for g in m.groups() if g is not None) for m in _REFERENCES.finditer(html)]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/docs", {"/docs/swagger-ui.css", "/docs/swagger-ui-bundle.js", "/openapi.json"}),
        ("/redoc", {"/redoc/redoc.standalone.js", "/openapi.json"}),
    ],
)
async def test_the_docs_pages_reference_no_other_host(
    database_url: URL, path: str, expected: set[str]
) -> None:
    async with app_client(settings_for(database_url)) as client:
        page = await client.get(path)
        assert page.status_code == 200
        found = set(references(page.text))
        assert found == expected | {"data:,"}  # data:, is the icon: no request at all
        assert not re.search(r"https?:|//[a-z]", page.text, re.IGNORECASE), page.text
        policy = page.headers["content-security-policy"]
        assert "default-src 'self'" in policy
        assert "connect-src 'self'" in policy
        assert "https:" not in policy
        assert "*" not in policy
        for reference in sorted(expected):
            asset = await client.get(reference)
            assert asset.status_code == 200, reference
            assert len(asset.content) > 1000, reference


async def test_the_bundled_ui_licences_are_served_beside_them(database_url: URL) -> None:
    async with app_client(settings_for(database_url)) as client:
        swagger = await client.get("/docs/LICENSE")
        redoc = await client.get("/redoc/redoc.standalone.js.LICENSE.txt")
    assert swagger.status_code == 200
    assert "Apache License" in swagger.text
    assert redoc.status_code == 200
    assert "MIT" in redoc.text or "Permission is hereby granted" in redoc.text


async def test_the_css_names_no_other_host(database_url: URL) -> None:
    async with app_client(settings_for(database_url)) as client:
        css = (await client.get("/docs/swagger-ui.css")).text
    external = [ref for ref in references(css) if not ref.startswith("data:")]
    assert external == []
