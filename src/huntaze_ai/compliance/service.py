"""`check_message`: the one compliance guard (DESIGN §2.1), for drafted and hand-written messages.

Verdicts, strongest first: `escalate` (a person must answer: a refund, a legal or police threat,
a minor, self-harm — in the fan's message or in the text), `block` (the text must not be sent),
`ok`. `reasons` lists every finding, whatever the verdict, so a chatter can fix everything at
once; each names its rule, says why, cites the policy clause and points at where it matched.

The rules are the platform's pack (`rules/<platform>.toml`, see `rules.py`) plus, when given, the
creator's own word list (`custom`). Only escalation rules are applied to the fan's message: the
fan may well write "whatsapp"; it is what the creator sends that must stay on the platform.

Pure CPU, no I/O: well under a millisecond for a draft (bench/compliance_guard.py).
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from huntaze_ai.compliance.lexicon import MAX_JOINED_CHARS, Shapes
from huntaze_ai.compliance.matching import Finding, Matcher, Rule, RuleVerdict
from huntaze_ai.compliance.normalize import Normalized, normalize, normalize_mapped
from huntaze_ai.compliance.rules import RulePack, load_pack

Verdict = Literal["ok", "block", "escalate"]
Where = Literal["message", "fan_message", "upsell"]

MAX_MESSAGE_LENGTH = 1000  # the packs' cap; each pack states its own
_EXCERPT_CHARS = 80


@dataclass(frozen=True)
class ComplianceReason:
    """One finding. `code` is the kind integrators switch on (forbidden_word, phone_number,
    email_address, external_link, handle, cashtag, crypto_address, escalation_trigger,
    custom_word, too_long, empty); `rule` names the rule; `start`/`end` are offsets in the text
    it was found in (`where`), `excerpt` that text."""

    code: str
    detail: str
    rule: str = ""
    category: str = ""
    verdict: RuleVerdict = "block"
    why: str = ""
    clause: str = ""
    where: Where = "message"
    start: int | None = None
    end: int | None = None
    excerpt: str = ""


@dataclass(frozen=True)
class ComplianceResult:
    verdict: Verdict
    reasons: tuple[ComplianceReason, ...]
    rules_version: str = ""

    @property
    def sendable(self) -> bool:
        return self.verdict == "ok"


def verdict_of(reasons: Iterable[ComplianceReason]) -> Verdict:
    verdicts = {r.verdict for r in reasons}
    if "escalate" in verdicts:
        return "escalate"
    return "block" if verdicts else "ok"


def _detail(finding: Finding, excerpt: str, where: Where) -> str:
    if finding.rule.detector:
        text = f"{finding.found} ('{excerpt}')"
    elif finding.disguised and excerpt.lower() != finding.found:
        text = f"'{finding.found}' (written '{excerpt}')"
    else:
        text = f"'{finding.found}'"
    if where == "fan_message":
        return f"{text} in the fan's message"
    return f"{text} in the upsell" if where == "upsell" else text


def _reason(norm: Normalized, finding: Finding, where: Where) -> ComplianceReason:
    start, end = norm.source_span(finding.start, finding.end)
    excerpt = " ".join(norm.source[start:end].split())[:_EXCERPT_CHARS]
    rule = finding.rule
    return ComplianceReason(
        code=rule.code,
        detail=_detail(finding, excerpt, where),
        rule=rule.id,
        category=rule.category,
        verdict=rule.verdict,
        why=rule.why,
        clause=rule.clause,
        where=where,
        start=start,
        end=end,
        excerpt=excerpt,
    )


def _find(text: str, matchers: Iterable[Matcher], where: Where) -> list[ComplianceReason]:
    norm = normalize_mapped(text)
    shapes = Shapes.of(norm.text)  # the tokens, looked at once for every matcher
    findings = [f for m in matchers if m for f in m.find(norm, shapes)]
    findings.sort(key=lambda f: (f.start, -f.end))
    return [_reason(norm, f, where) for f in findings]


def _format_reasons(text: str, pack: RulePack, max_length: int) -> list[ComplianceReason]:
    clause = pack.policies["message_format"]
    if not text.strip():
        why = "There is nothing to send."
        return [
            ComplianceReason(
                "empty", "the message is empty", "format.empty", "format", "block", why, clause
            )
        ]
    if len(text) > max_length:
        why = f"Messages on {pack.name} are at most {max_length} characters here."
        detail = f"{len(text)} characters; the limit is {max_length}"
        reason = ComplianceReason(
            "too_long", detail, "format.too_long", "format", "block", why, clause
        )
        return [dataclasses.replace(reason, start=max_length, end=len(text))]
    return []


def check_message(
    text: str,
    *,
    platform: str | None = None,
    fan_message: str | None = None,
    custom: CustomMatcher | None = None,
    max_length: int | None = None,
    where: Where = "message",
    incoming: ComplianceResult | None = None,
) -> ComplianceResult:
    """The verdict on `text` (a message to a fan) given the fan's message it answers, if any.
    `incoming` is `check_fan_message` of that message with the same rules, when the caller
    already has it (a reply checks the fan's message before the model call): not searched twice."""
    pack = load_pack(platform)
    escalations = [pack.escalations, *([custom.escalations] if custom else [])]
    reasons: list[ComplianceReason] = []
    if fan_message is not None and fan_message != text:
        if incoming is not None and incoming.rules_version == pack.version:
            reasons += incoming.reasons
        else:
            reasons += _find(fan_message, escalations, "fan_message")
    reasons += _format_reasons(text, pack, max_length or pack.max_length)
    if text.strip():
        reasons += _find(text, [pack.matcher, *([custom] if custom else [])], where)
    unique = tuple(dict.fromkeys(reasons))
    return ComplianceResult(verdict_of(unique), unique, pack.version)


def check_fan_message(
    fan_message: str, *, platform: str | None = None, custom: CustomMatcher | None = None
) -> ComplianceResult:
    """Only what makes a fan's message a person's job (the escalation rules): `escalate` or
    `ok`. Everything else a fan may write; it is the reply that must stay within the rules."""
    pack = load_pack(platform)
    escalations = [pack.escalations, *([custom.escalations] if custom else [])]
    reasons = tuple(dict.fromkeys(_find(fan_message, escalations, "fan_message")))
    return ComplianceResult(verdict_of(reasons), reasons, pack.version)


# --- the creator's own word list -----------------------------------------------------------------

_WORDS = re.compile(r"[a-z0-9@$]+")
_UNTOKENIZED = re.compile(r"[2689]")  # digits the tokenizer treats as separators
_MAX_JOINED_WORDS = 16


class PhraseInvalid(ValueError):
    pass


def phrase_words(phrase: str) -> tuple[str, ...]:
    """The words a list entry is matched as: folded like any text, apostrophes dropped."""
    words = tuple(_WORDS.findall(normalize(phrase).replace("'", "")))
    if not words:
        raise PhraseInvalid("has no letters or digits to match")
    return words


@dataclass(frozen=True)
class CustomWord:
    id: int
    phrase: str
    verdict: RuleVerdict
    source: str = "creator"  # whose list: the creator's (an agency's list, later, is another)


def _custom_rule(word: CustomWord) -> Rule:
    words = phrase_words(word.phrase)
    why = (
        "On your own list: a person must answer."
        if word.verdict == "escalate"
        else "On your own list of words not to send."
    )
    common = {
        "id": f"custom.{word.id}",
        "category": "custom",
        "verdict": word.verdict,
        "why": why,
        "clause": f"The {word.source}'s word list",
        "code": "custom_word",
    }
    literal = any(_UNTOKENIZED.search(w) for w in words) or (
        len("".join(words)) > MAX_JOINED_CHARS or len(words) > _MAX_JOINED_WORDS
    )
    if literal:
        # "18+" or "69" are not words to the tokenizer, and a long phrase is longer than the
        # joins look: matched literally instead, spacing and punctuation aside.
        pattern = r"(?<![a-z0-9])" + r"[\W_]*".join(re.escape(w) for w in words) + r"(?![a-z0-9])"
        return Rule(**common, patterns=(pattern,))  # type: ignore[arg-type]
    return Rule(**common, terms=(" ".join(words),))  # type: ignore[arg-type]


class CustomMatcher(Matcher):
    @functools.cached_property
    def escalations(self) -> Matcher:
        return Matcher(tuple(r for r in self.rules if r.verdict == "escalate"))


def check_with_words(
    text: str,
    *,
    platform: str | None = None,
    fan_message: str | None = None,
    words: tuple[CustomWord, ...] = (),
) -> ComplianceResult:
    """`check_message` with a creator's word list given as data: what the guard process runs
    (the words pickle cheaply; their compiled matcher is cached in that process)."""
    custom = custom_matcher(words)
    return check_message(text, platform=platform, fan_message=fan_message, custom=custom)


def custom_matcher(words: tuple[CustomWord, ...]) -> CustomMatcher | None:
    """A creator's list compiled once per distinct list: keyed by its content, so an edit makes
    a new key and the next check sees it."""
    # Keyed by plain tuples, not the CustomWords: each request reads the list into new objects,
    # and hashing and comparing a thousand dataclasses runs their Python __hash__ and __eq__
    # (tenths of a millisecond per lookup); tuples of strings and ints are hashed in C.
    return _compiled(tuple((w.id, w.phrase, w.verdict, w.source) for w in words))


@functools.lru_cache(maxsize=256)
def _compiled(key: tuple[tuple[int, str, RuleVerdict, str], ...]) -> CustomMatcher | None:
    words = [CustomWord(*fields) for fields in key]
    return CustomMatcher(tuple(_custom_rule(w) for w in words)) if words else None
