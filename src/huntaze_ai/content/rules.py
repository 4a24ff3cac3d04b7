"""Platform caption rules (DESIGN §2.1, from the origin app), applied after generation so a caption
we return always respects them whatever the model wrote."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class CaptionRules:
    min_chars: int
    max_chars: int  # for X this includes the hashtags, as the platform counts them
    min_hashtags: int
    max_hashtags: int
    hashtags_count_in_length: bool
    guidance: str


RULES: dict[str, CaptionRules] = {
    "instagram": CaptionRules(150, 200, 5, 10, False, "150-200 characters, 5-10 hashtags"),
    "x": CaptionRules(1, 280, 1, 3, True, "at most 280 characters including 1-3 hashtags"),
    "tiktok": CaptionRules(1, 150, 3, 5, False, "short and punchy, 3-5 hashtags"),
    "onlyfans": CaptionRules(
        1, 300, 0, 3, False, "enticing and teasing but never explicit, at most 3 hashtags"
    ),
    "fansly": CaptionRules(
        1, 300, 0, 5, False, "enticing and teasing but never explicit, at most 5 hashtags"
    ),
}

_GENERIC_TAGS = {
    "instagram": ["instadaily", "contentcreator", "newpost", "behindthescenes", "photooftheday"],
    "x": ["newpost", "creator", "exclusive"],
    "tiktok": ["fyp", "foryou", "creator", "viral", "trending"],
    "onlyfans": ["exclusive", "newcontent", "linkinbio"],
    "fansly": ["exclusive", "newcontent", "creator"],
}
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]{3,}")
_STOPWORDS = {"with", "this", "that", "from", "your", "have", "just", "what", "into", "about"}


def keywords(text: str) -> list[str]:
    seen: dict[str, None] = {}
    for word in _WORD.findall(text):
        lower = word.lower()
        if lower not in _STOPWORDS:
            seen.setdefault(lower)
    return list(seen)


def normalise_hashtags(raw: list[str]) -> list[str]:
    tags: dict[str, str] = {}
    for item in raw:
        tag = re.sub(r"[^A-Za-z0-9_]", "", item.lstrip("#"))
        if tag and not tag.isdigit():
            tags.setdefault(tag.lower(), tag)
    return list(tags.values())


def apply(platform: str, text: str, hashtags: list[str], description: str) -> tuple[str, list[str]]:
    """Caption text and hashtags (without '#') that satisfy the platform's rules."""
    rules = RULES[platform]
    tags = normalise_hashtags(hashtags)[: rules.max_hashtags]
    for extra in keywords(description) + _GENERIC_TAGS[platform]:
        if len(tags) >= rules.min_hashtags:
            break
        if extra.lower() not in {t.lower() for t in tags}:
            tags.append(extra)
    text = " ".join(text.split())
    budget = rules.max_chars
    if rules.hashtags_count_in_length:
        budget -= sum(len(t) + 2 for t in tags)  # "#tag" plus a separating space
    if len(text) > budget:
        cut = text[: max(budget - 1, 0)].rsplit(" ", 1)[0]
        text = cut.rstrip(",;:-") + "…"
    return text, tags


def counted_length(platform: str, text: str, hashtags: list[str]) -> int:
    """The caption's length as the platform counts it against `max_chars` (hashtags, written
    `#tag`, included where they count)."""
    if not RULES[platform].hashtags_count_in_length:
        return len(text)
    return len(post_text(text, hashtags))


def post_text(text: str, hashtags: list[str]) -> str:
    """The caption as it is posted: the text, then its hashtags (each already `#tag`)."""
    return " ".join([text, *hashtags]) if hashtags else text
