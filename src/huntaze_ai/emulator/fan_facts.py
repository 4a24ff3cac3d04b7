"""The notes a model would propose from a fan's message: facts the fan states about themselves
(a hobby, a birthday, a pet, a job, what they like or want avoided), each in a category of the
messaging agent's schema, with a confidence that says how plainly it was said. A plain "my
birthday is May 3" is near certain; "I like hiking" less so; a mood is passing, so it stays
below what the app saves without a person.

Phrases about the creator ("I love your content") are not facts about the fan.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

MAX_FACTS = 3

_END = r"(?=[.,!?;:\n]| and | but | so | because |$)"
_ABOUT_CREATOR = re.compile(
    r"^(?:you|your|u|ur|it|this|that|these|those|the way|how|when|what|seeing|watching|"
    r"talking|chatting|her|him|them|when you)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Fact:
    category: str
    text: str
    confidence: float


def _clean(value: str) -> str:
    return " ".join(value.strip(" '\"").split())[:60]


def _named(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


Rule = tuple[re.Pattern[str], str, Callable[[re.Match[str]], str | None], float]

_RULES: tuple[Rule, ...] = (
    (
        _named(rf"\b(?:please )?(?:don'?t|do not|never) call me (?P<v>[^.,!?\n]{{2,30}}?){_END}"),
        "important",
        lambda m: f"Does not want to be called {_clean(m['v'])}",
        0.93,
    ),
    (
        _named(
            rf"\b(?:please )?(?:don'?t|do not|never) (?:send|show) me "
            rf"(?P<v>[^.,!?\n]{{2,40}}?){_END}"
        ),
        "important",
        lambda m: f"Does not want to be sent {_clean(m['v'])}",
        0.91,
    ),
    (
        _named(rf"\bi'?m allergic to (?P<v>[^.,!?\n]{{2,30}}?){_END}"),
        "important",
        lambda m: f"Allergic to {_clean(m['v'])}",
        0.9,
    ),
    (
        _named(rf"\bmy (?:birthday|bday|b-day) is (?:on )?(?P<v>[^.,!?\n]{{3,30}}?){_END}"),
        "personal",
        lambda m: f"Birthday is {_clean(m['v'])}",
        0.93,
    ),
    (
        _named(r"\b(?:it'?s|today is|today'?s) my (?:birthday|bday|b-day)\b"),
        "personal",
        lambda m: "Mentioned it was their birthday",
        0.86,
    ),
    (
        _named(rf"\bmy (?:hobby is|hobbies are) (?P<v>[^.,!?\n]{{2,40}}?){_END}"),
        "interests",
        lambda m: f"Hobbies: {_clean(m['v'])}",
        0.9,
    ),
    (
        _named(rf"\bi'?m (?:really |so |super )?into (?P<v>[^.,!?\n]{{2,40}}?){_END}"),
        "interests",
        lambda m: _unless_creator(m["v"], "Enjoys {}"),
        0.86,
    ),
    (
        _named(rf"\bi (?:really |absolutely )?(?:love|enjoy) (?P<v>[^.,!?\n]{{2,40}}?){_END}"),
        "interests",
        lambda m: _unless_creator(m["v"], "Enjoys {}"),
        0.84,
    ),
    (
        _named(rf"\bi (?:really )?like (?P<v>[^.,!?\n]{{2,40}}?){_END}"),
        "interests",
        lambda m: _unless_creator(m["v"], "Likes {}"),
        0.72,
    ),
    (
        _named(rf"\bi play (?P<v>[^.,!?\n]{{2,30}}?){_END}"),
        "interests",
        lambda m: f"Plays {_clean(m['v'])}",
        0.87,
    ),
    (
        _named(rf"\bi (?:work as|am working as) (?P<v>an? [^.,!?\n]{{2,30}}?){_END}"),
        "personal",
        lambda m: f"Works as {_clean(m['v'])}",
        0.9,
    ),
    (
        _named(r"\bmy (?P<pet>dog|cat|puppy|kitten|parrot|horse|bunny|rabbit)\b(?: is)?"
               r"(?: (?:named|called) (?P<name>[A-Z][a-z]+))?"),
        "personal",
        lambda m: f"Has a {m['pet'].lower()}" + (f" named {m['name']}" if m["name"] else ""),
        0.87,
    ),
    (
        _named(rf"\bi live in (?P<v>[A-Za-z][\w .'-]{{1,30}}?){_END}"),
        "personal",
        lambda m: f"Lives in {_clean(m['v'])}",
        0.88,
    ),
    (
        _named(rf"\bmy fav(?:ou?rite)? (?P<k>\w+(?: \w+)?) is (?P<v>[^.,!?\n]{{2,30}}?){_END}"),
        "preferences",
        lambda m: f"Favourite {m['k'].lower()}: {_clean(m['v'])}",
        0.9,
    ),
    (
        _named(rf"\bi prefer (?P<v>[^.,!?\n]{{3,40}}?){_END}"),
        "preferences",
        lambda m: f"Prefers {_clean(m['v'])}",
        0.84,
    ),
    (
        # Case matters here: "call me Sam" names them, "call me later" does not.
        re.compile(r"(?<!n't )(?<!not )\b(?i:please )?(?i:call me) (?P<v>[A-Z][a-z]{1,20})\b"),
        "communication_style",
        lambda m: f"Likes to be called {m['v']}",
        0.88,
    ),
    (
        _named(r"\bjust (?:bought|unlocked|tipped|purchased)\b"),
        "purchase_behavior",
        lambda m: "Buys pay-per-view content",
        0.76,
    ),
    (
        _named(r"\b(?:how much|what'?s the price|price for|cost)\b"),
        "purchase_behavior",
        lambda m: "Asks about prices before buying",
        0.62,
    ),
    (
        _named(r"\b(?:bad|rough|long|hard) (?:day|week)\b|\bstressed\b|\blonely\b|\bsad\b"),
        "emotional_state",
        lambda m: f"Was feeling down ({m.group(0).lower()})",
        0.64,
    ),
)  # fmt: skip


_WHEN_TAIL = re.compile(
    r"\s+(?:lately|recently|these days|right now|a lot|so much)$", re.IGNORECASE
)


def _unless_creator(value: str, form: str) -> str | None:
    value = _WHEN_TAIL.sub("", _clean(value))
    return None if _ABOUT_CREATOR.match(value) else form.format(value)


def facts_in(message: str, known: Iterable[str], rng: random.Random) -> list[Fact]:
    """At most MAX_FACTS, surest first; none the fan already has in `known` ("category: text")."""
    seen = {k.split(": ", 1)[-1].casefold() for k in known}
    found: list[Fact] = []
    taken: list[tuple[int, int]] = []
    for pattern, category, phrase, confidence in _RULES:
        for match in pattern.finditer(message):
            start, end = match.span()
            if any(start < e and s < end for s, e in taken):
                continue  # one stretch of the message, one fact ("don't call me" is not "call me")
            text = phrase(match)
            if text is None or text.casefold() in seen:
                continue
            taken.append((start, end))
            seen.add(text.casefold())
            jitter = rng.uniform(-0.02, 0.02)
            found.append(Fact(category, text, round(min(0.99, max(0.05, confidence + jitter)), 2)))
    return sorted(found, key=lambda f: -f.confidence)[:MAX_FACTS]
