from __future__ import annotations

import time

import pytest

from huntaze_ai.compliance.service import (
    MAX_MESSAGE_LENGTH,
    ComplianceReason,
    check_message,
)

ZW = "\u200b"  # zero-width space

# (text, fan message, verdict, reason codes in order of appearance)
TABLE: list[tuple[str, str | None, str, list[str]]] = [
    # clean messages, including the false-positive traps
    ("Hey babe, how was your day? 😘", None, "ok", []),
    ("That is a significant upgrade, you'll love it", None, "ok", []),
    ("Loved meeting you here in chat!", None, "ok", []),
    ("Nice to meet you! 💕", None, "ok", []),
    ("So nice to meet you too.", None, "ok", []),
    ("My headphones broke, so no voice notes today", None, "ok", []),
    ("I'll sign all the photos for you", None, "ok", []),
    ("Everything here uses https, so it's secure", None, "ok", []),
    ("What's appropriate for tonight's set?", None, "ok", []),
    ("New set drops on 2026-11-23, only $12.99 or $15.99 for both", None, "ok", []),
    ("1,000,000 kisses for you", None, "ok", []),
    ("e.g. the red one, i.e. my favourite", None, "ok", []),
    ("Me.Me too, I missed you", None, "ok", []),
    ("The whatsapp of it all", "can I have your whatsapp?", "block", ["forbidden_word"]),
    ("Sorry, I only chat here 💋", "add me on whatsapp babe", "ok", []),
    # forbidden words, plain and disguised
    ("Add me on WhatsApp", None, "block", ["forbidden_word"]),
    ("w h a t s a p p me", None, "block", ["forbidden_word"]),
    ("find me on t.e.l.e.g.r.a.m", None, "block", ["forbidden_word"]),
    ("w-h-a-t-s-a-p-p", None, "block", ["forbidden_word"]),
    ("wh4ts4pp is easier", None, "block", ["forbidden_word"]),
    ("whaaaatsapp me later", None, "block", ["forbidden_word"]),
    (f"what{ZW}sapp me", None, "block", ["forbidden_word"]),
    ("wһatsapp", None, "block", ["forbidden_word"]),  # Cyrillic һ
    ("ＷｈａｔｓＡｐｐ", None, "block", ["forbidden_word"]),  # fullwidth
    ("what's app do you use?", None, "block", ["forbidden_word"]),
    ("let's m33t tonight", None, "block", ["forbidden_word"]),
    ("we could meet up after", None, "block", ["forbidden_word"]),
    ("Nice to meet you at my place", None, "block", ["forbidden_word"]),
    ("call my telephone", None, "block", ["forbidden_word"]),
    ("text my iPhone", None, "block", ["forbidden_word"]),
    ("my ph0ne is always on", None, "block", ["forbidden_word"]),
    ("I'm on s i g n a l", None, "block", ["forbidden_word"]),
    ("$ignal works too", None, "block", ["forbidden_word"]),
    ("7elegr@m", None, "block", ["forbidden_word"]),
    ("𝐭𝐞𝐥𝐞𝐠𝐫𝐚𝐦", None, "block", ["forbidden_word"]),  # mathematical bold
    ("télégram", None, "block", ["forbidden_word"]),  # accents
    # phone numbers
    ("call 555-123-4567", None, "block", ["phone_number"]),
    ("+1 (555) 123 4567", None, "block", ["phone_number"]),
    ("555 1234", None, "block", ["phone_number"]),
    ("five five five one two three four", None, "block", ["phone_number"]),
    # e-mail and links in all forms
    ("write to me@example.org", None, "block", ["email_address"]),
    ("see https://example.com/me", None, "block", ["external_link"]),
    ("HTTP://EXAMPLE.COM", None, "block", ["external_link"]),
    ("go to www.mysite.net", None, "block", ["external_link"]),
    ("mysite.com/vip", None, "block", ["external_link"]),
    ("t.me/maya", None, "block", ["external_link"]),
    ("wa.me/15551234567", None, "block", ["external_link", "phone_number"]),
    ("linktr.ee/maya", None, "block", ["external_link"]),
    ("mysite dot com", None, "block", ["external_link"]),
    ("mysite[.]com", None, "block", ["external_link"]),
    ("t․me/maya", None, "block", ["external_link"]),  # one-dot leader instead of "."
    # escalation: in the fan's message or in the text, whatever else is there
    ("Let me check that for you", "I want a refund now", "escalate", ["escalation_trigger"]),
    ("Let me check that for you", "my l4wyer will call", "escalate", ["escalation_trigger"]),
    ("I'll refund you", None, "escalate", ["escalation_trigger"]),
    ("no ch@rgeb4ck please", None, "escalate", ["escalation_trigger"]),
    ("that's not i11egal", None, "escalate", ["escalation_trigger"]),
    ("p o l i c e", None, "escalate", ["escalation_trigger"]),
    (
        "add me on whatsapp",
        "I'll do a chargeback",
        "escalate",
        ["escalation_trigger", "forbidden_word"],
    ),
    # empty and too long
    ("   \n\t", None, "block", ["empty"]),
    ("", "refund please", "escalate", ["escalation_trigger", "empty"]),
    ("x" * (MAX_MESSAGE_LENGTH + 1), None, "block", ["too_long"]),
]


@pytest.mark.parametrize(("text", "fan_message", "verdict", "codes"), TABLE)
def test_the_guard_on_a_table_of_messages(
    text: str, fan_message: str | None, verdict: str, codes: list[str]
) -> None:
    result = check_message(text, fan_message=fan_message)
    assert result.verdict == verdict, result.reasons
    assert [r.code for r in result.reasons] == codes


def test_the_table_is_large_and_covers_every_verdict() -> None:
    assert len(TABLE) >= 40
    assert {v for _, _, v, _ in TABLE} == {"ok", "block", "escalate"}


def test_every_finding_is_listed_with_a_detail() -> None:
    result = check_message(
        "add me on whatsapp or telegram, call 555-123-4567, see foo.com",
        fan_message="I want a refund",
    )
    assert result.verdict == "escalate"
    codes = [r.code for r in result.reasons]
    assert codes.count("forbidden_word") == 2
    assert {"escalation_trigger", "phone_number", "external_link"} <= set(codes)
    assert all(r.detail for r in result.reasons)
    assert ComplianceReason("escalation_trigger", "'refund' in the fan's message") in result.reasons


def test_a_disguised_word_names_the_word_and_how_it_was_written() -> None:
    (reason,) = check_message("w h a t s a p p").reasons
    assert reason == ComplianceReason("forbidden_word", "'whatsapp' (written 'w h a t s a p p')")


def test_the_fan_may_mention_forbidden_words_only_escalation_counts() -> None:
    assert check_message("ok!", fan_message="whatsapp? telegram? 555-123-4567").verdict == "ok"


def test_the_same_text_as_fan_message_is_reported_once() -> None:
    result = check_message("refund", fan_message="refund")
    assert [r.code for r in result.reasons] == ["escalation_trigger"]


def test_word_lists_and_length_are_parameters() -> None:
    assert check_message("see you on snapchat", forbidden_words=["snapchat"]).verdict == "block"
    assert check_message("add me on whatsapp", forbidden_words=[]).verdict == "ok"
    assert check_message("12345", max_length=4).reasons[0].code == "too_long"
    assert check_message("x" * 5000, max_length=5000).verdict == "ok"


def test_custom_words_are_normalised_and_matched_as_words() -> None:
    assert check_message("S N A P", forbidden_words=["Snap"]).verdict == "block"
    assert check_message("snapshot", forbidden_words=["snap"]).verdict == "ok"


@pytest.mark.parametrize(
    "text",
    [
        "1 " * 5000,
        "4" * 10_000,
        "a." * 5000,
        "a b c d e f g h i j " * 500,
        "x@" * 5000,
        "whatsapp " * 1000,
    ],
)
def test_adversarial_input_is_checked_quickly(text: str) -> None:
    started = time.perf_counter()
    check_message(text, max_length=20_000)
    assert time.perf_counter() - started < 1.0
