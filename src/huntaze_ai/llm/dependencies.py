"""Typed dependencies for the agent endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from huntaze_ai.llm.provider import LLM
from huntaze_ai.metering.service import Meter


def get_meter(request: Request) -> Meter:
    meter: Meter = request.app.state.meter
    return meter


def get_llm(request: Request) -> LLM:
    llm: LLM = request.app.state.llm
    return llm


MeterDep = Annotated[Meter, Depends(get_meter)]
LLMDep = Annotated[LLM, Depends(get_llm)]
