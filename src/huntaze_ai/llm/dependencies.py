"""Typed dependencies for the agent endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from huntaze_ai.llm.provider import LLM
from huntaze_ai.metering.service import Meter


# async although they only read app state: FastAPI runs a plain `def` dependency in its thread
# pool, a thread hand-off on every request for nothing.
async def get_meter(request: Request) -> Meter:
    meter: Meter = request.app.state.meter
    return meter


async def get_llm(request: Request) -> LLM:
    llm: LLM = request.app.state.llm
    return llm


MeterDep = Annotated[Meter, Depends(get_meter)]
LLMDep = Annotated[LLM, Depends(get_llm)]
