"""The production checklist's settings (docs/operations.md, "Production checklist"): who may set
the client address, who may read /metrics, whether the API schema is public, and how slow clients
are cut off. Each is one line of `config verify`; in production a risky choice that can be
deliberate is a warning (`!`), one the app refuses to start with is a failure.
"""

from __future__ import annotations

from huntaze_ai.config import Settings
from huntaze_ai.ops import Check


def exposure_checks(settings: Settings, strict: bool) -> list[Check]:
    return [
        _proxies(settings, strict),
        _metrics(settings, strict),
        _api_docs(settings, strict),
        _http_limits(settings),
    ]


def _proxies(settings: Settings, strict: bool) -> Check:
    name = "FORWARDED_ALLOW_IPS"
    trusted = settings.trusted_proxies
    if trusted:
        return Check(name, True, f"X-Forwarded-For believed from {', '.join(trusted)} only")
    detail = "not set: no forwarding header is trusted, the client address is the TCP peer"
    if strict:
        return Check(
            name,
            True,
            f"{detail}; behind a load balancer every login then counts against its address: "
            "set the balancer's addresses or network",
            warning=True,
        )
    return Check(name, True, detail)


def _metrics(settings: Settings, strict: bool) -> Check:
    name = "METRICS_TOKEN"
    if settings.metrics_token is not None:
        length = len(settings.metrics_token.get_secret_value())
        return Check(name, True, f"set ({length} characters): /metrics asks for it as a bearer")
    if settings.metrics_public:
        return Check(
            name,
            True,
            "not set, METRICS_PUBLIC=true: /metrics answers anyone who reaches it (spend per "
            "plan); keep it off the public load balancer",
            warning=strict,
        )
    if strict:
        return Check(name, False, "required in production (or METRICS_PUBLIC=true on purpose)")
    return Check(name, True, "not set: /metrics is open (production requires a token)")


def _api_docs(settings: Settings, strict: bool) -> Check:
    name = "API_DOCS"
    if not strict:
        return Check(name, True, "/openapi.json, /docs and /redoc served (off in production)")
    if settings.api_docs:
        return Check(
            name,
            True,
            "true: /openapi.json, /docs and /redoc are public in production",
            warning=True,
        )
    return Check(name, True, "off: no /openapi.json, /docs or /redoc in production")


def _http_limits(settings: Settings) -> Check:
    return Check(
        "HTTP limits",
        True,
        f"body {settings.max_body_bytes} bytes within {settings.body_timeout_s:g} s, head "
        f"{settings.max_header_bytes} bytes within {settings.header_timeout_s:g} s, idle "
        f"keep-alive {settings.keepalive_timeout_s} s (must outlast the load balancer's idle "
        "timeout)",
    )
