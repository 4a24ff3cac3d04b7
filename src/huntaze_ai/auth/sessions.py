"""The pages' session cookie and CSRF tokens.

The session cookie is HttpOnly and SameSite=Lax (Secure in production). Every state-changing
request authenticated by that cookie must also carry a CSRF token: a form field on form posts,
the `X-CSRF-Token` header on the pages' fetch calls. The token is an HMAC of a secret the browser
holds in an HttpOnly cookie, keyed by SECRET_KEY: once logged in, the session token itself; before,
a random login nonce (so a login form cannot be posted from another site either). Another origin
can neither read that cookie nor compute the HMAC; a cookie planted from a sibling domain fails
the HMAC.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request, Response

from huntaze_ai.auth.service import BROWSER_SESSION_TTL
from huntaze_ai.config import Settings
from huntaze_ai.kit.errors import HuntazeError

SESSION_COOKIE = "huntaze_session"
NONCE_COOKIE = "huntaze_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfFailed(HuntazeError):
    status_code = 403
    code = "csrf_failed"
    default_message = "Missing or invalid CSRF token; reload the page and try again"


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def csrf_token(settings: Settings, binding: str) -> str:
    key = settings.secret_key.get_secret_value().encode()
    return hmac.new(key, b"csrf:" + binding.encode(), hashlib.sha256).hexdigest()


def csrf_binding(request: Request) -> str | None:
    """The browser secret the CSRF token is bound to: the session, else the login nonce."""
    return request.cookies.get(SESSION_COOKIE) or request.cookies.get(NONCE_COOKIE)


def check_csrf(request: Request, submitted: str | None) -> None:
    binding = csrf_binding(request)
    if not binding or not submitted:
        raise CsrfFailed()
    if not hmac.compare_digest(csrf_token(_settings(request), binding), submitted):
        raise CsrfFailed()


def _cookie(response: Response, settings: Settings, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=settings.is_production,
        path="/",
    )


def login_binding(request: Request) -> tuple[str, str | None]:
    """The login form's CSRF binding, and a new nonce to set as a cookie when there was none."""
    existing = csrf_binding(request)
    if existing:
        return existing, None
    nonce = secrets.token_urlsafe(32)
    return nonce, nonce


def set_nonce_cookie(request: Request, response: Response, nonce: str) -> None:
    _cookie(response, _settings(request), NONCE_COOKIE, nonce, max_age=2 * 3600)


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    ttl = int(BROWSER_SESSION_TTL.total_seconds())
    _cookie(response, _settings(request), SESSION_COOKIE, token, max_age=ttl)
    response.delete_cookie(NONCE_COOKIE, path="/")


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")
