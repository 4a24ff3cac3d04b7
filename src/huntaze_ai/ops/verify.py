"""`config verify`: is this configuration one the app can run on, and are its dependencies there?

First the variables of DESIGN §3, as the app would load them (with `production`, as HUNTAZE_ENV=
production would judge them: a real SECRET_KEY, PostgreSQL, Redis, a Gemini key); then the live
dependencies: the database reachable and at head, Redis answering PING, Gemini accepting the key
(or, with LLM_PROVIDER=openai, the OpenAI-compatible endpoint listing OPENAI_MODEL).

Every detail is scrubbed of the secret values it could echo (passwords in URLs, the keys), so the
report can be pasted into a ticket.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from huntaze_ai.config import DEFAULT_SECRET_KEY, ConfigError, Settings, load_settings
from huntaze_ai.health.service import check_database, check_redis
from huntaze_ai.kit.db import Database
from huntaze_ai.kit.migrations import head_revision
from huntaze_ai.kit.money import format_usd
from huntaze_ai.llm.models import AgentModelPlan, load_model_plan, plan_models
from huntaze_ai.ops import Check
from huntaze_ai.ops.exposure import exposure_checks
from huntaze_ai.ops.token_rotation import token_rotation

if TYPE_CHECKING:
    import httpx

GEMINI_DEFAULT_BASE_URL = "https://generativelanguage.googleapis.com"
GEMINI_TIMEOUT_S = 5.0
MIN_SECRET_KEY_CHARS = 32
# Shorter values are not worth masking (and masking them would garble the report).
_MIN_SECRET_LEN = 6


def hide_password(url: str) -> str:
    """A database or Redis URL fit to print: its password replaced by ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unparsable URL)"


async def verify(production: bool = False) -> list[Check]:
    checks: list[Check] = []
    secrets = _raw_secrets()
    settings: Settings | None
    try:
        settings = load_settings()
    except ConfigError as exc:
        checks.append(Check("settings", False, str(exc)))
        # Load again without the production-only rules, to report everything else in this run.
        env = os.environ.get("HUNTAZE_ENV", "development").strip().lower()
        settings = _load_leniently()
    else:
        env = settings.huntaze_env
        checks.append(Check("settings", True, f"loaded (HUNTAZE_ENV={env})"))
    if settings is None:
        return _scrub(checks, secrets)
    secrets |= _settings_secrets(settings)
    strict = production or env == "production"

    if production:
        checks.append(
            Check("HUNTAZE_ENV", True, "production")
            if env == "production"
            else Check("HUNTAZE_ENV", False, f"is {env!r}; the servers must run with production")
        )
    checks.append(_secret_key(settings, strict))
    checks.append(_database_url(settings, strict))
    checks.append(Check("RATE_LIMIT_FAIL_MODE", True, settings.rate_limit_fail_mode))
    checks.append(_quotas(settings))
    checks.extend(exposure_checks(settings, strict))
    checks.extend(_models(settings))
    checks.append(_webhooks(settings))
    checks.append(await _database(settings))
    checks.append(await token_rotation(settings, strict))
    checks.append(await _redis(settings, strict))
    if settings.llm_provider == "openai":
        checks.append(await _openai(settings))
    else:
        checks.append(await _gemini(settings, strict))
    return _scrub(checks, secrets)


def _load_leniently() -> Settings | None:
    try:
        return Settings(huntaze_env="development")
    except (ValidationError, ConfigError):
        return None


def _secret_key(settings: Settings, strict: bool) -> Check:
    value = settings.secret_key.get_secret_value()
    if value == DEFAULT_SECRET_KEY:
        if strict:
            return Check(
                "SECRET_KEY", False, "the development default; set a random value of 32+ characters"
            )
        return Check("SECRET_KEY", True, "development default (refused in production)")
    if strict and len(value) < MIN_SECRET_KEY_CHARS:
        return Check(
            "SECRET_KEY",
            False,
            f"only {len(value)} characters; production needs at least {MIN_SECRET_KEY_CHARS}",
        )
    return Check("SECRET_KEY", True, f"set ({len(value)} characters)")


def _database_url(settings: Settings, strict: bool) -> Check:
    shown = hide_password(settings.database_url)
    if strict and settings.async_database_url.get_backend_name() != "postgresql":
        return Check(
            "DATABASE_URL",
            False,
            f"{shown}: production needs PostgreSQL (shared by every instance)",
        )
    return Check("DATABASE_URL", True, shown)


def _quotas(settings: Settings) -> Check:
    limits = ", ".join(
        f"{plan} ${format_usd(settings.quota_limit_micros(plan)).rstrip('0').rstrip('.')}"
        for plan in ("starter", "pro", "business")
    )
    return Check("QUOTA_*_USD", True, limits)


def _models(settings: Settings) -> list[Check]:
    """The model per agent (and the budget fallback), how it thinks and who prices it: the plan
    the app starts with, or the one line that stops it starting."""
    try:
        plan, prices = load_model_plan(settings)
    except ConfigError as exc:
        return [Check("models", False, str(exc))]
    overrides = settings.price_overrides

    def detail(agent: AgentModelPlan) -> str:
        thinking = f", {agent.thinking.describe()}" if agent.thinking else ""
        price = overrides.get(agent.model)
        priced = (
            f"override: ${price.input_usd_per_mtok} in, ${price.output_usd_per_mtok} out per 1M "
            "tokens"
            if price is not None
            else prices.source(agent.model)
        )
        return f"{agent.model} ({agent.source}{thinking}; priced by {priced})"

    agents = list(plan.agents.values())
    if len({detail(a) for a in agents}) == 1:
        checks = [Check("every agent's model", True, detail(agents[0]))]
    else:
        checks = [Check(f"{a.feature.value} model", True, detail(a)) for a in agents]
    checks += [
        Check(f"{f.feature.value} fallback", True, detail(f)) for f in plan.fallbacks.values()
    ]
    return checks


def _webhooks(settings: Settings) -> Check:
    """Where events go (start-up already refused a URL that is not http(s), or one without a
    secret); a password in the URL is not printed."""
    if settings.webhook_url is None or settings.webhook_secret is None:
        return Check("WEBHOOK_URL", True, "not set: events are recorded and none is sent")
    url = urlsplit(settings.webhook_url)
    shown = url._replace(netloc=url.netloc.rpartition("@")[2]).geturl()
    secret = settings.webhook_secret.get_secret_value()
    plain = " over plain http" if url.scheme == "http" else ""
    return Check(
        "WEBHOOK_URL",
        True,
        f"{shown}{plain}, signed with WEBHOOK_SECRET ({len(secret)} characters); "
        f"{settings.webhook_timeout_s:g} s per attempt, up to {settings.webhook_max_attempts} "
        "attempts",
    )


async def _database(settings: Settings) -> Check:
    shown = hide_password(settings.database_url)
    database = Database.from_url(settings.async_database_url)
    started = time.perf_counter()
    try:
        problem = await check_database(database)
    finally:
        await database.dispose()
    if problem:
        return Check("database", False, f"{shown}: {problem}")
    return Check(
        "database", True, f"reachable, schema at head ({head_revision()}){_ms_since(started)}"
    )


async def _redis(settings: Settings, strict: bool) -> Check:
    url = settings.effective_redis_url
    if url is None:
        if strict:
            return Check(
                "redis",
                False,
                "not configured: set REDIS_URL or ELASTICACHE_REDIS_HOST "
                "(every instance must count rate limits in the same place)",
            )
        return Check("redis", True, "not configured (in-process rate limits)")
    from huntaze_ai.kit.redis import create_redis  # the client library only when configured

    shown = hide_password(url)
    try:
        client = create_redis(url)
    except ValueError as exc:
        return Check("redis", False, f"{shown}: invalid URL ({exc})")
    started = time.perf_counter()
    try:
        problem = await check_redis(client)
    finally:
        await client.aclose()
    if problem:
        return Check("redis", False, f"{shown}: {problem}")
    return Check("redis", True, f"{shown}: PING ok{_ms_since(started)}")


async def _gemini(settings: Settings, strict: bool) -> Check:
    base_url = (settings.gemini_base_url or GEMINI_DEFAULT_BASE_URL).rstrip("/")
    if settings.gemini_api_key is None:
        if strict:
            return Check("gemini", False, "GEMINI_API_KEY is required in production")
        return Check("gemini", True, "emulated model (no GEMINI_API_KEY)")
    import httpx  # only with a key to check: a command without one does not load the client

    key = settings.gemini_api_key.get_secret_value()
    started = time.perf_counter()
    try:
        async with httpx.AsyncClient(timeout=GEMINI_TIMEOUT_S) as client:
            response = await client.get(
                f"{base_url}/v1beta/models",
                params={"pageSize": 1000},
                headers={"x-goog-api-key": key},
            )
    except httpx.HTTPError as exc:
        return Check("gemini", False, f"{base_url} unreachable: {type(exc).__name__}")
    if response.status_code != 200:
        return Check(
            "gemini",
            False,
            f"key rejected by {base_url} (HTTP {response.status_code}: {_error_message(response)})",
        )
    try:
        names = {str(m.get("name", "")).removeprefix("models/") for m in response.json()["models"]}
    except (ValueError, KeyError, TypeError, AttributeError):
        return Check("gemini", False, f"{base_url} answered the models list with unexpected JSON")
    try:
        wanted = plan_models(settings).models()
    except ConfigError as exc:
        return Check("gemini", False, f"key accepted by {base_url}; {exc}")
    if missing := [m for m in wanted if m not in names]:
        return Check(
            "gemini",
            False,
            f"key accepted by {base_url}, but {', '.join(missing)} not offered to it",
        )
    return Check(
        "gemini",
        True,
        f"key accepted by {base_url}, {', '.join(wanted)} offered{_ms_since(started)}",
    )


async def _openai(settings: Settings) -> Check:
    import httpx

    base_url = (settings.openai_base_url or "").rstrip("/")
    model = settings.openai_model or ""
    headers = {}
    if settings.openai_api_key is not None:
        headers["Authorization"] = f"Bearer {settings.openai_api_key.get_secret_value()}"
    started = time.perf_counter()
    try:
        async with httpx.AsyncClient(timeout=GEMINI_TIMEOUT_S) as client:
            response = await client.get(f"{base_url}/models", headers=headers)
    except httpx.HTTPError as exc:
        return Check("openai", False, f"{base_url} unreachable: {type(exc).__name__}")
    if response.status_code != 200:
        return Check(
            "openai",
            False,
            f"{base_url}/models refused (HTTP {response.status_code}: {_error_message(response)})",
        )
    try:
        ids = {str(m.get("id", "")) for m in response.json()["data"]}
    except (ValueError, KeyError, TypeError, AttributeError):
        return Check("openai", False, f"{base_url} answered the models list with unexpected JSON")
    if model not in ids:
        return Check("openai", False, f"{base_url} answered, but does not offer {model}")
    return Check("openai", True, f"{base_url} answered, {model} offered{_ms_since(started)}")


def _error_message(response: httpx.Response) -> str:
    try:
        message = str(response.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        message = response.reason_phrase
    return message.splitlines()[0][:200] if message else response.reason_phrase


def _ms_since(started: float) -> str:
    return f" in {(time.perf_counter() - started) * 1000:.0f} ms"


def _raw_secrets() -> set[str]:
    """Secret values straight from the environment, in case settings cannot even be loaded."""
    found = {
        os.environ.get(name, "")
        for name in ("SECRET_KEY", "GEMINI_API_KEY", "OPENAI_API_KEY", "METRICS_TOKEN")
    }
    for name in ("DATABASE_URL", "REDIS_URL"):
        raw = os.environ.get(name, "")
        try:
            found.add(make_url(raw).password or "")
        except ArgumentError:
            found.add(raw)  # unparsable: the whole value may hold a password
    return found


def _settings_secrets(settings: Settings) -> set[str]:
    found = {settings.secret_key.get_secret_value()}
    keys = (
        settings.gemini_api_key,
        settings.openai_api_key,
        settings.metrics_token,
        settings.webhook_secret,
    )
    for key in keys:
        if key is not None:
            found.add(key.get_secret_value())
    for url in (settings.database_url, settings.effective_redis_url):
        if url:
            try:
                found.add(make_url(url).password or "")
            except ArgumentError:
                found.add(url)
    return found


def _scrub(checks: Iterable[Check], secrets: set[str]) -> list[Check]:
    masked = sorted((s for s in secrets if len(s) >= _MIN_SECRET_LEN), key=len, reverse=True)
    out = []
    for check in checks:
        detail = check.detail
        for secret in masked:
            detail = detail.replace(secret, "***")
        out.append(dataclasses.replace(check, detail=detail))
    return out
