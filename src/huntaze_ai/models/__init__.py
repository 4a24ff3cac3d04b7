"""SQLAlchemy models: the whole schema, one module per area. Migrations are the source of truth
for the database; these classes must match them (a test compares the two)."""

from huntaze_ai.models.agency import (
    INVITE_ROLES,
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
from huntaze_ai.models.draft import Draft, DraftStatus, FanCaps, FanDay
from huntaze_ai.models.fan_memory import (
    FanMemory,
    FanMessage,
    FanNote,
    NoteCategory,
    NoteStatus,
    Sender,
)
from huntaze_ai.models.metering import (
    QuotaAlert,
    QuotaLedger,
    QuotaReservation,
    ReplayedResponse,
    UsageLog,
)
from huntaze_ai.models.user import ApiToken, TokenKind, User
from huntaze_ai.models.webhook import DeliveryStatus, EventType, WebhookAttempt, WebhookEvent

__all__ = [
    "INVITE_ROLES",
    "AIInsight",
    "Agency",
    "AgencyCreator",
    "AgencyInvite",
    "AgencyMember",
    "ApiToken",
    "Assignment",
    "CampaignInsight",
    "ComplianceViolation",
    "ComplianceWord",
    "DeliveryStatus",
    "Draft",
    "DraftStatus",
    "EventType",
    "Fan",
    "FanCaps",
    "FanDay",
    "FanMemory",
    "FanMessage",
    "FanNote",
    "MarketingCampaign",
    "NoteCategory",
    "NoteStatus",
    "OAuthAccount",
    "QuotaAlert",
    "QuotaLedger",
    "QuotaReservation",
    "ReplayedResponse",
    "Role",
    "Sender",
    "Subscription",
    "TokenKind",
    "UsageLog",
    "User",
    "UserStats",
    "WebhookAttempt",
    "WebhookEvent",
]
