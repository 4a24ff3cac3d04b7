"""Plausible prose made of the prompt's own words, so answers look related to what was asked."""

from __future__ import annotations

import random
import re

_WORD = re.compile(r"[^\W\d_][\w'’-]*")
# fmt: off
# Words that carry no topic: sentences of them would read as if the prompt had been ignored.
_STOPWORDS = frozenset((
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "how",
    "i", "if", "in", "into", "is", "it", "its", "me", "my", "of", "on", "or", "our", "so", "that",
    "the", "their", "them", "then", "there", "these", "they", "this", "to", "was", "we", "were",
    "what", "when", "which", "who", "why", "will", "with", "you", "your", "please", "can",
    "could", "would", "should", "do", "does", "did", "not", "no", "yes",
    # JSON literals of the prompt's data block.
    "null", "true", "false", "none",
))
_GLUE = ("and", "with", "for", "the", "your", "about", "more", "this", "so", "really", "today")
_FALLBACK = [
    "fans", "content", "creator", "exclusive", "week", "update", "thanks", "love", "new", "post",
    "message", "subscribers", "engagement", "growth", "campaign", "caption", "story",
]
# Property names whose values are prose rather than a label.
_PROSE_KEYS = (
    "text", "reply", "message", "content", "description", "summary", "caption", "body",
    "explanation", "reason", "rationale", "insight", "analysis", "advice", "suggestion", "draft",
    "comment", "note", "detail",
)
_LABEL_KEYS = ("name", "title", "label", "tag", "category", "hashtag", "keyword", "topic", "type")
# fmt: on


def vocabulary(*texts: str) -> list[str]:
    """Distinct topic words of the first text that has some, in order of appearance."""
    for text in texts:
        seen: dict[str, None] = {}
        for match in _WORD.finditer(text):
            word = match.group(0).strip("'’-")
            # snake_case keys and UPPERCASE fence markers are the prompt's structure, not prose.
            if "_" in word or (word.isupper() and len(word) > 2):
                continue
            if len(word) > 1 and word.lower() not in _STOPWORDS:
                seen.setdefault(word.lower() if not word.isupper() else word, None)
        if len(seen) >= 3:
            return list(seen)
    return list(_FALLBACK)


class TextGenerator:
    def __init__(self, rng: random.Random, words: list[str]) -> None:
        self._rng = rng
        self._words = words or list(_FALLBACK)

    def word(self) -> str:
        return self._rng.choice(self._words)

    def phrase(self, low: int, high: int) -> str:
        words: list[str] = []
        for _ in range(self._rng.randint(low, high)):
            if words and self._rng.random() < 0.25:
                words.append(self._rng.choice(_GLUE))
            word = self.word()
            if words and word == words[-1] and len(self._words) > 1:
                word = self.word()  # "fans fans" reads as a glitch, not as prose
            words.append(word)
        return " ".join(words)

    def sentence(self, low: int = 6, high: int = 14) -> str:
        text = self.phrase(low, high)
        return text[:1].upper() + text[1:] + self._rng.choice((".", ".", ".", "!"))

    def paragraph(self, low: int, high: int) -> str:
        return " ".join(self.sentence() for _ in range(self._rng.randint(low, high)))

    def for_key(self, key: str | None, level: int) -> str:
        """A value that suits a property called `key`, shorter at lower `level`."""
        name = (key or "").lower()
        if level == 0:
            return self.word()
        if any(k in name for k in _LABEL_KEYS):
            return self.phrase(1, 3).title() if level == 2 else self.word().title()
        if any(k in name for k in _PROSE_KEYS):
            return self.paragraph(1, 3) if level == 2 else self.sentence(3, 6)
        return self.sentence(4, 10) if level == 2 else self.phrase(2, 4)

    def fit_length(self, text: str, min_length: int, max_length: int | None) -> str:
        while len(text) < min_length:
            text = f"{text} {self.word()}" if text else self.word()
        if max_length is not None and len(text) > max_length:
            cut = text[:max_length].rstrip()
            text = cut if len(cut) >= min_length else text[:max_length]
        return text
