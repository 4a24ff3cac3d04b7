"""The sales page: upsell and PPV ideas with price ranges from the sales agent (the same `suggest`
as POST /api/ai/sales/suggestions, so quota, rate limit and price clamping behave the same), for
the whole audience or for one fan picked from the creator's fans.

A fan is named as the API names it: by its id on its platform (`fans.external_id`, never the row
id) together with that platform, since the same id may exist on two. The picker's value is
"<platform>:<external id>"; a bare id is taken as the API takes a `fan_id` without a platform.
Another creator's fan is a 404 here too.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.auth.dependencies import PageCreator
from huntaze_ai.compliance.rules import load_pack
from huntaze_ai.creator_data.service import FanContext, get_fan, list_fans
from huntaze_ai.kit.platforms import PLATFORM_NAMES
from huntaze_ai.kit.session_deps import SessionDep
from huntaze_ai.llm.dependencies import AIDep
from huntaze_ai.models import User
from huntaze_ai.sales.schemas import SuggestionsRequest, SuggestionsResponse
from huntaze_ai.sales.service import suggest
from huntaze_ai.web import service as view
from huntaze_ai.web.endpoints import _attempt
from huntaze_ai.web.forms import CsrfChecked
from huntaze_ai.web.rendering import PageError, page

router = APIRouter(include_in_schema=False)

FANS_LISTED = 200
MAX_SEARCH = 100
KIND_LABELS = {
    "upsell": "Upsell",
    "ppv": "PPV",
    "bundle": "Bundle",
    "renewal_offer": "Renewal offer",
    "tip_prompt": "Tip prompt",
}
SEGMENT_LABELS = {
    "whale": "whales",
    "new": "new fans",
    "at_risk": "fans at risk",
    "dormant": "dormant fans",
    "active": "active fans",
    "all": "all fans",
}


def fan_value(fan: FanContext) -> str:
    return f"{fan.platform}:{fan.external_id}"


def suggestions_request(choice: str) -> SuggestionsRequest:
    """The API request for the picker's value (raises ValidationError on a bad one)."""
    if not choice:
        return SuggestionsRequest()
    platform, sep, external_id = choice.partition(":")
    if sep and platform in PLATFORM_NAMES:
        return SuggestionsRequest.model_validate({"fan_id": external_id, "platform": platform})
    return SuggestionsRequest.model_validate({"fan_id": choice})


def price_rule(platform: str) -> str:
    """What the platform's PPV range did to the prices, in words."""
    pack = load_pack(platform)
    if pack.ppv is None:
        return f"{pack.name} sets no PPV price range: prices as suggested"
    free = "free or " if pack.ppv.allow_free else ""
    low, high = view.dollars(pack.ppv.min_usd), view.dollars(pack.ppv.max_usd)
    return f"Prices held to {pack.name}'s PPV range ({free}{low}–{high})"


def _fan_label(fan: FanContext) -> str:
    segments = ", ".join(str(s).replace("_", " ") for s in fan.segments)
    name = fan.display_name or fan.external_id
    platform = PLATFORM_NAMES.get(fan.platform, fan.platform)
    return f"{name} · {platform} · {segments} · {view.dollars(fan.total_spent_usd)} spent"


async def _sales_page(
    request: Request,
    creator: User,
    session: AsyncSession,
    *,
    choice: str = "",
    search: str = "",
    result: SuggestionsResponse | None = None,
    chosen: FanContext | None = None,
    error: PageError | None = None,
) -> Response:
    fans, fan_total = await list_fans(session, creator.id, FANS_LISTED, search or None)
    context: dict[str, Any] = {
        "fans": [(fan_value(f), _fan_label(f)) for f in fans],
        "fan_total": fan_total,
        "choice": choice,
        "search": search,
        "result": result,
        "chosen": chosen,
        "error": error,
        "kind_labels": KIND_LABELS,
        "segment_labels": SEGMENT_LABELS,
        "platform_names": PLATFORM_NAMES,
        "price_range": view.price_range,
        "price_rule": price_rule(result.platform) if result else None,
    }
    return await page(request, "sales.html", creator, session, **context)


@router.get("/sales", response_class=HTMLResponse)
async def sales(
    request: Request,
    creator: PageCreator,
    session: SessionDep,
    fan: str | None = None,
    q: str | None = None,
) -> Response:
    """`fan` preselects a fan (a link from elsewhere); `q` narrows the picker by name or id."""
    search = (q or "").strip()[:MAX_SEARCH]
    return await _sales_page(request, creator, session, choice=fan or "", search=search)


@router.post("/sales", response_class=HTMLResponse, dependencies=[CsrfChecked])
async def sales_submit(
    request: Request,
    creator: PageCreator,
    session: SessionDep,
    ai: AIDep,
    fan: Annotated[str, Form(max_length=300)] = "",
    q: Annotated[str, Form()] = "",
) -> Response:
    result, error = await _attempt(lambda: suggest(session, ai, creator, suggestions_request(fan)))
    chosen = None
    if result is not None and fan:
        body = suggestions_request(fan)
        chosen = await get_fan(session, creator.id, body.fan_id or "", body.platform)
    return await _sales_page(
        request,
        creator,
        session,
        choice=fan,
        search=q.strip()[:MAX_SEARCH],
        result=result,
        chosen=chosen,
        error=error,
    )
