"""Typed dependencies for the agent endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from huntaze_ai.llm.pipeline import AIPipeline
from huntaze_ai.metering.service import Meter


# async although they only read app state: FastAPI runs a plain `def` dependency in its thread
# pool, a thread hand-off on every request for nothing.
async def get_meter(request: Request) -> Meter:
    meter: Meter = request.app.state.meter
    return meter


async def get_ai(request: Request) -> AIPipeline:
    ai: AIPipeline = request.app.state.ai
    return ai


MeterDep = Annotated[Meter, Depends(get_meter)]
AIDep = Annotated[AIPipeline, Depends(get_ai)]
