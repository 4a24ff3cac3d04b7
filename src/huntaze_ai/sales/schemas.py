from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from huntaze_ai.kit.ids import FanId
from huntaze_ai.kit.platforms import Platform
from huntaze_ai.kit.text import RequestModel


class SuggestionsRequest(RequestModel):
    # The fan's id on its platform (`fans.external_id`, as in `subscriptions.fan_id`), not a row
    # id; with `platform`, the fan on that platform (the same id may exist on two).
    fan_id: FanId | None = None
    # Whose PPV price range applies; default: the fan's platform, else the creator's only one,
    # else OnlyFans.
    platform: Platform | None = None


class SuggestionOut(BaseModel):
    kind: str
    title: str
    rationale: str
    target_segment: str
    price_min_usd: str
    price_max_usd: str
    # Set when the range was moved into the platform's PPV range ("clamped to …").
    price_note: str | None = None


class SuggestionsResponse(BaseModel):
    platform: str  # whose PPV price range the suggestions were held to
    suggestions: list[SuggestionOut]
    usage: dict[str, Any]
    emulated: bool
