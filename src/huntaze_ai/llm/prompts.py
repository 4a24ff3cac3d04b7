"""Prompts are data: Jinja templates in llm/prompts, rendered in a sandbox with autoescape off
(the output is plain text for a model, not HTML).

Only trusted values (our instructions, the creator's own persona and settings) go into the
instructions. Anything a fan, a media description or a stat could carry goes into `data_block`,
which the instructions tell the model to treat as data, never as instructions.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from huntaze_ai.metering.pricing import prompt_token_upper_bound

_env = SandboxedEnvironment(
    loader=FileSystemLoader(Path(__file__).parent / "prompts"),
    autoescape=False,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=False,
    # The templates ship with the code: no stat of the file on every render to see if it changed.
    auto_reload=False,
)


def render(template: str, **context: Any) -> str:
    return _env.get_template(template).render(**context).strip()


def data_block(data: dict[str, Any]) -> str:
    """Untrusted input as one JSON document between markers the instructions refer to. `<` and
    `>` are written as JSON escapes (the same data once parsed): no text a fan wrote, a note or
    a stored conversation can contain the closing marker and step out of the block."""
    body = json.dumps(data, ensure_ascii=False, indent=1, default=str)
    body = body.replace("<", "\\u003c").replace(">", "\\u003e")
    return f"<<<DATA\n{body}\nDATA>>>"


# The data block of a request with every field empty: shorter than any real request's, so the
# prompts built with it bound every real one from below (what "paused" is judged on).
EMPTY_DATA = data_block({})


def keep_recent_within(items: Sequence[str], budget_tokens: int) -> list[str]:
    """The most recent items whose bound fits the budget (older conversation is dropped first)."""
    kept: list[str] = []
    used = 0
    for item in reversed(items):
        cost = prompt_token_upper_bound(item)
        if used + cost > budget_tokens:
            break
        kept.append(item)
        used += cost
    return list(reversed(kept))


def clip(text: str, max_chars: int) -> str:
    return text if len(text) <= max_chars else text[: max_chars - 1] + "…"
