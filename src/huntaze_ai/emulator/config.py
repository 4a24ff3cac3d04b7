"""What an emulator instance does: where it listens, how slow it is, how often it fails."""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import StrEnum

from huntaze_ai.emulator.safety import DEFAULT_TRIGGERS, SafetyTrigger


def seeded_rng(seed: int) -> random.Random:
    """Deterministic on purpose: answers and faults must replay for a seed, and guard no secret."""
    return random.Random(seed)  # noqa: S311


class FaultKind(StrEnum):
    """What goes wrong: an HTTP failure, or an HTTP 200 answer Gemini would give (the rest)."""

    HTTP_ERROR = "http_error"
    RATE_LIMITED = "rate_limited"
    TIMEOUT = "timeout"
    MALFORMED = "malformed"
    TRUNCATED_STREAM = "truncated_stream"
    # The candidate is blocked: finishReason SAFETY (`safety:<category>`, sexually explicit by
    # default), RECITATION, BLOCKLIST, PROHIBITED_CONTENT, SPII or MALFORMED_FUNCTION_CALL.
    SAFETY = "safety"
    RECITATION = "recitation"
    BLOCKLIST = "blocklist"
    PROHIBITED_CONTENT = "prohibited_content"
    SPII = "spii"
    MALFORMED_FUNCTION_CALL = "malformed_function_call"
    # promptFeedback.blockReason and no candidates: `prompt_blocked:<SAFETY category | OTHER |
    # BLOCKLIST | PROHIBITED_CONTENT>`, SAFETY for sexually explicit content by default.
    PROMPT_BLOCKED = "prompt_blocked"
    # The model thinks until maxOutputTokens is spent: MAX_TOKENS, no text, thoughts billed.
    MAX_TOKENS = "max_tokens"
    # The answer breaks the app's rules: offers off-platform contact (`misbehave`) or repeats
    # its instructions (`misbehave:leak`), for testing the guard behind the model.
    MISBEHAVE = "misbehave"


# Faults that are answers (HTTP 200) rather than failures of the transport.
ANSWER_FAULTS = frozenset(
    {
        FaultKind.SAFETY,
        FaultKind.RECITATION,
        FaultKind.BLOCKLIST,
        FaultKind.PROHIBITED_CONTENT,
        FaultKind.SPII,
        FaultKind.MALFORMED_FUNCTION_CALL,
        FaultKind.PROMPT_BLOCKED,
        FaultKind.MAX_TOKENS,
        FaultKind.MISBEHAVE,
    }
)


@dataclass(frozen=True, kw_only=True)
class EmulatorConfig:
    """Settings of one emulator; every field has a default that serves the demo.

    `fault` injects that fault on every generation request; `fail_rate` injects one of
    `fail_kinds` on that fraction of them, drawn from an RNG seeded with `seed`. A request's
    `x-emulator-fault` header overrides both.

    `safety_triggers` block a request whose last user message contains one of their phrases
    (see safety.py for the rules and the default list); an empty tuple never blocks. Implicit
    caching keeps prompt prefixes for `cache_ttl_s` seconds, at most `cache_max_entries` blocks
    (0 turns it off).
    """

    host: str = "127.0.0.1"
    port: int = 8090
    latency_ms: float = 0.0
    fail_rate: float = 0.0
    fail_status: int = 500
    fail_kinds: tuple[FaultKind, ...] = (FaultKind.HTTP_ERROR,)
    fault: FaultKind | None = None
    # The injected fault's detail, as after the colon of the `x-emulator-fault` header: a harm
    # category or block reason for blocks, `leak` for misbehave.
    fault_detail: str | None = None
    seed: int = 0
    # None accepts any non-empty key, as a sandbox should; a set makes other keys API_KEY_INVALID.
    api_keys: frozenset[str] | None = None
    # Far beyond any client timeout; a disconnecting client releases the request at once.
    timeout_hold_s: float = 300.0
    # Agents with tools get one call to one of their tools before their output, as a real model
    # would; off, the emulator answers with the output straight away.
    call_tools: bool = True
    safety_triggers: tuple[SafetyTrigger, ...] = DEFAULT_TRIGGERS
    cache_ttl_s: float = 300.0
    cache_max_entries: int = 50_000

    def __post_init__(self) -> None:
        if not 0.0 <= self.fail_rate <= 1.0:
            raise ValueError(f"fail_rate must be within 0..1, got {self.fail_rate}")
        if not 400 <= self.fail_status <= 599:
            raise ValueError(f"fail_status must be an HTTP error status, got {self.fail_status}")
        if self.latency_ms < 0:
            raise ValueError(f"latency_ms must not be negative, got {self.latency_ms}")
        if not 0 <= self.port <= 65535:
            raise ValueError(f"port must be within 0..65535, got {self.port}")
        if not self.fail_kinds:
            raise ValueError("fail_kinds must name at least one fault")
        if self.timeout_hold_s < 0:
            raise ValueError(f"timeout_hold_s must not be negative, got {self.timeout_hold_s}")
        if self.cache_ttl_s < 0 or self.cache_max_entries < 0:
            raise ValueError("cache_ttl_s and cache_max_entries must not be negative")
