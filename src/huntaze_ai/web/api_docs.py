"""/docs (Swagger UI) and /redoc (ReDoc), their scripts and styles served by the app itself.

FastAPI's own pages load both from a CDN (and a favicon and Google Fonts from elsewhere): with no
internet /docs was blank. The assets come from the `fastapi-standalone-docs` wheel, which ships
Swagger UI (Apache-2.0) and ReDoc (MIT) with their licences; those are served beside them
(/docs/LICENSE, /redoc/redoc.standalone.js.LICENSE.txt). Only the files are used, not the
package's patching of FastAPI's functions. A Content-Security-Policy keeps both pages on this
site: a script that tried to reach another host would be refused by the browser.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = Path(str(files("fastapi_standalone_docs") / "static"))
DOCS_URL = "/docs"
REDOC_URL = "/redoc"
NO_ICON = "data:,"  # as the pages: no icon, and no request for one

# FastAPI's two pages configure the UI with an inline script (Swagger) and style (ReDoc); ReDoc
# runs its search in a worker made from a blob. Nothing may load from, or connect to, elsewhere.
DOCS_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
    "connect-src 'self'; worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'",
}


def install_api_docs(app: FastAPI) -> None:
    """The two pages, then their assets mounted under the same paths (a mount takes only the
    paths below it, so the pages' own routes answer first)."""
    openapi_url = app.openapi_url
    assert openapi_url, "the docs need the schema"
    title = f"{app.title} API"

    def root(request: Request) -> str:
        return str(request.scope.get("root_path", "")).rstrip("/")

    @app.get(DOCS_URL, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        base = root(request)
        page = get_swagger_ui_html(
            openapi_url=base + openapi_url,
            title=title,
            swagger_js_url=f"{base}{DOCS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{base}{DOCS_URL}/swagger-ui.css",
            swagger_favicon_url=NO_ICON,
            # Swagger UI would send the schema to validator.swagger.io for its badge.
            swagger_ui_parameters={"validatorUrl": None},
        )
        page.headers.update(DOCS_HEADERS)
        return page

    @app.get(REDOC_URL, include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        base = root(request)
        page = get_redoc_html(
            openapi_url=base + openapi_url,
            title=title,
            redoc_js_url=f"{base}{REDOC_URL}/redoc.standalone.js",
            redoc_favicon_url=NO_ICON,
            with_google_fonts=False,
        )
        page.headers.update(DOCS_HEADERS)
        return page

    app.mount(DOCS_URL, StaticFiles(directory=ASSETS / "swagger"), name="swagger-ui-assets")
    app.mount(REDOC_URL, StaticFiles(directory=ASSETS / "redoc"), name="redoc-assets")
