from __future__ import annotations

from fastapi import APIRouter, Request

from huntaze_ai.health.service import readiness
from huntaze_ai.kit.errors import DependencyUnavailable

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is alive (no dependency is touched)."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request) -> dict[str, object]:
    """The instance can serve: database reachable and at head, Redis reachable when configured."""
    checks = await readiness(request.app.state.database, request.app.state.redis)
    failing = [name for name, result in checks.items() if result != "ok"]
    if failing:
        raise DependencyUnavailable(f"Not ready: {', '.join(failing)}", checks=checks)
    return {"status": "ok", "checks": checks}
