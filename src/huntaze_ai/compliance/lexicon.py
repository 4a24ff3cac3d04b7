"""Word lists that see through disguised spellings without flagging ordinary words.

How a term matches (on `normalize`d text):

- **whole tokens**: "meet" matches `meet`, `MEET`, `m33t`, `meeeet`, `meets`, but not `meeting`;
  "signal" does not match `significant`. Allowed prefixes and suffixes widen a term where the
  longer word means the same thing ("phone": `telephone`, `iphone`, `phonenumber`).
- **inside tokens**, for distinctive terms no ordinary word contains (whatsapp, telegram, refund,
  …): `mywhatsapp`, `whatsapp123`, `nonrefundable`.
- **across separators**: a term split by spaces, dots, dashes or zero-width characters
  (`w h a t s a p p`, `t.e.l.e.g.r.a.m`, `whats app`, `what's app`) is found by joining up to a
  few neighbouring tokens separated by short gaps. Joined words must spell the term exactly
  ("sign all" is not "signal"); only letter-by-letter spellings may also repeat letters.

Every letter accepts its leetspeak digits (0→o 1→i/l 3→e 4→a 5→s 7→t @→a $→s) and, within one
token, any number of repeats (`whaaatsapp`).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from huntaze_ai.compliance.normalize import Token, normalize

LEET: dict[str, str] = {
    "a": "a4@", "e": "e3", "i": "i1", "l": "l1", "o": "o0", "s": "s5$", "t": "t7",
}  # fmt: skip

# Bounds that keep matching linear: no term with its affixes is longer than this, and a spelling
# split over more tokens than this is not something a reader would recognise either.
_MAX_JOINED_CHARS = 40
_MAX_WINDOW_TOKENS = 20
_MAX_GAP_CHARS = 3  # "t . e" has a three-character gap; a sentence break is longer or has "\n"
_MAX_TOKEN_CHARS = 200
_STRAY = "0123456789@$"


@dataclass(frozen=True)
class Term:
    name: str
    spellings: tuple[str, ...]
    prefixes: tuple[str, ...] = ()
    suffixes: tuple[str, ...] = ("s",)
    inside_words: bool = False


def _letters(word: str, *, loose: bool) -> str:
    """A regex for `word`: leet classes per letter; `loose` also accepts repeated letters."""
    parts: list[str] = []
    for char, run in itertools.groupby(word):
        count = len(list(run))
        options = LEET.get(char, char)
        klass = f"[{re.escape(options)}]" if len(options) > 1 else re.escape(options)
        if loose:
            parts.append(f"{klass}{{{count},}}")
        else:
            parts.append(klass if count == 1 else f"{klass}{{{count}}}")
    return "".join(parts)


def _alternatives(words: Iterable[str], *, loose: bool) -> str:
    return "|".join(_letters(w, loose=loose) for w in words)


def _token_pattern(term: Term, *, loose: bool) -> str:
    body = f"(?:{_alternatives(term.spellings, loose=loose)})"
    prefix = f"(?:{_alternatives(term.prefixes, loose=loose)})?" if term.prefixes else ""
    suffix = f"(?:{_alternatives(term.suffixes, loose=loose)})?" if term.suffixes else ""
    return f"{prefix}{body}{suffix}"


def _combined(patterns: Sequence[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?P<t{i}>{p})" for i, p in enumerate(patterns)))


def _edge_chars(terms: Iterable[Term], *, first: bool) -> frozenset[str]:
    """Every character a spelling of one of `terms` can start (or end) with."""
    chars: set[str] = set()
    for term in terms:
        words = [*term.spellings, *(term.prefixes if first else term.suffixes)]
        for word in words:
            chars.update(LEET.get(word[0] if first else word[-1], word[0] if first else word[-1]))
    return frozenset(chars)


def _plain_letters(term: Term) -> frozenset[str]:
    """Letters every spelling of `term` must show as themselves (they have no leet digit)."""
    sets = [frozenset(c for c in s if c not in LEET) for s in term.spellings]
    return frozenset.intersection(*sets) if sets else frozenset()


def term_for(word: str) -> Term | None:
    """A caller-supplied word: whole-token match, plural allowed; None if nothing is left of it."""
    spelling = re.sub(r"[\W_]", "", normalize(word))
    return Term(spelling, (spelling,)) if spelling else None


class Lexicon:
    def __init__(self, terms: Iterable[Term]) -> None:
        self.terms = tuple(terms)
        self._names = [t.name for t in self.terms]
        self._loose = _combined([_token_pattern(t, loose=True) for t in self.terms])
        self._strict = _combined([_token_pattern(t, loose=False) for t in self.terms])
        inside = [t for t in self.terms if t.inside_words]
        self._inside_names = [t.name for t in inside]
        self._inside = _combined([_alternatives(t.spellings, loose=True) for t in inside])
        # A cheap test before any regex: leet digits make patterns ambiguous ("1" is i or l), and
        # a window of digits would otherwise cost a backtracking search per window.
        self._plain = [_plain_letters(t) for t in self.terms]
        self._first_chars = _edge_chars(self.terms, first=True)
        self._last_chars = _edge_chars(self.terms, first=False)

    def _could_match(self, letters: set[str]) -> bool:
        return any(plain <= letters for plain in self._plain)

    def _match(self, pattern: re.Pattern[str], text: str, names: Sequence[str]) -> str | None:
        m = pattern.fullmatch(text)
        return names[int(m.lastgroup[1:])] if m and m.lastgroup else None

    def find(self, normalized: str, tokens: Sequence[Token]) -> dict[str, str]:
        """{term name: the normalised text that spelled it}, first occurrence of each term."""
        found: dict[str, str] = {}
        if not self.terms or not self._could_match(set(normalized)):
            return found
        for i, token in enumerate(tokens):
            self._find_in_token(token.text, found)
            self._find_split(normalized, tokens, i, found)
        return found

    def _find_in_token(self, text: str, found: dict[str, str]) -> None:
        if not self._could_match(set(text)):
            return
        if len(text) <= _MAX_TOKEN_CHARS:
            # Stray digits or leet symbols around a word ("phone1", "3meet") do not make it
            # another word; stripping them may also strip a leet letter ("$ignal"), so try both.
            for candidate in dict.fromkeys((text, text.strip(_STRAY))):
                if name := self._match(self._loose, candidate, self._names):
                    found.setdefault(name, text)
                    break
        if self._inside_names:
            # Overlapping chunks bound the backtracking of a search in a huge token.
            step = _MAX_TOKEN_CHARS - _MAX_JOINED_CHARS
            for start in range(0, max(len(text) - _MAX_JOINED_CHARS, 1), step):
                if m := self._inside.search(text, start, start + _MAX_TOKEN_CHARS):
                    assert m.lastgroup is not None
                    found.setdefault(self._inside_names[int(m.lastgroup[1:])], text)
                    break

    def _find_split(
        self, normalized: str, tokens: Sequence[Token], first: int, found: dict[str, str]
    ) -> None:
        joined = tokens[first].text
        if joined[0] not in self._first_chars:
            return
        letters = set(joined)
        letter_by_letter = len(joined) == 1
        last = min(len(tokens), first + _MAX_WINDOW_TOKENS)
        match: tuple[str, str] | None = None
        for j in range(first + 1, last):
            gap = normalized[tokens[j - 1].end : tokens[j].start]
            if len(gap) > _MAX_GAP_CHARS or "\n" in gap:
                break
            joined += tokens[j].text
            if len(joined) > _MAX_JOINED_CHARS:
                break
            letter_by_letter = letter_by_letter and len(tokens[j].text) == 1
            letters.update(tokens[j].text)
            if joined[-1] not in self._last_chars or not self._could_match(letters):
                continue
            pattern = self._loose if letter_by_letter else self._strict
            if name := self._match(pattern, joined, self._names):
                # Keep extending: "w h a t s a p" already spells a variant, the detail should
                # show the whole "w h a t s a p p".
                match = (name, normalized[tokens[first].start : tokens[j].end])
        if match is not None:
            found.setdefault(*match)


FORBIDDEN_TERMS: dict[str, Term] = {
    t.name: t
    for t in (
        Term(
            "whatsapp",
            ("whatsapp", "whatsap", "watsapp", "watsap", "whatapp"),
            inside_words=True,
        ),
        Term(
            "phone",
            ("phone", "fone"),
            prefixes=("tele", "i", "smart", "cell", "mobile"),
            suffixes=("s", "number", "numbers", "call", "calls"),
        ),
        Term("meet", ("meet",), suffixes=("s", "up", "ups")),
        Term("telegram", ("telegram",), inside_words=True),
        Term("signal", ("signal",)),
    )
}

ESCALATION_TERMS: dict[str, Term] = {
    t.name: t
    for t in (
        # Every word containing these is about the same thing ("nonrefundable", "illegal",
        # "policewoman"), so they match inside words.
        Term("refund", ("refund",), inside_words=True),
        Term("chargeback", ("chargeback",), inside_words=True),
        Term("legal", ("legal",), inside_words=True),
        Term("lawyer", ("lawyer",), inside_words=True),
        Term("police", ("police",), inside_words=True),
    )
}


def lexicon_for(words: Iterable[str], known: dict[str, Term]) -> Lexicon:
    """The known terms keep their tuned affixes; other words match as whole tokens."""
    terms: dict[str, Term] = {}
    for word in words:
        key = re.sub(r"[\W_]", "", normalize(word))
        term = known.get(key) or term_for(word)
        if term is not None:
            terms.setdefault(term.name, term)
    return Lexicon(terms.values())
