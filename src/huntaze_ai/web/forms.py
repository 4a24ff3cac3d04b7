"""What every page form shares: the CSRF check of its `csrf_token` field."""

from __future__ import annotations

from fastapi import Depends, Request

from huntaze_ai.auth.sessions import check_csrf


async def form_csrf(request: Request) -> None:
    form = await request.form()
    token = form.get("csrf_token")
    check_csrf(request, token if isinstance(token, str) else None)


CsrfChecked = Depends(form_csrf)
