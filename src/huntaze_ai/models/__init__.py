"""SQLAlchemy models: the whole schema, one module per area. Migrations are the source of truth
for the database; these classes must match them (a test compares the two)."""

from huntaze_ai.models.agency import (
    Agency,
    AgencyCreator,
    AgencyInvite,
    AgencyMember,
    Assignment,
    Role,
)
from huntaze_ai.models.campaign import AIInsight, CampaignInsight, MarketingCampaign
from huntaze_ai.models.compliance import ComplianceViolation, ComplianceWord
from huntaze_ai.models.creator_data import Fan, OAuthAccount, Subscription, UserStats
from huntaze_ai.models.metering import (
    QuotaAlert,
    QuotaLedger,
    QuotaReservation,
    ReplayedResponse,
    UsageLog,
)
from huntaze_ai.models.user import ApiToken, TokenKind, User

__all__ = [
    "Agency",
    "AgencyCreator",
    "AgencyInvite",
    "AgencyMember",
    "Assignment",
    "Role",
    "AIInsight",
    "ApiToken",
    "CampaignInsight",
    "ComplianceViolation",
    "ComplianceWord",
    "Fan",
    "MarketingCampaign",
    "OAuthAccount",
    "QuotaAlert",
    "QuotaLedger",
    "QuotaReservation",
    "ReplayedResponse",
    "Subscription",
    "TokenKind",
    "UsageLog",
    "User",
    "UserStats",
]
