"""The model's answer to one request: text, JSON or a function call, within maxOutputTokens."""

from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import dataclass
from typing import Any

from huntaze_ai.emulator.catalog import normalize_model, thinks
from huntaze_ai.emulator.config import seeded_rng
from huntaze_ai.emulator.request import FunctionDeclaration, GenerateRequest
from huntaze_ai.emulator.schema_fill import fill_schema
from huntaze_ai.emulator.text import TextGenerator, vocabulary
from huntaze_ai.emulator.tokens import (
    Usage,
    draw_thoughts,
    estimate_tokens,
    split_output_budget,
    truncate_to_tokens,
)

# pydantic-ai names its output tools final_result, or final_result_<Type> for a union of outputs.
OUTPUT_TOOL_PREFIX = "final_result"
_STREAM_WORD = re.compile(r"\S+\s*")


@dataclass(frozen=True)
class Answer:
    part: dict[str, Any]
    finish_reason: str
    usage: Usage
    model_version: str
    response_id: str
    seed: int

    def _envelope(self, parts: list[dict[str, Any]], last: bool) -> dict[str, Any]:
        candidate: dict[str, Any] = {"content": {"role": "model", "parts": parts}, "index": 0}
        body: dict[str, Any] = {"candidates": [candidate]}
        if last:
            candidate["finishReason"] = self.finish_reason
            body["usageMetadata"] = self.usage.metadata()
        body["modelVersion"] = self.model_version
        body["responseId"] = self.response_id
        return body

    def response(self) -> dict[str, Any]:
        return self._envelope([self.part], last=True)

    def stream_chunks(self) -> list[dict[str, Any]]:
        """The SSE chunks: text a few words at a time, a function call whole, usage at the end."""
        text = self.part.get("text")
        if not isinstance(text, str) or not text:
            return [self._envelope([self.part], last=True)]
        rng = seeded_rng(self.seed)
        words = _STREAM_WORD.findall(text) or [text]
        pieces: list[str] = []
        while words:
            size = rng.randint(3, 8)
            pieces.append("".join(words[:size]))
            words = words[size:]
        return [
            self._envelope([{"text": piece}], last=index == len(pieces) - 1)
            for index, piece in enumerate(pieces)
        ]


def request_seed(seed: int, request: GenerateRequest) -> int:
    material = f"{seed}\0{request.model}\0{request.canonical}".encode()
    return int.from_bytes(hashlib.sha256(material).digest()[:8], "big")


def _choose_function(
    request: GenerateRequest, rng: random.Random, call_tools: bool
) -> FunctionDeclaration | None:
    if request.calling_mode == "NONE":
        return None
    allowed = set(request.allowed_functions)
    declared = [f for f in request.functions if not allowed or f.name in allowed]
    outputs = [f for f in declared if f.name.startswith(OUTPUT_TOOL_PREFIX)]
    tools = [f for f in declared if not f.name.startswith(OUTPUT_TOOL_PREFIX)]
    if tools and call_tools and not request.answered_function_call:
        return rng.choice(tools)
    if outputs:
        return rng.choice(outputs)
    if declared and request.calling_mode == "ANY":
        return rng.choice(declared)
    return None


def _fill(schema: Any, seed: int, words: list[str], budget: int | None) -> Any:
    return fill_schema(schema, seed, words, budget)[0] if schema else {}


def build_answer(seed: int, request: GenerateRequest, *, call_tools: bool = True) -> Answer:
    """The deterministic answer for (seed, request)."""
    rseed = request_seed(seed, request)
    rng = seeded_rng(rseed)
    words = vocabulary(request.last_user_text, request.all_text)
    function = _choose_function(request, rng, call_tools)
    fill_seed = rng.getrandbits(64)
    mime = (request.response_mime_type or "").lower()

    def produce(budget: int | None) -> tuple[dict[str, Any], int]:
        """The answer part and its tokens, made to fit `budget` tokens where it can."""
        if function is not None:
            args = _fill(function.parameters, fill_seed, words, budget)
            part: dict[str, Any] = {"functionCall": {"name": function.name, "args": args}}
            return part, estimate_tokens(function.name + json.dumps(args, ensure_ascii=False))
        text_rng = seeded_rng(fill_seed)
        if mime == "application/json" and request.response_schema is not None:
            text = json.dumps(
                _fill(request.response_schema, fill_seed, words, budget), ensure_ascii=False
            )
        elif mime == "text/x.enum" and request.response_schema is not None:
            text = str(text_rng.choice(request.response_schema.get("enum") or [""]))
        else:
            prose = TextGenerator(text_rng, words).paragraph(2, 5)
            if mime == "application/json":  # JSON without a schema: the prose, wrapped
                wrapper = estimate_tokens(json.dumps({"text": ""}))
                short = prose if budget is None else truncate_to_tokens(prose, budget - wrapper)
                text = json.dumps({"text": short}, ensure_ascii=False)
            else:
                text = prose if budget is None else truncate_to_tokens(prose, budget)
        return {"text": text}, estimate_tokens(text)

    part, natural_tokens = produce(None)
    thought_tokens = 0
    if thinks(request.model, request.thinking_budget):
        thought_tokens = draw_thoughts(rng, natural_tokens, request.thinking_budget)
    thought_tokens, answer_budget = split_output_budget(request.max_output_tokens, thought_tokens)
    answer_tokens, finish = natural_tokens, "STOP"
    if answer_budget is not None and natural_tokens > answer_budget:
        part, answer_tokens = produce(answer_budget)
        # The smallest valid structured value may still be over; the count is what is billed.
        answer_tokens, finish = min(answer_tokens, answer_budget), "MAX_TOKENS"
    return Answer(
        part=part,
        finish_reason=finish,
        usage=Usage(request.prompt_tokens, answer_tokens, thought_tokens),
        model_version=normalize_model(request.model),
        response_id=f"emu-{rseed:016x}",
        seed=rseed,
    )
