"""/inbox: the drafts waiting for a chatter (approve as drafted or edited, reject, escalate) and
the escalation queue (answer, dismiss, hand back), over the same services as the drafts API;
for the creator and the agency's owners and managers, the per-fan daily caps (as PUT
/api/drafts/caps sets them). /messages posts its new draft's approval and rejection here too,
and gets the browser back."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.agencies.access import Acting, overseen
from huntaze_ai.auth.dependencies import PageActing
from huntaze_ai.compliance.guard import PageGuardDep
from huntaze_ai.creator_data.repository import fan_names
from huntaze_ai.drafts import service
from huntaze_ai.drafts.schemas import MAX_CAP_PER_DAY
from huntaze_ai.kit.clock import utcnow
from huntaze_ai.kit.errors import InvalidRequest
from huntaze_ai.kit.ids import PathId
from huntaze_ai.kit.session_deps import SessionDep
from huntaze_ai.kit.text import is_blank
from huntaze_ai.models import Draft, DraftStatus
from huntaze_ai.users.repository import display_names
from huntaze_ai.web.endpoints import messages_page
from huntaze_ai.web.formatting import superseded_text
from huntaze_ai.web.forms import CsrfChecked, submit
from huntaze_ai.web.rendering import PageError, page

router = APIRouter(include_in_schema=False)
forms = APIRouter(dependencies=[CsrfChecked], default_response_class=HTMLResponse)

# Notices travel in the redirect's query string as codes, never as text a link could inject.
_NOTICES = {
    "approved": "Approved: the reply is recorded as sent by you.",
    "rejected": "Draft rejected.",
    "escalated": "Handed to the escalation queue.",
    "answered": "Escalation answered.",
    "dismissed": "Escalation dismissed without a reply.",
    "handed_back": "Handed back to the inbox.",
    "caps_saved": "Daily caps saved: they hold from the next approval.",
}
Text = Annotated[str, Form(max_length=1000)]
# "messages": the form was on /messages, where the decision returns (else the inbox).
Back = Annotated[str, Form(max_length=20)]


async def _inbox(
    request: Request,
    acting: Acting,
    session: AsyncSession,
    *,
    notice: str | None = None,
    error: PageError | None = None,
    refused: tuple[int, str] | None = None,
    caps_typed: tuple[str, str] | None = None,
    closed: str | None = None,
) -> Response:
    """The inbox; after a refused decision (`refused`: the draft and the text that was sent),
    the refusal shows in that draft's card, with the text as typed; after refused caps
    (`caps_typed`), the caps' form is open with them as typed."""
    creator_id = acting.creator.id
    pending = await service.list_drafts(
        session, creator_id, status="pending", fan_id=None, limit=50
    )
    queue = await service.escalations(session, creator_id)
    pending_total, queue_total = await service.waiting(session, creator_id)
    now = utcnow()
    fans = {(d.platform, d.fan_id) for d in [*pending, *queue] if d.fan_id}
    shown = {d.id for d in [*pending, *queue]}
    # What is left today for each fan on the page, so nobody approves into a refusal.
    left: dict[tuple[str, str], tuple[int, int]] = {}
    for fan in fans:
        dms, ppvs, _ = await service.fan_today(session, creator_id, *fan)
        left[fan] = (dms, ppvs)
    # A draft handed back from the queue says by whom and why it went there (its card's history).
    handed_back = [d for d in pending if d.resolved_at is not None]
    people = {p for d in handed_back for p in (d.resolved_by, d.escalated_by) if p is not None}
    return await page(
        request,
        "inbox.html",
        acting.creator,
        session,
        pending=pending,
        pending_total=pending_total,
        queue_total=queue_total,
        queue=[(d, int((now - d.created_at).total_seconds())) for d in queue],
        left=left,
        names=await fan_names(session, creator_id, fans),
        people=await display_names(session, people),
        notice=_notice(notice, closed),
        # Drafts that answer the same fan message (Regenerate): the first approved closes the rest.
        siblings=await service.open_siblings(session, creator_id, [*pending, *queue]),
        error=error,
        # A draft no longer listed (decided meanwhile) has no card: the refusal shows on top.
        refused_id=refused[0] if refused and refused[0] in shown else None,
        typed=refused[1] if refused else None,
        caps=await service.fan_caps(session, creator_id),
        caps_typed=caps_typed,
        max_cap=MAX_CAP_PER_DAY,
    )


def _notice(code: str | None, closed: str | None) -> str | None:
    text = _NOTICES.get(code or "")
    if text and code in _ANSWERS:
        return text + superseded_text(closed)
    return text


# The decisions that send a reply, and so close the other drafts of its fan message.
_ANSWERS = ("approved", "answered")


@router.get("/inbox", response_class=HTMLResponse)
async def inbox(
    request: Request,
    acting: PageActing,
    session: SessionDep,
    notice: str | None = None,
    closed: Annotated[str | None, Query(max_length=10)] = None,
) -> Response:
    """`closed`: after an approval, how many other drafts of its fan message it closed."""
    return await _inbox(request, acting, session, notice=notice, closed=closed)


def _who(acting: Acting) -> str:
    """Who handed a draft over, in the queue's words, when they gave no reason."""
    if acting.member.id == acting.creator.id:
        return "the creator"
    role = acting.role
    return {"owner": "an owner", "manager": "a manager"}.get(str(role), "a chatter")


async def _decide(
    request: Request,
    acting: Acting,
    session: AsyncSession,
    action: Callable[[], Awaitable[Draft | service.Decided]],
    notice: str,
    refused: tuple[int, str] | None = None,
    from_messages: int | None = None,
) -> Response:
    """Run a decision, then back to the inbox; or, for the draft `from_messages` decided on
    /messages, back to that page for the draft's fan, the refusal in the draft's card there.
    An answer that closed other drafts of its fan message says how many (`closed`)."""
    decided: Draft | service.Decided | None = None

    async def show(error: PageError) -> Response:
        if from_messages is not None:
            typed = refused[1] if refused else None
            return await _messages(request, acting, session, from_messages, error, typed)
        return await _inbox(request, acting, session, error=error, refused=refused)

    async def run() -> None:
        nonlocal decided
        decided = await action()

    def back_to() -> str:
        closed = decided.superseded if isinstance(decided, service.Decided) else 0
        draft = decided.draft if isinstance(decided, service.Decided) else decided
        url = "/inbox" if from_messages is None or draft is None else _messages_url(draft)
        if not closed:
            return url
        return f"{url}{'&' if '?' in url else '?'}closed={closed}"

    return await submit(session, run, back_to=back_to, notice=notice, show=show)


def _messages_url(draft: Draft) -> str:
    if draft.fan_id is None:
        return "/messages"
    return "/messages?fan=" + quote(f"{draft.platform}:{draft.fan_id}", safe="")


async def _messages(
    request: Request,
    acting: Acting,
    session: AsyncSession,
    draft_id: int,
    error: PageError,
    typed: str | None,
) -> Response:
    """/messages again after a refused decision of one of its drafts: for the draft's fan, with
    the fan's message in the form, and the draft with its controls while it is still pending."""
    draft = await service.get_draft(session, acting.creator.id, draft_id)
    pending = draft.status == DraftStatus.PENDING
    form = {"fan_message": draft.fan_message, "platform": draft.platform, "fan_id": draft.fan_id}
    return await messages_page(
        request,
        acting.creator,
        session,
        choice=f"{draft.platform}:{draft.fan_id}" if draft.fan_id else "",
        form=form,
        error=error,
        decide=draft if pending else None,
        typed=typed,
    )


def _from_messages(back: str, draft_id: int) -> int | None:
    """The draft, when its form was on /messages (`back`), which the decision returns to."""
    return draft_id if back == "messages" else None


@forms.post("/inbox/{draft_id}/approve")
async def approve(
    request: Request,
    acting: PageActing,
    session: SessionDep,
    guard: PageGuardDep,
    draft_id: PathId,
    text: Text = "",
    send_offer: Annotated[bool, Form()] = False,
    back: Back = "",
) -> Response:
    async def action() -> service.Decided:
        return await service.approve(
            session, guard, acting.creator.id, acting.member.id, draft_id, text or None, send_offer
        )

    return await _decide(
        request,
        acting,
        session,
        action,
        "approved",
        (draft_id, text),
        _from_messages(back, draft_id),
    )


@forms.post("/inbox/{draft_id}/reject")
async def reject(
    request: Request, acting: PageActing, session: SessionDep, draft_id: PathId, back: Back = ""
) -> Response:
    async def action() -> Draft:
        return await service.reject(session, acting.creator.id, acting.member.id, draft_id)

    from_messages = _from_messages(back, draft_id)
    return await _decide(request, acting, session, action, "rejected", None, from_messages)


@forms.post("/inbox/{draft_id}/escalate")
async def escalate(
    request: Request,
    acting: PageActing,
    session: SessionDep,
    draft_id: PathId,
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    async def action() -> Any:
        # Invisible characters alone say nothing either: the page names who handed it over.
        why = f"handed over by {_who(acting)}" if is_blank(reason) else reason.strip()
        return await service.escalate(session, acting.creator.id, acting.member.id, draft_id, why)

    return await _decide(request, acting, session, action, "escalated")


@forms.post("/inbox/{draft_id}/resolve")
async def resolve(
    request: Request,
    acting: PageActing,
    session: SessionDep,
    guard: PageGuardDep,
    draft_id: PathId,
    text: Text = "",
    dismiss: Annotated[bool, Form()] = False,
) -> Response:
    async def action() -> Any:
        overseen(acting, service.QueueOverseersOnly)
        answer = None if dismiss else (text.strip() or None)
        if answer is None and not dismiss:
            raise InvalidRequest("Write the answer, or dismiss the escalation")
        return await service.resolve(
            session, guard, acting.creator.id, acting.member.id, draft_id, answer
        )

    notice = "dismissed" if dismiss else "answered"
    return await _decide(request, acting, session, action, notice, (draft_id, text))


@forms.post("/inbox/{draft_id}/hand-back")
async def hand_back(
    request: Request, acting: PageActing, session: SessionDep, draft_id: PathId
) -> Response:
    async def action() -> Any:
        overseen(acting, service.QueueOverseersOnly)
        return await service.hand_back(session, acting.creator.id, acting.member.id, draft_id)

    return await _decide(request, acting, session, action, "handed_back")


def _cap(value: str, what: str, field: str) -> int:
    """A cap as typed in the form: a whole number from 0 to the most, else refused in words (a
    browser may skip the field's own min and max: an old one, or the form posted otherwise)."""
    typed = value.strip()
    # ASCII digits only ("²" is a digit to str.isdigit, not to int), and few of them.
    if typed.isascii() and typed.isdigit() and len(typed) <= 4 and int(typed) <= MAX_CAP_PER_DAY:
        return int(typed)
    raise InvalidRequest(
        f"{what} must be a whole number from 0 to {MAX_CAP_PER_DAY}",
        fields=[{"field": field, "message": f"not a whole number from 0 to {MAX_CAP_PER_DAY}"}],
    )


CapText = Annotated[str, Form(max_length=20)]


@forms.post("/inbox/caps")
async def set_caps(
    request: Request,
    acting: PageActing,
    session: SessionDep,
    dms_per_day: CapText = "",
    ppvs_per_day: CapText = "",
) -> Response:
    """The creator's per-fan daily caps, as PUT /api/drafts/caps sets them: the creator and the
    agency's owners and managers (a chatter gets 404, as from the API)."""

    async def action() -> None:
        overseen(acting, service.CapsOverseen)
        dms = _cap(dms_per_day, "Messages per fan per day", "dms_per_day")
        ppvs = _cap(ppvs_per_day, "PPV offers per fan per day", "ppvs_per_day")
        await service.set_caps(session, acting.creator.id, dms, ppvs)

    async def show(error: PageError) -> Response:
        typed = (dms_per_day, ppvs_per_day) if acting.oversees else None
        return await _inbox(request, acting, session, error=error, caps_typed=typed)

    return await submit(session, action, back_to="/inbox", notice="caps_saved", show=show)


router.include_router(forms)
