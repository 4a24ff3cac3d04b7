"""The pages' session cookie and CSRF tokens.

The session cookie is HttpOnly and SameSite=Lax (Secure in production). Every state-changing
request authenticated by that cookie must also carry a CSRF token: a form field on form posts,
the `X-CSRF-Token` header on the pages' fetch calls. The token is an HMAC of a secret the browser
holds in an HttpOnly cookie, keyed by SECRET_KEY: once logged in, the session token itself; before,
a random login nonce (so a login form cannot be posted from another site either). Another origin
can neither read that cookie nor compute the HMAC; a cookie planted from a sibling domain fails
the HMAC. In production both cookies carry the `__Host-` prefix, which browsers only accept from
this exact host over HTTPS with Path=/: a sibling subdomain cannot plant them at all.
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
_HOST_PREFIX = "__Host-"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfFailed(HuntazeError):
    status_code = 403
    code = "csrf_failed"
    default_message = "Missing or invalid CSRF token; reload the page and try again"


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def session_cookie_name(settings: Settings) -> str:
    return _HOST_PREFIX + SESSION_COOKIE if settings.is_production else SESSION_COOKIE


def nonce_cookie_name(settings: Settings) -> str:
    return _HOST_PREFIX + NONCE_COOKIE if settings.is_production else NONCE_COOKIE


def session_token(request: Request) -> str | None:
    """The session token the browser sent, if any."""
    return request.cookies.get(session_cookie_name(_settings(request)))


def csrf_token(settings: Settings, binding: str) -> str:
    key = settings.secret_key.get_secret_value().encode()
    return hmac.new(key, b"csrf:" + binding.encode(), hashlib.sha256).hexdigest()


def csrf_binding(request: Request) -> str | None:
    """The browser secret the CSRF token is bound to: the session, else the login nonce."""
    settings = _settings(request)
    return session_token(request) or request.cookies.get(nonce_cookie_name(settings))


def check_csrf(request: Request, submitted: str | None) -> None:
    binding = csrf_binding(request)
    if not binding or not submitted:
        raise CsrfFailed()
    expected = csrf_token(_settings(request), binding)
    # Bytes: compare_digest refuses non-ASCII str with a TypeError (a 500 for garbage input).
    if not hmac.compare_digest(expected.encode(), submitted.encode("utf-8", "replace")):
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
    settings = _settings(request)
    _cookie(response, settings, nonce_cookie_name(settings), nonce, max_age=2 * 3600)


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    settings = _settings(request)
    ttl = int(BROWSER_SESSION_TTL.total_seconds())
    _cookie(response, settings, session_cookie_name(settings), token, max_age=ttl)
    response.delete_cookie(nonce_cookie_name(settings), path="/", secure=settings.is_production)


def clear_session_cookie(request: Request, response: Response) -> None:
    settings = _settings(request)
    response.delete_cookie(session_cookie_name(settings), path="/", secure=settings.is_production)
