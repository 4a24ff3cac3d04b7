"""Undo the disguises people use to slip words past a filter, before any rule looks at the text.

`normalize` folds compatibility forms (NFKC: fullwidth, ligatures, mathematical letters, circled
and squared letters), case, accents, invisible characters, emoji letters (regional indicators,
negative squared and circled letters) and look-alike letters from other scripts onto plain
lower-case Latin. Leetspeak is deliberately *not* undone here: `1` can stand for `i` or `l`, so
`lexicon.py` compares words on a skeleton where both are the same letter instead of guessing.

`normalize_mapped` does the same one source character at a time and remembers where each folded
character came from, so a finding in the folded text can point at the text the chatter wrote.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

# Characters that render as nothing (or as a blank) but are not Unicode format characters, so the
# category test below would keep them: Hangul fillers, the braille blank, Mongolian vowel separator.
_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")

# A small confusables map: the letters from other scripts (and Latin small capitals) that look like
# Latin ones and survive NFKC. Unicode's full confusables table is thousands of entries; these are
# the ones seen in practice in filter evasion.
_CONFUSABLES: dict[str, str] = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "e", "з": "3", "к": "k", "м": "m", "н": "h",
    "о": "o", "п": "n", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s",
    "і": "i", "ї": "i", "ј": "j", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ɡ": "g",
    "ӏ": "l", "ԍ": "g", "ь": "b", "г": "r", "д": "d", "л": "n", "ц": "u", "ш": "w",
    # Greek
    "α": "a", "β": "b", "γ": "y", "ε": "e", "η": "n", "ι": "i", "κ": "k", "μ": "u",
    "ν": "v", "ο": "o", "ρ": "p", "σ": "o", "τ": "t", "υ": "u", "χ": "x", "ω": "w",
    "ς": "c", "ϲ": "c", "ϳ": "j", "δ": "d", "λ": "a", "π": "n",
    # Latin letters without a decomposition
    "ı": "i", "ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ŧ": "t", "ſ": "s", "ƚ": "l",
    "ɑ": "a", "ɩ": "i", "ɵ": "o", "ʋ": "u",
    # Latin small capitals
    "ᴀ": "a", "ʙ": "b", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ɢ": "g", "ʜ": "h", "ɪ": "i",
    "ᴊ": "j", "ᴋ": "k", "ʟ": "l", "ᴍ": "m", "ɴ": "n", "ᴏ": "o", "ᴘ": "p", "ʀ": "r",
    "ꜱ": "s", "ᴛ": "t", "ᴜ": "u", "ᴠ": "v", "ᴡ": "w", "ʏ": "y", "ᴢ": "z",
    # Dots that are not full stops: "t․me", "site。com"
    "․": ".", "。": ".", "｡": ".", "·": ".", "•": ".",
    # Dashes: "555−201−8890" is a phone number with a minus sign for a hyphen
    "−": "-", "–": "-", "—": "-", "‐": "-", "‑": "-", "‒": "-", "﹣": "-", "－": "-",
    # Apostrophes: "I’m" is "i'm" to every rule that reads contractions
    "’": "'", "‘": "'", "ʼ": "'",
}  # fmt: skip

# Cherokee and Armenian letters that pass for Latin ones ("Ꮃhatsapp"), in every case form.
for _char, _latin in {
    "Ꭺ": "a", "Ᏼ": "b", "Ꮯ": "c", "Ꭰ": "d", "Ꭼ": "e", "Ꮐ": "g", "Ꮋ": "h", "Ꭻ": "j", "Ꮶ": "k",
    "Ꮮ": "l", "Ꮇ": "m", "Ꮲ": "p", "Ꮪ": "s", "Ꭲ": "t", "Ꮩ": "v", "Ꮃ": "w", "Ꮓ": "z",
    "օ": "o", "ս": "u", "ց": "g", "հ": "h", "ո": "n", "ռ": "n", "ք": "p", "զ": "q",
}.items():  # fmt: skip
    for _form in {_char, _char.lower(), _char.casefold(), _char.upper()}:
        _CONFUSABLES.setdefault(_form, _latin)

# Emoji letters have no compatibility decomposition: 🇦 (regional indicators), 🅰 (negative
# squared), 🅐 (negative circled). Each block is the alphabet in order.
_EMOJI_ALPHABETS = (0x1F1E6, 0x1F170, 0x1F150)
for _first in _EMOJI_ALPHABETS:
    for _offset in range(26):
        _CONFUSABLES[chr(_first + _offset)] = chr(ord("a") + _offset)

_TRANSLATION = str.maketrans(_CONFUSABLES)

# Dropped after decomposition: combining marks (accents, variation selectors, the strike-through
# and underline overlays, the keycap) and format characters (zero-width space/joiners, soft
# hyphen, BOM, bidirectional controls).
_DROPPED_CATEGORIES = frozenset({"Mn", "Me", "Cf"})


@functools.lru_cache(maxsize=8192)
def _fold(char: str) -> str:
    """One source character, folded (possibly to nothing, possibly to several characters)."""
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", char).casefold())
    kept: list[str] = []
    for c in folded:
        if c in _INVISIBLE or unicodedata.category(c) in _DROPPED_CATEGORIES:
            continue
        if not c.isascii() and c.isdecimal():  # Arabic-Indic, Devanagari, … digits
            kept.append(str(unicodedata.decimal(c)))
            continue
        kept.append(c)
    return "".join(kept).translate(_TRANSLATION)


def normalize(text: str) -> str:
    """Plain lower-case text with every disguise above removed; digits become ASCII digits."""
    if text.isascii():
        return text.lower()
    return "".join(_fold(c) for c in text)


@dataclass(frozen=True)
class Normalized:
    """Folded text and, for each of its characters, the index of the source character it came
    from (`origin` is None when the two line up one to one, as for ASCII text)."""

    source: str
    text: str
    origin: tuple[int, ...] | None

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the source text that the folded span [start, end) was made from."""
        if self.origin is None:
            return start, end
        if start >= len(self.origin):
            return len(self.source), len(self.source)
        first = self.origin[start]
        last = self.origin[max(end - 1, start)] + 1
        return first, max(last, first)


# Runs of ASCII characters, and runs of others. ASCII folds to itself lower-cased, one character
# for one (no ASCII character is a confusable, invisible or dropped), so a chat message with a
# few emoji is folded run by run; only the other characters are folded one at a time.
_ASCII_RUNS = re.compile(r"([\x00-\x7f]+)|[^\x00-\x7f]+")


def normalize_mapped(text: str) -> Normalized:
    if text.isascii():
        return Normalized(text, text.lower(), None)
    parts: list[str] = []
    origin: list[int] = []
    for run in _ASCII_RUNS.finditer(text):
        if run.lastindex:  # ASCII
            parts.append(run.group().lower())
            origin.extend(range(run.start(), run.end()))
            continue
        for index, char in enumerate(run.group(), run.start()):
            folded = _fold(char)
            parts.append(folded)
            origin.extend([index] * len(folded))
    return Normalized(text, "".join(parts), tuple(origin))


@dataclass(frozen=True)
class Tokens:
    """The words of a text as parallel lists, not one object per word: a 10,000-character text
    has thousands, and objects that live through a check make the garbage collector run full
    collections (milliseconds each); strings and ints are not tracked at all."""

    texts: list[str]
    starts: list[int]  # in the normalized text
    ends: list[int]
    spelled: list[bool]  # letters spelled out one by one, joined: "w h a t s" is "whats"

    def __len__(self) -> int:
        return len(self.texts)


# A token is a run of letters, leet digits and the leet symbols @ $ | !. The digits that stand for
# no letter (2, 6, 8, 9) separate tokens, so "meet2nite" still shows the word "meet"; "!" counts
# only inside a word ("d!scord").
_CHAR = r"(?:[^\W_2689]|[@$|])"
_WORD = rf"(?:{_CHAR}|!(?=[^\W_]))+"
# Three or more single letters with short gaps between them ("w h a t s a p p", "t.e.l.e",
# "1 1 1 1 …") are one token: a text spaced out letter by letter is then a few tokens, not
# thousands.
_SPELLED = rf"(?<!{_CHAR}){_CHAR}(?:(?:(?!{_CHAR})[^\n!]){{1,3}}{_CHAR}){{2,}}(?!{_CHAR})"
_TOKENS = re.compile(rf"(?P<spelled>{_SPELLED})|{_WORD}")
LETTER = re.compile(_CHAR)
_NOT_LETTER = re.compile(rf"(?!{_CHAR}).", re.DOTALL)


def tokenize(normalized: str) -> Tokens:
    tokens = Tokens([], [], [], [])
    for m in _TOKENS.finditer(normalized):
        spelled = m.lastgroup is not None
        tokens.texts.append(_NOT_LETTER.sub("", m.group()) if spelled else m.group())
        tokens.starts.append(m.start())
        tokens.ends.append(m.end())
        tokens.spelled.append(spelled)
    return tokens
