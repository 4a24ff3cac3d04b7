"""Implicit caching: a prompt that starts like a recent one reports cachedContentTokenCount."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from pydantic_ai import Agent
from pydantic_ai.models.google import GoogleModel
from pydantic_ai.providers.google import GoogleProvider

from huntaze_ai.emulator import EmulatorConfig, GeminiEmulator
from huntaze_ai.emulator.caching import ImplicitCache
from tests.emulator.gemini_http import body, generate, stream_events

BLOCK = 256
# About 3,000 tokens of instructions: above 2.5's minimum of 2,048, below Gemini 3's 4,096.
INSTRUCTIONS = "You are a helpful assistant for a creator's fan page. " * 220


@pytest.fixture
def emulator() -> Iterator[tuple[GeminiEmulator, str]]:
    instance = GeminiEmulator(EmulatorConfig(port=0))
    with instance.run_in_thread() as base:
        yield instance, base


@pytest.fixture
def url(emulator: tuple[GeminiEmulator, str]) -> str:
    return emulator[1]


def _ask(question: str, instructions: str = INSTRUCTIONS) -> dict[str, Any]:
    return body(question, systemInstruction={"parts": [{"text": instructions}]})


def _usage(url: str, payload: dict[str, Any], model: str = "gemini-2.5-flash", **kw: Any) -> Any:
    return generate(url, payload, model, **kw)["usageMetadata"]


def test_the_same_long_prompt_sent_twice_is_mostly_cached_the_second_time(url: str) -> None:
    first = _usage(url, _ask("What should I post today?"))
    second = _usage(url, _ask("What should I post today?"))
    assert "cachedContentTokenCount" not in first
    cached = second["cachedContentTokenCount"]
    assert second["promptTokenCount"] == first["promptTokenCount"]  # cached tokens included
    assert cached % BLOCK == 0
    assert second["promptTokenCount"] - BLOCK <= cached < second["promptTokenCount"]
    assert second["cacheTokensDetails"] == [{"modality": "TEXT", "tokenCount": cached}]


def test_a_new_question_after_the_same_instructions_caches_the_instructions(url: str) -> None:
    _usage(url, _ask("What should I post today?"))
    usage = _usage(url, _ask("Which fans should get a PPV offer this weekend, and at what price?"))
    instructions_tokens = len(INSTRUCTIONS) // 4
    assert instructions_tokens - BLOCK < usage["cachedContentTokenCount"] <= instructions_tokens


def test_prompts_below_the_model_minimum_are_never_cached(url: str) -> None:
    short = _ask("hello", instructions="Be brief. " * 100)  # about 250 tokens
    _usage(url, short)
    assert "cachedContentTokenCount" not in _usage(url, short)


def test_gemini_3_needs_a_longer_prompt_than_2_5_to_cache(url: str) -> None:
    for model in ("gemini-3-flash-preview", "gemini-2.5-flash"):
        _usage(url, _ask("What should I post today?"), model)
    assert "cachedContentTokenCount" not in _usage(
        url, _ask("What should I post today?"), "gemini-3-flash-preview"
    )
    assert "cachedContentTokenCount" in _usage(url, _ask("What should I post today?"))


def test_the_cache_is_per_model_and_per_api_key(url: str) -> None:
    _usage(url, _ask("What should I post today?"))
    assert "cachedContentTokenCount" not in _usage(
        url, _ask("What should I post today?"), "gemini-2.5-pro"
    )
    assert "cachedContentTokenCount" not in _usage(
        url, _ask("What should I post today?"), key="another-project"
    )


def test_models_without_implicit_caching_report_none(url: str) -> None:
    for _ in range(2):
        usage = _usage(url, _ask("What should I post today?"), "gemini-2.0-flash")
    assert "cachedContentTokenCount" not in usage


def test_a_stream_reports_the_cached_tokens_on_its_chunks(url: str) -> None:
    _usage(url, _ask("Write three captions"))
    events = stream_events(url, _ask("Write three captions"))
    assert all(e["usageMetadata"]["cachedContentTokenCount"] > 0 for e in events)


def test_stats_total_the_cached_tokens(emulator: tuple[GeminiEmulator, str]) -> None:
    instance, url = emulator
    _usage(url, _ask("What should I post today?"))
    cached = _usage(url, _ask("What should I post today?"))["cachedContentTokenCount"]
    assert instance.stats.snapshot()["tokens"]["cached"] == cached


def test_a_zero_sized_cache_caches_nothing() -> None:
    with GeminiEmulator(EmulatorConfig(port=0, cache_max_entries=0)).run_in_thread() as url:
        for _ in range(2):
            usage = _usage(url, _ask("What should I post today?"))
    assert "cachedContentTokenCount" not in usage


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_entries_expire_after_their_ttl_without_use() -> None:
    clock = _Clock()
    cache = ImplicitCache(block_tokens=BLOCK, ttl_s=300, max_entries=100, clock=clock)
    blocks = [f"b{i}" for i in range(10)]
    assert cache.use("key", "gemini-2.5-flash", blocks, 3000) == 0
    clock.now = 299
    assert cache.use("key", "gemini-2.5-flash", blocks, 3000) == 10 * BLOCK  # and refreshed
    clock.now = 598
    assert cache.use("key", "gemini-2.5-flash", blocks, 3000) == 10 * BLOCK
    clock.now = 899
    assert cache.use("key", "gemini-2.5-flash", blocks, 3000) == 0


def test_memory_stays_bounded_and_the_least_recently_used_go_first() -> None:
    cache = ImplicitCache(block_tokens=BLOCK, ttl_s=300, max_entries=20, clock=_Clock())
    cache.use("key", "gemini-2.5-flash", ["old"] * 1 + [f"o{i}" for i in range(9)], 3000)
    for n in range(5):
        cache.use("key", "gemini-2.5-flash", [f"p{n}-{i}" for i in range(10)], 3000)
    assert len(cache) == 20
    assert cache.use("key", "gemini-2.5-flash", ["old"], 3000) == 0


def test_concurrent_use_from_threads_keeps_the_bound() -> None:
    cache = ImplicitCache(block_tokens=BLOCK, ttl_s=300, max_entries=500)

    def hammer(n: int) -> None:
        for i in range(200):
            cache.use(f"key{n}", "gemini-2.5-flash", [f"{n}-{i}-{j}" for j in range(8)], 3000)

    threads = [threading.Thread(target=hammer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(cache) == 500


@pytest.fixture
async def flash(url: str) -> AsyncIterator[GoogleModel]:
    async with GoogleModel(
        "gemini-2.5-flash", provider=GoogleProvider(api_key="test", base_url=url)
    ) as entered:
        yield entered


async def test_pydantic_ai_reads_the_cached_tokens_as_cache_reads(flash: GoogleModel) -> None:
    agent = Agent(flash, instructions=INSTRUCTIONS)
    first = await agent.run("What should I post today?")
    second = await agent.run("What should I post tomorrow?")
    assert first.usage.cache_read_tokens == 0
    assert second.usage.cache_read_tokens > 2000
    assert second.usage.input_tokens >= second.usage.cache_read_tokens
