from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pydantic_ai.messages import ModelMessage, ModelResponse, ToolCallPart, UserPromptPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

from huntaze_ai.kit.db import Database
from huntaze_ai.llm.pipeline import AIPipeline
from huntaze_ai.llm.provider import LLM
from huntaze_ai.metering.service import Meter
from huntaze_ai.models import User
from tests.metering.conftest import MODEL, make_meter, new_creator


class Recorder:
    """A FunctionModel that answers with fixed structured output and keeps what it was sent."""

    def __init__(self, answer: dict[str, Any] | Callable[[str, str], dict[str, Any]]) -> None:
        self.answer = answer
        self.instructions: list[str] = []
        self.user_prompts: list[str] = []

    def __call__(self, messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        instructions = info.instructions or ""
        user = "\n".join(
            str(part.content)
            for message in messages
            for part in getattr(message, "parts", [])
            if isinstance(part, UserPromptPart)
        )
        self.instructions.append(instructions)
        self.user_prompts.append(user)
        args = self.answer(instructions, user) if callable(self.answer) else self.answer
        return ModelResponse(
            parts=[ToolCallPart(tool_name=info.output_tools[0].name, args=json.dumps(args))]
        )

    @property
    def calls(self) -> int:
        return len(self.instructions)


def fake_ai(meter: Meter, recorder: Recorder) -> AIPipeline:
    """The pipeline with every agent on `recorder`, billed as MODEL."""
    return AIPipeline(meter, LLM.uniform(FunctionModel(recorder), MODEL))


async def creator_and_meter(database: Database) -> tuple[User, Meter]:
    return await new_creator(database), make_meter(database)
