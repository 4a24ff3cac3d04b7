"""The model's answer to one request: what it writes, how long it thinks, what gets blocked.

maxOutputTokens (else the model's output limit) bounds thoughts and answer together, as on the
real API: thoughts that reach it leave no text at all (finishReason MAX_TOKENS, the thoughts
billed); thoughts that fit leave the rest to the answer, which is cut to fit (MAX_TOKENS too).
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Sequence
from typing import Any

from huntaze_ai.emulator.catalog import family_of, normalize_model
from huntaze_ai.emulator.config import FaultKind, seeded_rng
from huntaze_ai.emulator.context import Context
from huntaze_ai.emulator.faults import Fault
from huntaze_ai.emulator.request import FunctionDeclaration, GenerateRequest
from huntaze_ai.emulator.responses import Answer
from huntaze_ai.emulator.safety import Block, SafetyTrigger, triggered
from huntaze_ai.emulator.schema_fill import fill_schema
from huntaze_ai.emulator.text import TextGenerator, vocabulary
from huntaze_ai.emulator.tokens import Usage, estimate_tokens, truncate_to_tokens
from huntaze_ai.emulator.voices import voice_for

__all__ = ["Answer", "build_answer", "request_seed"]

# pydantic-ai names its output tools final_result, or final_result_<Type> for a union of outputs.
OUTPUT_TOOL_PREFIX = "final_result"
_MISBEHAVING_PROSE = " Add me on WhatsApp and we can meet up, I'll send you my number 😘"


def request_seed(seed: int, request: GenerateRequest) -> int:
    material = f"{seed}\0{request.model}\0{request.canonical}".encode()
    return int.from_bytes(hashlib.sha256(material).digest()[:8], "big")


def thinking_seed(seed: int, request: GenerateRequest) -> int:
    """How long the model thinks depends on the prompt, not on the settings: the same prompt
    wants the same thoughts with any thinkingConfig, maxOutputTokens or includeThoughts, and a
    budget only bounds them."""
    material = f"{seed}\0{request.model}\0thinking\0{request.prompt_digest}".encode()
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


class _Writer:
    """Writes the answer part, made to fit a token budget where it can."""

    def __init__(
        self, request: GenerateRequest, rng: random.Random, call_tools: bool, context: Context
    ) -> None:
        self.request = request
        self.words = vocabulary(request.last_user_text, request.all_text)
        self.function = _choose_function(request, rng, call_tools)
        self.seed = rng.getrandbits(64)
        self.context = context

    def _fill(self, schema: Any, budget: int | None) -> Any:
        if not schema:
            return {}

        def voice() -> Any:
            return voice_for(schema, self.context, self.seed)

        return fill_schema(schema, self.seed, self.words, budget, voice)[0]

    def write(self, budget: int | None) -> tuple[dict[str, Any], int]:
        request, mime = self.request, (self.request.response_mime_type or "").lower()
        if self.function is not None:
            args = self._fill(self.function.parameters, budget)
            part: dict[str, Any] = {"functionCall": {"name": self.function.name, "args": args}}
            return part, estimate_tokens(self.function.name + json.dumps(args, ensure_ascii=False))
        text_rng = seeded_rng(self.seed)
        if mime == "application/json" and request.response_schema is not None:
            value = self._fill(request.response_schema, budget)
            text = json.dumps(value, ensure_ascii=False)
        elif mime == "text/x.enum" and request.response_schema is not None:
            text = str(text_rng.choice(request.response_schema.get("enum") or [""]))
        else:
            prose = TextGenerator(text_rng, self.words).paragraph(2, 5)
            if self.context.misbehave:
                prose += _MISBEHAVING_PROSE
            if mime == "application/json":  # JSON without a schema: the prose, wrapped
                wrapper = estimate_tokens(json.dumps({"text": ""}))
                short = prose if budget is None else truncate_to_tokens(prose, budget - wrapper)
                text = json.dumps({"text": short}, ensure_ascii=False)
            else:
                text = prose if budget is None else truncate_to_tokens(prose, budget)
        return {"text": text}, estimate_tokens(text)


def _block_for(
    request: GenerateRequest, fault: Fault | None, triggers: Sequence[SafetyTrigger]
) -> Block | None:
    if fault is not None and fault.is_answer:
        return fault.block()
    return triggered(request.last_user_text, dict(request.safety_settings), triggers)


def build_answer(
    seed: int,
    request: GenerateRequest,
    *,
    call_tools: bool = True,
    fault: Fault | None = None,
    triggers: Sequence[SafetyTrigger] = (),
    cached: int = 0,
) -> Answer:
    """The deterministic answer for (seed, request), shaped by an answer fault if any."""
    rseed = request_seed(seed, request)
    rng = seeded_rng(rseed)
    misbehave = None
    if fault is not None and fault.kind is FaultKind.MISBEHAVE:
        misbehave = fault.detail or "contact"
    context = Context.of(request.system_text, request.last_user_text, misbehave)
    writer = _Writer(request, rng, call_tools, context)
    version, response_id = normalize_model(request.model), f"emu-{rseed:016x}"

    def answer(part: Any, finish: str | None, usage: Usage, block: Block | None = None) -> Answer:
        return Answer(part, finish, usage, version, response_id, rseed, block)

    block = _block_for(request, fault, triggers)
    if block is not None and block.prompt:
        # The prompt never reaches the model: nothing thought, nothing written, nothing cached.
        return answer(None, None, Usage(request.prompt_tokens, 0), block)

    part, natural = writer.write(None)
    thoughts = request.thinking.draw(seeded_rng(thinking_seed(seed, request)))
    limit = request.max_output_tokens or family_of(request.model).output_limit
    if fault is not None and fault.kind is FaultKind.MAX_TOKENS:
        if request.thinking.span is not None:
            thoughts = limit
        else:
            limit = min(limit, max(1, natural // 2))
    if thoughts >= limit:
        usage = Usage(request.prompt_tokens, 0, limit, cached)
        return answer(None, "MAX_TOKENS", usage)
    answer_tokens, finish = natural, "STOP"
    if natural > limit - thoughts:
        room, finish = limit - thoughts, "MAX_TOKENS"
        if isinstance(text := part.get("text"), str):
            # Gemini stops where the limit falls: the text, JSON included, is cut mid-way and
            # every output token up to the limit is billed.
            part, answer_tokens = {"text": truncate_to_tokens(text, room)}, room
        else:
            part, answer_tokens = writer.write(room)
            # The smallest valid call may still be over; the count is what is billed.
            answer_tokens = min(answer_tokens, room)
    if block is not None:
        usage = Usage(request.prompt_tokens, 0, thoughts, cached)
        return answer(part, block.reason, usage, block)
    usage = Usage(request.prompt_tokens, answer_tokens, thoughts, cached)
    return answer(part, finish, usage)
