"""The pages' session cookie and CSRF tokens.

The session cookie is HttpOnly and SameSite=Lax (Secure in production). Every state-changing
request authenticated by that cookie must also carry a CSRF token: a form field on form posts,
the `X-CSRF-Token` header on the pages' fetch calls. The token is an HMAC of a secret the browser
holds in an HttpOnly cookie, keyed by SECRET_KEY: once logged in, the session token itself; before,
a random login nonce (so a login form cannot be posted from another site either). Another origin
can neither read that cookie nor compute the HMAC; a cookie planted from a sibling domain fails
the HMAC. In production these cookies carry the `__Host-` prefix, which browsers only accept from
this exact host over HTTPS with Path=/: a sibling subdomain cannot plant them at all.

A secret a form makes (an API token, an invitation link) is shown once on the page the form
redirects to, so that reloading it does not post the form again: it travels in a third cookie,
`huntaze_once`, encrypted under a key of its own, bound to the session that made it, readable for
a minute, and deleted by the page that shows it. Never in the URL, never stored on the server.

A login on the page also leaves a device cookie, `huntaze_device`: the account's email and a
random nonce, encrypted under a key of its own and readable for 90 days, replaced by a new one at
each login and kept at logout (it names the browser, not a session). The login throttle counts
that browser's attempts for that email in a window of its own (auth/throttle.py), so strangers
filling the email's window do not lock the creator out of a browser they logged in from before.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from typing import Any

from fastapi import Request, Response

from huntaze_ai.auth.service import BROWSER_SESSION_TTL
from huntaze_ai.auth.throttle import DEVICE_COOKIE_DAYS, login_email
from huntaze_ai.config import Settings
from huntaze_ai.kit import crypto
from huntaze_ai.kit.errors import HuntazeError

SESSION_COOKIE = "huntaze_session"
NONCE_COOKIE = "huntaze_csrf"
ONCE_COOKIE = "huntaze_once"
ONCE_PURPOSE = "shown-once"
# The redirect is followed at once; a minute covers a slow phone, and no more is kept.
ONCE_TTL_S = 60
DEVICE_COOKIE = "huntaze_device"
DEVICE_PURPOSE = "login-device"
DEVICE_TTL_S = DEVICE_COOKIE_DAYS * 24 * 3600
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


def once_cookie_name(settings: Settings) -> str:
    return _HOST_PREFIX + ONCE_COOKIE if settings.is_production else ONCE_COOKIE


def _session_tag(request: Request) -> str:
    # The session's hash, not the session: the cookie must not carry a second copy of it.
    return hashlib.sha256((session_token(request) or "").encode()).hexdigest()


def _seal(
    request: Request,
    response: Response,
    name: Callable[[Settings], str],
    purpose: str,
    ttl_s: int,
    data: dict[str, str],
) -> None:
    """`data` in the cookie `name`, encrypted under the key of its `purpose`, for `ttl_s`."""
    settings = _settings(request)
    key = settings.secret_key.get_secret_value()
    value = crypto.encrypt(key, json.dumps(data), purpose=purpose).decode()
    _cookie(response, settings, name(settings), value, max_age=ttl_s)


def _unsealed(
    request: Request, name: Callable[[Settings], str], purpose: str, ttl_s: int
) -> dict[str, Any] | None:
    """What `_seal` put in the cookie `name`; None without it, expired or forged."""
    settings = _settings(request)
    value = request.cookies.get(name(settings))
    if not value:
        return None
    key = settings.secret_key.get_secret_value()
    payload = crypto.decrypt(key, value.encode(), purpose=purpose, ttl=ttl_s)
    return None if payload is None else json.loads(payload)


def show_once(request: Request, response: Response, kind: str, secret: str) -> None:
    """Have the page `response` redirects to show `secret` (of `kind`) once."""
    data = {"kind": kind, "session": _session_tag(request), "secret": secret}
    _seal(request, response, once_cookie_name, ONCE_PURPOSE, ONCE_TTL_S, data)


def shown_once(request: Request, kind: str) -> str | None:
    """The secret of `kind` this browser's session was given, if it has not been shown yet; the
    page that shows it then calls `forget_shown_once`. Another session's (a login that followed
    on this browser), an expired or a forged cookie shows nothing."""
    data = _unsealed(request, once_cookie_name, ONCE_PURPOSE, ONCE_TTL_S)
    if (
        data is None
        or data.get("kind") != kind
        or not hmac.compare_digest(str(data.get("session")), _session_tag(request))
    ):
        return None
    secret = data.get("secret")
    return secret if isinstance(secret, str) else None


def forget_shown_once(request: Request, response: Response) -> None:
    settings = _settings(request)
    response.delete_cookie(once_cookie_name(settings), path="/", secure=settings.is_production)


def device_cookie_name(settings: Settings) -> str:
    return _HOST_PREFIX + DEVICE_COOKIE if settings.is_production else DEVICE_COOKIE


def set_device_cookie(request: Request, response: Response, email: str) -> None:
    """Mark this browser as one `email` logged in from, with a nonce of its own."""
    data = {"email": login_email(email), "nonce": secrets.token_urlsafe(16)}
    _seal(request, response, device_cookie_name, DEVICE_PURPOSE, DEVICE_TTL_S, data)


def device_nonce(request: Request, email: str) -> str | None:
    """The nonce of this browser's device cookie when it was made for `email`; None without one,
    or for another account's, an expired or a forged one."""
    data = _unsealed(request, device_cookie_name, DEVICE_PURPOSE, DEVICE_TTL_S)
    if data is None:
        return None
    if not hmac.compare_digest(str(data.get("email")).encode(), login_email(email).encode()):
        return None
    nonce = data.get("nonce")
    return nonce if isinstance(nonce, str) else None
