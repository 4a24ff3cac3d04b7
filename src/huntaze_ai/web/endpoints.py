"""Page routes. Reads render the same reports as the API; forms post with a CSRF field and call
the same services, so quota, rate limit and compliance behave exactly as over the API."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.analytics.service import refresh_insights
from huntaze_ai.auth import service as auth
from huntaze_ai.auth.dependencies import PageActing, PageCreator
from huntaze_ai.auth.sessions import (
    clear_session_cookie,
    device_nonce,
    session_token,
    set_device_cookie,
    set_session_cookie,
)
from huntaze_ai.auth.throttle import LoginThrottle
from huntaze_ai.campaigns import service as campaigns
from huntaze_ai.campaigns.schemas import MAX_ID
from huntaze_ai.compliance.guard import PageGuardForDep
from huntaze_ai.content import rules as caption_rules
from huntaze_ai.content.schemas import CaptionRequest
from huntaze_ai.content.service import generate_captions
from huntaze_ai.drafts import service as drafts
from huntaze_ai.drafts.quality import creator_quality
from huntaze_ai.generation.service import with_generation
from huntaze_ai.insights.service import list_refreshes
from huntaze_ai.kit.errors import HuntazeError, InvalidRequest, Unauthenticated
from huntaze_ai.kit.session_deps import SessionDep
from huntaze_ai.kit.text import PlainText
from huntaze_ai.llm.dependencies import AIDep, MeterDep
from huntaze_ai.messaging.schemas import ReplyRequest
from huntaze_ai.messaging.service import draft_reply
from huntaze_ai.metering.reports import parse_month, quota_report, usage_report
from huntaze_ai.models import User
from huntaze_ai.web import service as view
from huntaze_ai.web.compliance_pages import router as compliance_router
from huntaze_ai.web.fan_pages import fan_picker
from huntaze_ai.web.formatting import FEATURE_LABELS, superseded_text
from huntaze_ai.web.forms import CsrfChecked, page_at_or_above, safe_next
from huntaze_ai.web.rendering import PLATFORMS, PageError, page, render_login
from huntaze_ai.web.team_pages import invitation_to

router = APIRouter(include_in_schema=False)
router.include_router(compliance_router)

T = TypeVar("T")


async def _attempt(action: Callable[[], Awaitable[T]]) -> tuple[T | None, PageError | None]:
    """Run a service call for a page: a refusal (quota, rate limit, bad input, provider down)
    becomes a message on the page instead of a JSON error."""
    try:
        return await action(), None
    except ValidationError as exc:
        return None, PageError.from_validation(exc)
    except HuntazeError as exc:
        return None, PageError.from_error(exc)


@router.get("/")
async def home() -> RedirectResponse:
    return RedirectResponse("/dashboard", status_code=303)


@router.get("/auth/login", response_class=HTMLResponse)
async def login_form(request: Request, session: SessionDep, next: str | None = None) -> Response:
    next_url = safe_next(next)
    invitation = await invitation_to(session, next_url)
    return render_login(request, next_url=next_url, invitation=invitation)


@router.post("/auth/login", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def login_submit(
    request: Request,
    session: SessionDep,
    email: Annotated[PlainText, Form(max_length=320)] = "",
    password: Annotated[PlainText, Form(max_length=1024)] = "",
    next: Annotated[PlainText | None, Form()] = None,
) -> Response:
    throttle: LoginThrottle = request.app.state.login_throttle
    device = device_nonce(request, email)
    try:
        await throttle.attempt(email, request.client.host if request.client else None, device)
        user = await auth.login(session, email, password)
    except HuntazeError as exc:
        wrong = isinstance(exc, Unauthenticated)
        if wrong:
            await throttle.failed(device)  # enough of them, and this browser is a stranger again
        status = 401 if wrong else exc.status_code
        next_url = safe_next(next)
        invitation = await invitation_to(session, next_url)
        return render_login(request, next_url, PageError.from_error(exc), email, status, invitation)
    token = await auth.create_browser_session(session, user)
    # A session that ended under a form (next=/inbox/13/approve) comes back to its page.
    response = RedirectResponse(page_at_or_above(request, next), status_code=303)
    set_session_cookie(request, response, token)
    set_device_cookie(request, response, user.email)
    return response


@router.post("/auth/logout", dependencies=[CsrfChecked])
async def logout(request: Request, session: SessionDep) -> RedirectResponse:
    token = session_token(request)
    if token:
        await auth.revoke_token(session, token)
    response = RedirectResponse("/auth/login", status_code=303)
    clear_session_cookie(request, response)
    return response


@router.get("/dashboard", response_class=HTMLResponse)
async def dashboard(
    request: Request, acting: PageActing, session: SessionDep, meter: MeterDep, ai: AIDep
) -> Response:
    creator = acting.creator
    quota = with_generation(ai, creator, await quota_report(meter, session, creator))
    month = quota.period_start.date()
    usage = await usage_report(session, creator, month)
    return await page(
        request,
        "dashboard.html",
        creator,
        session,
        quota=quota,
        usage=usage,
        level=view.quota_level(quota),
        projection=view.project_month_end(quota),
        by_day=view.spend_by_day(usage),
        by_feature=view.spend_by(usage.totals.by_feature, FEATURE_LABELS),
        by_model=view.spend_by(usage.totals.by_model),
        waiting=await drafts.waiting(session, creator.id),
        # Per member: for the creator and the managers, as on the API.
        quality=await creator_quality(session, creator.id, month) if acting.oversees else None,
    )


# A draft decided on /messages comes back here (web/inbox_pages.py) with one of these codes.
_MESSAGES_NOTICES = {
    "approved": "Approved: the reply is recorded as sent by you.",
    "rejected": "Draft rejected: it will not be sent.",
}


async def messages_page(
    request: Request,
    creator: User,
    session: AsyncSession,
    *,
    choice: str = "",
    search: str = "",
    **context: Any,
) -> Response:
    """/messages for the fan `choice` ("<platform>:<id>"), fans found by `search`; `context`:
    the reply form as sent (`form`), its `result`, an `error`, a `notice`, or (`decide`, `typed`)
    a draft whose approval from this page was refused, with the text as typed."""
    picker = await fan_picker(session, creator.id, choice, search)
    return await page(
        request, "messages.html", creator, session, platforms=PLATFORMS, **picker, **context
    )


@router.get("/messages", response_class=HTMLResponse)
async def messages(
    request: Request,
    creator: PageCreator,
    session: SessionDep,
    fan: Annotated[str, Query(max_length=300)] = "",
    q: Annotated[str, Query(max_length=300)] = "",
    notice: str | None = None,
    closed: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    """`fan` ("<platform>:<id>") picks the fan to reply to; `q` finds fans by name or id;
    `closed`: after an approval, how many other drafts of its fan message it closed."""
    said = _MESSAGES_NOTICES.get(notice or "")
    if said and notice == "approved":
        said += superseded_text(closed)
    return await messages_page(request, creator, session, choice=fan, search=q, notice=said)


@router.post("/messages", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def messages_submit(
    request: Request,
    creator: PageCreator,
    session: SessionDep,
    ai: AIDep,
    guard_for: PageGuardForDep,
    fan_message: Annotated[str, Form(alias="fan-message")] = "",
    platform: Annotated[str, Form()] = "",
    fan_id: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    """Without JavaScript the form posts here (Regenerate too); with it, the page streams from
    the API."""
    form: dict[str, Any] = {
        "fan_message": fan_message,
        "platform": platform or None,
        "fan_id": fan_id or None,
    }
    result, error = await _attempt(
        lambda: draft_reply(
            session, ai, creator, ReplyRequest.model_validate(form), guard_for=guard_for
        )
    )
    # Read after the reply: the fan's memory shows what this draft added to it.
    choice = f"{platform}:{fan_id}" if platform and fan_id else fan_id
    return await messages_page(
        request, creator, session, choice=choice, form=form, result=result, error=error
    )


@router.get("/content/create", response_class=HTMLResponse)
async def content(request: Request, creator: PageCreator, session: SessionDep) -> Response:
    return await page(request, "content.html", creator, session, platforms=PLATFORMS, form={})


@router.post("/content/create", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def content_submit(
    request: Request,
    creator: PageCreator,
    session: SessionDep,
    ai: AIDep,
    platform: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    tone: Annotated[str, Form()] = "",
    variants: Annotated[str, Form()] = "3",
) -> Response:
    form: dict[str, Any] = {
        "platform": platform,
        "description": description,
        "tone": tone or None,
        "variants": variants,
    }
    result, error = await _attempt(lambda: generate_captions(ai, creator, _caption_request(form)))
    return await page(
        request,
        "content.html",
        creator,
        session,
        platforms=PLATFORMS,
        form=form,
        result=result,
        error=error,
        **_caption_rules(platform),
    )


def _caption_request(form: dict[str, Any]) -> CaptionRequest:
    # The schema refuses a blank description too, in pydantic's words ("String should have at
    # least 1 character"): the page says it as its other refusals do.
    if not form["description"].strip():
        raise InvalidRequest(
            "Say what the post is about: captions are written from its description",
            fields=[{"field": "description", "message": "blank"}],
        )
    return CaptionRequest.model_validate(form)


def _caption_rules(platform: str) -> dict[str, Any]:
    """What the page needs to show each caption's length against the platform's limit."""
    rules = caption_rules.RULES.get(platform)
    if rules is None:  # an unknown platform never produced captions
        return {}
    return {
        "caption_limit": rules.max_chars,
        "counts_hashtags": rules.hashtags_count_in_length,
        "caption_length": lambda text, tags: caption_rules.counted_length(platform, text, tags),
        "caption_post": caption_rules.post_text,
    }


REFRESHES_SHOWN = 20


def _row_id(value: str | None) -> int | None:
    """An id from a page's query string; anything else is no id (a page never 422s on it)."""
    # ASCII digits only ("²" is a digit to str.isdigit, not to int), and few of them.
    if value is None or not (value.isascii() and value.isdigit()) or len(value) > 10:
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None


async def _analytics_page(
    request: Request,
    creator: User,
    session: SessionDep,
    error: PageError | None = None,
    notice: str | None = None,
    insight_id: int | None = None,
    campaign_id: int | None = None,
) -> Response:
    # One more than shown: whether older refreshes exist beyond the page.
    refreshes = await list_refreshes(session, creator.id, REFRESHES_SHOWN + 1)
    shown = refreshes[:REFRESHES_SHOWN]
    summaries = await campaigns.list_campaigns(session, creator.id, campaigns.MAX_LIST)
    linked = await campaigns.campaigns_of_insights(
        session, creator.id, [i.id for r in shown for i in r.insights]
    )
    names = {s.campaign.id: s.campaign.name for s in summaries}
    return await page(
        request,
        "analytics.html",
        creator,
        session,
        refreshes=shown,
        more_refreshes=len(refreshes) > REFRESHES_SHOWN,
        linked=linked,
        campaigns=summaries,
        metric_rows=view.metric_rows,
        stat_rows=view.campaign_stat_rows,
        # The refresh holding the insight just linked stays open, older ones start collapsed.
        focus_insight=insight_id,
        error=error,
        notice=_analytics_notice(notice, names.get(campaign_id or 0)),
    )


# Notices travel in the redirect's query string as codes and ids, never as text a link could
# inject; a campaign's name comes from the creator's own campaigns.
_NOTICES = {
    "refreshed": "New insights generated.",
    "linked": "Insight linked to {campaign}.",
    "already_linked": "This insight was already linked to {campaign}: nothing changed.",
}


def _analytics_notice(code: str | None, campaign: str | None) -> str | None:
    text = _NOTICES.get(code or "")
    return text.format(campaign=f"“{campaign}”" if campaign else "the campaign") if text else None


@router.get("/analytics", response_class=HTMLResponse)
async def analytics(
    request: Request,
    creator: PageCreator,
    session: SessionDep,
    notice: str | None = None,
    insight: str | None = None,
    campaign: str | None = None,
) -> Response:
    return await _analytics_page(
        request, creator, session, None, notice, _row_id(insight), _row_id(campaign)
    )


@router.post("/analytics/refresh", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def analytics_refresh(
    request: Request, creator: PageCreator, session: SessionDep, ai: AIDep
) -> Response:
    result, error = await _attempt(lambda: refresh_insights(session, ai, creator))
    if error is not None or result is None:
        return await _analytics_page(request, creator, session, error=error)
    return RedirectResponse("/analytics?notice=refreshed", 303)


@router.post("/analytics/link", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def analytics_link(
    request: Request,
    creator: PageCreator,
    session: SessionDep,
    insight_id: Annotated[int, Form(ge=1, le=MAX_ID)],
    campaign_id: Annotated[int, Form(ge=1, le=MAX_ID)],
) -> Response:
    linked, error = await _attempt(
        lambda: campaigns.link_insight_to_campaign(session, creator.id, campaign_id, insight_id)
    )
    if error is not None:
        return await _analytics_page(request, creator, session, error=error)
    notice = "linked" if linked else "already_linked"
    return RedirectResponse(
        f"/analytics?notice={notice}&insight={insight_id}&campaign={campaign_id}"
        f"#insight-{insight_id}",
        303,
    )


@router.get("/usage", response_class=HTMLResponse)
async def usage(
    request: Request, creator: PageCreator, session: SessionDep, month: str | None = None
) -> Response:
    error = None
    try:
        selected = parse_month(month)
    except HuntazeError as exc:
        selected, error = parse_month(None), PageError.from_error(exc)
    report = await usage_report(session, creator, selected)
    return await page(
        request,
        "usage.html",
        creator,
        session,
        usage=report,
        error=error,
        outcome_text=view.outcome_text,
        legend=view.outcomes_in(report),
    )


@router.get("/usage.csv")
async def usage_csv(
    creator: PageCreator, session: SessionDep, month: Annotated[str | None, Query()] = None
) -> Response:
    report = await usage_report(session, creator, parse_month(month))
    return Response(
        view.usage_csv(report),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="huntaze-ai-usage-{report.month}.csv"'
        },
    )
