"""What every page form shares: the CSRF check of its `csrf_token` field, and what a form that
changes something does after (`submit`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.routing import Match, Mount

from huntaze_ai.auth.sessions import check_csrf
from huntaze_ai.kit.errors import MACHINE_PATHS, HuntazeError, InvalidRequest
from huntaze_ai.kit.text import refuse_nul

if TYPE_CHECKING:
    from huntaze_ai.web.rendering import PageError


async def form_csrf(request: Request) -> None:
    """The CSRF check, then the rule every request body keeps (kit/text.py), for every field of
    every form at once: no NUL, which SQLite would store and send on (to a fan, a webhook)."""
    form = await request.form()
    token = form.get("csrf_token")
    check_csrf(request, token if isinstance(token, str) else None)
    for name, value in form.multi_items():
        if isinstance(value, str):
            try:
                refuse_nul(value)
            except ValueError as exc:
                raise InvalidRequest(
                    f"{name}: {exc}", fields=[{"field": name, "message": str(exc)}]
                ) from None


CsrfChecked = Depends(form_csrf)


def safe_next(target: str | None) -> str:
    """Where a form may send the browser next: only paths of this site ("//evil.example" and
    "https://…" would be open redirects)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/dashboard"


def page_at_or_above(request: Request, target: str | None) -> str:
    """Where to send the browser after a choice that keeps it "on the same page" (the creator
    switcher): `target` if it is a page of this site, else the nearest page above it, else the
    dashboard. A page can be rendered in answer to a POST (a refused form at /inbox/13/approve);
    sending the browser back there would GET an address that only takes a form: a 405."""
    path, _, query = safe_next(target).partition("?")
    if _is_page(request, path):
        return f"{path}?{query}" if query else path
    while (path := path.rpartition("/")[0]) != "":
        if _is_page(request, path):
            return path
    return "/dashboard"


def _is_page(request: Request, path: str) -> bool:
    """A GET route of the app's own, not of the API nor a machine endpoint. A creator's address
    (a fan page) counts: for another creator it is a 404 page, which is the right answer."""
    if any(path == prefix or path.startswith(prefix + "/") for prefix in MACHINE_PATHS):
        return False
    # Asked of each route as the app's router would (FastAPI's included routers answer for all
    # of theirs); a mount (/static) serves files, not pages.
    return any(
        not isinstance(route, Mount)
        and route.matches({"type": "http", "path": path, "root_path": "", "method": "GET"})[0]
        is Match.FULL
        for route in request.app.routes
    )


async def submit(
    session: AsyncSession,
    action: Callable[[], Awaitable[str | None]],
    *,
    back_to: str | Callable[[], str],
    notice: str,
    show: Callable[[PageError], Awaitable[Response]],
) -> Response:
    """Run a form's change. Done: a redirect to `back_to` with a notice code (the action may
    return its own), so a reload does not post again; a callable `back_to` is asked after the
    action, for a page whose address the change settles. Refused: the change is rolled back and
    `show` renders the page again with the refusal, under the refusal's status."""
    from huntaze_ai.web.rendering import PageError

    try:
        code = await action()
    except HuntazeError as exc:
        await session.rollback()
        return await show(PageError.from_error(exc))
    url = back_to if isinstance(back_to, str) else back_to()
    joined = "&" if "?" in url else "?"
    return RedirectResponse(f"{url}{joined}notice={code or notice}", status_code=303)
