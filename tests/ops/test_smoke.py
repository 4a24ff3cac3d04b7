"""The smoke test's judgement of answers, against canned responses (no server)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from huntaze_ai.ops.smoke import caption_shape_problems, quota_shape_problems, smoke_test

QUOTA: dict[str, Any] = {
    "plan": "pro",
    "period_start": "2026-11-01T00:00:00Z",
    "period_end": "2026-12-01T00:00:00Z",
    "limit_usd": "50.000000",
    "spent_usd": "0.011250",
    "reserved_usd": "0.000000",
    "remaining_usd": "49.988750",
    "percent_used": "0.02",
    "rate_limit": {"limit": 100, "remaining": 99, "reset_at": "2026-11-23T11:00:00Z"},
    "alerts": [],
}


def test_the_design_quota_shape_passes() -> None:
    assert quota_shape_problems(QUOTA) == []


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"spent_usd": 0.01125}, "spent_usd is not a decimal string"),
        ({"limit_usd": "$50"}, "limit_usd is not a decimal string"),
        ({"percent_used": "lots"}, "percent_used is not a number"),
        (
            {"rate_limit": {"limit": 100, "remaining": -1, "reset_at": "x"}},
            "rate_limit.remaining is not an integer",
        ),
        ({"rate_limit": {"limit": 100}}, "missing rate_limit.remaining"),
        ({"rate_limit": None}, "missing rate_limit"),
    ],
)
def test_a_wrong_quota_shape_is_named(change: dict[str, Any], problem: str) -> None:
    assert problem in quota_shape_problems({**QUOTA, **change})


def test_missing_quota_fields_are_named() -> None:
    body = {k: v for k, v in QUOTA.items() if k not in ("plan", "remaining_usd")}
    assert quota_shape_problems(body) == ["missing plan", "missing remaining_usd"]
    assert quota_shape_problems([]) == ["not a JSON object"]


def test_caption_shape() -> None:
    good = {
        "captions": [{"text": "Golden hour", "hashtags": ["#sun"]}],
        "usage": {"model": "m", "input_tokens": 1, "output_tokens": 2, "cost_usd": "0.000010"},
    }
    assert caption_shape_problems(good) == []
    assert caption_shape_problems({**good, "captions": []}) == ["no captions"]
    assert caption_shape_problems({**good, "usage": {"model": "m", "cost_usd": 0.1}}) == [
        "missing usage.input_tokens",
        "missing usage.output_tokens",
        "usage.cost_usd is not a decimal string",
    ]


def _server(quota: Any, ready_status: int = 200) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/healthz":
            return httpx.Response(200, json={"status": "ok"})
        if request.url.path == "/readyz":
            checks = {"database": "ok" if ready_status == 200 else "unreachable: OSError"}
            return httpx.Response(ready_status, json={"checks": checks})
        assert request.headers["authorization"] == "Bearer tok-123456"
        assert request.headers["x-request-id"].startswith("smoke-")
        return httpx.Response(200, json=quota)

    return httpx.MockTransport(handle)


def test_float_money_fails_the_quota_check() -> None:
    checks = list(
        smoke_test("http://app", "tok-123456", transport=_server({**QUOTA, "spent_usd": 0.5}))
    )
    assert [c.ok for c in checks] == [True, True, False]
    assert checks[2].line() == "✗ quota: unexpected shape: spent_usd is not a decimal string"


def test_a_deployment_that_is_not_ready_fails_readyz_and_goes_on() -> None:
    checks = list(smoke_test("http://app", "tok-123456", transport=_server(QUOTA, 503)))
    assert [(c.name, c.ok) for c in checks] == [
        ("healthz", True),
        ("readyz", False),
        ("quota", True),
    ]
    assert "unreachable: OSError" in checks[1].detail
