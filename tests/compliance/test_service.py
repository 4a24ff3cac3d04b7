"""The guard on single messages: verdicts, rules and positions, disguises, the fan's message,
custom words, platform packs. The corpus (test_corpus.py) measures it on hundreds of drafts."""

from __future__ import annotations

import pytest

from huntaze_ai.compliance.lexicon import skeleton
from huntaze_ai.compliance.normalize import normalize, normalize_mapped
from huntaze_ai.compliance.service import (
    MAX_MESSAGE_LENGTH,
    CustomMatcher,
    CustomWord,
    PhraseInvalid,
    check_message,
    custom_matcher,
    phrase_words,
)

ZW = "\u200b"  # zero-width space

# (text, fan message, verdict, rule ids in order of appearance)
TABLE: list[tuple[str, str | None, str, list[str]]] = [
    # clean messages, including the false-positive traps
    ("Hey babe, how was your day? 😘", None, "ok", []),
    ("That is a significant upgrade, you'll love it", None, "ok", []),
    ("Loved meeting you here in chat!", None, "ok", []),
    ("Nice to meet you! 💕", None, "ok", []),
    ("So nice to meet you too.", None, "ok", []),
    ("let me know if the video plays well on your phone", None, "ok", []),
    ("meeting your expectations is my whole job", None, "ok", []),
    ("My headphones broke, so no voice notes today", None, "ok", []),
    ("I'll sign all the photos for you", None, "ok", []),
    ("Everything here uses https, so it's secure", None, "ok", []),
    ("What's appropriate for tonight's set?", None, "ok", []),
    ("New set drops on 2026-11-23, only $12.99 or $15.99 for both", None, "ok", []),
    ("1,000,000 kisses for you", None, "ok", []),
    ("e.g. the red one, i.e. my favourite", None, "ok", []),
    ("Me.Me too, I missed you", None, "ok", []),
    ("$exy pics coming your way", None, "ok", []),
    ("call me daddy 😏", None, "ok", []),
    ("I'm 15 minutes late to my shoot", None, "ok", []),
    ("Sorry, I only chat here 💋", "add me on whatsapp babe", "ok", []),
    (
        "The whatsapp of it all",
        "can I have your whatsapp?",
        "block",
        ["other_platforms.messengers"],
    ),
    # other apps, plain and disguised (capital I for l, look-alikes, emoji letters, spacing)
    ("Add me on WhatsApp", None, "block", ["other_platforms.messengers"]),
    ("w h a t s a p p me", None, "block", ["other_platforms.messengers"]),
    ("find me on t.e.l.e.g.r.a.m", None, "block", ["other_platforms.messengers"]),
    ("TeIegram is easier", None, "block", ["other_platforms.messengers"]),
    ("wh4ts4pp is easier", None, "block", ["other_platforms.messengers"]),
    ("whaaaatsapp me later", None, "block", ["other_platforms.messengers"]),
    (f"what{ZW}sapp me", None, "block", ["other_platforms.messengers"]),
    ("wһatsapp", None, "block", ["other_platforms.messengers"]),  # Cyrillic һ
    ("ＷｈａｔｓＡｐｐ", None, "block", ["other_platforms.messengers"]),  # fullwidth
    ("🇹🇪🇱🇪🇬🇷🇦🇲", None, "block", ["other_platforms.messengers"]),  # regional indicators
    ("𝐭𝐞𝐥𝐞𝐠𝐫𝐚𝐦", None, "block", ["other_platforms.messengers"]),  # mathematical bold
    ("I'm on s i g n a l", None, "block", ["other_platforms.messengers"]),
    ("$ignal works too", None, "block", ["other_platforms.messengers"]),
    ("7elegr@m", None, "block", ["other_platforms.messengers"]),
    ("my d!scord has more", None, "block", ["other_platforms.messengers"]),
    # contact requests: "phone" only in context, or disguised
    ("call my telephone", None, "block", ["contact.request"]),
    ("text my iPhone", None, "block", ["contact.request"]),
    ("my ph0ne is always on", None, "block", ["contact.request"]),
    ("what's your number? 😘", None, "block", ["contact.request"]),
    # meetups
    ("let's m33t tonight", None, "block", ["meetups.meeting"]),
    ("we could meet up after", None, "block", ["meetups.meeting"]),
    ("Nice to meet you at my place", None, "block", ["meetups.meeting"]),
    # payments
    ("venmo me babe", None, "block", ["payments.apps"]),
    ("send it to $mayarose", None, "block", ["payments.cashtag"]),
    ("a $50 amazon gift card works", None, "block", ["payments.gift_cards"]),
    # phone numbers
    ("call 555-123-4567", None, "block", ["contact.phone_number"]),
    ("+1 (555) 123 4567", None, "block", ["contact.phone_number"]),
    ("555 1234", None, "block", ["contact.phone_number"]),
    ("five five five one two three four", None, "block", ["contact.phone_number"]),
    ("my num is 555 two oh one 8890", None, "block", ["contact.phone_number"]),
    # e-mail and links in all forms
    ("write to me@example.org", None, "block", ["contact.email"]),
    ("maya at gmail dot com", None, "block", ["contact.email", "links.external"]),
    ("see https://example.com/me", None, "block", ["links.external"]),
    ("HTTP://EXAMPLE.COM", None, "block", ["links.external"]),
    ("go to www.mysite.net", None, "block", ["links.external"]),
    ("mysite.com/vip", None, "block", ["links.external"]),
    ("t.me/maya", None, "block", ["links.external"]),
    ("wa.me/15551234567", None, "block", ["links.external", "contact.phone_number"]),
    ("mysite dot com", None, "block", ["links.external"]),
    ("mysite[.]com", None, "block", ["links.external"]),
    ("t․me/maya", None, "block", ["links.external"]),  # one-dot leader instead of "."
    # escalation: in the fan's message or in the text, whatever else is there
    ("Let me check that for you", "I want a refund now", "escalate", ["refunds.money_back"]),
    ("Let me check that for you", "my l4wyer will call", "escalate", ["legal.threats"]),
    ("Let me check", "I'll call the police", "escalate", ["police.reports"]),
    ("Let me check", "I'm 16", "escalate", ["minors.age_statement"]),
    ("Let me check", "I want to kill myself", "escalate", ["self_harm.statements"]),
    ("I'll refund you", None, "escalate", ["refunds.money_back"]),
    ("no ch@rgeb4ck please", None, "escalate", ["refunds.money_back"]),
    ("p o l i c e", None, "escalate", ["police.reports"]),
    (
        "add me on whatsapp",
        "I'll do a chargeback",
        "escalate",
        ["refunds.money_back", "other_platforms.messengers"],
    ),
    # empty and too long
    ("   \n\t", None, "block", ["format.empty"]),
    ("", "refund please", "escalate", ["refunds.money_back", "format.empty"]),
    ("x" * (MAX_MESSAGE_LENGTH + 1), None, "block", ["format.too_long"]),
]


@pytest.mark.parametrize(("text", "fan_message", "verdict", "rules"), TABLE)
def test_the_guard_on_a_table_of_messages(
    text: str, fan_message: str | None, verdict: str, rules: list[str]
) -> None:
    result = check_message(text, fan_message=fan_message)
    assert result.verdict == verdict, result.reasons
    assert [r.rule for r in result.reasons] == rules
    assert result.sendable == (verdict == "ok")


def test_the_table_is_large_and_covers_every_verdict() -> None:
    assert len(TABLE) >= 60
    assert {v for _, _, v, _ in TABLE} == {"ok", "block", "escalate"}


def test_a_reason_names_its_rule_says_why_cites_the_clause_and_points_at_the_text() -> None:
    text = "so sweet! add me on W h a t s A p p 💋"
    (reason,) = check_message(text, platform="onlyfans").reasons
    assert reason.rule == "other_platforms.messengers"
    assert reason.category == "other_platforms"
    assert reason.verdict == "block"
    assert reason.code == "forbidden_word"
    assert "messaging app" in reason.why
    assert reason.clause.startswith("OnlyFans Terms of Service")
    assert reason.start is not None
    assert reason.end is not None
    assert text[reason.start : reason.end] == reason.excerpt == "W h a t s A p p"
    assert reason.detail == "'whatsapp' (written 'W h a t s A p p')"


def test_positions_point_into_the_original_text_through_wide_characters() -> None:
    text = "😘😘 ｍｙ ｎｕｍｂｅｒ ５５５−２０１−８８９０"
    reason = next(r for r in check_message(text).reasons if r.rule == "contact.phone_number")
    assert reason.start is not None
    assert reason.end is not None
    assert text[reason.start : reason.end] == "５５５−２０１−８８９０"


def test_ascii_runs_in_a_text_with_emoji_fold_as_every_character_does() -> None:
    # normalize_mapped folds ASCII runs in one go: only right while no ASCII character is a
    # confusable or dropped, which normalize (character by character here) checks.
    text = "".join(map(chr, range(128))) + "😘 ＡＢ\u200bé" + "".join(map(chr, range(128)))
    norm = normalize_mapped(text)
    assert norm.text == normalize(text)
    assert norm.origin is not None
    assert norm.origin[:128] == tuple(range(128))
    assert norm.origin[-128:] == tuple(range(len(text) - 128, len(text)))


def test_the_skeleton_maps_every_disguise_and_nothing_else() -> None:
    disguises = "@4 3 1l|! 0 5$ 7"
    assert skeleton(disguises) == "aa e iiii o ss t"
    text = "".join(map(chr, range(128))) + "😘"
    assert skeleton(text) == "".join(skeleton(c) for c in text)
    assert [c for c in text if skeleton(c) != c] == sorted(disguises.replace(" ", ""))


def test_every_finding_is_listed() -> None:
    result = check_message(
        "add me on telegram, call 555-123-4567, see foo.com", fan_message="I want a refund"
    )
    assert result.verdict == "escalate"
    assert [(r.rule, r.where) for r in result.reasons] == [
        ("refunds.money_back", "fan_message"),
        ("other_platforms.messengers", "message"),
        ("contact.phone_number", "message"),
        ("links.external", "message"),
    ]
    assert result.reasons[0].detail == "'refund' in the fan's message"
    assert all(r.why and r.clause for r in result.reasons)


def test_the_fan_may_mention_forbidden_words_only_escalation_counts() -> None:
    assert check_message("ok!", fan_message="whatsapp? telegram? 555-123-4567").verdict == "ok"


def test_the_same_text_as_fan_message_is_reported_once() -> None:
    result = check_message("refund", fan_message="refund")
    assert [r.rule for r in result.reasons] == ["refunds.money_back"]


def test_packs_differ_by_platform() -> None:
    on_of = check_message("subscribe to my onlyfans 😘", platform="onlyfans")
    on_x = check_message("subscribe to my onlyfans 😘", platform="x")
    on_ig = check_message("subscribe to my onlyfans 😘", platform="instagram")
    on_fansly = check_message("subscribe to my onlyfans 😘", platform="fansly")
    assert on_of.verdict == on_x.verdict == "ok"
    assert [r.rule for r in on_ig.reasons] == ["adult_solicitation.sites_and_content"]
    assert [r.rule for r in on_fansly.reasons] == ["other_platforms.onlyfans"]
    assert check_message("follow me on tiktok", platform="instagram").verdict == "ok"
    assert check_message("follow me on tiktok", platform="onlyfans").verdict == "block"
    assert on_of.rules_version.startswith("onlyfans.")


def test_length_is_a_parameter() -> None:
    assert check_message("12345", max_length=4).reasons[0].rule == "format.too_long"
    assert check_message("x" * 5000, max_length=5000).verdict == "ok"


def _custom(*entries: tuple[int, str, str]) -> CustomMatcher:
    matcher = custom_matcher(tuple(CustomWord(i, p, v) for i, p, v in entries))  # type: ignore[arg-type]
    assert matcher is not None
    return matcher


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("B O S S", "custom.1"),
        ("b0ss me", "custom.1"),
        ("ｂｏｓｓ", "custom.1"),
        ("thank you", "custom.2"),
        ("th4nk-y0u", "custom.2"),
        ("t h a n k y o u", "custom.2"),
        ("THANKYOU", "custom.2"),
    ],
)
def test_custom_words_are_found_through_the_same_disguises(text: str, rule: str) -> None:
    custom = _custom((1, "Boss", "block"), (2, "thank you", "block"))
    result = check_message(text, custom=custom)
    assert [r.rule for r in result.reasons] == [rule]
    assert result.verdict == "block"
    assert result.reasons[0].code == "custom_word"


def test_custom_words_match_whole_words_and_may_escalate() -> None:
    custom = _custom((1, "boss", "block"), (3, "my manager", "escalate"))
    assert check_message("bossy", custom=custom).verdict == "ok"
    escalated = check_message("ok", fan_message="let me talk to my m4nager", custom=custom)
    assert escalated.verdict == "escalate"
    assert [(r.rule, r.where) for r in escalated.reasons] == [("custom.3", "fan_message")]


def test_custom_phrases_with_separator_digits_match_literally() -> None:
    custom = _custom((7, "18+", "block"), (8, "69", "block"))
    assert check_message("18+ only", custom=custom).verdict == "block"
    assert check_message("it's 1869 lol", custom=custom).verdict == "ok"


def test_a_list_is_compiled_once_per_content_and_an_edit_is_seen() -> None:
    # Each request reads the list into new objects: the same content is the same matcher.
    first = _custom((1, "boss", "block"), (2, "thank you", "block"))
    assert _custom((1, "boss", "block"), (2, "thank you", "block")) is first
    edited = _custom((1, "boss", "escalate"), (2, "thank you", "block"))
    assert edited is not first
    assert check_message("ok", fan_message="boss", custom=edited).verdict == "escalate"
    assert check_message("boss", custom=_custom((3, "boss", "block"))).reasons[0].rule == "custom.3"
    assert custom_matcher(()) is None


@pytest.mark.parametrize("phrase", ["", "   ", "!!!", "💕💕", "—"])
def test_a_phrase_without_letters_or_digits_is_invalid(phrase: str) -> None:
    with pytest.raises(PhraseInvalid):
        phrase_words(phrase)


@pytest.mark.parametrize(
    "text",
    [
        "1 " * 5000,
        "4" * 10_000,
        "a." * 5000,
        "a b c d e f g h i j " * 500,
        "x@" * 5000,
        "whatsapp " * 1000,
        "é" * 10_000,
        "w h a t s a p p " * 600,
    ],
)
def test_adversarial_input_is_checked_without_blowing_up(text: str) -> None:
    # Speed is measured by bench/compliance_guard.py; this only proves nothing is quadratic
    # enough to take seconds.
    result = check_message(text, max_length=20_000)
    assert result.verdict in ("ok", "block", "escalate")
