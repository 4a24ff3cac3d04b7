"""The creator pages: server-rendered Jinja2 (autoescaped) over the same services as the API."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from huntaze_ai.auth.dependencies import LoginRequired

STATIC_DIR = Path(__file__).parent / "static"


def install_pages(app: FastAPI) -> None:
    from huntaze_ai.web.endpoints import router
    from huntaze_ai.web.sales_page import router as sales_router
    from huntaze_ai.web.tokens import router as tokens_router

    app.include_router(router)
    app.include_router(sales_router)
    app.include_router(tokens_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.exception_handler(LoginRequired)
    async def _to_login(request: Request, _: LoginRequired) -> RedirectResponse:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/auth/login?next={quote(target)}", status_code=303)
