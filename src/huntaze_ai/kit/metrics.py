"""Prometheus metrics: AI calls (requests, cost, tokens, latency, our overhead), quota and
rate-limit rejections, Redis health, and HTTP requests by route template (DESIGN §2.6).

Cost is a float here because a metric is an observation, not the books: the ledger and the usage
log keep integer micro-USD. No label carries a creator id or any text: cardinality stays bounded
and nothing personal leaves through /metrics.

Several worker processes (`serve --workers N`) write to PROMETHEUS_MULTIPROC_DIR and any worker
answers a scrape with the sum of all of them. `serve` creates a fresh directory when it starts more
than one worker; prometheus-client reads the variable when it is first imported, so it must be set
before the workers start (they inherit it).
"""

from __future__ import annotations

import contextlib
import hmac
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)

from huntaze_ai.kit.errors import Unauthenticated

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

# The `_created` series double every counter's output for a timestamp nobody alerts on.
disable_created_metrics()  # type: ignore[no-untyped-call]

# Model calls take seconds; our own work around them should take milliseconds.
_MODEL_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 60.0, 120.0)
_OVERHEAD_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
_HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

AI_REQUESTS = Counter(
    "huntaze_ai_requests",
    "Settled AI calls by feature, model and outcome (ok, unmeasured, provider_error, timeout, "
    "cancelled, error).",
    ["feature", "model", "outcome"],
)
AI_COST = Counter(
    "huntaze_ai_cost_usd",
    "USD charged for AI calls (float observation; the books are integer micro-USD).",
    ["feature", "model", "plan"],
)
AI_TOKENS = Counter(
    "huntaze_ai_tokens",
    "Tokens of settled AI calls; kind is input (cached included), cached_input or output.",
    ["feature", "model", "kind"],
)
MODEL_LATENCY = Histogram(
    "huntaze_ai_model_latency_seconds",
    "Time spent in the model call (the body of Meter.call).",
    ["feature", "model"],
    buckets=_MODEL_BUCKETS,
)
OVERHEAD = Histogram(
    "huntaze_ai_overhead_seconds",
    "Our own time around a model call: rate limit, reservation and settlement.",
    ["feature"],
    buckets=_OVERHEAD_BUCKETS,
)
QUOTA_REJECTIONS = Counter(
    "huntaze_ai_quota_rejections", "Calls refused by the monthly quota (402).", ["plan"]
)
RATE_LIMIT_REJECTIONS = Counter(
    "huntaze_ai_rate_limit_rejections", "Calls refused by the hourly rate limit (429).", ["plan"]
)
RESERVATIONS_OUTSTANDING = Gauge(
    "huntaze_ai_reservations_outstanding",
    "AI calls holding a quota reservation right now (summed over live processes).",
    multiprocess_mode="livesum",
)
REDIS_ERRORS = Counter(
    "huntaze_ai_redis_errors", "Redis operations of the rate limiter that failed."
)
RATE_LIMIT_FALLBACK = Counter(
    "huntaze_ai_rate_limit_fallback",
    "Requests counted in the process-local window because Redis was down (fail mode open).",
)
HTTP_REQUESTS = Counter(
    "huntaze_ai_http_requests",
    "HTTP requests by method, route template and status.",
    ["method", "route", "status"],
)
HTTP_LATENCY = Histogram(
    "huntaze_ai_http_request_duration_seconds",
    "HTTP request duration by method and route template.",
    ["method", "route"],
    buckets=_HTTP_BUCKETS,
)

UNMATCHED_ROUTE = "<unmatched>"


def observe_call(
    *,
    feature: str,
    model: str,
    plan: str,
    outcome: str,
    input_tokens: int,
    cached_input_tokens: int,
    output_tokens: int,
    cost_micros: int,
    model_time_s: float,
    overhead_s: float,
) -> None:
    """Record one settled AI call."""
    AI_REQUESTS.labels(feature, model, outcome).inc()
    if cost_micros:
        AI_COST.labels(feature, model, plan).inc(cost_micros / 1_000_000)
    for kind, count in (
        ("input", input_tokens),
        ("cached_input", cached_input_tokens),
        ("output", output_tokens),
    ):
        if count:
            AI_TOKENS.labels(feature, model, kind).inc(count)
    MODEL_LATENCY.labels(feature, model).observe(model_time_s)
    OVERHEAD.labels(feature).observe(max(0.0, overhead_s))


def export_known_series(
    *, models: Iterable[tuple[str, str]], plans: Iterable[str], outcomes: Iterable[str]
) -> None:
    """Create at 0 every labelled series whose labels are known at start-up (each feature with
    each model it may call, plans, outcomes), so dashboards and alert rules see them before the
    first call instead of "no data"."""
    plans, outcomes = list(plans), list(outcomes)
    for feature, model in models:
        for outcome in outcomes:
            AI_REQUESTS.labels(feature, model, outcome)
        for plan in plans:
            AI_COST.labels(feature, model, plan)
        for kind in ("input", "cached_input", "output"):
            AI_TOKENS.labels(feature, model, kind)
        MODEL_LATENCY.labels(feature, model)
        OVERHEAD.labels(feature)
    for plan in plans:
        QUOTA_REJECTIONS.labels(plan)
        RATE_LIMIT_REJECTIONS.labels(plan)


# --- exposition ---------------------------------------------------------------------------------


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def reap_dead_processes(path: str) -> None:
    """Forget the live gauges of workers that died without shutting down (a crash, a kill -9):
    uvicorn has no child-exit hook, so whoever answers a scrape cleans up first."""
    for file in Path(path).glob("gauge_live*_*.db"):
        pid = file.stem.rsplit("_", 1)[-1]
        if pid.isdigit() and not _pid_alive(int(pid)):
            multiprocess.mark_process_dead(int(pid), path)  # type: ignore[no-untyped-call]


def mark_this_process_dead() -> None:
    """At shutdown: this process's in-flight gauge no longer counts."""
    if path := multiprocess_dir():
        multiprocess.mark_process_dead(os.getpid(), path)  # type: ignore[no-untyped-call]


def render() -> bytes:
    """The exposition text: this process's registry, or every worker's when multiprocess."""
    path = multiprocess_dir()
    if path is None:
        return generate_latest(REGISTRY)
    reap_dead_processes(path)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=path)  # type: ignore[no-untyped-call]
    return generate_latest(registry)


async def require_metrics_token(request: Request) -> None:
    """With METRICS_TOKEN set, a scrape must carry `Authorization: Bearer <METRICS_TOKEN>`:
    the counters show spend per plan across the platform."""
    expected = request.app.state.settings.metrics_token
    if expected is None:
        return
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    # Bytes: compare_digest refuses non-ASCII str with a TypeError (a 500 for garbage input).
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode("utf-8", "replace"), expected.get_secret_value().encode()
    ):
        raise Unauthenticated("A valid metrics token is required")


router = APIRouter(tags=["operations"])


@router.get("/metrics", include_in_schema=False, dependencies=[Depends(require_metrics_token)])
def metrics_endpoint() -> Response:
    # A sync endpoint: reading the multiprocess files is blocking I/O, so it runs in a thread.
    return Response(render(), media_type=CONTENT_TYPE_LATEST)


def observe_http(method: str, route: str, status: int, duration_s: float) -> None:
    """One HTTP request, by route *template* (kit/http_middleware.py), never by raw path."""
    HTTP_REQUESTS.labels(method, route, str(status)).inc()
    HTTP_LATENCY.labels(method, route).observe(duration_s)


def install(app: FastAPI) -> None:
    """GET /metrics (the HTTP request metrics are kit/http_middleware.py's)."""
    app.include_router(router)


@contextlib.contextmanager
def multiprocess_dir_for(workers: int) -> Iterator[str | None]:
    """For `serve`: with several workers and no PROMETHEUS_MULTIPROC_DIR, a fresh directory for
    this run (removed afterwards); an operator's own directory is used as it is."""
    if existing := multiprocess_dir():
        yield existing
        return
    if workers <= 1:
        yield None
        return
    path = tempfile.mkdtemp(prefix="huntaze-ai-metrics-")
    os.environ[MULTIPROC_ENV] = path
    try:
        yield path
    finally:
        os.environ.pop(MULTIPROC_ENV, None)
        shutil.rmtree(path, ignore_errors=True)
