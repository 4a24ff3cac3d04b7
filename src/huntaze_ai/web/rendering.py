"""Templates and the context every page shares: the creator, the CSRF token, the quota in the
header and whether answers come from the emulator."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.agencies.access import Acting, creators_for
from huntaze_ai.auth.sessions import csrf_binding, csrf_token, login_binding, set_nonce_cookie
from huntaze_ai.auth.throttle import TooManyLoginAttempts
from huntaze_ai.generation.service import with_generation
from huntaze_ai.kit.errors import HuntazeError
from huntaze_ai.kit.platforms import PLATFORM_NAMES
from huntaze_ai.llm.provider import LLM
from huntaze_ai.metering.quota import QuotaExceeded
from huntaze_ai.metering.rate_limit import RateLimitExceeded
from huntaze_ai.metering.reports import quota_report
from huntaze_ai.models import User
from huntaze_ai.web import formatting as fmt
from huntaze_ai.web import service as view
from huntaze_ai.webhooks.service import may_read as may_read_webhooks

PLATFORMS = tuple(PLATFORM_NAMES.items())

_env = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters.update(
    dollars=fmt.dollars,
    dollars_text=fmt.dollars_text,
    dollars_exact=fmt.dollars_exact,
    percent=fmt.percent,
    when=fmt.when,
    when_text=fmt.when_text,
    duration=fmt.duration,
    feature=fmt.feature,
    platform=fmt.platform,
    fan_href=fmt.fan_href,
    reasons_text=fmt.reasons_text,
)
_env.globals["NAV"] = fmt.NAV
_env.globals["NAV_NOT_FOR_CHATTERS"] = fmt.NAV_NOT_FOR_CHATTERS
_env.globals["sees_webhooks"] = may_read_webhooks
templates = Jinja2Templates(env=_env)


# Scripts and styles from this site only (the bars' widths are inline style attributes, hence
# 'unsafe-inline' for styles alone); no framing, so the forms cannot be clickjacked.
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' "
    "'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'none'",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}


@dataclass(frozen=True)
class PageError:
    """A refusal shown on the page: a title, a sentence, and the HTTP status it stands for."""

    kind: str
    message: str
    status_code: int
    title: str | None = None  # the alert's heading; None: the one of its kind (_error.html)

    @classmethod
    def from_error(cls, exc: HuntazeError) -> PageError:
        if isinstance(exc, QuotaExceeded):
            # Which of the two refusals it is, and why, in metering/wording.py's words.
            return cls("quota_exceeded", exc.details["reason"], exc.status_code, exc.message)
        if isinstance(exc, TooManyLoginAttempts):
            message = (
                "Too many login attempts for this email or from this network. "
                f"Try again in {view.wait_text(exc.retry_after_s)}."
            )
            return cls("rate_limited", message, exc.status_code)
        if isinstance(exc, RateLimitExceeded):
            # The alert's title already says "Rate limit exceeded": the sentence says the rest.
            message = (
                f"Your plan allows {exc.details['limit']} AI requests an hour. "
                f"Try again in {view.wait_text(exc.retry_after_s)}."
            )
            return cls("rate_limited", message, exc.status_code)
        message = exc.message
        reasons = exc.details.get("reasons")
        if isinstance(reasons, list) and reasons:
            # A guard's refusal: the rules it found, in words.
            message += ": " + fmt.reasons_text(reasons)
        return cls(exc.code, message, exc.status_code)

    @classmethod
    def from_validation(cls, exc: ValidationError) -> PageError:
        parts = [
            plain_invalid(".".join(str(p) for p in err["loc"]) or "form", err["msg"])
            for err in exc.errors()
        ]
        return cls("invalid_request", "Please check the form — " + "; ".join(parts), 422)


# pydantic's sentences ("Input should be a valid integer, unable to parse string as an
# integer") said as a person would, after the value's name; anything else is kept as it is.
_PLAIN_RULES = (
    (re.compile(r"Input should be a valid integer"), "must be a whole number"),
    (re.compile(r"Input should be a valid number"), "must be a number"),
    (re.compile(r"Input should be a valid boolean"), "must be true or false"),
    (re.compile(r"Input should be a valid date"), "must be a date like 2026-11-30"),
    (re.compile(r"Input should be less than or equal to (\S+)"), r"must be at most \1"),
    (re.compile(r"Input should be greater than or equal to (\S+)"), r"must be at least \1"),
    (re.compile(r"Input should be less than (\S+)"), r"must be below \1"),
    (re.compile(r"Input should be greater than (\S+)"), r"must be above \1"),
    (re.compile(r"String should have at most (\d+) characters?"), r"must be at most \1 characters"),
    (
        re.compile(r"String should have at least (\d+) characters?"),
        r"must be at least \1 characters",
    ),
    (re.compile(r"Field required"), "is missing"),
)
_CHOICES = re.compile(r"Input should be ((?:'[^']*'(?:, | or )?)+)$")


def plain_invalid(name: str, message: str) -> str:
    """One refused value in words: "days must be a whole number"."""
    if choices := _CHOICES.match(message):
        return f"{name} must be one of {choices[1].replace(chr(39), '')}"
    for pattern, plain in _PLAIN_RULES:
        if found := pattern.match(message):
            return f"{name} {found.expand(plain)}"
    return f"{name}: {message}"


def _llm(request: Request) -> LLM:
    llm: LLM = request.app.state.llm
    return llm


async def page(
    request: Request,
    template: str,
    creator: User,
    session: AsyncSession,
    status_code: int | None = None,
    **context: Any,
) -> HTMLResponse:
    """Render a page for `creator`; a PageError in `error` sets the status unless one is given."""
    quota = context.get("quota") or await quota_report(request.app.state.meter, session, creator)
    if not quota.features:
        quota = with_generation(request.app.state.ai, creator, quota)
    if "quota" in context:
        context["quota"] = quota
    acting: Acting | None = getattr(request.state, "acting", None)
    # The switcher lists every creator the login may act for; re-read per page, so a new
    # assignment shows without logging in again.
    switchable = [] if acting is None else await creators_for(session, acting.member, acting.seat)
    binding = csrf_binding(request) or ""
    error: PageError | None = context.setdefault("error", None)
    status = status_code or (error.status_code if error else 200)
    return templates.TemplateResponse(
        request,
        template,
        {
            "creator": creator,
            "acting": acting,
            "switchable": switchable,
            "csrf_token": csrf_token(request.app.state.settings, binding),
            "emulated": _llm(request).emulated,
            "header_quota": quota,
            "header_level": view.quota_level(quota),
            # Each feature's state, for its page's Generate button (templates/_generate.html).
            "generation": {state.feature: state for state in quota.features},
            "path": request.url.path,
            **context,
        },
        status_code=status,
        headers=PAGE_HEADERS,
    )


@dataclass(frozen=True)
class ErrorText:
    title: str
    sentence: str | None = None  # None: the error's own message says it


# What a browser is told when a page request fails, by the error code of the JSON body it stands
# for; anything else is "Could not do that" with the body's own message.
_ERROR_TEXTS = {
    "not_found": ErrorText(
        "Page not found",
        "There is no page at this address. It may be mistyped, or what it showed is gone.",
    ),
    "method_not_allowed": ErrorText(
        "Page not found", "This address is not a page: it only takes a form's submission."
    ),
    "csrf_failed": ErrorText(
        "This form has expired",
        "The page was opened before your last log-in or log-out. Go back, reload the page and "
        "send the form again.",
    ),
    "creator_switched": ErrorText(
        "You switched creator in another tab",
        "This form was for the creator the page showed when you opened it. Go back and reload "
        "the page: it will show the creator you act for now.",
    ),
    "unauthenticated": ErrorText("Log in to continue", "This page needs you to be logged in."),
    "invalid_request": ErrorText("Not a valid request"),
    "dependency_unavailable": ErrorText(
        "Temporarily unavailable",
        "The service could not reach its database. Try again in a moment.",
    ),
    "internal_error": ErrorText(
        "Something went wrong on our side",
        "The error was logged. Try again in a moment.",
    ),
}


def render_error_page(request: Request, status: int, body: dict[str, Any]) -> HTMLResponse:
    """A failed page request as a page (kit.errors renders the API's errors as JSON)."""
    code = str(body.get("error", ""))
    text = _ERROR_TEXTS.get(code) or ErrorText("Could not do that")
    message = str(body.get("message", ""))
    if message == "Invalid request":  # a form or query that failed validation: the fields say
        message = "Check the address or the form and try again."
    fields = [_refused_field(request, f["field"], f["message"]) for f in body.get("fields", ())]
    sentence = text.sentence or message
    without_query = None
    if fields and all(f["field"].startswith("query.") for f in body["fields"]):
        # Only the address's ?values are wrong (a hand-edited or old link): say so, and offer
        # the same page without them.
        sentence = "This page's address has a value the page cannot use:"
        without_query = request.url.path if request.method == "GET" else None
    switch_back = None
    if code == "creator_switched":
        named, switch_back = _switched_text(body)
        sentence = named or sentence
    return templates.TemplateResponse(
        request,
        "error.html",
        {
            "brand_only": True,
            "status": status,
            "code": code,
            "title": text.title,
            "sentence": sentence,
            "fields": fields,
            "path": request.url.path,
            "switch_back": switch_back,
            "without_query": without_query,
            # For the Switch back form: a POST to /acting like the header's switcher.
            "csrf_token": csrf_token(request.app.state.settings, csrf_binding(request) or ""),
        },
        status_code=status,
        headers=PAGE_HEADERS,
    )


def _refused_field(request: Request, field: str, message: str) -> str:
    """A refused field of a page request in words: a value of the address (query.days) by its
    name and with what the address said, e.g. 'days must be a whole number, not "abc"'."""
    where, _, name = field.partition(".")
    if where != "query" or not name:
        return f"{field}: {message}"
    said = request.query_params.get(name)
    shown = "" if said is None else f', not "{said[:40]}{"…" if len(said) > 40 else ""}"'
    return plain_invalid(name, message) + shown


def _switched_text(body: dict[str, Any]) -> tuple[str | None, dict[str, Any] | None]:
    """The creator a form was for and the one the login acts for now, by name, and the creator
    to switch back to (auth.dependencies.CreatorSwitched); None where the body does not say."""
    then, now = body.get("form_creator"), body.get("acting_creator")
    if not isinstance(now, dict):
        return None, None
    if not isinstance(then, dict):  # a creator the login may no longer act for: not named
        return (
            f"This form was for a creator you no longer act for; you now act for {now['name']}. "
            "Nothing was changed.",
            None,
        )
    return (
        f"This form was for {then['name']}, but you now act for {now['name']}: nothing was "
        f"changed. Switch back to {then['name']} to do it again, or go back and reload the page "
        f"to work for {now['name']}.",
        then,
    )


def render_login(
    request: Request,
    next_url: str,
    error: PageError | None = None,
    email: str = "",
    status_code: int = 200,
    invitation: str | None = None,
) -> HTMLResponse:
    """The login form; `invitation` names the agency when it leads to a join link."""
    binding, new_nonce = login_binding(request)
    response = templates.TemplateResponse(
        request,
        "login.html",
        {
            "next_url": next_url,
            "invitation": invitation,
            "error": error,
            "email": email,
            "csrf_token": csrf_token(request.app.state.settings, binding),
        },
        status_code=status_code,
        headers=PAGE_HEADERS,
    )
    if new_nonce:
        set_nonce_cookie(request, response, new_nonce)
    return response
