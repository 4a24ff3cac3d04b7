"""`check_message`: the one compliance guard (DESIGN §2.1), for drafted and hand-written messages.

Verdicts, strongest first: `escalate` (a refund, chargeback or legal/police matter, in the fan's
message or in the text: a human must answer), `block` (the text must not be sent as is), `ok`.
`reasons` lists every finding, whatever the verdict, so a chatter can fix everything at once.

Matching decisions (see `lexicon.py` for how disguised spellings are found):
- forbidden words match whole words: "meet" blocks "let's meet", "m33t" and "meets", but not
  "meeting"; "signal" does not block "significant"; "phone" also blocks "telephone" and "iphone"
  (listed prefixes) but not "headphones" or "saxophone".
- the greeting "nice to meet you" (and its usual variants) at the end of a sentence is allowed;
  "nice to meet you at my place" is not.
- only escalation triggers are looked for in the fan's message: the fan may well write "whatsapp";
  it is what the creator sends that must stay on the platform.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from huntaze_ai.compliance.contacts import find_emails, find_links, find_phone_numbers
from huntaze_ai.compliance.lexicon import ESCALATION_TERMS, FORBIDDEN_TERMS, Lexicon, lexicon_for
from huntaze_ai.compliance.normalize import normalize, tokenize

Verdict = Literal["ok", "block", "escalate"]

MAX_MESSAGE_LENGTH = 1000
DEFAULT_FORBIDDEN_WORDS: tuple[str, ...] = ("whatsapp", "phone", "meet", "telegram", "signal")
DEFAULT_ESCALATION_WORDS: tuple[str, ...] = ("refund", "chargeback", "legal", "lawyer", "police")

# A polite greeting, not an invitation: only when the sentence ends right after it.
_GREETING = re.compile(
    r"\b(?:(?:it'?s|so|really|very|such)\s+)*(?:nice|pleased|great|glad|lovely|good|a\s+pleasure)"
    r"\s+to\s+meet\s+you(?:\s+(?:too|as\s+well))?(?=\s*(?:[^\w\s]|$))"
)


@dataclass(frozen=True)
class ComplianceReason:
    """`code` is one of: empty, too_long, forbidden_word, phone_number, email_address,
    external_link, escalation_trigger. `detail` says what was found, for a human."""

    code: str
    detail: str


@dataclass(frozen=True)
class ComplianceResult:
    verdict: Verdict
    reasons: tuple[ComplianceReason, ...]


@functools.lru_cache(maxsize=32)
def _forbidden_lexicon(words: tuple[str, ...]) -> Lexicon:
    return lexicon_for(words, FORBIDDEN_TERMS)


@functools.lru_cache(maxsize=8)
def _escalation_lexicon(words: tuple[str, ...]) -> Lexicon:
    return lexicon_for(words, ESCALATION_TERMS)


def _spelled(word: str, written: str) -> str:
    return f"'{word}'" if written == word else f"'{word}' (written '{written[:60]}')"


def _escalations(text: str, lexicon: Lexicon, where: str) -> list[ComplianceReason]:
    normalized = normalize(text)
    return [
        ComplianceReason("escalation_trigger", f"{_spelled(word, written)} in {where}")
        for word, written in lexicon.find(normalized, tokenize(normalized)).items()
    ]


def _violations(text: str, lexicon: Lexicon, max_length: int) -> list[ComplianceReason]:
    reasons: list[ComplianceReason] = []
    if len(text) > max_length:
        reasons.append(
            ComplianceReason("too_long", f"{len(text)} characters; the limit is {max_length}")
        )
    normalized = normalize(text)
    for kind, link in find_links(normalized):
        reasons.append(ComplianceReason("external_link", f"{kind} '{link[:80]}'"))
    for email in find_emails(normalized):
        reasons.append(ComplianceReason("email_address", f"'{email[:80]}'"))
    for number in find_phone_numbers(normalized):
        reasons.append(ComplianceReason("phone_number", f"a phone number ('{number[:40]}')"))
    # Blank the greeting out (same length, so token positions stay meaningful).
    scanned = _GREETING.sub(lambda m: " " * len(m.group()), normalized)
    for word, written in lexicon.find(scanned, tokenize(scanned)).items():
        reasons.append(ComplianceReason("forbidden_word", _spelled(word, written)))
    return reasons


def check_message(
    text: str,
    *,
    platform: str | None = None,
    fan_message: str | None = None,
    max_length: int = MAX_MESSAGE_LENGTH,
    forbidden_words: Iterable[str] = DEFAULT_FORBIDDEN_WORDS,
    escalation_words: Iterable[str] = DEFAULT_ESCALATION_WORDS,
) -> ComplianceResult:
    """The verdict on `text` (a message to a fan) given the fan's message it answers, if any.

    `platform` is accepted so rules can differ per platform; today every platform has the same
    rules and the same length cap (`max_length`).
    """
    escalation = _escalation_lexicon(tuple(escalation_words))
    reasons: list[ComplianceReason] = []
    if fan_message is not None and fan_message != text:
        reasons += _escalations(fan_message, escalation, "the fan's message")
    if not text.strip():
        reasons.append(ComplianceReason("empty", "the message is empty"))
    else:
        reasons += _escalations(text, escalation, "the message")
        reasons += _violations(text, _forbidden_lexicon(tuple(forbidden_words)), max_length)
    unique = tuple(dict.fromkeys(reasons))
    verdict: Verdict = "ok"
    if any(r.code == "escalation_trigger" for r in unique):
        verdict = "escalate"
    elif unique:
        verdict = "block"
    return ComplianceResult(verdict, unique)
