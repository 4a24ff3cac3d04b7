"""Structured logs: one JSON object per line on stderr, and the request id that ties them together.

    {"time": "2026-11-23T10:04:05.123Z", "level": "INFO", "logger": "huntaze_ai.metering.service",
     "message": "ai call settled", "request_id": "5f0c…", "creator_id": 42, "feature": "content",
     "cost_usd": "0.001300", "outcome": "ok", "pid": 811, "model": "gemini-2.5-pro", …}

Every HTTP request gets an id (kit/http_middleware.py: the caller's `X-Request-ID` when it is
sane, else a new one), echoed in the response and kept in a context variable here, so any line
logged while the request runs carries it. Extras passed with `extra={...}` become fields.

What must never reach a log: secrets and the text of fans, creators or the model. Code logs ids,
counts and money only; as a second line of defence the formatter masks URL passwords, bearer
tokens and `key=` query parameters in whatever it writes.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

MAX_REQUEST_ID = 64
LOG_LEVEL_ENV = "LOG_LEVEL"

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
creator_id_var: ContextVar[int | None] = ContextVar("creator_id", default=None)
# The login acting for the creator (an agency member, or the creator themself): set with
# creator_id_var by authentication, and what every usage row records as the member who asked.
member_id_var: ContextVar[int | None] = ContextVar("member_id", default=None)

# Always present in a line (null when unknown), in this order; then any extras.
_CORE_FIELDS = ("request_id", "creator_id", "feature", "cost_usd", "outcome")
_STANDARD_ATTRS = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys()
    | {"message", "asctime", "taskName", "color_message"}
)
# Chatty libraries whose INFO lines add nothing to ours (httpx logs every request URL, alembic
# two lines per /readyz).
_QUIET_LOGGERS = ("httpx", "httpcore", "google_genai", "asyncio", "alembic")

_SECRET_PATTERNS = (
    # scheme://user:password@host → scheme://user:***@host
    re.compile(r"(?P<head>[a-z][a-z0-9+.\-]*://[^:/@\s]*:)[^@\s]+(?=@)", re.IGNORECASE),
    re.compile(r"(?P<head>\bBearer\s+)[^\s\"']+", re.IGNORECASE),
    re.compile(r"(?P<head>[?&](?:key|api_key|token|access_token)=)[^&\s\"']+"),
)


def _mask(match: re.Match[str]) -> str:
    return match.group("head") + "***"


def redact(text: str) -> str:
    """Mask URL passwords, bearer tokens and key/token query parameters."""
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(_mask, text)
    return text


def sane_request_id(value: str | None) -> str | None:
    """The caller's request id when it is 1–64 printable ASCII characters without spaces."""
    if not value or len(value) > MAX_REQUEST_ID:
        return None
    if not all(33 <= ord(ch) <= 126 for ch in value):
        return None
    return value


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        created = datetime.fromtimestamp(record.created, UTC)
        line: dict[str, Any] = {
            "time": created.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id_var.get(),
            "creator_id": creator_id_var.get(),
            "member_id": member_id_var.get(),
        }
        for name in _CORE_FIELDS:
            line.setdefault(name, None)
        line["pid"] = record.process
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack_info"] = self.formatStack(record.stack_info)
        return redact(json.dumps(line, default=str, ensure_ascii=False))


_HANDLER_MARK = "_huntaze_json_handler"


def log_level_from_env(default: str = "INFO") -> int:
    name = os.environ.get(LOG_LEVEL_ENV, default).strip().upper()
    level = logging.getLevelName(name)
    return level if isinstance(level, int) else logging.INFO


def configure_logging(level: int | str | None = None) -> None:
    """JSON lines on stderr for the whole process, at LOG_LEVEL (default INFO). Idempotent: our
    handler is installed once; handlers others installed (a test runner's) are left alone."""
    root = logging.getLogger()
    resolved = log_level_from_env() if level is None else level
    root.setLevel(resolved)
    if not any(getattr(h, _HANDLER_MARK, False) for h in root.handlers):
        # The process's real stderr: a command runner that swaps `sys.stderr` to capture a CLI's
        # output (typer's CliRunner) must not get the log lines mixed into it.
        handler = logging.StreamHandler(sys.__stderr__ or sys.stderr)
        handler.setFormatter(JsonFormatter())
        setattr(handler, _HANDLER_MARK, True)
        root.addHandler(handler)
    # uvicorn's own loggers go through ours (it is started with log_config=None).
    for name in ("uvicorn", "uvicorn.error"):
        uv = logging.getLogger(name)
        uv.handlers.clear()
        uv.propagate = True
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
