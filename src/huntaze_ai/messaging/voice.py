"""The creator's voice (issue 14, item 5): replies the creator's team approved lately go into the
next draft's data as examples of how the creator writes. Edited ones come first, since a
person's correction says most about it; then those sent as drafted, newest first, as many as
the budget holds. Answers to escalations are left out: refunds and threats are not the tone to
teach. Each example was written to one fan: that fan's name is masked, so the next fan is never
greeted with another's name. Read with the reply's other reads (reads.py), on the drafts'
(creator, status, created_at) index."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from huntaze_ai.llm.prompts import clip
from huntaze_ai.metering.pricing import prompt_token_upper_bound

VOICE_BUDGET_TOKENS = 1500  # as the prompt's bound counts them: about 6 short replies
RECENT = 40  # the approved replies looked at
MAX_EXAMPLE_CHARS = 500
FAN_NAME = "[fan's name]"


def masked(text: str, fan_name: str | None) -> str:
    """`text` with each word of the fan's name (3 letters or more, any case) as FAN_NAME."""
    words = [w for w in re.split(r"\W+", fan_name or "") if len(w) >= 3]
    if not words:
        return text
    pattern = r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b"
    return re.sub(pattern, FAN_NAME, text, flags=re.IGNORECASE)


@functools.lru_cache(maxsize=4096)
def _example(text: str, fan_name: str | None) -> tuple[str, int]:
    """An approved reply as an example, and its token bound. Approved replies do not change, and
    every draft reads the creator's 40 latest: masking them again cost 0.4 ms of CPU a draft."""
    example = clip(masked(text.strip(), fan_name), MAX_EXAMPLE_CHARS)
    return example, prompt_token_upper_bound(example)


def voice_examples(
    recent: Sequence[tuple[str | None, bool | None, str | None]],
    budget_tokens: int = VOICE_BUDGET_TOKENS,
) -> list[str]:
    """The examples from drafts.repository.RECENT_APPROVED's rows: (final text, edited, the fan's
    name), newest first."""
    # Stable: within each group the newest stay first.
    ranked = sorted(recent, key=lambda reply: not reply[1])
    examples: list[str] = []
    used = 0
    for text, _, fan_name in ranked:
        example, cost = _example(text or "", fan_name)
        if not example or example in examples or used + cost > budget_tokens:
            continue  # a shorter one further down may still fit
        examples.append(example)
        used += cost
    return examples


def voice_context(
    recent: Sequence[tuple[str | None, bool | None, str | None]],
) -> dict[str, list[str]]:
    """The draft's data entry: `creator_voice`, absent while there is nothing to show (a prompt
    without examples stays as it was)."""
    examples = voice_examples(recent)
    return {"creator_voice": examples} if examples else {}
