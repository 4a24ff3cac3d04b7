"""Thinking per model family as on the real API, and maxOutputTokens over thoughts + answer."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pytest

from huntaze_ai.emulator import EmulatorConfig, run_emulator_in_thread
from tests.emulator.gemini_http import body, generate, post, stream_events, thinking


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with run_emulator_in_thread(EmulatorConfig(port=0)) as base:
        yield base


def _thoughts(url: str, model: str, count: int = 40, **config: object) -> list[int]:
    """thoughtsTokenCount of `count` different prompts (0 when the model did not think)."""
    return [
        generate(url, body(f"Idea number {n} for this week's posts", **config), model)[
            "usageMetadata"
        ].get("thoughtsTokenCount", 0)
        for n in range(count)
    ]


def test_2_5_pro_thinks_a_hundred_to_a_few_thousand_tokens_by_default(url: str) -> None:
    drawn = _thoughts(url, "gemini-2.5-pro")
    # Recordings of real 2.5 Pro traffic report 101 to 759 thoughts on short prompts.
    assert all(100 <= t <= 4000 for t in drawn)
    # Log-uniform: spread over the range, the median near the geometric mean (about 630).
    assert min(drawn) < 250
    assert max(drawn) > 2000
    assert 300 < sorted(drawn)[len(drawn) // 2] < 1500
    assert len(set(drawn)) > 30, "the thoughts vary with the prompt"
    assert drawn == _thoughts(url, "gemini-2.5-pro"), "thoughts replay for the same requests"


def test_thoughts_replay_per_seed_and_vary_with_it() -> None:
    def drawn(seed: int) -> list[int]:
        with run_emulator_in_thread(EmulatorConfig(port=0, seed=seed)) as base:
            return _thoughts(base, "gemini-2.5-pro", 10, **thinking(1024))

    assert drawn(7) == drawn(7)
    assert drawn(7) != drawn(8)


def test_a_dynamic_budget_leaves_the_thoughts_to_the_model(url: str) -> None:
    drawn = _thoughts(url, "gemini-2.5-pro", **thinking(-1))
    assert drawn == _thoughts(url, "gemini-2.5-pro"), "-1 is what no budget is"
    assert max(drawn) > 2000


@pytest.mark.parametrize("budget", [512, 1024, 4096])
def test_a_thinking_budget_is_a_bound_the_thoughts_stop_short_of(url: str, budget: int) -> None:
    bounded = _thoughts(url, "gemini-2.5-pro", **thinking(budget))
    free = _thoughts(url, "gemini-2.5-pro")
    # Never more than the model wants, never more than 95 % of the budget, never fewer than the
    # family's floor of 100: as real answers, which stop short of a budget rather than at it.
    assert all(
        100 <= b <= min(f, int(budget * 0.95) + 1) for b, f in zip(bounded, free, strict=True)
    )
    assert budget not in bounded
    # Where the model wants more than the budget, it stops at 40-95 % of it, varying by prompt.
    stopped = [b for b, f in zip(bounded, free, strict=True) if b < f]
    assert stopped
    assert all(b >= int(budget * 0.4) for b in stopped)
    assert len(set(stopped)) > len(stopped) // 2
    # Where it wants less, the budget changes nothing.
    assert any(b == f for b, f in zip(bounded, free, strict=True))


def test_a_budget_below_the_floor_is_spent_whole(url: str) -> None:
    # 2.5 Flash never thinks fewer than 15 tokens when it thinks (the fewest recorded were 16).
    assert set(_thoughts(url, "gemini-2.5-flash", 10, **thinking(8))) == {8}
    assert all(15 <= t <= 19 for t in _thoughts(url, "gemini-2.5-flash", 20, **thinking(20)))


def test_2_5_pro_refuses_to_stop_thinking_as_the_real_api_does(url: str) -> None:
    response = post(url, body(**thinking(0)), "gemini-2.5-pro")
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": 400,
            "message": "Budget 0 is invalid. This model only works in thinking mode.",
            "status": "INVALID_ARGUMENT",
        }
    }


@pytest.mark.parametrize(
    ("model", "budget"),
    [
        ("gemini-2.5-pro", 64),
        ("gemini-2.5-pro", 40_000),
        ("gemini-2.5-flash", 30_000),
        ("gemini-2.5-flash-lite", 100),
        ("gemini-2.5-flash", -2),
    ],
)
def test_a_budget_outside_the_model_range_is_invalid(url: str, model: str, budget: int) -> None:
    response = post(url, body(**thinking(budget)), model)
    assert response.status_code == 400
    assert response.json()["error"]["message"] == f"The thinking budget ({budget}) is invalid."


def test_2_5_flash_thinks_less_by_default_and_not_at_all_with_budget_0(url: str) -> None:
    drawn = _thoughts(url, "gemini-2.5-flash")
    # Recordings: 16-204 thoughts on short prompts, a thousand or more on long ones.
    assert all(15 <= t <= 2000 for t in drawn)
    assert (
        sorted(drawn)[len(drawn) // 2] < sorted(_thoughts(url, "gemini-2.5-pro"))[len(drawn) // 2]
    )
    assert set(_thoughts(url, "gemini-2.5-flash", 10, **thinking(0))) == {0}


def test_flash_lite_thinks_only_when_given_a_budget(url: str) -> None:
    assert set(_thoughts(url, "gemini-2.5-flash-lite", 10)) == {0}
    assert set(_thoughts(url, "gemini-2.5-flash-lite", 10, **thinking(0))) == {0}
    bounded = _thoughts(url, "gemini-2.5-flash-lite", 10, **thinking(512))
    assert all(0 < t <= 512 for t in bounded)


def test_gemini_3_thinks_more_at_high_level_than_at_low(url: str) -> None:
    low = _thoughts(url, "gemini-3-pro-preview", **thinking(level="low"))
    high = _thoughts(url, "gemini-3-pro-preview", **thinking(level="HIGH"))
    assert sum(high) > 2 * sum(low)
    assert all(t > 0 for t in low)
    minimal = _thoughts(url, "gemini-3-flash-preview", 10, **thinking(level="minimal"))
    assert max(minimal) <= 40


@pytest.mark.parametrize(
    ("model", "config", "message"),
    [
        (
            "gemini-3-pro-preview",
            thinking(level="minimal"),
            "Thinking level MINIMAL is not supported for this model.",
        ),
        (
            "gemini-2.5-flash",
            thinking(level="low"),
            "Thinking level is not supported for this model.",
        ),
        (
            "gemini-3-flash-preview",
            thinking(1024, "high"),
            "Unable to submit request because thinking_budget and thinking_level are not "
            "supported together.",
        ),
        ("gemini-2.0-flash", thinking(1024), "thinking_config is not supported."),
    ],
    ids=["3-pro-minimal", "level-on-2.5", "budget-and-level", "2.0-budget"],
)
def test_thinking_configs_the_model_does_not_take_are_400(
    url: str, model: str, config: dict[str, Any], message: str
) -> None:
    response = post(url, body(**config), model)
    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": 400,
        "message": message,
        "status": "INVALID_ARGUMENT",
    }


def test_thoughts_that_reach_max_output_tokens_leave_no_parts_and_bill_the_thoughts(
    url: str,
) -> None:
    data = generate(url, body(generationConfig={"maxOutputTokens": 100}), "gemini-2.5-pro")
    # The shape of a real 2.5 Pro answer that spent maxOutputTokens thinking.
    assert data["candidates"] == [
        {"content": {"role": "model"}, "finishReason": "MAX_TOKENS", "index": 0}
    ]
    usage = data["usageMetadata"]
    assert usage["thoughtsTokenCount"] == 100
    assert "candidatesTokenCount" not in usage
    assert usage["totalTokenCount"] == usage["promptTokenCount"] + 100


def test_thoughts_that_fit_leave_the_rest_of_max_output_tokens_to_a_cut_answer(url: str) -> None:
    # 2.5 Pro wants at least 100 thoughts: at its smallest budget, 128, it stops at 100-122.
    config = thinking(128, maxOutputTokens=131)
    data = generate(url, body(**config), "gemini-2.5-pro")
    candidate, usage = data["candidates"][0], data["usageMetadata"]
    assert candidate["finishReason"] == "MAX_TOKENS"
    assert 100 <= usage["thoughtsTokenCount"] <= 122
    # The answer is cut where maxOutputTokens falls, and every token up to it is billed.
    assert usage["candidatesTokenCount"] == 131 - usage["thoughtsTokenCount"]
    assert math.ceil(len(candidate["content"]["parts"][0]["text"]) / 4) <= 31


def test_the_stream_bills_what_the_whole_answer_bills(url: str) -> None:
    for n in range(10):
        payload = body(f"Idea number {n} for this week's posts", **thinking(1024))
        whole = generate(url, payload, "gemini-2.5-pro")["usageMetadata"]
        events = stream_events(url, payload, "gemini-2.5-pro")
        # As recorded streams without includeThoughts: the thoughts are known from the first
        # chunk; the last chunk carries the final counts, the same as the whole answer's.
        assert {e["usageMetadata"]["thoughtsTokenCount"] for e in events} == {
            whole["thoughtsTokenCount"]
        }
        assert events[-1]["usageMetadata"] == whole


def test_include_thoughts_bills_the_same_thoughts_and_returns_no_thought_text(url: str) -> None:
    def config(**extra: object) -> dict[str, object]:
        return {"generationConfig": {"thinkingConfig": {"thinkingBudget": 1024, **extra}}}

    answers = [
        generate(url, body(**c), "gemini-2.5-pro")
        for c in (config(), config(includeThoughts=True), config(includeThoughts=False))
    ]
    # Thoughts are billed whether or not their summaries were asked for, the same prompt the same.
    assert len({a["usageMetadata"]["thoughtsTokenCount"] for a in answers}) == 1
    for answer in answers:
        assert not any(p.get("thought") for p in answer["candidates"][0]["content"]["parts"])


def test_a_streamed_answer_whose_thoughts_spend_the_budget_is_one_chunk_without_text(
    url: str,
) -> None:
    events = stream_events(url, body(generationConfig={"maxOutputTokens": 50}), "gemini-2.5-pro")
    assert len(events) == 1
    assert events[0]["candidates"][0] == {
        "content": {"role": "model"},
        "finishReason": "MAX_TOKENS",
        "index": 0,
    }
    assert events[0]["usageMetadata"]["thoughtsTokenCount"] == 50


def test_the_max_tokens_fault_spends_max_output_tokens_thinking_on_any_thinking_model(
    url: str,
) -> None:
    payload = body(generationConfig={"maxOutputTokens": 1500})
    data = generate(url, payload, "gemini-2.5-flash", fault="max_tokens")
    assert data["candidates"][0]["finishReason"] == "MAX_TOKENS"
    assert "parts" not in data["candidates"][0]["content"]
    assert data["usageMetadata"]["thoughtsTokenCount"] == 1500


def test_the_max_tokens_fault_cuts_the_answer_of_a_model_that_does_not_think(url: str) -> None:
    payload = body(**thinking(0))
    whole = generate(url, payload, "gemini-2.5-flash")
    cut = generate(url, payload, "gemini-2.5-flash", fault="max_tokens")
    assert cut["candidates"][0]["finishReason"] == "MAX_TOKENS"
    written = cut["usageMetadata"]["candidatesTokenCount"]
    assert 0 < written < whole["usageMetadata"]["candidatesTokenCount"]
