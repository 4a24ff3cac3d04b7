"""Answers to the app's agents read like what was asked: replies, captions, insights, offers."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any, TypeVar

import pytest
from pydantic import BaseModel
from pydantic_ai import Agent, NativeOutput
from pydantic_ai.models.google import GoogleModel, GoogleModelSettings
from pydantic_ai.providers.google import GoogleProvider

from huntaze_ai.compliance.service import check_message
from huntaze_ai.emulator import EmulatorConfig, run_emulator_in_thread
from huntaze_ai.emulator.persona_text import intent_of
from tests.emulator.agent_outputs import (
    ANALYTICS_INSTRUCTIONS,
    MESSAGING_INSTRUCTIONS,
    SALES_INSTRUCTIONS,
    CaptionSet3,
    InsightSet,
    MessagingDraft,
    SuggestionSet,
    caption_instructions,
)
from tests.emulator.gemini_http import data_block

OutputT = TypeVar("OutputT", bound=BaseModel)
NO_THINKING: GoogleModelSettings = {"google_thinking_config": {"thinking_budget": 0}}
EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]")
FAN_MESSAGES = [
    "Hey! Love your content",
    "hi",
    "when is the next set coming??",
    "how much for a custom video?",
    "had a rough day at work",
    "missed you!!",
    "thank you for the pics",
    "it's my birthday today",
    "what's your whatsapp? let's meet up",
    "you're so gorgeous omg",
    "can I get the ppv you posted",
    "ok",
]
STATS = {
    "messages_sent": 3120,
    "messages_trend_percent": -8.4,
    "response_rate": 0.78,
    "revenue_usd": "4230.120000",
    "revenue_trend_percent": 12.5,
    "active_chats": 34,
    "active_subscriptions": 27,
    "subscription_revenue_usd": "512.730000",
    "average_subscription_usd": "18.990000",
    "subscription_tiers": {"basic": 16, "vip": 8, "premium": 3},
    "platforms": ["onlyfans", "fansly"],
}


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with run_emulator_in_thread(EmulatorConfig(port=0)) as base:
        yield base


@pytest.fixture
async def flash(url: str) -> AsyncIterator[GoogleModel]:
    async with GoogleModel(
        "gemini-2.5-flash", provider=GoogleProvider(api_key="test", base_url=url)
    ) as entered:
        yield entered


async def _run(
    model: GoogleModel,
    output: type[OutputT],
    instructions: str,
    data: dict[str, Any],
    fault: str | None = None,
) -> OutputT:
    settings: GoogleModelSettings = {**NO_THINKING}
    if fault:
        settings["extra_headers"] = {"x-emulator-fault": fault}
    agent = Agent(model, output_type=output, instructions=instructions)
    result = await agent.run(data_block(data), model_settings=settings)
    return result.output


def _fan_data(message: str, **fan: Any) -> dict[str, Any]:
    return {
        "fan_message": message,
        "recent_conversation": [],
        "fan": fan or None,
        "creator_account": None,
    }


async def test_a_fan_who_loves_the_content_gets_a_warm_thank_you(flash: GoogleModel) -> None:
    draft = await _run(
        flash, MessagingDraft, MESSAGING_INSTRUCTIONS, _fan_data("Hey! Love your content")
    )
    reply = draft.reply
    assert re.search(r"\bthank", reply, re.IGNORECASE)
    assert EMOJI.search(reply)
    assert 40 < len(reply) <= 500
    # A sentence a person wrote, not the prompt's words in a heap.
    assert not {"DATA", "fan_message", "recent_conversation", "onlyfans"} & set(reply.split())
    assert 0.6 <= draft.confidence <= 1


@pytest.mark.parametrize("message", FAN_MESSAGES)
async def test_replies_pass_the_apps_compliance_guard_whatever_the_fan_wrote(
    flash: GoogleModel, message: str
) -> None:
    draft = await _run(
        flash,
        MessagingDraft,
        MESSAGING_INSTRUCTIONS,
        _fan_data(message, name="Alex B.", segments=["whale", "at_risk"]),
    )
    verdict = check_message(draft.reply, platform="onlyfans")
    assert verdict.verdict == "ok", (draft.reply, verdict.reasons)
    assert len(draft.reply) <= 500


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("Hey! Love your content", "compliment"),
        ("hi there", "greeting"),
        ("this is so hot", "compliment"),
        ("staying at a hotel this week", "chat"),
        ("when is the next set coming??", "new_content"),
        ("how much for a custom video?", "custom"),
        ("how much is it to unlock?", "price"),
        ("thanks babe", "thanks"),
    ],
)
def test_the_fans_message_decides_the_kind_of_reply(message: str, intent: str) -> None:
    assert intent_of(message) == intent


async def test_the_reply_greets_the_fan_by_first_name(flash: GoogleModel) -> None:
    draft = await _run(
        flash, MessagingDraft, MESSAGING_INSTRUCTIONS, _fan_data("hi", name="Jordan T.")
    )
    assert "Jordan" in draft.reply
    assert "T." not in draft.reply


async def test_a_custom_request_comes_with_a_custom_content_upsell(flash: GoogleModel) -> None:
    draft = await _run(
        flash, MessagingDraft, MESSAGING_INSTRUCTIONS, _fan_data("how much for a custom video?")
    )
    assert draft.suggested_upsell is not None
    assert draft.suggested_upsell.kind == "custom_content"
    assert 40 <= draft.suggested_upsell.price_usd <= 150
    assert re.search(r"custom|just for you", draft.reply, re.IGNORECASE)


async def test_a_streamed_reply_reads_as_a_reply_too(flash: GoogleModel) -> None:
    agent = Agent(
        flash, output_type=NativeOutput(MessagingDraft), instructions=MESSAGING_INSTRUCTIONS
    )
    async with agent.run_stream(
        data_block(_fan_data("Hey! Love your content")), model_settings=NO_THINKING
    ) as stream:
        draft = await stream.get_output()
    assert re.search(r"\bthank", draft.reply, re.IGNORECASE)


async def test_a_misbehaving_reply_is_caught_by_the_apps_guard(flash: GoogleModel) -> None:
    contact = await _run(
        flash, MessagingDraft, MESSAGING_INSTRUCTIONS, _fan_data("hi"), fault="misbehave"
    )
    reasons = {r.code for r in check_message(contact.reply, platform="onlyfans").reasons}
    assert "forbidden_word" in reasons
    leak = await _run(
        flash, MessagingDraft, MESSAGING_INSTRUCTIONS, _fan_data("hi"), fault="misbehave:leak"
    )
    assert " ".join(MESSAGING_INSTRUCTIONS.split()[:12]) in leak.reply


async def test_replies_replay_for_a_seed_and_vary_across_seeds() -> None:
    async def replies(seed: int) -> list[str]:
        with run_emulator_in_thread(EmulatorConfig(port=0, seed=seed)) as base:
            provider = GoogleProvider(api_key="test", base_url=base)
            async with GoogleModel("gemini-2.5-flash", provider=provider) as model:
                return [
                    (await _run(model, MessagingDraft, MESSAGING_INSTRUCTIONS, _fan_data(m))).reply
                    for m in FAN_MESSAGES[:6]
                ]

    first = await replies(1)
    assert first == await replies(1)
    assert first != await replies(2)


INSTAGRAM = caption_instructions("instagram", "150-200 characters, 5-10 hashtags", 3, "playful")


async def test_captions_are_about_the_described_media_with_its_hashtags(flash: GoogleModel) -> None:
    data = {"media_description": "Beach photoshoot at sunset in a red bikini"}
    captions = (await _run(flash, CaptionSet3, INSTAGRAM, data)).captions
    assert len({c.text for c in captions}) == 3
    for caption in captions:
        assert "beach photoshoot at sunset" in caption.text.lower()
        assert 150 <= len(caption.text) <= 200  # what Instagram's rules ask for
        assert 5 <= len(caption.hashtags) <= 10
        assert {"beach", "sunset", "beachphotoshoot"} <= set(caption.hashtags)
        assert not any(tag.startswith("#") or " " in tag for tag in caption.hashtags)
        assert "#" not in caption.text


async def test_captions_follow_the_platform(flash: GoogleModel) -> None:
    data = {"media_description": "behind the scenes of my gym workout"}
    x = (await _run(flash, CaptionSet3, caption_instructions("x", "280 max", 3), data)).captions
    assert all(len(c.text) <= 200 for c in x)
    assert all(1 <= len(c.hashtags) <= 3 for c in x)
    assert x[0].hashtags[0] == "behindthescenes"  # the description's words come first
    tiktok = caption_instructions("tiktok", "short and punchy, 3-5 hashtags", 3)
    short = (await _run(flash, CaptionSet3, tiktok, data)).captions
    assert all(len(c.text) <= 120 for c in short)
    assert {"behindthescenes", "gymworkout", "fyp"} <= {t for c in short for t in c.hashtags}
    formal = caption_instructions("instagram", "150-200", 3, "professional")
    plain = (await _run(flash, CaptionSet3, formal, data)).captions
    assert not any(EMOJI.search(c.text) for c in plain)


async def test_insights_use_the_numbers_in_the_data(flash: GoogleModel) -> None:
    insights = (await _run(flash, InsightSet, ANALYTICS_INSTRUCTIONS, STATS)).insights
    by_type = {i.type: i for i in insights}
    revenue = by_type["revenue_trend"]
    assert "up 12.5%" in revenue.summary
    assert "$4,230.12" in revenue.summary
    assert {m.name: m.value for m in revenue.metrics} == {
        "revenue_usd": 4230.12,
        "revenue_trend_percent": 12.5,
    }
    # Messages fell 8.4%: that is an engagement drop, and it says so with the figures.
    drops = [i for i in insights if i.type == "engagement_drop"]
    assert any("8.4%" in i.summary and "3,120" in i.summary for i in drops)
    assert all(i.metrics for i in insights)
    assert all(i.recommended_action.endswith(".") for i in insights)


async def test_sales_suggestions_price_from_what_fans_pay(flash: GoogleModel) -> None:
    data = {
        "active_subscriptions": 27,
        "subscription_revenue_usd": "512.730000",
        "average_subscription_usd": "18.990000",
        "platforms": ["onlyfans"],
        "tiers": {"basic": 16, "vip": 11},
        "fan": None,
    }
    suggestions = (await _run(flash, SuggestionSet, SALES_INSTRUCTIONS, data)).suggestions
    assert len(suggestions) >= 3
    assert len({s.kind for s in suggestions}) == len(suggestions)
    assert all(s.price_min_usd <= s.price_max_usd for s in suggestions)
    ppv = next(s for s in suggestions if s.kind == "ppv")
    assert "$18.99" in ppv.rationale
    assert 18 <= ppv.price_min_usd <= ppv.price_max_usd <= 40
    assert all(re.fullmatch(r"\d+\.99", f"{s.price_max_usd:.2f}") for s in suggestions)


async def test_a_suggestion_for_one_fan_targets_that_fan_first(flash: GoogleModel) -> None:
    data = {
        "active_subscriptions": 27,
        "average_subscription_usd": "18.990000",
        "fan": {
            "segments": ["whale", "active"],
            "total_spent_usd": "1250.000000",
            "tips_usd": "420",
        },
    }
    first = (await _run(flash, SuggestionSet, SALES_INSTRUCTIONS, data)).suggestions[0]
    assert (first.kind, first.target_segment) == ("upsell", "whale")
    assert "$1,250.00" in first.rationale
    assert "$420.00" in first.rationale


EMPTY_STATS = {key: 0 for key in STATS} | {"revenue_usd": "0.000000", "platforms": []}


async def test_a_creator_without_data_gets_no_made_up_figures(flash: GoogleModel) -> None:
    insights = (await _run(flash, InsightSet, ANALYTICS_INSTRUCTIONS, EMPTY_STATS)).insights
    text = " ".join(f"{i.summary} {i.recommended_action}" for i in insights)
    assert "0%" not in text
    assert "$0.00" not in text
    assert "No revenue is recorded" in text
    data = {"active_subscriptions": 0, "average_subscription_usd": "0.000000", "fan": None}
    suggestions = (await _run(flash, SuggestionSet, SALES_INSTRUCTIONS, data)).suggestions
    rationale = " ".join(s.rationale for s in suggestions)
    assert "0 active subscribers" not in rationale
    assert "$0.00" not in rationale
    assert all(s.price_min_usd >= 1 for s in suggestions)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("I'm really into hiking lately", {("interests", "Enjoys hiking")}),
        ("my birthday is March 3rd!", {("personal", "Birthday is March 3rd")}),
        ("please don't call me daddy", {("important", "Does not want to be called daddy")}),
        ("Hey! Love your content", set()),
        ("you're so gorgeous omg", set()),
    ],
)
async def test_a_reply_proposes_the_facts_the_fan_states_about_themselves(
    flash: GoogleModel, message: str, expected: set[tuple[str, str]]
) -> None:
    draft = await _run(flash, MessagingDraft, MESSAGING_INSTRUCTIONS, _fan_data(message))
    assert {(n.category, n.text) for n in draft.fan_notes} == expected
    assert all(n.confidence >= 0.8 for n in draft.fan_notes)


async def test_a_passing_mood_or_a_mild_liking_is_proposed_below_the_bar(
    flash: GoogleModel,
) -> None:
    draft = await _run(
        flash, MessagingDraft, MESSAGING_INSTRUCTIONS, _fan_data("rough day, I like cooking")
    )
    notes = {n.category: n.confidence for n in draft.fan_notes}
    assert set(notes) == {"emotional_state", "interests"}
    assert all(0.5 < c < 0.8 for c in notes.values())


async def test_a_known_note_is_not_proposed_again_and_a_stream_proposes_too(
    flash: GoogleModel,
) -> None:
    data = {
        **_fan_data("I play guitar and I live in Lyon"),
        "fan_notes": ["interests: Plays guitar"],
    }
    agent = Agent(
        flash, output_type=NativeOutput(MessagingDraft), instructions=MESSAGING_INSTRUCTIONS
    )
    async with agent.run_stream(data_block(data), model_settings=NO_THINKING) as stream:
        draft = await stream.get_output()
    assert [(n.category, n.text) for n in draft.fan_notes] == [("personal", "Lives in Lyon")]
