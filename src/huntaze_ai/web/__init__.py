"""The creator pages: server-rendered Jinja2 (autoescaped) over the same services as the API."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from huntaze_ai.agencies.access import NoCreatorToActFor
from huntaze_ai.auth.dependencies import LoginRequired

STATIC_DIR = Path(__file__).parent / "static"


def install_pages(app: FastAPI) -> None:
    from huntaze_ai.web.endpoints import router
    from huntaze_ai.web.fan_pages import router as fan_router
    from huntaze_ai.web.inbox_pages import router as inbox_router
    from huntaze_ai.web.sales_page import router as sales_router
    from huntaze_ai.web.team_pages import router as team_router
    from huntaze_ai.web.tokens import router as tokens_router
    from huntaze_ai.web.webhooks_page import router as webhooks_router

    app.include_router(router)
    app.include_router(sales_router)
    app.include_router(tokens_router)
    app.include_router(team_router)
    app.include_router(inbox_router)
    app.include_router(webhooks_router)
    app.include_router(fan_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.exception_handler(LoginRequired)
    async def _to_login(request: Request, _: LoginRequired) -> RedirectResponse:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/auth/login?next={quote(target)}", status_code=303)

    @app.exception_handler(NoCreatorToActFor)
    async def _no_creator(request: Request, exc: NoCreatorToActFor) -> Response:
        # A new chatter not yet assigned: the pages say so in words; the API keeps its 404.
        if request.url.path.startswith("/api/"):
            return JSONResponse(exc.body(), status_code=exc.status_code)
        from huntaze_ai.auth.sessions import csrf_binding, csrf_token
        from huntaze_ai.web.rendering import PAGE_HEADERS, templates

        token = csrf_token(request.app.state.settings, csrf_binding(request) or "")
        # Only a seat-holder gets here (a login without a seat acts for its own account), so no
        # invitation is left to open; one who just joined (team_pages.join) is told it worked.
        joined = request.query_params.get("notice") == "joined"
        return templates.TemplateResponse(
            request,
            "no_creator.html",
            {"message": exc.message, "csrf_token": token, "joined": joined},
            status_code=exc.status_code,
            headers=PAGE_HEADERS,
        )
