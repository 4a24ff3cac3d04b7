"""The rule packs as data: every platform's pack loads, each rule explains itself and cites a
clause, and malformed packs fail loudly."""

from __future__ import annotations

import pytest

from huntaze_ai.compliance.phrases import PhraseError, expand
from huntaze_ai.compliance.rules import CATEGORIES, load_pack
from huntaze_ai.kit.platforms import PLATFORM_NAMES

ISSUE_CATEGORIES = {
    "contact", "other_platforms", "payments", "meetups", "minors", "prohibited_themes", "links",
}  # fmt: skip


@pytest.mark.parametrize("platform", list(PLATFORM_NAMES))
def test_every_pack_loads_with_explained_rules(platform: str) -> None:
    pack = load_pack(platform)
    assert pack.platform == platform
    assert pack.version.startswith(f"{platform}.")
    assert "+common." in pack.version
    assert {r.category for r in pack.rules} >= ISSUE_CATEGORIES
    for rule in pack.rules:
        assert rule.category in CATEGORIES
        assert rule.why.endswith("."), rule.id
        assert len(rule.why) > 20, rule.id
        assert rule.clause, rule.id
        assert rule.id.startswith(rule.category + "."), rule.id
        assert rule.terms or rule.inside or rule.patterns or rule.detector or rule.disguised
    escalating = {r.category for r in pack.rules if r.verdict == "escalate"}
    assert escalating == {"minors", "refunds", "legal", "police", "self_harm"}


def test_only_paid_message_platforms_have_a_ppv_range() -> None:
    onlyfans = load_pack("onlyfans").ppv
    assert onlyfans is not None
    assert (str(onlyfans.min_usd), str(onlyfans.max_usd), onlyfans.allow_free) == (
        "3.00",
        "200.00",
        True,
    )
    assert load_pack("instagram").ppv is None


def test_the_default_pack_is_onlyfans() -> None:
    assert load_pack(None) is load_pack("onlyfans")


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("meet", [("meet",)]),
        ("{call|text} me", [("call", "me"), ("text", "me")]),
        ("meet {|up} now", [("meet", "now"), ("meet", "up", "now")]),
        ("{i'll|i will} sue", [("ill", "sue"), ("i", "will", "sue")]),
        ("{a {b|c}|d}", [("a", "b"), ("a", "c"), ("d",)]),
    ],
)
def test_the_phrase_notation(phrase: str, expected: list[tuple[str, ...]]) -> None:
    assert expand(phrase) == expected


@pytest.mark.parametrize("phrase", ["{a|b", "a}", "x{a|b}", "{}", "a-b", "{" * 3])
def test_bad_phrases_fail_loudly(phrase: str) -> None:
    with pytest.raises(PhraseError):
        expand(phrase)
