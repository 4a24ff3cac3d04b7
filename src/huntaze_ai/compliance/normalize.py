"""Undo the disguises people use to slip words past a filter, before any rule looks at the text.

`normalize` folds compatibility forms (NFKC: fullwidth, ligatures, mathematical letters, circled
letters), case, accents, invisible characters and look-alike letters from other scripts onto plain
lower-case Latin. Leetspeak is deliberately *not* undone here: `1` can stand for `i` or `l`, so the
word patterns in `lexicon.py` accept either instead of guessing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Characters that render as nothing (or as a blank) but are not Unicode format characters, so the
# category test below would keep them: Hangul fillers, the braille blank, Mongolian vowel separator.
_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")

# A small confusables map: the letters from other scripts (and Latin small capitals) that look like
# Latin ones and survive NFKC. Unicode's full confusables table is thousands of entries; these are
# the ones seen in practice in filter evasion.
_CONFUSABLES = str.maketrans(
    {
        # Cyrillic
        "а": "a", "в": "b", "е": "e", "ё": "e", "з": "3", "к": "k", "м": "m", "н": "h",
        "о": "o", "п": "n", "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s",
        "і": "i", "ї": "i", "ј": "j", "ԁ": "d", "ԛ": "q", "ԝ": "w", "һ": "h", "ɡ": "g",
        # Greek
        "α": "a", "β": "b", "γ": "y", "ε": "e", "η": "n", "ι": "i", "κ": "k", "μ": "u",
        "ν": "v", "ο": "o", "ρ": "p", "σ": "o", "τ": "t", "υ": "u", "χ": "x", "ω": "w",
        # Latin letters without a decomposition
        "ı": "i", "ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ŧ": "t", "ſ": "s",
        # Latin small capitals
        "ᴀ": "a", "ʙ": "b", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ɢ": "g", "ʜ": "h", "ɪ": "i",
        "ᴊ": "j", "ᴋ": "k", "ʟ": "l", "ᴍ": "m", "ɴ": "n", "ᴏ": "o", "ᴘ": "p", "ʀ": "r",
        "ꜱ": "s", "ᴛ": "t", "ᴜ": "u", "ᴠ": "v", "ᴡ": "w", "ʏ": "y", "ᴢ": "z",
    }
)  # fmt: skip

# Dropped after decomposition: combining marks (accents, variation selectors, the strike-through
# and underline overlays) and format characters (zero-width space/joiners, soft hyphen, BOM,
# bidirectional controls).
_DROPPED_CATEGORIES = frozenset({"Mn", "Me", "Cf"})


def normalize(text: str) -> str:
    """Plain lower-case text with every disguise above removed; digits become ASCII digits."""
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    kept: list[str] = []
    for char in folded:
        if char in _INVISIBLE or unicodedata.category(char) in _DROPPED_CATEGORIES:
            continue
        if not char.isascii() and char.isdecimal():  # Arabic-Indic, Devanagari, … digits
            kept.append(str(unicodedata.decimal(char)))
            continue
        kept.append(char)
    return unicodedata.normalize("NFKC", "".join(kept).translate(_CONFUSABLES))


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int


# A token is a run of letters, leet digits and the leet symbols @ and $. The digits that stand for
# no letter (2, 6, 8, 9) separate tokens, so "meet2nite" still shows the word "meet".
_TOKEN = re.compile(r"(?:[^\W_2689]|[@$])+")


def tokenize(normalized: str) -> list[Token]:
    return [Token(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(normalized)]
