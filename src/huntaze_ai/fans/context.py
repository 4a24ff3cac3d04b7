"""What a fan reply's prompt remembers of the fan: the recent conversation and the notes, each
held to its token budget. A conversation the client sends takes precedence over the stored one
(an integrator may know messages we never saw); the notes come from the server either way."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import bindparam, case, select

from huntaze_ai.llm.prompts import clip, keep_recent_within
from huntaze_ai.metering.pricing import prompt_token_upper_bound
from huntaze_ai.models import FanMessage, FanNote, NoteCategory, NoteStatus, Sender

NOTES_BUDGET_TOKENS = 600
TURN_CHARS = 1000
# Read more than a budget usually holds; the budget then keeps the most recent that fit.
_MESSAGES_READ = 40
_NOTES_READ = 60

# Read on every reply to a named fan, with the reply's other reads in one statement
# (messaging/reads.py): the newest first.
MESSAGES = (
    select(FanMessage.sender, FanMessage.text)
    .where(
        FanMessage.creator_id == bindparam("creator_id"),
        FanMessage.platform == bindparam("platform"),
        FanMessage.fan_id == bindparam("fan"),
    )
    .order_by(FanMessage.id.desc())
    .limit(_MESSAGES_READ)
)
NOTES = (
    select(FanNote.category, FanNote.text)
    .where(
        FanNote.creator_id == bindparam("creator_id"),
        FanNote.platform == bindparam("platform"),
        FanNote.fan_id == bindparam("fan"),
        FanNote.status == NoteStatus.SAVED,
    )
    .order_by(case((FanNote.category == NoteCategory.IMPORTANT, 0), else_=1), FanNote.id.desc())
    .limit(_NOTES_READ)
)


class Turn(Protocol):
    @property
    def sender(self) -> str: ...
    @property
    def text(self) -> str: ...


class Asked(Protocol):
    """What a reply request says (messaging's ReplyRequest)."""

    @property
    def fan_id(self) -> str | None: ...
    @property
    def fan_message(self) -> str: ...
    @property
    def conversation(self) -> Sequence[Turn]: ...


@dataclass(frozen=True)
class ReplyMemory:
    conversation: list[str]  # "fan: …" / "creator: …", oldest first
    notes: list[str]  # "category: text", important first, then the newest


def keep_first_within(items: Sequence[str], budget_tokens: int) -> list[str]:
    """The leading items whose bound fits the budget."""
    kept: list[str] = []
    used = 0
    for item in items:
        used += prompt_token_upper_bound(item)
        if used > budget_tokens:
            break
        kept.append(item)
    return kept


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def reply_memory(
    asked: Asked,
    stored: Sequence[tuple[str, str]],
    notes: Sequence[tuple[str, str]],
    budget_tokens: int,
) -> ReplyMemory:
    """The fan's memory for a reply: the conversation the request sent, else the one `stored`
    (MESSAGES' rows, newest first), and the fan's `notes` (NOTES' rows)."""
    turns = [(t.sender, t.text) for t in asked.conversation]
    if asked.fan_id is None:
        return ReplyMemory(_fit(turns, budget_tokens), [])
    if not turns:
        turns = [(sender, text) for sender, text in reversed(stored)]
        # A regenerated draft: the message it answers is stored already, and is not history.
        if turns and turns[-1][0] == Sender.FAN and _same(turns[-1][1], asked.fan_message):
            turns.pop()
    kept = keep_first_within([f"{c}: {t}" for c, t in notes], NOTES_BUDGET_TOKENS)
    return ReplyMemory(_fit(turns, budget_tokens), kept)


def _fit(turns: list[tuple[str, str]], budget_tokens: int) -> list[str]:
    lines = [f"{sender}: {clip(text, TURN_CHARS)}" for sender, text in turns]
    return keep_recent_within(lines, budget_tokens)
