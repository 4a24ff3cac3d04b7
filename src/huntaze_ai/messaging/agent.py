from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field
from pydantic_ai import Agent, NativeOutput


class UpsellDraft(BaseModel):
    kind: Literal["ppv", "tip", "subscription_upgrade", "custom_content"]
    description: str = Field(max_length=300)
    price_usd: float = Field(ge=1, le=500)


class MessagingDraft(BaseModel):
    reply: str = Field(description="The message to send to the fan", max_length=1000)
    confidence: float = Field(ge=0, le=1, description="How well the reply fits, 0 to 1")
    suggested_upsell: UpsellDraft | None = Field(
        default=None, description="Only when it fits the conversation naturally"
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
