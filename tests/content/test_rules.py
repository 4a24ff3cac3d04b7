from __future__ import annotations

import pytest

from huntaze_ai.content import rules


def test_instagram_captions_get_5_to_10_clean_hashtags() -> None:
    _, tags = rules.apply(
        "instagram", "Sunset shoot", ["#Beach", "beach", "#sun set!"], "golden hour beach photos"
    )
    assert 5 <= len(tags) <= 10
    assert tags[:2] == ["Beach", "sunset"]
    assert len({t.lower() for t in tags}) == len(tags)
    many = [f"tag{i}" for i in range(30)]
    assert len(rules.apply("instagram", "x", many, "")[1]) == 10


def test_x_captions_fit_280_characters_including_hashtags() -> None:
    text, tags = rules.apply("x", "word " * 100, ["a1", "b2", "c3", "d4"], "")
    assert 1 <= len(tags) <= 3
    rendered = text + " " + " ".join(f"#{t}" for t in tags)
    assert len(rendered) <= 280
    assert text.endswith("…")


@pytest.mark.parametrize(("platform", "low", "high"), [("tiktok", 3, 5), ("onlyfans", 0, 3)])
def test_hashtag_counts_follow_each_platform(platform: str, low: int, high: int) -> None:
    _, none_given = rules.apply(platform, "hi", [], "morning yoga routine stretching")
    _, too_many = rules.apply(platform, "hi", [f"t{i}x" for i in range(20)], "")
    assert low <= len(none_given) <= high
    assert len(too_many) == high
