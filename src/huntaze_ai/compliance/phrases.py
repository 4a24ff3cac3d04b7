"""The phrase notation of the rule packs: words separated by spaces, `{a|b c|}` for alternatives
(an empty one makes the group optional).

    "{call|text|ring} me {at|on}"   → call me at, call me on, text me at, …
    "meet {|up} in person"           → meet in person, meet up in person

Each expansion is a list of words; apostrophes are dropped ("i'll" → "ill") because the tokenizer
splits on them and the matcher joins tokens back without them.
"""

from __future__ import annotations

import itertools
import re

MAX_EXPANSIONS = 2048  # per phrase: a typo in a pack should fail loudly, not build a huge table
_WORD = re.compile(r"[a-z0-9@$]+")


class PhraseError(ValueError):
    pass


def _split_top_level(text: str, separator: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for char in text:
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                raise PhraseError(f"unbalanced '}}' in {text!r}")
        if char == separator and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    if depth != 0:
        raise PhraseError(f"unbalanced '{{' in {text!r}")
    parts.append("".join(current))
    return parts


def _expand(text: str) -> list[list[str]]:
    """Every word sequence `text` stands for."""
    pieces: list[list[list[str]]] = []
    for piece in _split_top_level(text.strip(), " "):
        if not piece:
            continue
        if piece.startswith("{") and piece.endswith("}"):
            options: list[list[str]] = []
            for option in _split_top_level(piece[1:-1], "|"):
                options.extend(_expand(option) if option.strip() else [[]])
            pieces.append(options)
        elif "{" in piece or "}" in piece:
            raise PhraseError(f"a group must stand alone between spaces: {piece!r} in {text!r}")
        else:
            pieces.append([[piece]])
    expansions: list[list[str]] = []
    for combination in itertools.product(*pieces):
        expansions.append([word for part in combination for word in part])
        if len(expansions) > MAX_EXPANSIONS:
            raise PhraseError(f"{text!r} stands for more than {MAX_EXPANSIONS} phrases")
    return expansions


def expand(phrase: str) -> list[tuple[str, ...]]:
    """The distinct word sequences of `phrase`, lower-case, apostrophes dropped."""
    out: dict[tuple[str, ...], None] = {}
    for words in _expand(phrase.lower()):
        cleaned = tuple(w.replace("'", "").replace("’", "") for w in words)
        cleaned = tuple(w for w in cleaned if w)
        if not cleaned:
            continue
        for word in cleaned:
            if not _WORD.fullmatch(word):
                raise PhraseError(f"{word!r} in {phrase!r}: words are letters and digits only")
        out[cleaned] = None
    if not out:
        raise PhraseError(f"{phrase!r} stands for no words")
    return list(out)
