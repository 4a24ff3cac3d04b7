"""The project's exception tree and the one handler that renders it (DESIGN §4).

    HuntazeError                      status  code
    ├── NotFound                      404     not_found
    ├── Unauthenticated               401     unauthenticated
    ├── InvalidRequest                422     invalid_request
    ├── PayloadTooLarge               413     payload_too_large
    ├── Conflict                      409     conflict
    ├── DependencyUnavailable         503     dependency_unavailable
    └── AnsweredError                 (a model call that failed; `outcome` labels its usage row)
        ├── ContentBlocked            422     content_blocked     (the provider's safety filter)
        └── UpstreamError             502     provider_error      (the model provider failed)
            ├── UnusableAnswer        502     provider_error      (answered, billed, unusable)
            └── UpstreamTimeout       504     provider_timeout

Domains subclass these (or HuntazeError) at the top of their service module. Every error carries its
HTTP status; a response body is always `{"error": code, "message": text, **details}`.

A browser asking for a page of the site (Accept: text/html, a path outside the API and the
machine endpoints) gets the same status as an HTML page instead, when the app has pages: a
mistyped address is a "Page not found" page, not a JSON body. The API always answers JSON.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from fastapi import FastAPI, Request
    from fastapi.responses import Response

log = logging.getLogger(__name__)


class HuntazeError(Exception):
    status_code: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"
    default_message: ClassVar[str] = "Internal error"

    def __init__(self, message: str | None = None, **details: Any) -> None:
        self.message = message or self.default_message
        self.details = details
        super().__init__(self.message)

    def body(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message, **self.details}

    def headers(self) -> dict[str, str] | None:
        return None


class NotFound(HuntazeError):
    status_code = 404
    code = "not_found"
    default_message = "Not found"


class Unauthenticated(HuntazeError):
    status_code = 401
    code = "unauthenticated"
    default_message = "Authentication required"

    def headers(self) -> dict[str, str] | None:
        return {"WWW-Authenticate": "Bearer"}


class InvalidRequest(HuntazeError):
    status_code = 422
    code = "invalid_request"
    default_message = "Invalid request"


class PayloadTooLarge(HuntazeError):
    status_code = 413
    code = "payload_too_large"
    default_message = "Request body too large"


class Conflict(HuntazeError):
    status_code = 409
    code = "conflict"
    default_message = "Conflict"


class DependencyUnavailable(HuntazeError):
    status_code = 503
    code = "dependency_unavailable"
    default_message = "A dependency is unavailable"


class AnsweredError(HuntazeError):
    """A model call that did not give the agent its answer. `outcome` is what the usage row says
    became of it; the Meter charges whatever usage the provider reported before it failed."""

    outcome: str = "provider_error"
    # The metered call's id, set once it is settled: what links a draft to its usage row.
    request_id: str | None = None


class ContentBlocked(AnsweredError):
    """The provider's safety filter withheld the answer (or refused the prompt). Billed as the
    provider bills it; `category` names the harm category or block reason."""

    status_code = 422
    code = "content_blocked"
    default_message = "The AI model's safety filter blocked this answer"
    outcome = "blocked"

    def __init__(self, category: str) -> None:
        super().__init__(
            f"The AI model's safety filter blocked this answer ({category})", category=category
        )
        self.category = category


class UpstreamError(AnsweredError):
    """The model provider failed, without an answer (nothing charged) or with an unusable one."""

    status_code = 502
    code = "provider_error"
    default_message = "The AI provider returned an error"


class UnusableAnswer(UpstreamError):
    """The provider answered and billed, but nothing usable came back (`truncated` when the
    output tokens ran out, `invalid_output` when the answer does not fit the agent's schema)."""

    def __init__(self, message: str, outcome: str) -> None:
        super().__init__(message)
        self.outcome = outcome


class UpstreamTimeout(UpstreamError):
    status_code = 504
    code = "provider_timeout"
    default_message = "The AI provider did not answer in time"
    outcome = "timeout"


class ErrorBody(BaseModel):
    """Every error response: a code, a sentence, and the details of that code."""

    model_config = ConfigDict(extra="allow")
    error: str
    message: str


_DESCRIPTIONS = {
    400: "`invalid_request`: malformed HTTP (e.g. a non-numeric Content-Length)",
    401: "`unauthenticated`: no, invalid or expired token",
    402: "`quota_exceeded`: the quota left cannot hold this request's worst case; nothing "
    'charged. `message` is "Monthly quota exceeded" when the month is spent, else "Not '
    'enough quota left for this request" (`spent_usd`, `limit_usd`, `resets_at`, '
    "`reserved_usd`, `remaining_usd`, `needed_usd`: the request's worst case, `reason`: a "
    "sentence for a person)",
    403: "`csrf_failed`: a cookie-authenticated write without its CSRF token",
    404: "`not_found`: no such object, or another creator's; also a creator this login may not "
    "act for (X-Creator-Id)",
    409: "`duplicate_request`: this Idempotency-Key's call is still running, or was used more "
    "than 7 days ago; on the team API `already_member`, `already_in_agency`, `last_owner`, "
    "`agency_name_taken`",
    410: "`invite_unusable`: the invitation expired or was already used",
    408: "`request_timeout`: the body did not arrive within BODY_TIMEOUT_S; the connection is "
    "closed",
    413: "`payload_too_large`: the body is over MAX_BODY_BYTES",
    422: "`invalid_request`: the failing `fields`; on an AI call also `content_blocked`: the "
    "model's safety filter withheld the answer (`category`; `usage`: billed as the provider "
    "bills), or `idempotency_key_reused`: the key was used for another request",
    429: "`rate_limited`: `retry_after_s` and a Retry-After header",
    502: "`provider_error`: the AI provider failed (nothing charged), or answered nothing usable, "
    "e.g. it ran out of output tokens (`usage`: what the provider billed for it)",
    503: "`dependency_unavailable`: database or Redis unreachable; retry",
    504: "`provider_timeout`: the AI provider did not answer in time; nothing charged",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for these statuses, all with the ErrorBody schema."""
    return {s: {"model": ErrorBody, "description": _DESCRIPTIONS[s]} for s in statuses}


# What any authenticated API operation can answer (404: a creator the login may not act for), and
# what a metered AI call adds.
API_ERRORS = error_responses(400, 401, 403, 404, 408, 413, 422, 503)
AI_ERRORS = {**API_ERRORS, **error_responses(402, 409, 429, 502, 504)}


_HTTP_CODES = {
    400: "invalid_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    408: "request_timeout",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


_PG_CHARACTER_NOT_IN_REPERTOIRE = "22021"

# Paths whose callers are programs: their errors stay JSON whatever the Accept header says.
MACHINE_PATHS = ("/api", "/metrics", "/healthz", "/readyz", "/openapi.json")

# Renders an error as a page: the request, the status, and the JSON body it stands for.
ErrorPage = Callable[["Request", int, dict[str, Any]], "Response"]


def wants_page(request: Request) -> bool:
    """A browser asking for a page of the site, rather than a program asking the API."""
    path = request.url.path
    if any(path == prefix or path.startswith(prefix + "/") for prefix in MACHINE_PATHS):
        return False
    return "text/html" in request.headers.get("accept", "")


def install_error_handlers(app: FastAPI, error_page: ErrorPage | None = None) -> None:
    # Imported here: the CLI raises and catches these errors without loading the web stack.
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import JSONResponse
    from sqlalchemy.exc import DBAPIError, OperationalError
    from starlette.exceptions import HTTPException as StarletteHTTPException

    def respond(
        request: Request,
        body: dict[str, Any],
        status: int,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        if error_page is not None and wants_page(request):
            try:
                page = error_page(request, status, body)
            except Exception:  # the JSON body still tells what happened
                log.exception("error page failed on %s", request.url.path)
            else:
                page.headers.update(headers or {})
                return page
        return JSONResponse(body, status_code=status, headers=headers)

    @app.exception_handler(HuntazeError)
    async def _huntaze(request: Request, exc: HuntazeError) -> Response:
        return respond(request, exc.body(), exc.status_code, exc.headers())

    def not_json(request: Request, detail: str) -> Response:
        return respond(
            request,
            {
                "error": "invalid_request",
                "message": "The request body is not valid JSON",
                "fields": [{"field": "body", "message": detail}],
            },
            422,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        for err in exc.errors():
            if err.get("type") == "json_invalid":
                # FastAPI's own JSON decode error (trailing garbage, a cut-off body) puts the
                # character position where a field name goes: the body is what failed.
                position = next((p for p in err.get("loc", ())[1:] if isinstance(p, int)), None)
                reason = (err.get("ctx") or {}).get("error") or "JSON decode error"
                where = "" if position is None else f" at character {position}"
                return not_json(request, f"{reason}{where}")
        fields = [
            {
                "field": ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body",
                "message": err.get("msg", "invalid"),
            }
            for err in exc.errors()
        ]
        return respond(
            request,
            {"error": "invalid_request", "message": "Invalid request", "fields": fields},
            422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 400:
            # FastAPI's "error parsing the body" (not JSON, not UTF-8): bad input like any other,
            # so the contract's 422 with the failing field.
            return not_json(request, str(exc.detail))
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return respond(
            request,
            {"error": code, "message": str(exc.detail)},
            exc.status_code,
            getattr(exc, "headers", None),
        )

    @app.exception_handler(OperationalError)
    async def _database_unavailable(request: Request, exc: OperationalError) -> Response:
        # Lost connections, a locked SQLite file, a failover: retryable, not the caller's fault.
        log.warning("database unavailable on %s: %s", request.url.path, exc.orig)
        return respond(
            request,
            {"error": "dependency_unavailable", "message": "Database unavailable, retry shortly"},
            503,
            {"Retry-After": "1"},
        )

    @app.exception_handler(DBAPIError)
    async def _database_error(request: Request, exc: DBAPIError) -> Response:
        if exc.connection_invalidated:
            return await _database_unavailable(request, exc)  # type: ignore[arg-type]
        if getattr(exc.orig, "sqlstate", None) == _PG_CHARACTER_NOT_IN_REPERTOIRE:
            # A NUL character: SQLite stores it, PostgreSQL text cannot. Schemas refuse it where
            # they can; any string that still reaches a query is the caller's input, not our bug.
            return respond(
                request,
                {"error": "invalid_request", "message": "Text must not contain NUL characters"},
                422,
            )
        log.exception("database error on %s %s", request.method, request.url.path)
        return respond(request, {"error": "internal_error", "message": "Internal error"}, 500)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        # The trace goes to the log, never to the client.
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return respond(request, {"error": "internal_error", "message": "Internal error"}, 500)
