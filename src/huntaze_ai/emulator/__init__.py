"""The built-in Gemini API emulator (DESIGN §5): a loopback server speaking the Gemini REST API.

Used instead of Gemini by the demo, the tests and the benchmarks: answers shaped by the request
(text, JSON schema output, function calls), realistic token usage, latency and fault injection.
"""

from huntaze_ai.emulator.config import EmulatorConfig, FaultKind
from huntaze_ai.emulator.faults import FAULT_HEADER
from huntaze_ai.emulator.server import (
    TIME_HEADER,
    GeminiEmulator,
    create_app,
    run_emulator_in_thread,
)

__all__ = [
    "FAULT_HEADER",
    "TIME_HEADER",
    "EmulatorConfig",
    "FaultKind",
    "GeminiEmulator",
    "create_app",
    "run_emulator_in_thread",
]
