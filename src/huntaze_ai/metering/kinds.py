"""The closed sets a usage row is labelled with: which agent made a call, what became of it."""

from __future__ import annotations

from enum import StrEnum


class Feature(StrEnum):
    MESSAGING = "messaging"
    CONTENT = "content"
    ANALYTICS = "analytics"
    SALES = "sales"


# What the pages call each agent (the nav's words), and what one of its requests makes.
FEATURE_NAMES = {
    Feature.MESSAGING: "Messages",
    Feature.CONTENT: "Captions",
    Feature.ANALYTICS: "Analytics",
    Feature.SALES: "Sales",
}
FEATURE_REQUESTS = {
    Feature.MESSAGING: ("a fan reply", "fan replies"),
    Feature.CONTENT: ("a caption", "captions"),
    Feature.ANALYTICS: ("an analysis", "analyses"),
    Feature.SALES: ("sales ideas", "sales ideas"),
}


class Outcome(StrEnum):
    """What became of a metered call. Everything but `provider_error` and `timeout` (no answer)
    is charged what the provider reported (DESIGN §2.3)."""

    OK = "ok"
    BLOCKED = "blocked"  # the provider's safety filter withheld the answer or refused the prompt
    TRUNCATED = "truncated"  # maxOutputTokens ran out before a usable answer
    INVALID_OUTPUT = "invalid_output"  # an answer that does not fit the agent's schema
    UNMEASURED = "unmeasured"  # an answer without usage: charged its reservation
    PROVIDER_ERROR = "provider_error"
    TIMEOUT = "timeout"
    CANCELLED = "cancelled"  # the client went away mid-call
    ERROR = "error"  # our own failure after the call started
