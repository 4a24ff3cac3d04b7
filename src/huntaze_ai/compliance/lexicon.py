"""Find words and phrases through disguised spellings without flagging ordinary words.

Words are compared on a *skeleton*: `normalize`d text where the letters a disguise can stand in
for are one letter (`@`/`4`→a, `3`→e, `1`/`l`/`|`/`!`→i, `0`→o, `5`/`$`→s, `7`→t). So "TeIegram"
(capital I for l), "te1egram", "7elegr@m" and "telegram" have one skeleton. Then:

- **whole tokens**: "meet" matches `meet`, `MEET`, `m33t`, `meeeet`, `meets`, but not `meeting`;
  "signal" does not match `significant`. Repeated letters are allowed within a token
  (`whaaatsapp`), never fewer than the word has (`met` is not `meet`).
- **phrases and split words**: a phrase ("call me at") or a word split by spaces, dots, dashes or
  zero-width characters (`w h a t s a p p`, `t.e.l.e.g.r.a.m`, `whats app`) is found by joining
  up to a few neighbouring tokens separated by short gaps. Joined words must spell the entry
  exactly ("sign all" is not "signal"); only letter-by-letter spellings may repeat letters.
- **inside tokens**, for entries no ordinary word contains (whatsapp, refund, …): `mywhatsapp`,
  `whatsapp123`, `nonrefundable`.
- **disguised only**, for words that are innocent written plainly and a tell when disguised:
  "phone" in "plays well on your phone" is fine, `ph0ne` and `p h o n e` are not.

Matching is a dictionary lookup per token and per short window of tokens, so its cost grows with
the text, not with the number of entries.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from huntaze_ai.compliance.normalize import LETTER, Normalized, Tokens, tokenize
from huntaze_ai.compliance.phrases import expand

# Replaced pair by pair, not with str.translate: translate looks every character up in a dict
# unless the text is ASCII (one emoji is enough), ten times slower on a chat message than these
# replaces, which scan in C and return the text itself when a character is absent. No letter a
# disguise stands for is a disguise itself, so the order does not matter.
_SKELETON = (
    ("@", "a"), ("4", "a"), ("3", "e"), ("1", "i"), ("l", "i"), ("|", "i"), ("!", "i"),
    ("0", "o"), ("5", "s"), ("$", "s"), ("7", "t"),
)  # fmt: skip
_REPEATS = re.compile(r"(.)\1+", re.DOTALL)
_RUNS = re.compile(r"(.)\1*", re.DOTALL)
_STRAY = "0123456789@$|!"

# Bounds that keep matching linear: no entry is longer than this, and a spelling split over more
# tokens than this is not something a reader would recognise either.
MAX_JOINED_CHARS = 48
_MAX_WINDOW_TOKENS = 24
_MAX_GAP_CHARS = 3  # "t . e" has a three-character gap; a sentence break is longer or has "\n"
_MAX_SPLIT_REPEATS = 3  # "w h a a a t s a p p" still counts
MAX_HITS_PER_KEY = 20


def skeleton(text: str) -> str:
    for disguise, letter in _SKELETON:
        text = text.replace(disguise, letter)
    return text


def _collapse(text: str) -> str:
    # A function, not the template r"\1": Python 3.11 expands a template in Python per match.
    return _REPEATS.sub(_first_char, text)


def _first_char(m: re.Match[str]) -> str:
    return m[1]


# Chat repeats its words from message to message ("you", "babe", "so"): a token's skeleton and
# collapsed skeleton are worked out once. Bounded in entries and in length (a hostile text's
# tokens are long and all new).
_SHAPE_CACHE_ENTRIES = 16_384
_SHAPE_CACHE_CHARS = MAX_JOINED_CHARS


@functools.lru_cache(maxsize=_SHAPE_CACHE_ENTRIES)
def _cached_shape(token: str) -> tuple[str, str]:
    skel = skeleton(token)
    return skel, _collapse(skel)


def _shape(token: str) -> tuple[str, str]:
    """(skeleton, collapsed skeleton) of a token."""
    if len(token) <= _SHAPE_CACHE_CHARS:
        return _cached_shape(token)
    skel = skeleton(token)
    return skel, _collapse(skel)


def _join(collapsed: str, col: str) -> str:
    """Two collapsed skeletons joined as one word: a letter at the seam collapses too."""
    return collapsed + col[1:] if collapsed[-1] == col[0] else collapsed + col


def _counts(text: str) -> tuple[int, ...]:
    return tuple(len(m.group()) for m in _RUNS.finditer(text))


def _trie(words: Iterable[str]) -> str:
    """One regular expression for many literal words, as a trie: each position of the text is
    tried against one character class, not against every word in turn."""
    root: dict[str, dict[str, Any]] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict[str, dict[str, Any]]) -> str:
        branches = [re.escape(c) + build(child) for c, child in sorted(node.items()) if c]
        if not branches:
            return ""
        body = "(?:" + "|".join(branches) + ")" if len(branches) > 1 or "" in node else branches[0]
        return body + "?" if "" in node else body

    return build(root)


class Mode(StrEnum):
    WORD = "word"  # whole tokens or joined tokens; the last word may take a plural "s"
    EXACT = "exact"  # the same, without the plural
    INSIDE = "inside"  # also inside longer tokens
    DISGUISED = "disguised"  # whole tokens, reported only when not written plainly


# An entry: (key, term, mode, counts, plain). A plain tuple of strings and ints, not an object: a
# pack holds tens of thousands, and the garbage collector stops tracking such tuples, so a full
# collection does not walk them (with objects here it took about 30 ms, stalling a request).
#   key    the caller's name for what the entry belongs to (a rule id)
#   term   the plain spelling, for people
#   mode   a Mode's value
#   counts how many times each letter of the collapsed skeleton repeats
#   plain  the ways of writing it that are not a disguise
Entry = tuple[str, str, str, tuple[int, ...], tuple[str, str]]
_KEY: Final = 0
_TERM: Final = 1
_MODE: Final = 2
_COUNTS: Final = 3
_PLAIN: Final = 4


@dataclass(frozen=True)
class Hit:
    key: str
    term: str
    start: int  # in the normalized text
    end: int
    disguised: bool


@dataclass(frozen=True)
class Shapes:
    """A text's tokens as every lexicon compares them: worked out once per text, since a check
    runs several lexicons over it (the pack's and the creator's list)."""

    tokens: Tokens
    skeletons: list[str]
    collapsed: list[str]
    joinable: list[bool]  # token j may be joined to token j-1 (a short gap, no line break)

    @classmethod
    def of(cls, text: str) -> Shapes:
        """The shapes of a `normalize`d text's tokens."""
        tokens = tokenize(text)
        shapes = [_shape(t) for t in tokens.texts]
        joinable = [False] + [
            start - end <= _MAX_GAP_CHARS and "\n" not in text[end:start]
            for end, start in zip(tokens.ends, tokens.starts[1:], strict=False)
        ]
        return cls(tokens, [skel for skel, _ in shapes], [col for _, col in shapes], joinable)


def _spellings(words: tuple[str, ...], mode: Mode) -> list[str]:
    compact = "".join(words)
    if mode in (Mode.WORD, Mode.DISGUISED) and not compact.endswith("s"):
        return [compact, compact + "s"]
    return [compact]


class Lexicon:
    def __init__(self, entries: Iterable[tuple[str, str, Mode]]) -> None:
        """`entries`: (key, phrase in the notation of `phrases.py`, mode)."""
        by_collapsed: dict[str, list[Entry]] = {}
        self._prefixes: set[str] = set()
        inside: dict[str, tuple[str, str]] = {}
        for key, phrase, mode in entries:
            for words in expand(phrase):
                term = " ".join(words)
                plain = (term, term + "s")
                for spelling in _spellings(words, mode):
                    if len(spelling) > MAX_JOINED_CHARS:
                        raise ValueError(f"{phrase!r} is longer than {MAX_JOINED_CHARS} letters")
                    skel = skeleton(spelling)
                    collapsed = _collapse(skel)
                    entry: Entry = (key, term, mode.value, _counts(skel), plain)
                    by_collapsed.setdefault(collapsed, []).append(entry)
                    self._prefixes.update(collapsed[:n] for n in range(1, len(collapsed) + 1))
                    if mode is Mode.INSIDE:
                        inside.setdefault(collapsed, (key, term))
        self._by_collapsed: dict[str, tuple[Entry, ...]] = {
            k: tuple(v) for k, v in by_collapsed.items()
        }
        self._inside_terms = inside
        self._inside = re.compile(_trie(inside)) if inside else None
        # Every entry, for words spelled out letter by letter inside a run of single letters.
        self._spelled = re.compile(f"(?=({_trie(self._by_collapsed)}))")

    def __bool__(self) -> bool:
        return bool(self._by_collapsed)

    def find(self, norm: Normalized, shapes: Shapes) -> list[Hit]:
        """Every occurrence of every entry (up to MAX_HITS_PER_KEY per key), in text order.
        `shapes`: of `norm.text`'s tokens."""
        found: list[Hit] = []
        if not self._by_collapsed:
            return found
        per_key: dict[str, int] = {}
        tokens = shapes.tokens
        texts, starts, ends, spelled = tokens.texts, tokens.starts, tokens.ends, tokens.spelled
        skeletons, collapsed, joinable = shapes.skeletons, shapes.collapsed, shapes.joinable
        prefixes, entries = self._prefixes, self._by_collapsed
        count = len(texts)
        for i, token in enumerate(texts):
            col = collapsed[i]
            if spelled[i]:
                found.extend(self._spelled_hits(norm, starts[i], ends[i], skeletons[i], per_key))
            # Most tokens start no phrase (not even joined to the next one) and are no entry:
            # they are passed over here, before any call or dictionary.
            joins = (
                i + 1 < count
                and joinable[i + 1]
                and col in prefixes
                and _join(col, collapsed[i + 1]) in prefixes
            )
            word = col in entries or token[0] in _STRAY or token[-1] in _STRAY
            if not (joins or word):
                continue
            # A phrase starting here and the word here can both matter: "meet my new kitten" is
            # an exception (one key) to the word "meet" (another key).
            hits = self._joined(norm, shapes, i) if joins else {}
            if word:
                whole = self._whole_token(
                    norm, token, starts[i], ends[i], skeletons[i], col, spelled[i]
                )
                if whole is not None and whole.key not in hits:
                    hits[whole.key] = whole
            for hit in hits.values():
                if per_key.get(hit.key, 0) < MAX_HITS_PER_KEY:
                    per_key[hit.key] = per_key.get(hit.key, 0) + 1
                    found.append(hit)
        if self._inside is not None:
            taken = {(h.key, h.start) for h in found}
            found.extend(
                h for h in self._inside_hits(norm, per_key) if (h.key, h.start) not in taken
            )
        found.sort(key=lambda h: (h.start, -h.end))
        return found

    @staticmethod
    def _fits(entry: Entry, counts: tuple[int, ...], loose: bool) -> bool:
        wanted = entry[_COUNTS]
        return wanted == counts or (
            loose and all(c >= e for c, e in zip(counts, wanted, strict=True))
        )

    def _entries(self, collapsed: str, counts: tuple[int, ...], loose: bool) -> Entry | None:
        for entry in self._by_collapsed.get(collapsed, ()):
            if self._fits(entry, counts, loose):
                return entry
        return None

    def _hit(self, norm: Normalized, entry: Entry, start: int, end: int) -> Hit | None:
        first, last = norm.source_span(start, end)
        written = " ".join(norm.source[first:last].lower().split())
        disguised = written not in entry[_PLAIN]
        if entry[_MODE] == Mode.DISGUISED and not disguised:
            return None
        return Hit(entry[_KEY], entry[_TERM], start, end, disguised)

    def _whole_token(
        self,
        norm: Normalized,
        token: str,
        token_start: int,
        token_end: int,
        skel: str,
        col: str,
        spelled: bool,
    ) -> Hit | None:
        if col in self._by_collapsed and (entry := self._entries(col, _counts(skel), True)):
            return self._hit(norm, entry, token_start, token_end)
        if spelled:  # its letters are not where its text says: no stray-stripping offsets
            return None
        # Stray digits or leet symbols around a word ("phone1", "3meet") do not make it another
        # word; stripping them may also strip a leet letter ("$ignal"), hence the second try.
        stripped = token.strip(_STRAY)
        if stripped and stripped != token:
            skel = skeleton(stripped)
            col = _collapse(skel)
            if col in self._by_collapsed and (entry := self._entries(col, _counts(skel), True)):
                start = token_start + token.index(stripped)
                return self._hit(norm, entry, start, start + len(stripped))
        return None

    def _joined(self, norm: Normalized, shapes: Shapes, first: int) -> dict[str, Hit]:
        """The longest phrase of each key that starts at token `first` and spans several."""
        skeletons, collapsed, joinable = shapes.skeletons, shapes.collapsed, shapes.joinable
        starts, ends = shapes.tokens.starts, shapes.tokens.ends
        best: dict[str, Hit] = {}
        joined_col = collapsed[first]
        joined = skeletons[first]
        letter_by_letter = len(joined) == 1
        last = min(len(skeletons), first + _MAX_WINDOW_TOKENS)
        prefixes = self._prefixes
        repeats = 0
        for j in range(first + 1, last):
            if not joinable[j]:
                break
            col = collapsed[j]
            # "1 1 1 1 …": a letter repeated token after token spells nothing new.
            repeats = repeats + 1 if col == joined_col[-1] else 0
            if repeats > _MAX_SPLIT_REPEATS:
                break
            joined_col = _join(joined_col, col)
            joined += skeletons[j]
            if len(joined) > MAX_JOINED_CHARS or joined_col not in prefixes:
                break
            letter_by_letter = letter_by_letter and len(skeletons[j]) == 1
            if joined_col not in self._by_collapsed:
                continue
            counts = _counts(joined)
            for entry in self._by_collapsed[joined_col]:
                if not self._fits(entry, counts, letter_by_letter):
                    continue
                # A word that is only wrong disguised is disguised when spelled letter by letter
                # ("p h o n e"), not when written with a hyphen ("e-mail").
                if entry[_MODE] == Mode.DISGUISED and not letter_by_letter:
                    continue
                # Keep extending: "w h a t s a p" already spells a variant, the finding should
                # show the whole "w h a t s a p p".
                if hit := self._hit(norm, entry, starts[first], ends[j]):
                    best[entry[_KEY]] = hit
        return best

    def _spelled_hits(
        self, norm: Normalized, token_start: int, token_end: int, skel: str, per_key: dict[str, int]
    ) -> list[Hit]:
        """Entries spelled letter by letter inside a run of single letters ("a w h a t s a p p
        m e"), found by one search of the run's collapsed skeleton; repeats allowed."""
        found: list[Hit] = []
        starts = [r.start() for r in _RUNS.finditer(skel)]
        collapsed = _collapse(skel)
        letters: list[int] | None = None  # where each letter is in the text
        for m in self._spelled.finditer(collapsed):
            first, last = m.start(1), m.end(1)
            if first == 0 and last == len(collapsed):
                continue  # the whole run: already looked up as one token
            stop = starts[last] if last < len(starts) else len(skel)
            entry = self._entries(m.group(1), _counts(skel[starts[first] : stop]), True)
            if entry is None or per_key.get(entry[_KEY], 0) >= MAX_HITS_PER_KEY:
                continue
            if letters is None:
                letters = [m.start() for m in LETTER.finditer(norm.text, token_start, token_end)]
            hit = self._hit(norm, entry, letters[starts[first]], letters[stop - 1] + 1)
            if hit is not None:
                per_key[entry[_KEY]] = per_key.get(entry[_KEY], 0) + 1
                found.append(hit)
        return found

    def _inside_hits(self, norm: Normalized, per_key: dict[str, int]) -> list[Hit]:
        """Entries inside words, searched on the collapsed skeleton of the whole text: entries
        are letters only, so a match never crosses a token boundary, and without repeated
        letters the search never backtracks ("aaaa…" costs one pass)."""
        assert self._inside is not None
        found: list[Hit] = []
        skel = skeleton(norm.text)
        collapsed = _collapse(skel)
        runs: list[int] | None = None  # where each collapsed letter starts in the text
        for m in self._inside.finditer(collapsed):
            key, term = self._inside_terms[m.group()]
            if per_key.get(key, 0) >= MAX_HITS_PER_KEY:
                continue
            per_key[key] = per_key.get(key, 0) + 1
            if runs is None:
                runs = [r.start() for r in _RUNS.finditer(skel)]
            start = runs[m.start()]
            end = runs[m.end()] if m.end() < len(runs) else len(skel)
            first, last = norm.source_span(start, end)
            disguised = norm.source[first:last].lower() != term
            found.append(Hit(key, term, start, end, disguised))
        return found
