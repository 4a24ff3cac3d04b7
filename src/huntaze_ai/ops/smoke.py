"""`smoke-test`: is a running deployment serving? One check per line, yielded as they finish.

healthz (the process answers), readyz (database and Redis), the quota API with a real bearer token
and the DESIGN §4 shape, and with `ai_call` one metered caption whose cost must show in the quota.
An unreachable URL stops at the first line. The token never appears in a line.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx

from huntaze_ai.ops import Check

DECIMAL_STRING = re.compile(r"^-?\d+(\.\d+)?$")
QUOTA_MONEY_FIELDS = ("limit_usd", "spent_usd", "reserved_usd", "remaining_usd")
QUOTA_FIELDS = ("plan", "period_start", "period_end", *QUOTA_MONEY_FIELDS, "percent_used")
RATE_LIMIT_FIELDS = ("limit", "remaining", "reset_at")
USAGE_FIELDS = ("model", "input_tokens", "output_tokens", "cost_usd")
CAPTION_REQUEST = {"platform": "instagram", "description": "smoke test"}
# A model call takes seconds; the budget is the app's own provider timeout plus a margin.
AI_CALL_TIMEOUT_S = 90.0


def quota_shape_problems(body: Any) -> list[str]:
    """What is wrong with a GET /api/ai/quota body (DESIGN §4); empty when it is right."""
    if not isinstance(body, dict):
        return ["not a JSON object"]
    problems = [f"missing {name}" for name in QUOTA_FIELDS if name not in body]
    problems += [
        f"{name} is not a decimal string"
        for name in QUOTA_MONEY_FIELDS
        if name in body and not _is_decimal_string(body[name])
    ]
    if "percent_used" in body and _decimal(body["percent_used"]) is None:
        problems.append("percent_used is not a number")
    rate = body.get("rate_limit")
    if not isinstance(rate, dict):
        problems.append("missing rate_limit")
    else:
        problems += [f"missing rate_limit.{name}" for name in RATE_LIMIT_FIELDS if name not in rate]
        problems += [
            f"rate_limit.{name} is not an integer"
            for name in ("limit", "remaining")
            if name in rate and not (isinstance(rate[name], int) and rate[name] >= 0)
        ]
    return problems


def caption_shape_problems(body: Any) -> list[str]:
    if not isinstance(body, dict):
        return ["not a JSON object"]
    problems = []
    captions = body.get("captions")
    if not isinstance(captions, list) or not captions:
        problems.append("no captions")
    elif not all(isinstance(c, dict) and isinstance(c.get("text"), str) for c in captions):
        problems.append("a caption has no text")
    usage = body.get("usage")
    if not isinstance(usage, dict):
        problems.append("missing usage")
    else:
        problems += [f"missing usage.{name}" for name in USAGE_FIELDS if name not in usage]
        if "cost_usd" in usage and not _is_decimal_string(usage["cost_usd"]):
            problems.append("usage.cost_usd is not a decimal string")
    return problems


def smoke_test(
    url: str,
    token: str,
    *,
    ai_call: bool = False,
    timeout_s: float = 10.0,
    transport: httpx.BaseTransport | None = None,
) -> Iterator[Check]:
    base = url.rstrip("/")
    shown = _without_credentials(base)
    run_id = uuid.uuid4().hex[:12]
    auth = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base, timeout=timeout_s, transport=transport) as client:

        def get(path: str, step: str, **kwargs: Any) -> httpx.Response:
            headers = {"X-Request-ID": f"smoke-{run_id}-{step}", **kwargs.pop("headers", {})}
            return client.get(path, headers=headers, **kwargs)

        started = time.perf_counter()
        try:
            health = get("/healthz", "healthz")
        except httpx.HTTPError as exc:
            yield Check("healthz", False, f"cannot reach {shown}: {_transport_error(exc)}")
            return
        yield (
            Check("healthz", True, f"{shown} alive{_ms(started)}")
            if health.status_code == 200
            else Check("healthz", False, _http_problem(health))
        )

        started = time.perf_counter()
        try:
            ready = get("/readyz", "readyz")
            yield _readiness(ready, started)
        except httpx.HTTPError as exc:
            yield Check("readyz", False, _transport_error(exc))

        try:
            before = get("/api/ai/quota", "quota", headers=auth)
        except httpx.HTTPError as exc:
            yield _scrubbed(Check("quota", False, _transport_error(exc)), token)
            return
        quota = _quota(before)
        yield _scrubbed(quota, token)
        if not ai_call:
            return
        if not quota.ok:
            yield Check("caption", False, "skipped: the quota check failed")
            return

        started = time.perf_counter()
        try:
            answer = client.post(
                "/api/ai/content/caption",
                json=CAPTION_REQUEST,
                headers={**auth, "X-Request-ID": f"smoke-{run_id}-caption"},
                timeout=max(timeout_s, AI_CALL_TIMEOUT_S),
            )
        except httpx.HTTPError as exc:
            yield _scrubbed(Check("caption", False, _transport_error(exc)), token)
            return
        caption = _caption(answer, started)
        yield _scrubbed(caption, token)
        if not caption.ok:
            return
        try:
            after = get("/api/ai/quota", "quota-after", headers=auth)
        except httpx.HTTPError as exc:
            yield _scrubbed(Check("spend", False, _transport_error(exc)), token)
            return
        yield _scrubbed(_spend(before, after), token)


def _readiness(response: httpx.Response, started: float) -> Check:
    try:
        checks = response.json().get("checks", {})
    except ValueError:
        checks = {}
    if response.status_code != 200 or checks.get("database") != "ok":
        return Check("readyz", False, f"HTTP {response.status_code}: {checks or response.text}")
    redis = checks.get("redis", "not configured")
    return Check("readyz", True, f"database {checks['database']}, redis {redis}{_ms(started)}")


def _quota(response: httpx.Response) -> Check:
    if response.status_code != 200:
        return Check("quota", False, _http_problem(response))
    body = response.json()
    if problems := quota_shape_problems(body):
        return Check("quota", False, "unexpected shape: " + "; ".join(problems))
    rate = body["rate_limit"]
    return Check(
        "quota",
        True,
        f"plan {body['plan']}, spent ${body['spent_usd']} of ${body['limit_usd']} "
        f"({body['percent_used']}%), rate limit {rate['remaining']}/{rate['limit']} left",
    )


def _caption(response: httpx.Response, started: float) -> Check:
    if response.status_code == 404:
        return Check("caption", False, "HTTP 404: POST /api/ai/content/caption does not exist here")
    if response.status_code != 200:
        return Check("caption", False, _http_problem(response))
    body = response.json()
    if problems := caption_shape_problems(body):
        return Check("caption", False, "unexpected shape: " + "; ".join(problems))
    usage = body["usage"]
    return Check(
        "caption",
        True,
        f"{len(body['captions'])} captions from {usage['model']}, "
        f"{usage['input_tokens']}+{usage['output_tokens']} tokens, ${usage['cost_usd']}"
        f"{_ms(started)}",
    )


def _spend(before: httpx.Response, after: httpx.Response) -> Check:
    if after.status_code != 200:
        return Check("spend", False, _http_problem(after))
    spent_before = _decimal(before.json()["spent_usd"])
    spent_after = _decimal(after.json().get("spent_usd"))
    if spent_before is None or spent_after is None or spent_after <= spent_before:
        return Check(
            "spend",
            False,
            f"the quota's spent did not increase (${spent_before} -> ${spent_after})",
        )
    return Check("spend", True, f"quota spent ${spent_before} -> ${spent_after}")


def _http_problem(response: httpx.Response) -> str:
    try:
        body = response.json()
        detail = f"{body.get('error', '')}: {body.get('message', '')}".strip(": ")
    except (ValueError, AttributeError):
        detail = response.reason_phrase
    request_id = response.headers.get("x-request-id")
    suffix = f" (request id {request_id})" if request_id else ""
    return f"HTTP {response.status_code} {detail}{suffix}"


def _transport_error(exc: httpx.HTTPError) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _without_credentials(url: str) -> str:
    try:
        return str(httpx.URL(url).copy_with(username=None, password=None))
    except (httpx.InvalidURL, TypeError, ValueError):
        return url


def _scrubbed(check: Check, token: str) -> Check:
    if token and token in check.detail:
        return Check(check.name, check.ok, check.detail.replace(token, "***"))
    return check


def _is_decimal_string(value: Any) -> bool:
    return isinstance(value, str) and DECIMAL_STRING.match(value) is not None


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _ms(started: float) -> str:
    return f" in {(time.perf_counter() - started) * 1000:.0f} ms"
