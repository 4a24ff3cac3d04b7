from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field
from pydantic_ai import Agent, NativeOutput


class UpsellDraft(BaseModel):
    kind: Literal["ppv", "tip", "subscription_upgrade", "custom_content"]
    description: str = Field(max_length=300)
    price_usd: float = Field(ge=1, le=500)


NoteCategoryName = Literal[
    "preferences",
    "interests",
    "personal",
    "purchase_behavior",
    "communication_style",
    "emotional_state",
    "important",
]


class NoteProposal(BaseModel):
    category: NoteCategoryName
    text: str = Field(max_length=200, description="One short fact about the fan, third person")
    confidence: float = Field(ge=0, le=1, description="How plainly the fan said it, 0 to 1")


class MessagingDraft(BaseModel):
    reply: str = Field(description="The message to send to the fan", max_length=1000)
    confidence: float = Field(ge=0, le=1, description="How well the reply fits, 0 to 1")
    suggested_upsell: UpsellDraft | None = Field(
        default=None, description="Only when it fits the conversation naturally"
    )
    # Bounded: a model that lists everything would fill the fan's memory with noise.
    fan_notes: list[NoteProposal] = Field(
        default_factory=list,
        max_length=3,
        description="New facts the fan's message reveals about them, worth remembering for "
        "later replies and not already in fan_notes; empty when there are none",
    )


messaging_agent: Agent[None, MessagingDraft] = Agent(
    output_type=MessagingDraft, retries=0, name="messaging"
)

# The streamed reply asks for JSON text (a response schema) instead of a function call: models
# stream text token by token but send a function call's arguments whole, so only this way does
# the reply appear as it is written.
messaging_stream_agent: Agent[None, MessagingDraft] = Agent(
    output_type=NativeOutput(MessagingDraft), retries=0, name="messaging-stream"
)
