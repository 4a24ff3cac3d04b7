"""A set of rules compiled once into what finds them: one `Lexicon` for every word and phrase of
every rule (and their exceptions), the rules' regular expressions, and the detectors they name.

`Matcher.find` returns `Finding`s in text order, at most one per rule and term (the first), after
dropping those inside one of the rule's `allow` phrases ("nice to meet you" is a greeting).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from huntaze_ai.compliance.contacts import DETECTORS
from huntaze_ai.compliance.lexicon import Lexicon, Mode, Shapes
from huntaze_ai.compliance.normalize import Normalized

RuleVerdict = Literal["block", "escalate"]


@dataclass(frozen=True)
class Rule:
    """One rule of a pack (or of a creator's word list). `why` says in plain words what is wrong;
    `clause` names the policy it enforces. The matchers: `terms` (whole words and phrases),
    `inside` (also inside longer words), `disguised` (only when disguised), `patterns` (regular
    expressions on the normalized text), `detector` (one of contacts.DETECTORS); `allow` phrases
    are exceptions."""

    id: str
    category: str
    verdict: RuleVerdict
    why: str
    clause: str
    code: str
    terms: tuple[str, ...] = ()
    inside: tuple[str, ...] = ()
    disguised: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    detector: str | None = None
    allow: tuple[str, ...] = ()


@dataclass(frozen=True)
class Finding:
    rule: Rule
    start: int  # in the normalized text
    end: int
    found: str  # the term, or what a detector or pattern found ("a phone number")
    disguised: bool


_ALLOW = "allow:"
_MAX_PATTERN_HITS = 10  # per pattern: a few more than an exception could hide


@dataclass
class Matcher:
    rules: tuple[Rule, ...]
    _lexicon: Lexicon = field(init=False)
    _patterns: list[tuple[Rule, re.Pattern[str]]] = field(init=False)
    _any_pattern: re.Pattern[str] | None = field(init=False)
    _detectors: list[Rule] = field(init=False)
    _by_id: dict[str, Rule] = field(init=False)

    def __post_init__(self) -> None:
        self._by_id = {r.id: r for r in self.rules}
        entries: list[tuple[str, str, Mode]] = []
        for rule in self.rules:
            # Inside-word entries first: of two spellings found at one place, the finding names
            # the first ("whatsapp" rather than "whats app").
            entries += [(rule.id, t, Mode.INSIDE) for t in rule.inside]
            entries += [(rule.id, t, Mode.WORD) for t in rule.terms]
            entries += [(rule.id, t, Mode.DISGUISED) for t in rule.disguised]
            entries += [(_ALLOW + rule.id, t, Mode.EXACT) for t in rule.allow]
        self._lexicon = Lexicon(entries)
        self._patterns = [(r, re.compile(p)) for r in self.rules for p in r.patterns]
        self._any_pattern = _union([p for _, p in self._patterns])
        self._detectors = [r for r in self.rules if r.detector is not None]

    def __bool__(self) -> bool:
        return bool(self.rules)

    def find(self, norm: Normalized, shapes: Shapes) -> list[Finding]:
        findings: list[Finding] = []
        allowed: dict[str, list[tuple[int, int]]] = {}
        for hit in self._lexicon.find(norm, shapes):
            if hit.key.startswith(_ALLOW):
                allowed.setdefault(hit.key[len(_ALLOW) :], []).append((hit.start, hit.end))
            else:
                findings.append(
                    Finding(self._by_id[hit.key], hit.start, hit.end, hit.term, hit.disguised)
                )
        if self._any_pattern is None or self._any_pattern.search(norm.text):
            for rule, pattern in self._patterns:
                for m in itertools.islice(pattern.finditer(norm.text), _MAX_PATTERN_HITS):
                    findings.append(Finding(rule, m.start(), m.end(), _quote(m.group()), False))
        for rule in self._detectors:
            assert rule.detector is not None
            for span in DETECTORS[rule.detector](norm.text):
                findings.append(Finding(rule, span.start, span.end, span.label, False))
        return _first_of_each(_outside(findings, allowed))


def _union(patterns: list[re.Pattern[str]]) -> re.Pattern[str] | None:
    """One expression that matches somewhere exactly when one of `patterns` does: most texts
    match none of a pack's patterns, and one search costs about a third of one per pattern (a
    pack's start with a word boundary and an alternation, which the engine cannot skip ahead
    to). None when that cannot be had: a single pattern, or one with groups (a back-reference
    would point at another pattern's group) or global flags (allowed only at the start)."""
    if len(patterns) < 2 or any(p.groups or p.flags & ~re.UNICODE for p in patterns):
        return None
    try:
        return re.compile("|".join(f"(?:{p.pattern})" for p in patterns))
    except re.error:
        return None


def _quote(text: str) -> str:
    return " ".join(text.split())[:60]


def _outside(
    findings: Iterable[Finding], allowed: dict[str, list[tuple[int, int]]]
) -> list[Finding]:
    return [
        f
        for f in findings
        if not any(s <= f.start and f.end <= e for s, e in allowed.get(f.rule.id, ()))
    ]


def _first_of_each(findings: list[Finding]) -> list[Finding]:
    """The first finding of each rule and term in text order; detectors keep every distinct
    finding (two phone numbers are two things to remove)."""
    seen: set[tuple[str, str]] = set()
    reach: dict[str, int] = {}  # how far the last kept finding of each rule goes
    out: list[Finding] = []
    for f in sorted(findings, key=lambda f: (f.start, -f.end)):
        key = (f.rule.id, f"{f.start}" if f.rule.detector else f.found)
        # "on s i g n a l" already says what "s i g n a l" inside it would say again.
        if key in seen or f.end <= reach.get(f.rule.id, -1):
            continue
        seen.add(key)
        reach[f.rule.id] = f.end
        out.append(f)
    return out
