from __future__ import annotations

from pydantic import EmailStr, Field, field_validator

from huntaze_ai.config import Plan
from huntaze_ai.kit.text import DisplayName, RequestModel


class UserCreate(RequestModel):
    email: EmailStr
    password: str = Field(min_length=8, max_length=256)
    plan: Plan = "starter"
    display_name: DisplayName | None = Field(default=None, max_length=120)

    @field_validator("plan", mode="before")
    @classmethod
    def _plan_in_any_case(cls, value: object) -> object:
        # Operators type plans as the docs and invoices name them ("PRO", "Business"); the
        # stored ids are lower-case, and anything else is still refused as unknown.
        return value.lower() if isinstance(value, str) else value

    @field_validator("email")
    @classmethod
    def _lowercase(cls, value: str) -> str:
        # Emails are unique case-insensitively; storing one form keeps the index doing that job.
        return value.lower()
