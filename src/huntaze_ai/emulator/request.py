"""Reading a generateContent request body, whichever spelling (camelCase or snake_case) it uses."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from huntaze_ai.emulator.safety import parse_safety_settings
from huntaze_ai.emulator.thinking import Thinking, resolve_thinking
from huntaze_ai.emulator.tokens import CHARS_PER_TOKEN, tokens_for_chars
from huntaze_ai.emulator.wire import BadRequest, int_or_none, pick

__all__ = [
    "BadRequest",
    "GenerateRequest",
    "count_tokens_request",
    "parse_generate_request",
    "pick",
]

# Gemini bills an image, audio or file part at a flat rate per item rather than by its bytes.
MEDIA_PART_TOKENS = 258
# Implicit caching matches prompts in blocks of this many tokens (an emulator choice: Google does
# not document its granularity), so a shared prefix is cached up to its last whole block.
CACHE_BLOCK_TOKENS = 256


@dataclass(frozen=True)
class FunctionDeclaration:
    name: str
    parameters: Mapping[str, Any] | None


@dataclass(frozen=True)
class GenerateRequest:
    model: str
    system_text: str
    last_user_text: str
    all_text: str
    prompt_tokens: int
    functions: tuple[FunctionDeclaration, ...] = ()
    calling_mode: str = "AUTO"
    allowed_functions: tuple[str, ...] = ()
    answered_function_call: bool = False
    response_mime_type: str | None = None
    response_schema: Mapping[str, Any] | None = None
    max_output_tokens: int | None = None
    thinking: Thinking = field(default_factory=Thinking)
    safety_settings: Mapping[str, str] = field(default_factory=dict)
    # Digests of the prompt's successive whole cache blocks, prefix by prefix.
    cache_blocks: tuple[str, ...] = field(default=(), repr=False)
    # What the model reads (system instruction, tools, schema, contents), whatever the settings.
    prompt_digest: str = field(default="", repr=False)
    canonical: str = field(default="", repr=False)


def _part_text(part: Any) -> tuple[str, int]:
    """The characters a part contributes to the prompt, and its flat-rate media tokens."""
    if not isinstance(part, Mapping):
        return "", 0
    if isinstance(text := part.get("text"), str):
        return text, 0
    if (call := pick(part, "functionCall")) is not None:
        return json.dumps(call, ensure_ascii=False), 0
    if (response := pick(part, "functionResponse")) is not None:
        return json.dumps(response, ensure_ascii=False), 0
    if pick(part, "inlineData") is not None or pick(part, "fileData") is not None:
        return "", MEDIA_PART_TOKENS
    return "", 0


def _content_parts(content: Any) -> list[Any]:
    parts = content.get("parts") if isinstance(content, Mapping) else None
    return parts if isinstance(parts, list) else []


def _texts(content: Any) -> list[str]:
    return [p["text"] for p in _content_parts(content) if isinstance(p, Mapping) and "text" in p]


def _answered_function_call(contents: list[Any]) -> bool:
    """Whether a tool result arrived since the user last wrote: the model has used its tools."""
    for content in reversed(contents):
        parts = _content_parts(content)
        if any(pick(p, "functionResponse") is not None for p in parts):
            return True
        if pick(content, "role", "user") == "user" and _texts(content):
            return False
    return False


def _functions(tools: Any) -> tuple[FunctionDeclaration, ...]:
    found: list[FunctionDeclaration] = []
    for tool in tools if isinstance(tools, list) else []:
        for decl in pick(tool, "functionDeclarations") or []:
            name = pick(decl, "name")
            if not isinstance(name, str) or not name:
                raise BadRequest("* GenerateContentRequest.tools: function name must be set")
            schema = pick(decl, "parametersJsonSchema")
            if schema is None:
                schema = pick(decl, "parameters")
            found.append(FunctionDeclaration(name, schema if isinstance(schema, Mapping) else None))
    return tuple(found)


def _cache_blocks(pieces: list[str]) -> tuple[str, ...]:
    """One digest per whole block of the prompt, each covering everything before it too."""
    text = "\x00".join(pieces)  # a separator, so that text moved between parts is another prompt
    step = CACHE_BLOCK_TOKENS * CHARS_PER_TOKEN
    running = hashlib.blake2b(digest_size=16)
    digests: list[str] = []
    for start in range(0, len(text) - step + 1, step):
        running.update(text[start : start + step].encode())
        digests.append(running.copy().hexdigest())
    return tuple(digests)


def parse_generate_request(model: str, body: Any) -> GenerateRequest:
    if not isinstance(body, Mapping):
        raise BadRequest("Invalid JSON payload received. Expected an object.")
    contents = pick(body, "contents")
    if not isinstance(contents, list) or not contents:
        raise BadRequest("* GenerateContentRequest.contents: contents is not specified")

    # In the order the model reads them, which is the order a cached prefix follows.
    system_text = "\n".join(_texts(pick(body, "systemInstruction")))
    pieces = [system_text]
    tools = pick(body, "tools")
    if tools:
        pieces.append(json.dumps(tools, ensure_ascii=False))
    config = pick(body, "generationConfig") or {}
    schema = pick(config, "responseJsonSchema")
    if schema is None:
        schema = pick(config, "responseSchema")
    if schema is not None:
        pieces.append(json.dumps(schema, ensure_ascii=False))
    chars = sum(len(piece) for piece in pieces)
    media_tokens = 0
    for content in contents:
        for part in _content_parts(content):
            text, media = _part_text(part)
            chars += len(text)
            media_tokens += media
            pieces.append(text if not media else json.dumps(part, sort_keys=True))

    last_user_text = ""
    for content in reversed(contents):
        if pick(content, "role", "user") == "user" and (texts := _texts(content)):
            last_user_text = "\n".join(texts)
            break

    calling = pick(pick(body, "toolConfig"), "functionCallingConfig") or {}
    max_output = int_or_none(pick(config, "maxOutputTokens"))
    all_text = "\n".join(
        [system_text, *("\n".join(_texts(c)) for c in contents if isinstance(c, Mapping))]
    )
    return GenerateRequest(
        model=model,
        system_text=system_text,
        last_user_text=last_user_text,
        all_text=all_text,
        prompt_tokens=max(1, tokens_for_chars(chars) + media_tokens),
        functions=_functions(tools),
        calling_mode=str(pick(calling, "mode") or "AUTO").upper(),
        allowed_functions=tuple(pick(calling, "allowedFunctionNames") or ()),
        answered_function_call=_answered_function_call(contents),
        response_mime_type=pick(config, "responseMimeType"),
        response_schema=schema if isinstance(schema, Mapping) else None,
        max_output_tokens=max_output if max_output and max_output > 0 else None,
        thinking=resolve_thinking(model, config),
        safety_settings=parse_safety_settings(pick(body, "safetySettings")),
        cache_blocks=_cache_blocks(pieces),
        prompt_digest=hashlib.sha256(json.dumps(pieces).encode()).hexdigest(),
        canonical=json.dumps(body, sort_keys=True, ensure_ascii=False),
    )


def count_tokens_request(model: str, body: Any) -> int:
    """promptTokenCount for a countTokens body (bare contents, or a whole generate request)."""
    inner = pick(body, "generateContentRequest")
    return parse_generate_request(model, inner if inner is not None else body).prompt_tokens
