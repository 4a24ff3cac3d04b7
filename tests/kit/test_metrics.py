"""Prometheus metrics: what a metered call, a rejection, a Redis failure and an HTTP request leave
in GET /metrics; and totals summed across `serve --workers 2`."""

from __future__ import annotations

import concurrent.futures
import json
import os
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import URL, make_url

from huntaze_ai.config import PLANS
from huntaze_ai.kit import metrics
from huntaze_ai.kit.db import Database
from huntaze_ai.kit.errors import UpstreamError
from huntaze_ai.kit.migrations import upgrade
from huntaze_ai.kit.redis import create_redis
from huntaze_ai.metering.kinds import Feature, Outcome
from huntaze_ai.metering.pricing import TokenUsage, cost_micros
from huntaze_ai.metering.quota import QuotaExceeded
from huntaze_ai.metering.rate_limit import (
    CreatorRateLimiter,
    RateLimiterUnavailable,
    RateLimitExceeded,
)
from huntaze_ai.metering.service import Meter
from tests.apphelpers import app_client, settings_for
from tests.metering.conftest import MODEL, make_meter, make_settings, new_creator
from tests.ports import free_port

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def local(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def scrape(client: httpx.AsyncClient) -> Samples:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return parse(response.text)


def _app(client: httpx.AsyncClient) -> FastAPI:
    app: FastAPI = client._transport.app  # type: ignore[attr-defined]
    return app


async def test_a_metered_call_shows_its_request_cost_tokens_and_latency(
    database_url: URL, database: Database
) -> None:
    user = await new_creator(database, plan="pro")
    async with app_client(settings_for(database_url, gemini_model=MODEL)) as client:
        meter: Meter = _app(client).state.meter
        before = await scrape(client)
        async with meter.call(user, "sales", MODEL, 1_000, "prompt") as call:
            call.record_usage(input_tokens=1_000, output_tokens=500, cached_input_tokens=200)
        after = await scrape(client)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    expected_cost = cost_micros(MODEL, TokenUsage(1_000, 500, 200)) / 1_000_000
    assert call.cost_micros == cost_micros(MODEL, TokenUsage(1_000, 500, 200))
    assert delta("huntaze_ai_requests_total", feature="sales", model=MODEL, outcome="ok") == 1
    assert delta(
        "huntaze_ai_cost_usd_total", feature="sales", model=MODEL, plan="pro"
    ) == pytest.approx(expected_cost)
    for kind, count in (("input", 1_000), ("cached_input", 200), ("output", 500)):
        assert delta("huntaze_ai_tokens_total", feature="sales", model=MODEL, kind=kind) == count
    assert delta("huntaze_ai_model_latency_seconds_count", feature="sales", model=MODEL) == 1
    assert delta("huntaze_ai_overhead_seconds_count", feature="sales") == 1
    overhead = delta("huntaze_ai_overhead_seconds_sum", feature="sales")
    assert 0 <= overhead < 5
    assert value(after, "huntaze_ai_reservations_outstanding") == value(
        before, "huntaze_ai_reservations_outstanding"
    )


async def test_a_failed_call_is_counted_by_outcome_and_costs_nothing(database: Database) -> None:
    meter = make_meter(database)
    user = await new_creator(database)
    labels = {"feature": "analytics", "model": MODEL}
    errors, cost = (
        local("huntaze_ai_requests_total", **labels, outcome="provider_error"),
        local("huntaze_ai_cost_usd_total", **labels, plan="starter"),
    )
    with pytest.raises(UpstreamError):
        async with meter.call(user, "analytics", MODEL, 400, "prompt"):
            raise UpstreamError("boom")
    assert local("huntaze_ai_requests_total", **labels, outcome="provider_error") == errors + 1
    assert local("huntaze_ai_cost_usd_total", **labels, plan="starter") == cost


async def test_reservations_outstanding_counts_calls_in_flight(database: Database) -> None:
    meter = make_meter(database)
    user = await new_creator(database)
    idle = local("huntaze_ai_reservations_outstanding")
    async with meter.call(user, "content", MODEL, 400, "one") as one:
        async with meter.call(user, "content", MODEL, 400, "two") as two:
            assert local("huntaze_ai_reservations_outstanding") == idle + 2
            two.record_usage(input_tokens=10, output_tokens=10)
        assert local("huntaze_ai_reservations_outstanding") == idle + 1
        one.record_usage(input_tokens=10, output_tokens=10)
    assert local("huntaze_ai_reservations_outstanding") == idle


async def test_quota_and_rate_limit_rejections_are_counted_by_plan(database: Database) -> None:
    user = await new_creator(database, plan="starter")
    quota_before = local("huntaze_ai_quota_rejections_total", plan="starter")
    broke = make_meter(database, make_settings(quota_starter_usd=Decimal(0)))
    with pytest.raises(QuotaExceeded):
        async with broke.call(user, "content", MODEL, 400, "prompt"):
            pass
    assert local("huntaze_ai_quota_rejections_total", plan="starter") == quota_before + 1

    rate_before = local("huntaze_ai_rate_limit_rejections_total", plan="starter")
    one_per_hour = CreatorRateLimiter(limits={"starter": 1, "pro": 1, "business": 1})
    meter = make_meter(database, limiter=one_per_hour)
    async with meter.call(user, "content", MODEL, 400, "prompt") as call:
        call.record_usage(input_tokens=10, output_tokens=10)
    with pytest.raises(RateLimitExceeded):
        async with meter.call(user, "content", MODEL, 400, "prompt"):
            pass
    assert local("huntaze_ai_rate_limit_rejections_total", plan="starter") == rate_before + 1


async def test_redis_errors_and_the_open_fallback_are_counted() -> None:
    dead = create_redis("redis://127.0.0.1:1/0")
    try:
        errors, fallback = (
            local("huntaze_ai_redis_errors_total"),
            local("huntaze_ai_rate_limit_fallback_total"),
        )
        await CreatorRateLimiter(dead, "open", redis_retry_interval_s=0).hit(1, "starter")
        assert local("huntaze_ai_redis_errors_total") == errors + 1
        assert local("huntaze_ai_rate_limit_fallback_total") == fallback + 1

        with pytest.raises(RateLimiterUnavailable):
            await CreatorRateLimiter(dead, "closed", redis_retry_interval_s=0).hit(1, "starter")
        assert local("huntaze_ai_redis_errors_total") == errors + 2
        assert local("huntaze_ai_rate_limit_fallback_total") == fallback + 1
    finally:
        await dead.aclose()


async def test_http_requests_are_counted_by_route_template_and_status(database_url: URL) -> None:
    async with app_client(settings_for(database_url)) as client:
        before = await scrape(client)
        assert (await client.get("/healthz")).status_code == 200
        assert (await client.get("/no/such/page/12345")).status_code == 404
        assert (await client.get("/api/ai/quota")).status_code == 401
        after = await scrape(client)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    total = "huntaze_ai_http_requests_total"
    assert delta(total, method="GET", route="/healthz", status="200") == 1
    assert delta(total, method="GET", route="<unmatched>", status="404") == 1
    assert delta(total, method="GET", route="/api/ai/quota", status="401") == 1
    latency = "huntaze_ai_http_request_duration_seconds_count"
    assert delta(latency, method="GET", route="/healthz") == 1
    assert not any("12345" in str(labels) for _, labels in after)


async def test_a_fresh_app_exports_every_features_cost_series_at_zero(database_url: URL) -> None:
    """Before any AI call, /metrics already has each feature's cost on its model and on the
    budget fallback for every plan, calls by every outcome, and rejections by plan, all at 0.
    The models are this test's own, so no other test can have made these series."""
    tag = uuid.uuid4().hex[:8]
    models = {feature: f"gemini-{feature.value}-{tag}" for feature in Feature}
    fallback = f"gemini-fallback-{tag}"
    prices = ",".join(f"{m}=1/2" for m in models.values()) + f",{fallback}=0.5/1"
    settings = settings_for(
        database_url,
        **{f"{f.value}_model": m for f, m in models.items()},
        quota_fallback_model=fallback,
        model_prices=prices,
    )
    async with app_client(settings) as client:
        samples = await scrape(client)
    for feature, model in models.items():
        for on in (model, fallback):
            for plan in PLANS:
                labels = {"feature": feature.value, "model": on, "plan": plan}
                assert samples.get(("huntaze_ai_cost_usd_total", _key(labels))) == 0.0, labels
            for outcome in Outcome:
                labels = {"feature": feature.value, "model": on, "outcome": outcome.value}
                assert samples.get(("huntaze_ai_requests_total", _key(labels))) == 0.0, labels
    for plan in PLANS:
        for name in ("huntaze_ai_quota_rejections_total", "huntaze_ai_rate_limit_rejections_total"):
            assert samples.get((name, _key({"plan": plan}))) is not None, (name, plan)


def _key(labels: dict[str, str]) -> frozenset[tuple[str, str]]:
    return frozenset(labels.items())


def test_dead_workers_live_gauges_are_reaped(tmp_path: Path) -> None:
    dead_pid = _a_dead_pid()
    dead = tmp_path / f"gauge_livesum_{dead_pid}.db"
    alive = tmp_path / f"gauge_livesum_{os.getpid()}.db"
    counter = tmp_path / f"counter_{dead_pid}.db"
    for file in (dead, alive, counter):
        file.write_bytes(b"")
    metrics.reap_dead_processes(str(tmp_path))
    assert not dead.exists()
    assert alive.exists()
    assert counter.exists()  # a dead worker's counts still count


def test_serve_gets_a_fresh_multiprocess_dir_only_with_several_workers(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(metrics.MULTIPROC_ENV, raising=False)
    with metrics.multiprocess_dir_for(1) as path:
        assert path is None
    with metrics.multiprocess_dir_for(2) as path:
        assert path is not None
        assert os.environ[metrics.MULTIPROC_ENV] == path
        assert Path(path).is_dir()
        assert not list(Path(path).iterdir())
    assert not Path(path).exists()
    assert metrics.MULTIPROC_ENV not in os.environ

    monkeypatch.setenv(metrics.MULTIPROC_ENV, str(tmp_path))
    with metrics.multiprocess_dir_for(4) as path:
        assert path == str(tmp_path)
    assert tmp_path.is_dir()  # the operator's directory is left alone


def _a_dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.mark.slow
def test_serve_with_two_workers_reports_every_request_in_every_scrape(
    tmp_path: Path, redis_url: str
) -> None:
    db_file = tmp_path / "served.db"
    upgrade(make_url(f"sqlite+aiosqlite:///{db_file}"))
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db_file}", "LOG_LEVEL": "DEBUG"}
    for name in (metrics.MULTIPROC_ENV, "GEMINI_API_KEY"):
        env.pop(name, None)
    env["REDIS_URL"] = redis_url  # two workers share their rate limits
    env["GEMINI_BASE_URL"] = "http://127.0.0.1:9"  # never called: no AI request is made here
    cli = Path(sys.executable).with_name("huntaze-ai")
    log = tmp_path / "serve.log"
    requests = 60
    with (
        log.open("wb") as log_file,
        subprocess.Popen(
            [str(cli), "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        ) as proc,
    ):
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_until_serving(proc, base, log)
            _assert_known_series_are_exported_at_zero(base)
            ready = _count(base)
            # A new connection per request, several at a time: the kernel spreads them over
            # both workers' accept().
            with concurrent.futures.ThreadPoolExecutor(8) as pool:
                codes = list(
                    pool.map(lambda _: httpx.get(f"{base}/healthz").status_code, range(requests))
                )
            assert codes == [200] * requests
            scrapes = [_count(base) for _ in range(8)]
        finally:
            proc.terminate()
            proc.wait(timeout=20)
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    assert all(scrape == ready + requests for scrape in scrapes), (ready, scrapes)
    served_by = {
        line["pid"]
        for line in lines
        if line["logger"] == "huntaze_ai.access" and line.get("route") == "/healthz"
    }
    assert len(served_by) == 2, f"one worker answered every request: {served_by}"
    metrics_dir = next(line["metrics_dir"] for line in lines if "metrics_dir" in line)
    assert not Path(metrics_dir).exists(), "serve left its metrics directory behind"


def _assert_known_series_are_exported_at_zero(base: str) -> None:
    """Before any AI call, a dashboard already sees every feature's cost, calls by outcome and
    rejections by plan, at 0 (each agent with its own model)."""
    samples = parse(httpx.get(f"{base}/metrics", timeout=5).text)
    expected = [
        ("huntaze_ai_cost_usd_total", {"feature": "messaging", "model": "gemini-2.5-flash",
                                       "plan": "starter"}),
        ("huntaze_ai_cost_usd_total", {"feature": "analytics", "model": "gemini-2.5-pro",
                                       "plan": "business"}),
        ("huntaze_ai_requests_total", {"feature": "content", "model": "gemini-2.5-flash",
                                       "outcome": "blocked"}),
        ("huntaze_ai_tokens_total", {"feature": "sales", "model": "gemini-2.5-flash",
                                     "kind": "output"}),
        ("huntaze_ai_quota_rejections_total", {"plan": "pro"}),
        ("huntaze_ai_rate_limit_rejections_total", {"plan": "starter"}),
        ("huntaze_ai_model_latency_seconds_count", {"feature": "messaging",
                                                   "model": "gemini-2.5-flash"}),
    ]  # fmt: skip
    for name, labels in expected:
        assert samples.get((name, frozenset(labels.items()))) == 0.0, (name, labels)


def _count(base: str) -> float:
    text = httpx.get(f"{base}/metrics", timeout=5).text
    samples = parse(text)
    return value(
        samples, "huntaze_ai_http_requests_total", method="GET", route="/healthz", status="200"
    )


def _wait_until_serving(proc: subprocess.Popen[bytes], base: str, log: Path) -> None:
    deadline = time.monotonic() + 90
    ready = 0
    while ready < 2:  # both workers up: /readyz answered twice in a row is not proof, so wait
        try:
            httpx.get(f"{base}/healthz", timeout=1)
            ready += 1
        except httpx.TransportError:
            assert proc.poll() is None, log.read_text()
        assert time.monotonic() < deadline, "server did not start in 90 s"
        time.sleep(0.5)
    # Each worker logs "Application startup complete." once it serves.
    while log.read_text().count("Application startup complete") < 2:
        assert proc.poll() is None, log.read_text()
        assert time.monotonic() < deadline, "both workers did not start in 90 s:\n" + (
            log.read_text()
        )
        time.sleep(0.5)
