"""Response bodies as the real API spells them, whole or as SSE chunks.

Shapes follow recordings of real Gemini traffic: a blocked candidate is `"content": {}` with its
finishReason (and safetyRatings for SAFETY); thoughts that spent maxOutputTokens leave a
candidate with a role and no parts; a blocked prompt has promptFeedback and no candidates. In a
stream every chunk carries the usage so far, the last one the final counts, and a candidate
blocked mid-stream ends with a chunk that carries its finishReason and no text.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from huntaze_ai.emulator.config import seeded_rng
from huntaze_ai.emulator.safety import Block
from huntaze_ai.emulator.tokens import Usage, estimate_tokens

_STREAM_WORD = re.compile(r"\S+\s*")
_FINISH_MESSAGES = {
    "MALFORMED_FUNCTION_CALL": "Malformed function call: the call could not be parsed.",
}


@dataclass(frozen=True)
class Answer:
    # What the model wrote (withheld when blocked); None when it wrote nothing.
    part: dict[str, Any] | None
    # None for a blocked prompt, which has no candidate to finish.
    finish_reason: str | None
    usage: Usage
    model_version: str
    response_id: str
    seed: int
    block: Block | None = None

    @property
    def outcome(self) -> str:
        """The finishReason, or PROMPT_BLOCKED: what the stats count answers by."""
        return self.finish_reason or "PROMPT_BLOCKED"

    def _candidate(self, parts: list[dict[str, Any]] | None, finish: str | None) -> dict[str, Any]:
        if self.block is not None and parts is None:
            candidate: dict[str, Any] = {"content": {}}
        else:
            content: dict[str, Any] = {"role": "model"}
            if parts:
                content["parts"] = parts
            candidate = {"content": content}
        if finish is not None:
            candidate["finishReason"] = finish
            if self.block is not None and (ratings := self.block.ratings()):
                candidate["safetyRatings"] = ratings
            if message := _FINISH_MESSAGES.get(finish):
                candidate["finishMessage"] = message
        candidate["index"] = 0
        return candidate

    def _body(self, candidate: dict[str, Any] | None, usage: Usage) -> dict[str, Any]:
        body: dict[str, Any] = {}
        if candidate is not None:
            body["candidates"] = [candidate]
        elif self.block is not None:
            feedback: dict[str, Any] = {"blockReason": self.block.reason}
            if ratings := self.block.ratings():
                feedback["safetyRatings"] = ratings
            body["promptFeedback"] = feedback
        body["usageMetadata"] = usage.metadata()
        body["modelVersion"] = self.model_version
        body["responseId"] = self.response_id
        return body

    def response(self) -> dict[str, Any]:
        if self.finish_reason is None:
            return self._body(None, self.usage)
        parts = None if self.block is not None else ([self.part] if self.part else [])
        return self._body(self._candidate(parts, self.finish_reason), self.usage)

    def _pieces(self) -> list[str]:
        text = self.part.get("text") if self.part else None
        if not isinstance(text, str) or not text:
            return []
        rng = seeded_rng(self.seed)
        words = _STREAM_WORD.findall(text) or [text]
        pieces: list[str] = []
        while words:
            size = rng.randint(3, 8)
            pieces.append("".join(words[:size]))
            words = words[size:]
        return pieces

    def stream(self) -> tuple[list[dict[str, Any]], Usage]:
        """The SSE chunks (text a few words at a time, usage so far on each) and final usage."""
        pieces = self._pieces()
        if self.finish_reason is None or not pieces:
            return [self.response()], self.usage
        if self.block is not None:
            pieces = pieces[: len(pieces) // 2]  # written before the filter stopped it
        chunks: list[dict[str, Any]] = []
        written = ""
        final = self.usage
        for index, piece in enumerate(pieces):
            written += piece
            last = index == len(pieces) - 1 and self.block is None
            so_far = min(
                estimate_tokens(written), self.usage.candidates or estimate_tokens(written)
            )
            usage = self.usage if last else dataclasses.replace(self.usage, candidates=so_far)
            finish = self.finish_reason if last else None
            chunks.append(self._body(self._candidate([{"text": piece}], finish), usage))
            final = usage
        if self.block is not None:
            chunks.append(self._body(self._candidate(None, self.finish_reason), final))
        return chunks, final
