"""The built-in Gemini API emulator (DESIGN §5): a loopback server speaking the Gemini REST API.

Used instead of Gemini by the demo, the tests and the benchmarks: answers shaped by the request
(text, JSON schema output, function calls) that read like what the app's agents ask for, token
usage as Gemini bills it (thinking per model family, implicit caching), latency, and the failures
and blocks real Gemini produces.

What a caller can ask for (see config.py, safety.py, thinking.py, caching.py):

- `x-emulator-fault` request header (or `EmulatorConfig.fault` / `fail_rate`): failures
  `http_error[:503]`, `rate_limited`, `timeout`, `malformed`, `truncated_stream`; answers (HTTP
  200) `safety[:harassment]`, `recitation`, `blocklist`, `prohibited_content`, `spii`,
  `malformed_function_call`, `prompt_blocked[:CATEGORY | OTHER | BLOCKLIST | PROHIBITED_CONTENT]`,
  `max_tokens` (thoughts spend maxOutputTokens), `misbehave[:leak]`; `none` for a clean answer.
- `EmulatorConfig.safety_triggers` (CLI `--safety-trigger`): phrases that get an answer blocked
  under the request's safetySettings; the default list is in safety.py.
- The request itself: `maxOutputTokens` below what the model thinks gives MAX_TOKENS with no text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from huntaze_ai.emulator.config import EmulatorConfig, FaultKind

if TYPE_CHECKING:
    from huntaze_ai.emulator.faults import FAULT_HEADER
    from huntaze_ai.emulator.server import (
        TIME_HEADER,
        GeminiEmulator,
        create_app,
        run_emulator_in_thread,
    )

# The server (Starlette, uvicorn) loads on first use: the CLI reads FaultKind and EmulatorConfig
# for its options on every start, and should not pay for a web server to print --help.
_LAZY = {
    "FAULT_HEADER": "huntaze_ai.emulator.faults",
    "TIME_HEADER": "huntaze_ai.emulator.server",
    "GeminiEmulator": "huntaze_ai.emulator.server",
    "create_app": "huntaze_ai.emulator.server",
    "run_emulator_in_thread": "huntaze_ai.emulator.server",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "FAULT_HEADER",
    "TIME_HEADER",
    "EmulatorConfig",
    "FaultKind",
    "GeminiEmulator",
    "create_app",
    "run_emulator_in_thread",
]
