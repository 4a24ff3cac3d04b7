"""Rules for text that comes from clients, applied where it enters (the request schemas).

- No string anywhere in a request may hold NUL: PostgreSQL text cannot store it (a query with one
  fails) while SQLite stores it, so the same input would behave differently per database, and
  a NUL cut short by C code downstream is a classic way to smuggle text past a check. Every
  request body model derives from `RequestModel`, which refuses it in every string field,
  nested ones included; form fields use `PlainText`.
- Names and other display fields (`DisplayName`) also refuse control characters and invisible
  format characters: bidi overrides (U+202E turns "gpj.exe" into "exe.jpg" on screen),
  zero-width characters, line separators, private-use and filler characters. Free text (a fan
  message, a description) keeps them: emoji sequences are joined by U+200D.
- Text that must say something (a reply to send, a reason, a note) must hold a visible
  character (`is_blank`, `refuse_blank`): one made of invisible characters alone shows as empty
  as one of spaces, so `.strip()` is not enough.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, field_validator

# Categories that render as nothing, move text around, or break lines: Cc control, Cf format
# (bidi controls, zero-width, soft hyphen, BOM), Zl/Zp separators, Co private use, Cs surrogates.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cs"})
# Letters by category, blank on screen: Hangul fillers, the braille blank, Mongolian vowel
# separator.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")


def refuse_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _invisible(char: str) -> bool:
    return char in _BLANK_LETTERS or unicodedata.category(char) in _INVISIBLE_CATEGORIES


def is_blank(value: str) -> bool:
    """Nothing a reader would see: only whitespace and invisible characters."""
    return all(char.isspace() or _invisible(char) for char in value)


def refuse_blank(value: str) -> str:
    if is_blank(value):
        raise ValueError("must contain a visible character")
    return value


def refuse_invisible(value: str) -> str:
    refuse_nul(value)  # the same words for NUL wherever it is refused
    for char in value:
        if _invisible(char):
            raise ValueError(
                "must not contain control or invisible formatting characters "
                f"(found U+{ord(char):04X})"
            )
    return value


PlainText = Annotated[str, AfterValidator(refuse_nul)]
DisplayName = Annotated[str, AfterValidator(refuse_invisible)]


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _strings(item)


class RequestModel(BaseModel):
    """The base of every request body: no NUL in any string field, at any depth (nested models
    derive from it too; lists and dicts of strings are walked)."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        for text in _strings(value):
            refuse_nul(text)
        return value
