"""Settings from the environment (names from DESIGN §3).

One pydantic-settings class; everything else asks `get_settings()`. Secrets are `SecretStr` so they
never appear in a repr, a log line or a traceback.
"""

from __future__ import annotations

import functools
import ipaddress
from decimal import Decimal
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from huntaze_ai.kit.money import usd_to_micros
from huntaze_ai.metering.pricing import ModelPrice

DEFAULT_SECRET_KEY = "dev-insecure-secret-key-change-me"  # noqa: S105 - the sentinel we refuse in production

Plan = Literal["starter", "pro", "business"]
SafetyThreshold = Literal[
    "BLOCK_NONE", "BLOCK_ONLY_HIGH", "BLOCK_MEDIUM_AND_ABOVE", "BLOCK_LOW_AND_ABOVE", "OFF"
]
# Gemini's harm categories, each set by GEMINI_SAFETY_<the category without HARM_CATEGORY_>.
HARM_CATEGORIES = (
    "HARM_CATEGORY_HARASSMENT",
    "HARM_CATEGORY_HATE_SPEECH",
    "HARM_CATEGORY_SEXUALLY_EXPLICIT",
    "HARM_CATEGORY_DANGEROUS_CONTENT",
    "HARM_CATEGORY_CIVIC_INTEGRITY",
)
PLANS: tuple[Plan, ...] = ("starter", "pro", "business")
MIN_METRICS_TOKEN_CHARS = 24
MAX_QUOTA_USD = Decimal("1000000000")


class ConfigError(Exception):
    """A setting is missing or invalid; the message names the variable."""


def _default_database_url() -> str:
    return f"sqlite:///{Path.cwd() / 'huntaze_ai.db'}"


def normalize_database_url(raw: str) -> URL:
    """Turn the URL an operator writes (postgres://, sqlite:///) into the async driver's URL.

    Raises ConfigError naming DATABASE_URL when the value is not a usable URL.
    """
    try:
        url = make_url(raw.strip())
    except ArgumentError as exc:
        raise ConfigError(f"DATABASE_URL is not a valid database URL: {exc}") from None
    backend = url.get_backend_name()
    if backend in ("postgres", "postgresql"):
        return url.set(drivername="postgresql+asyncpg")
    if backend == "sqlite":
        return url.set(drivername="sqlite+aiosqlite")
    raise ConfigError(
        f"DATABASE_URL uses an unsupported database {backend!r}: use postgresql:// or sqlite:///"
    )


def parse_model_prices(raw: str | None) -> dict[str, ModelPrice]:
    """`gemini-2.5-flash=0.30/2.50, my-model=0/0` → prices by model (USD per million tokens)."""
    prices: dict[str, ModelPrice] = {}
    for entry in (raw or "").split(","):
        if not entry.strip():
            continue
        model, _, pair = entry.partition("=")
        price_in, _, price_out = pair.partition("/")
        try:
            price = ModelPrice(Decimal(price_in.strip()), Decimal(price_out.strip()))
        except (ArithmeticError, ValueError):
            price = None
        if not model.strip() or price is None or not price_in.strip() or not price_out.strip():
            raise ValueError(
                f"{entry.strip()!r} is not MODEL=INPUT/OUTPUT (USD per million tokens, e.g. "
                "my-model=0.5/1.5)"
            )
        prices[model.strip()] = price
    return prices


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    huntaze_env: Literal["development", "test", "production"] = "development"
    secret_key: SecretStr = SecretStr(DEFAULT_SECRET_KEY)
    # /metrics shows platform-wide spend per plan: with a token it asks for `Authorization:
    # Bearer <token>`. Production refuses to start without one unless METRICS_PUBLIC says that
    # the endpoint is meant to be open (e.g. only reachable on a private network).
    metrics_token: SecretStr | None = None
    metrics_public: bool = False
    # /openapi.json, /docs and /redoc in production (always on elsewhere).
    api_docs: bool = False

    database_url: str = Field(default_factory=_default_database_url)

    redis_url: str | None = None
    elasticache_redis_host: str | None = None
    elasticache_redis_port: int = Field(default=6379, ge=1, le=65535)
    rate_limit_fail_mode: Literal["closed", "open"] = "closed"
    # Request bodies above this are refused with 413 before anything reads them.
    max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    # Slow clients (kit/http_middleware.py, kit/http_limits.py): the body must arrive within
    # BODY_TIMEOUT_S of the request (408), the head within HEADER_TIMEOUT_S of its first byte
    # (408) and within MAX_HEADER_BYTES (431); an idle keep-alive connection is closed after
    # KEEPALIVE_TIMEOUT_S (uvicorn's default 5; behind a load balancer, longer than its idle
    # timeout).
    body_timeout_s: float = Field(default=15.0, gt=0, le=3600)
    header_timeout_s: float = Field(default=10.0, gt=0, le=3600)
    max_header_bytes: int = Field(default=16 * 1024, ge=1024, le=1024 * 1024)
    keepalive_timeout_s: int = Field(default=5, ge=1, le=3600)
    # The proxies whose X-Forwarded-For / X-Forwarded-Proto are believed: comma-separated
    # addresses or networks (`10.0.0.0/8`); `*` is refused. Empty: no forwarding header is trusted
    # and the client is the TCP peer, so a client cannot choose the address the login limits count.
    forwarded_allow_ips: str = ""
    # Active API tokens per account; creating one more revokes the oldest (auth/service.py).
    max_api_tokens: int = Field(default=10, ge=1, le=1000)
    # Hand-written messages through POST /api/ai/compliance/check, per creator and hour: the
    # check is free, so this is what bounds the CPU one token can spend.
    compliance_checks_per_hour: int = Field(default=1000, ge=1)

    gemini_api_key: SecretStr | None = None
    # Unset: each agent's own default model (llm/models.py); set: every agent's model, unless a
    # per-agent setting names another.
    gemini_model: str | None = None
    gemini_base_url: str | None = None
    messaging_model: str | None = None
    content_model: str | None = None
    analytics_model: str | None = None
    sales_model: str | None = None
    # A thinking budget in tokens, `dynamic`, or a Gemini 3 level (`low`, `high`, …) per agent;
    # unset: the agent's default for its model family (llm/thinking.py).
    messaging_thinking: str | None = None
    content_thinking: str | None = None
    analytics_thinking: str | None = None
    sales_thinking: str | None = None
    # A cheaper model to answer on when the quota cannot hold the agent's model's worst case.
    quota_fallback_model: str | None = None
    # Gemini's own filter, per harm category. The compliance guard is the product's policy layer;
    # these defaults only stop what no creator platform allows (DESIGN §2.1).
    gemini_safety_harassment: SafetyThreshold = "BLOCK_ONLY_HIGH"
    gemini_safety_hate_speech: SafetyThreshold = "BLOCK_ONLY_HIGH"
    gemini_safety_sexually_explicit: SafetyThreshold = "BLOCK_NONE"
    gemini_safety_dangerous_content: SafetyThreshold = "BLOCK_MEDIUM_AND_ABOVE"
    gemini_safety_civic_integrity: SafetyThreshold = "BLOCK_ONLY_HIGH"

    llm_provider: Literal["gemini", "openai"] = "gemini"
    openai_base_url: str | None = None
    openai_api_key: SecretStr | None = None
    openai_model: str | None = None
    # USD per million tokens, for a model genai-prices does not know (self-hosted): both or neither.
    model_price_input_usd_per_mtok: Decimal | None = Field(default=None, ge=0)
    model_price_output_usd_per_mtok: Decimal | None = Field(default=None, ge=0)
    # Per-model prices, `model=INPUT/OUTPUT` USD per million tokens, comma-separated.
    model_prices: str | None = None

    # At most a billion dollars a month: micro-USD sums stay far inside the 64-bit columns (and
    # the alerts' percent arithmetic); an "unlimited" 1e13 would fail every call instead.
    quota_starter_usd: Decimal = Field(default=Decimal("10"), ge=0, le=MAX_QUOTA_USD)
    quota_pro_usd: Decimal = Field(default=Decimal("50"), ge=0, le=MAX_QUOTA_USD)
    quota_business_usd: Decimal = Field(default=Decimal("999999"), ge=0, le=MAX_QUOTA_USD)

    # Signed webhooks (webhooks/): where every instance delivers the outbox's events, and the
    # HMAC key of their signature. Unset URL: events are still recorded, and wait for one.
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    # One attempt's whole exchange; a receiver slower than this is retried later.
    webhook_timeout_s: float = Field(default=10.0, gt=0, le=120)
    webhook_max_attempts: int = Field(default=10, ge=1, le=100)
    # The wait after the first failed attempt; it doubles after each (with jitter), up to 1 h.
    webhook_backoff_s: float = Field(default=30.0, gt=0, le=3600)

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _forwarded_allow_ips_are_addresses(cls, value: str) -> str:
        items = [item.strip() for item in value.split(",") if item.strip()]
        if "*" in items:
            # uvicorn's `*` believes the first X-Forwarded-For entry, which the client writes
            # itself when the balancer appends: the login limits would count whatever it says.
            raise ValueError(
                "`*` would believe the client's own X-Forwarded-For entry: list the load "
                "balancer's addresses or networks (e.g. 10.0.0.0/16)"
            )
        canonical = []
        for item in items:
            try:
                network = ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(
                    f"{item!r} is not an IP address or network (e.g. 10.0.0.5, 10.0.0.0/8); "
                    "`*` alone trusts every peer"
                ) from None
            # `10.1.2.3/8` means its network; a single address stays an address.
            canonical.append(str(network) if "/" in item else item)
        return ",".join(canonical)

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url_is_http(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parsed = urlsplit(value.strip())
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ValueError(
                f"{value.strip()!r} is not an http(s) URL (e.g. https://api.huntaze.com/hooks/ai)"
            )
        return value.strip()

    @model_validator(mode="after")
    def _webhooks_are_signed(self) -> Settings:
        if self.webhook_url and not (
            self.webhook_secret and self.webhook_secret.get_secret_value().strip()
        ):
            raise ValueError(
                "WEBHOOK_SECRET is required when WEBHOOK_URL is set: every delivery is signed "
                "with it"
            )
        return self

    @property
    def trusted_proxies(self) -> list[str]:
        return [item for item in self.forwarded_allow_ips.split(",") if item]

    @field_validator("database_url")
    @classmethod
    def _database_url_parses(cls, value: str) -> str:
        normalize_database_url(value)
        return value

    @model_validator(mode="after")
    def _refuse_default_secret_in_production(self) -> Settings:
        if self.is_production and self.secret_key.get_secret_value() == DEFAULT_SECRET_KEY:
            raise ValueError("SECRET_KEY must be set to a non-default value in production")
        if self.is_production and len(self.secret_key.get_secret_value()) < 32:
            raise ValueError("SECRET_KEY must be at least 32 characters in production")
        return self

    @model_validator(mode="after")
    def _metrics_are_protected_in_production(self) -> Settings:
        if not self.is_production or self.metrics_public:
            return self
        if self.metrics_token is None:
            raise ValueError(
                "METRICS_TOKEN must be set in production (or METRICS_PUBLIC=true to serve "
                "/metrics without authentication on purpose)"
            )
        if len(self.metrics_token.get_secret_value()) < MIN_METRICS_TOKEN_CHARS:
            raise ValueError(
                f"METRICS_TOKEN must be at least {MIN_METRICS_TOKEN_CHARS} characters in production"
            )
        return self

    @model_validator(mode="after")
    def _openai_needs_an_endpoint_and_a_model(self) -> Settings:
        if self.llm_provider == "openai":
            for name in ("openai_base_url", "openai_model"):
                if not (getattr(self, name) or "").strip():
                    raise ValueError(f"{name.upper()} is required when LLM_PROVIDER=openai")
        return self

    @model_validator(mode="after")
    def _price_override_is_both_or_neither(self) -> Settings:
        given = (self.model_price_input_usd_per_mtok, self.model_price_output_usd_per_mtok)
        if given.count(None) == 1:
            raise ValueError(
                "MODEL_PRICE_INPUT_USD_PER_MTOK and MODEL_PRICE_OUTPUT_USD_PER_MTOK must be set "
                "together (or neither)"
            )
        return self

    @field_validator("model_prices")
    @classmethod
    def _model_prices_parse(cls, value: str | None) -> str | None:
        parse_model_prices(value)
        return value

    @model_validator(mode="after")
    def _price_pair_names_its_model(self) -> Settings:
        if self.model_price_input_usd_per_mtok is not None and self.single_model is None:
            raise ValueError(
                "MODEL_PRICE_INPUT_USD_PER_MTOK and MODEL_PRICE_OUTPUT_USD_PER_MTOK price the "
                "model of GEMINI_MODEL or OPENAI_MODEL; with per-agent models use MODEL_PRICES"
            )
        return self

    @property
    def single_model(self) -> str | None:
        """The model OPENAI_MODEL or GEMINI_MODEL names for every agent, if one does."""
        if self.llm_provider == "openai":
            return self.openai_model
        return self.gemini_model

    @property
    def price_overrides(self) -> dict[str, ModelPrice]:
        """The operator's prices by model: MODEL_PRICES, and the MODEL_PRICE_* pair for the one
        model GEMINI_MODEL or OPENAI_MODEL names."""
        prices = parse_model_prices(self.model_prices)
        price_in = self.model_price_input_usd_per_mtok
        price_out = self.model_price_output_usd_per_mtok
        if price_in is not None and price_out is not None and self.single_model:
            prices[self.single_model] = ModelPrice(price_in, price_out)
        return prices

    def safety_thresholds(self) -> dict[str, str]:
        """Gemini's harm category → the threshold to send with every request."""
        return {
            category: getattr(
                self, "gemini_safety_" + category.removeprefix("HARM_CATEGORY_").lower()
            )
            for category in HARM_CATEGORIES
        }

    @property
    def is_production(self) -> bool:
        return self.huntaze_env == "production"

    @property
    def serves_api_docs(self) -> bool:
        return self.api_docs or not self.is_production

    @property
    def async_database_url(self) -> URL:
        return normalize_database_url(self.database_url)

    @property
    def effective_redis_url(self) -> str | None:
        """REDIS_URL wins; otherwise the ElastiCache host/port; None means in-process limits."""
        if self.redis_url:
            return self.redis_url
        if self.elasticache_redis_host:
            return f"redis://{self.elasticache_redis_host}:{self.elasticache_redis_port}/0"
        return None

    def quota_limit_micros(self, plan: Plan) -> int:
        usd = {
            "starter": self.quota_starter_usd,
            "pro": self.quota_pro_usd,
            "business": self.quota_business_usd,
        }[plan]
        return usd_to_micros(usd)


def load_settings() -> Settings:
    """Build settings; pydantic's validation report becomes one ConfigError naming each variable."""
    from pydantic import ValidationError

    try:
        return Settings()
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            name = ".".join(str(p) for p in err["loc"]).upper() or "configuration"
            msg = str(err["msg"]).removeprefix("Value error, ")
            problems.append(f"{name}: {msg}" if err["loc"] else msg)
        raise ConfigError("; ".join(problems)) from None


@functools.cache
def get_settings() -> Settings:
    return load_settings()
