"""What every page form shares: the CSRF check of its `csrf_token` field, and what a form that
changes something does after (`submit`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.auth.sessions import check_csrf
from huntaze_ai.kit.errors import HuntazeError, InvalidRequest
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
