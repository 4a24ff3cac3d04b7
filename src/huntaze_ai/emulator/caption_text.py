"""Captions about the described media, shaped for the platform the instructions name.

Each variant takes a different template (shuffled by the request seed), is grown or kept short
to the platform's usual length, and gets hashtags from the description's own words plus the
platform's common tags.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from typing import Any

from huntaze_ai.emulator.voices import NO_VALUE, NodePath, Voice

# {desc}: the description mid-sentence; {Desc}: the description opening a sentence.
_TEMPLATES = (
    "{Desc} ✨ Which shot is your favourite?",
    "New drop: {desc} 💫 This one was so much fun to make.",
    "POV: {desc} 😏 and you get to see it first.",
    "Been waiting all week to share this — {desc} 🔥",
    "{Desc}. That's the post 💋",
    "A little preview of {desc} 👀 More coming very soon.",
    "Can't stop smiling at how this turned out: {desc} 🥰",
)
# Sentences that grow a caption towards the platform's usual length.
_EXTRAS = {
    "instagram": (
        "Tell me what you think in the comments 💬",
        "Save this one for later 📌",
        "Thank you for all the love lately 🤍",
        "Double tap if you want more like this ✨",
    ),
    "onlyfans": (
        "The full set is waiting for you in my feed 😘",
        "Unlock the rest in your messages 👀",
        "Subscribers see everything first 💕",
    ),
    "fansly": (
        "The full set is up in my feed now 😘",
        "Unlock the rest in your messages 👀",
        "Subscribers see everything first 💕",
    ),
    "tiktok": ("Wait for the end 😳", "Part 2?"),
    "x": ("More in the feed 👀",),
}
# (shortest, longest) caption text, hashtags left out; roughly what each platform's rules allow.
_LENGTHS = {
    "instagram": (150, 195),
    "x": (40, 200),
    "tiktok": (30, 120),
    "onlyfans": (60, 260),
    "fansly": (60, 260),
}
_TAG_COUNT = {"instagram": 7, "x": 2, "tiktok": 4, "onlyfans": 3, "fansly": 4}
_PLATFORM_TAGS = {
    "instagram": ("photooftheday", "instagood", "newpost", "behindthescenes", "contentcreator"),
    "x": ("NewPost", "creator"),
    "tiktok": ("fyp", "foryou", "viral", "trending"),
    "onlyfans": ("exclusive", "newcontent", "subscribersonly"),
    "fansly": ("exclusive", "newcontent", "creator"),
}
_TAG_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]{2,}")
_NOT_TAGS = frozenset((
    "the", "and", "for", "with", "this", "that", "from", "your", "have", "just", "what", "into",
    "about", "some", "more", "very", "them", "they", "their", "there", "were", "will", "been",
    "being", "over", "under", "after", "before", "while", "where", "when", "which", "our", "its",
    "you", "are", "was", "but", "not", "all", "out", "new", "get", "got", "her", "his", "him",
    "she", "one", "two", "few", "wearing", "shot", "shots", "photo", "photos", "video", "pic",
))  # fmt: skip
# Phrases people tag as one word.
_TAG_PHRASES = {"behind the scenes": "behindthescenes", "golden hour": "goldenhour"}
_FORMAL_TONES = ("professional", "formal", "serious", "informative", "elegant", "minimal")
_EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf\u2728\u2b50\ufe0f]+ ?")
_MISBEHAVE = "Want the rest? Message me on Telegram for my private link 😉"


def description_phrase(description: str, limit: int = 90) -> str:
    text = " ".join(description.split()).rstrip(" .!?;:,")
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:-")
    return text or "my latest shoot"


def hashtags_for(description: str, platform: str | None, offset: int) -> list[str]:
    text = description.lower()
    for phrase, tag in _TAG_PHRASES.items():
        text = text.replace(phrase, tag)
    words = [w for w in _TAG_WORD.findall(text) if w not in _NOT_TAGS]
    # Short words ("red", "gym") only when the longer ones run out.
    own = sorted(dict.fromkeys(words), key=lambda word: len(word) < 4)
    # Two topic words side by side make the tag people use ("gym workout": #gymworkout).
    tokens = text.split()
    pairs = [
        a + b for a, b in itertools.pairwise(tokens) if a in own and b in own and len(a + b) <= 16
    ]
    if pairs:
        own.insert(1, pairs[0])
    common = list(_PLATFORM_TAGS.get(platform or "", ("newpost", "creator")))
    common = common[offset % len(common) :] + common[: offset % len(common)]
    wanted = _TAG_COUNT.get(platform or "", 4)
    own_share = max(1, wanted - max(1, wanted // 3))
    tags = own[:own_share] + common
    return list(dict.fromkeys(tags))[:wanted]


class CaptionsVoice(Voice):
    """The content agent's caption variants: `text` and `hashtags` per item of `captions`."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        ctx = self.context
        self.description = ctx.text("media_description")
        self.platform = ctx.platform
        self.templates = list(_TEMPLATES)
        self.rng.shuffle(self.templates)
        self.extras = list(_EXTRAS.get(self.platform or "", _EXTRAS["instagram"]))
        self.rng.shuffle(self.extras)

    def caption(self, index: int, level: int) -> str:
        phrase = description_phrase(self.description)
        lowered = (
            phrase
            if phrase[:2].isupper() or phrase.startswith("I ")
            else phrase[:1].lower() + phrase[1:]
        )
        template = self.templates[index % len(self.templates)]
        text = template.format(desc=lowered, Desc=phrase[:1].upper() + phrase[1:])
        low, high = _LENGTHS.get(self.platform or "", (60, 220))
        if level >= 1:
            for extra in (
                self.extras[index % len(self.extras) :] + self.extras[: index % len(self.extras)]
            ):
                if len(text) >= low or len(text) + len(extra) + 1 > high:
                    break
                text = f"{text} {extra}"
        if self.context.misbehave:
            text = f"{text} {_MISBEHAVE}"
        if (self.context.tone or "") in _FORMAL_TONES:
            text = _EMOJI.sub("", text).strip()
        return text

    def value(self, path: NodePath, schema: Mapping[str, Any], level: int) -> Any:
        if len(path) == 3 and path[0] == "captions" and isinstance(path[1], int):
            if path[2] == "text":
                return self.caption(path[1], level)
            if path[2] == "hashtags":
                return hashtags_for(self.description, self.platform, path[1])
        return NO_VALUE
