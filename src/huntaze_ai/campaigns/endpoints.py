from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from huntaze_ai.auth.dependencies import CurrentCreator
from huntaze_ai.campaigns import service
from huntaze_ai.campaigns.schemas import (
    MAX_ID,
    CampaignCreate,
    CampaignInsightOut,
    CampaignInsightsResponse,
    CampaignOut,
    CampaignsResponse,
    LinkRequest,
    LinkResponse,
)
from huntaze_ai.insights.service import insight_out
from huntaze_ai.kit.errors import API_ERRORS, error_responses
from huntaze_ai.kit.session_deps import SessionDep

router = APIRouter(
    prefix="/api/campaigns", tags=["campaigns"], responses={**API_ERRORS, **error_responses(404)}
)

CampaignId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("", response_model=CampaignsResponse)
async def list_campaigns(
    creator: CurrentCreator,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=service.MAX_LIST)] = service.MAX_LIST,
) -> CampaignsResponse:
    """The creator's campaigns, newest first, with how many insights each links."""
    summaries = await service.list_campaigns(session, creator.id, limit)
    return CampaignsResponse(
        campaigns=[
            CampaignOut(
                id=s.campaign.id,
                name=s.campaign.name,
                stats=s.campaign.stats,
                created_at=s.campaign.created_at,
                insight_count=s.insight_count,
            )
            for s in summaries
        ]
    )


@router.post("", response_model=CampaignOut, status_code=status.HTTP_201_CREATED)
async def create_campaign(
    body: CampaignCreate, creator: CurrentCreator, session: SessionDep
) -> CampaignOut:
    campaign = await service.create_campaign(session, creator.id, body.name)
    return CampaignOut(
        id=campaign.id,
        name=campaign.name,
        stats=campaign.stats,
        created_at=campaign.created_at,
        insight_count=0,
    )


@router.post("/{campaign_id}/insights", response_model=LinkResponse)
async def link_insight(
    campaign_id: CampaignId, body: LinkRequest, creator: CurrentCreator, session: SessionDep
) -> LinkResponse:
    """Link one of the creator's insights to this campaign. Linking a pair twice changes
    nothing and says so: `linked` false, `already_linked` true."""
    linked = await service.link_insight_to_campaign(
        session, creator.id, campaign_id, body.insight_id
    )
    return LinkResponse(
        campaign_id=campaign_id,
        insight_id=body.insight_id,
        linked=linked,
        already_linked=not linked,
    )


@router.get("/{campaign_id}/insights", response_model=CampaignInsightsResponse)
async def campaign_insights(
    campaign_id: CampaignId, creator: CurrentCreator, session: SessionDep
) -> CampaignInsightsResponse:
    """The insights linked to this campaign, most recently linked first."""
    linked = await service.get_campaign_insights(session, creator.id, campaign_id)
    return CampaignInsightsResponse(
        insights=[
            CampaignInsightOut(**insight_out(li.insight).model_dump(), linked_at=li.linked_at)
            for li in linked
        ]
    )
