"""Values that satisfy a JSON schema (or a Gemini OpenAPI-style schema).

Text comes from a voice when the schema is one the app's agents use (voices.py), else from the
prompt's own words. `level` trades richness for size: 2 is a natural answer, 1 a compact one,
0 the smallest valid value (optional properties left out, arrays at minItems), used to fit
maxOutputTokens.
"""

from __future__ import annotations

import json
import math
import random
import re
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from huntaze_ai.emulator.config import seeded_rng
from huntaze_ai.emulator.context import Context
from huntaze_ai.emulator.text import TextGenerator
from huntaze_ai.emulator.tokens import estimate_tokens
from huntaze_ai.emulator.voices import NO_VALUE, NodePath, Voice
from huntaze_ai.emulator.wire import pick

# Past this depth recursive schemas get their smallest values, so filling always ends.
_SHRINK_DEPTH = 6
_MAX_DEPTH = 32
_DEFAULT_SPAN = 100
_FRACTION_KEYS = ("score", "rate", "ratio", "confidence", "probability", "share", "sentiment")
# pydantic-ai moves `format` into the description for Gemini ("Format: date-time").
_FORMAT_IN_DESCRIPTION = re.compile(r"\bformat: ([a-z][a-z0-9-]*)", re.IGNORECASE)
# Generating from an arbitrary regex is out of scope; these satisfy the usual simple ones.
_PATTERN_PROBES = ("42", "1.5", "abc", "ABC", "a1", "A1", "x", "2026-11-01", "#tag", "@user")
_BASE_TIME = datetime(2026, 11, 1, tzinfo=UTC)
# The voice of schemas no agent of the app uses: it leaves every value to the filler.
_SILENT = Voice(Context(), seeded_rng(0))


class SchemaFiller:
    def __init__(
        self,
        root: Mapping[str, Any],
        rng: random.Random,
        words: list[str],
        level: int,
        voice: Voice | None = None,
    ):
        self._root = root
        self._rng = rng
        self._text = TextGenerator(rng, words)
        self._level = level
        self._voice = voice or _SILENT

    def fill(self) -> Any:
        return self._fill(self._root, ())

    def _resolve(self, schema: Any, depth: int = 0) -> Mapping[str, Any]:
        if not isinstance(schema, Mapping):
            return {}
        ref = schema.get("$ref")
        if isinstance(ref, str) and depth < _MAX_DEPTH:
            target: Any = self._root
            for token in ref.removeprefix("#").strip("/").split("/"):
                token = token.replace("~1", "/").replace("~0", "~")
                target = target.get(token) if isinstance(target, Mapping) else None
            siblings = {k: v for k, v in schema.items() if k != "$ref"}
            return {**self._resolve(target, depth + 1), **siblings}
        all_of = pick(schema, "allOf")
        if isinstance(all_of, list) and all_of:
            merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
            properties = dict(merged.get("properties") or {})
            required = list(merged.get("required") or [])
            for part in all_of:
                resolved = self._resolve(part, depth + 1)
                properties.update(resolved.get("properties") or {})
                required.extend(resolved.get("required") or [])
                for name, value in resolved.items():
                    merged.setdefault(name, value)
            if properties:
                merged["properties"] = properties
            if required:
                merged["required"] = required
            return merged
        return schema

    def _types(self, schema: Mapping[str, Any]) -> tuple[str | None, bool]:
        """The non-null type to produce (None: infer it) and whether null is allowed."""
        declared = schema.get("type")
        names = [declared] if isinstance(declared, str) else list(declared or [])
        names = [str(n).lower() for n in names]
        nullable = bool(pick(schema, "nullable")) or "null" in names
        concrete = [n for n in names if n != "null"]
        if concrete:
            return concrete[0], nullable
        if names:  # only "null"
            return "null", True
        if "properties" in schema or "additionalProperties" in schema:
            return "object", nullable
        if "items" in schema or "prefixItems" in schema:
            return "array", nullable
        return None, nullable

    def _level_at(self, path: NodePath) -> int:
        return 0 if len(path) >= _SHRINK_DEPTH else self._level

    def _fill(self, raw: Any, path: NodePath) -> Any:
        schema = self._resolve(raw)
        level = self._level_at(path)
        voiced = self._voice.value(path, schema, level)
        if voiced is not NO_VALUE and (held := self._conform(voiced, schema)) is not NO_VALUE:
            return held
        if "const" in schema:
            return schema["const"]
        if isinstance(enum := schema.get("enum"), list) and enum:
            values = [v for v in enum if v is not None] or enum
            return self._rng.choice(values)
        branches = pick(schema, "anyOf") or pick(schema, "oneOf")
        if isinstance(branches, list) and branches:
            return self._fill_union(branches, path, level)
        kind, nullable = self._types(schema)
        if kind == "null" or (nullable and (len(path) >= _MAX_DEPTH or self._rng.random() < 0.1)):
            return None
        fillers: dict[str | None, Callable[[Mapping[str, Any], NodePath], Any]] = {
            "object": self._object,
            "array": self._array,
            "integer": self._integer,
            "number": self._number,
            "boolean": self._boolean,
        }
        filler = fillers.get(kind) or self._string
        return filler(schema, path)

    def _conform(self, value: Any, schema: Mapping[str, Any]) -> Any:
        """`value` held to the schema where it can be (lengths, bounds), else NO_VALUE."""
        branches = pick(schema, "anyOf") or pick(schema, "oneOf")
        if isinstance(branches, list) and branches:
            resolved = [self._resolve(b) for b in branches]
            if value is None:
                return None if any(self._types(b)[0] == "null" for b in resolved) else NO_VALUE
            concrete = [b for b in resolved if self._types(b)[0] != "null"]
            return self._conform(value, concrete[0]) if concrete else NO_VALUE
        if isinstance(enum := schema.get("enum"), list) and enum:
            return value if value in enum else NO_VALUE
        kind, nullable = self._types(schema)
        if value is None:
            return None if nullable else NO_VALUE
        if kind in (None, "string") and isinstance(value, str):
            min_length = int(pick(schema, "minLength") or 0)
            raw_max = pick(schema, "maxLength")
            return self._text.fit_length(value, min_length, int(raw_max) if raw_max else None)
        if kind in ("number", "integer") and isinstance(value, int | float):
            low, high, _, _ = self._bounds(schema)
            if schema.get("minimum") is None and schema.get("maximum") is None:
                return round(value) if kind == "integer" else value
            held = min(max(value, low), high)
            return round(held) if kind == "integer" else held
        if kind == "array" and isinstance(value, list):
            raw_max = pick(schema, "maxItems")
            items = value[: int(raw_max)] if raw_max is not None else value
            return items if len(items) >= int(pick(schema, "minItems") or 0) else NO_VALUE
        if kind == "object" and isinstance(value, dict):
            return value
        if kind == "boolean" and isinstance(value, bool):
            return value
        return NO_VALUE

    def _fill_union(self, branches: list[Any], path: NodePath, level: int) -> Any:
        resolved = [self._resolve(b) for b in branches]
        concrete = [b for b in resolved if self._types(b)[0] != "null"]
        has_null = len(concrete) < len(resolved)
        # A string branch beside others is often a parsed type's text form (Decimal's number
        # string, say) that prose would not satisfy, while the other branches accept any value.
        concrete = [b for b in concrete if self._types(b)[0] != "string"] or concrete
        wanted = self._voice.keep(path) if level else None
        if not concrete or (
            has_null and wanted is not True and (level == 0 or self._rng.random() < 0.1)
        ):
            return None
        return self._fill(self._rng.choice(concrete), path)

    def _keeps(self, name: str, path: NodePath, level: int) -> bool:
        if level and (wanted := self._voice.keep((*path, name))) is not None:
            return wanted
        return self._rng.random() < {2: 0.7, 1: 0.3, 0: 0.0}[level]

    def _object(self, schema: Mapping[str, Any], path: NodePath) -> Any:
        level = self._level_at(path)
        properties: Mapping[str, Any] = schema.get("properties") or {}
        required = set(schema.get("required") or ())
        order = [*(pick(schema, "propertyOrdering") or ()), *properties, *sorted(required)]
        result: dict[str, Any] = {}
        for name in dict.fromkeys(order):
            if name not in required and (
                name not in properties or not self._keeps(name, path, level)
            ):
                continue
            result[name] = self._fill(properties.get(name, {}), (*path, name))
        min_props = int(pick(schema, "minProperties") or 0)
        for name in properties:
            if len(result) >= min_props:
                break
            result.setdefault(name, self._fill(properties[name], (*path, name)))
        extra = schema.get("additionalProperties")
        if not properties and isinstance(extra, Mapping):
            wanted = max(min_props, self._rng.randint(1, 3) if level else min_props)
            max_props = pick(schema, "maxProperties")
            if max_props is not None:
                wanted = min(wanted, int(max_props))
            for attempt in range(wanted * 5):
                if len(result) >= wanted:
                    break
                name = self._text.word()
                if attempt >= wanted * 3:  # a small vocabulary runs out of distinct keys
                    name = f"{name}{attempt}"
                result.setdefault(name, self._fill(extra, (*path, name)))
        return result

    def _array(self, schema: Mapping[str, Any], path: NodePath) -> Any:
        level = self._level_at(path)
        min_items = int(pick(schema, "minItems") or 0)
        raw_max = pick(schema, "maxItems")
        max_items = int(raw_max) if raw_max is not None else None
        prefix = pick(schema, "prefixItems") or []
        items = schema.get("items", {})
        values = [self._fill(p, (*path, i)) for i, p in enumerate(prefix)]
        if items is False:
            return values
        voiced = self._voice.count(path, level)
        if level == 0:
            count = min_items
        elif voiced is not None:
            count = max(min_items, min(voiced, max_items if max_items is not None else voiced))
        else:
            high = max(min_items, 4 if level == 2 else 1)
            high = min(high, max_items) if max_items is not None else high
            count = self._rng.randint(min(max(min_items, 1), high), high)
        count = max(count, len(values))
        unique = bool(pick(schema, "uniqueItems"))
        seen = {json.dumps(v, sort_keys=True) for v in values}
        for _ in range(count * 10 if unique else count - len(values)):
            if len(values) >= count:
                break
            value = self._fill(items, (*path, len(values)))
            marker = json.dumps(value, sort_keys=True)
            if unique and marker in seen:
                continue
            seen.add(marker)
            values.append(value)
        return values

    def _boolean(self, schema: Mapping[str, Any], path: NodePath) -> bool:
        return self._rng.random() < 0.5

    def _bounds(
        self, schema: Mapping[str, Any], key: str | None = None
    ) -> tuple[float, float, bool, bool]:
        low, high = schema.get("minimum"), schema.get("maximum")
        ex_low, ex_high = pick(schema, "exclusiveMinimum"), pick(schema, "exclusiveMaximum")
        # Draft 4 / OpenAPI 3.0 spell exclusivity as booleans beside minimum and maximum.
        open_low, open_high = ex_low is True, ex_high is True
        if isinstance(ex_low, int | float) and not isinstance(ex_low, bool):
            low, open_low = ex_low, True
        if isinstance(ex_high, int | float) and not isinstance(ex_high, bool):
            high, open_high = ex_high, True
        if low is None:
            if high is None:
                # pydantic-ai strips exclusive bounds (gt/lt) for Gemini, so a 0..1 score arrives
                # unbounded: keep such names strictly inside 0..1.
                if any(hint in (key or "").lower() for hint in _FRACTION_KEYS):
                    return 0.01, 0.99, open_low, open_high
                return 1.0, float(_DEFAULT_SPAN), open_low, open_high
            return min(0.0, float(high) - _DEFAULT_SPAN), float(high), open_low, open_high
        if high is None:
            return float(low), float(low) + _DEFAULT_SPAN, open_low, open_high
        return float(low), float(high), open_low, open_high

    def _integer(self, schema: Mapping[str, Any], path: NodePath) -> int:
        low, high, open_low, open_high = self._bounds(schema)
        first = math.floor(low) + 1 if open_low else math.ceil(low)
        last = math.ceil(high) - 1 if open_high else math.floor(high)
        step = pick(schema, "multipleOf")
        if isinstance(step, int) and step > 0:
            k_first, k_last = -(-first // step), last // step
            return self._rng.randint(k_first, max(k_first, k_last)) * step
        return self._rng.randint(first, max(first, last))

    def _number(self, schema: Mapping[str, Any], path: NodePath) -> float:
        low, high, open_low, open_high = self._bounds(schema, _key(path))
        for _ in range(10):
            value = round(self._rng.uniform(low, high), 2)
            if (low < value if open_low else low <= value) and (
                value < high if open_high else value <= high
            ):
                return value
        return (low + high) / 2

    def _string(self, schema: Mapping[str, Any], path: NodePath) -> str:
        level, key = self._level_at(path), _key(path)
        fmt = schema.get("format")
        described = _FORMAT_IN_DESCRIPTION.search(str(schema.get("description") or ""))
        if fmt is None and described:
            fmt = described.group(1).lower()
        moment = _BASE_TIME + timedelta(minutes=self._rng.randint(0, 60 * 24 * 60))
        formatted = {
            "date-time": moment.isoformat().replace("+00:00", "Z"),
            "date": moment.date().isoformat(),
            "time": moment.time().isoformat(),
            "email": f"{self._text.word().lower()}@example.com",
            "uri": f"https://example.com/{self._text.word().lower()}",
            "url": f"https://example.com/{self._text.word().lower()}",
            "uuid": str(uuid.UUID(int=self._rng.getrandbits(128), version=4)),
            "duration": f"PT{self._rng.randint(1, 59)}M",
            "ipv4": f"192.0.2.{self._rng.randint(1, 254)}",
            "ipv6": f"2001:db8::{self._rng.randint(1, 65535):x}",
            "hostname": f"{self._text.word().lower()}.example.com",
        }
        if isinstance(fmt, str) and fmt in formatted:
            return formatted[fmt]
        min_length = int(pick(schema, "minLength") or 0)
        raw_max = pick(schema, "maxLength")
        max_length = int(raw_max) if raw_max is not None else None
        text = self._text.fit_length(self._text.for_key(key, level), min_length, max_length)
        pattern = schema.get("pattern")
        if isinstance(pattern, str):
            text = _matching(pattern, [text, self._text.word(), *_PATTERN_PROBES]) or text
        return text


def _key(path: NodePath) -> str | None:
    """The property a node belongs to: array items share their array's name."""
    return next((step for step in reversed(path) if isinstance(step, str)), None)


def _matching(pattern: str, candidates: list[str]) -> str | None:
    try:
        compiled = re.compile(pattern)
    except re.error:
        return None
    return next((c for c in candidates if compiled.search(c)), None)


def fill_schema(
    schema: Mapping[str, Any],
    seed: int,
    words: list[str],
    token_budget: int | None = None,
    voice: Callable[[], Voice | None] | None = None,
) -> tuple[Any, bool]:
    """A value valid for `schema`, and whether it had to be shrunk to fit `token_budget`.

    `voice` makes a fresh voice per attempt, so every attempt replays the same choices. The
    smallest valid value is returned even when it does not fit; the caller caps the count.
    """
    value: Any = None
    for level in (2, 1, 0):
        speaker = voice() if voice is not None else None
        value = SchemaFiller(schema, seeded_rng(seed), words, level, speaker).fill()
        encoded = json.dumps(value, ensure_ascii=False)
        if token_budget is None or estimate_tokens(encoded) <= token_budget:
            return value, level < 2
    return value, True
