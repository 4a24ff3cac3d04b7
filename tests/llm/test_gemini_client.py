"""The lean Gemini client's transport: proxies from the environment, read once."""

from __future__ import annotations

import pytest

from huntaze_ai.llm.gemini import GeminiClient

GOOGLE = "https://generativelanguage.googleapis.com"


@pytest.fixture(autouse=True)
def _no_proxy_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def test_the_https_proxy_of_the_environment_carries_requests_to_google(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    assert GeminiClient("key", None)._proxy == "http://proxy.internal:3128"


def test_no_proxy_and_a_plain_http_emulator_go_direct(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.setenv("NO_PROXY", "generativelanguage.googleapis.com")
    assert GeminiClient("key", GOOGLE)._proxy is None
    monkeypatch.delenv("NO_PROXY")
    assert GeminiClient("key", "http://127.0.0.1:8001")._proxy is None


async def test_a_closed_client_refuses_to_send_rather_than_reopening() -> None:
    client = GeminiClient("key", "http://127.0.0.1:9")
    await client.aclose()
    with pytest.raises(RuntimeError, match="closed"):
        await client.generate("gemini-2.5-flash", {}, 1.0)
