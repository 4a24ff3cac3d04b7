"""The creator's own word list: phrases to block or to escalate, added one at a time or imported
from a plain text file (one per line), deleted by id. The guard reads the list on every check,
so a change applies to the next one.

Entries are matched like the packs' words (disguises included); two phrases that match the same
way ("Snap", "S.N.A.P") are one entry.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from huntaze_ai.agencies.access import OverseersOnly
from huntaze_ai.compliance import repository
from huntaze_ai.compliance.lexicon import skeleton
from huntaze_ai.compliance.matching import RuleVerdict
from huntaze_ai.compliance.service import CustomWord, PhraseInvalid, phrase_words
from huntaze_ai.kit.errors import Conflict, InvalidRequest, NotFound
from huntaze_ai.models import ComplianceWord, User


class WordsOverseen(OverseersOnly):
    # A removed phrase lets through what it stopped: the list's own people decide that.
    default_message = (
        "Only the creator and the agency's owners and managers take phrases off the list"
    )


class WordInvalid(InvalidRequest):
    default_message = "Invalid word list entry"


class WordExists(Conflict):
    default_message = "That phrase is already on the list"


class WordNotFound(NotFound):
    default_message = "Word not found"


class WordListFull(InvalidRequest):
    default_message = "The word list is full"


MAX_PHRASE_CHARS = 200
MAX_WORDS = 1000  # per creator: every check compiles and scans the whole list
MAX_IMPORT_LINES = MAX_WORDS


def match_key(phrase: str, line: int | None = None) -> str:
    """The folded words `phrase` is matched as; WordInvalid (naming the line) when unusable."""
    where = f"line {line}: " if line is not None else ""
    details = {"line": line} if line is not None else {"fields": [{"field": "phrase"}]}
    stripped = phrase.strip()
    if not stripped:
        raise WordInvalid(f"{where}the phrase is empty", **details)
    if len(stripped) > MAX_PHRASE_CHARS:
        raise WordInvalid(
            f"{where}the phrase is {len(stripped)} characters; the limit is {MAX_PHRASE_CHARS}",
            **details,
        )
    if any(unicodedata.category(c) == "Cc" for c in stripped):
        raise WordInvalid(f"{where}the phrase contains control characters", **details)
    try:
        # Spacing and leetspeak aside: "Snap", "S N A P" and "sn4p" are matched alike, so
        # they are one entry.
        return skeleton("".join(phrase_words(stripped)))
    except PhraseInvalid as exc:
        raise WordInvalid(f"{where}the phrase {exc}", **details) from None


async def list_words(session: AsyncSession, creator_id: int) -> Sequence[ComplianceWord]:
    return await repository.words_of(session, creator_id)


async def _insert(
    session: AsyncSession, words: list[ComplianceWord], *, on_conflict: str
) -> list[ComplianceWord]:
    try:
        async with session.begin_nested():
            session.add_all(words)
            await session.flush()
    except IntegrityError:
        # Another request added the same phrase between our read and this insert.
        raise WordExists(on_conflict) from None
    return words


async def add_word(
    session: AsyncSession, creator: User, actor: User, phrase: str, verdict: RuleVerdict
) -> ComplianceWord:
    key = match_key(phrase)
    existing = await repository.keys_of(session, creator.id)
    if key in existing:
        raise WordExists(f"'{phrase.strip()}' is already on the list (or a spelling of it)")
    if len(existing) >= MAX_WORDS:
        raise WordListFull(f"The list holds at most {MAX_WORDS} phrases")
    word = ComplianceWord(
        creator_id=creator.id,
        phrase=phrase.strip(),
        match_key=key,
        verdict=verdict,
        created_by=actor.id,
    )
    (added,) = await _insert(session, [word], on_conflict="That phrase was just added")
    return added


@dataclass(frozen=True)
class ImportResult:
    added: list[ComplianceWord]
    skipped: int  # already on the list, or repeated in the file


def parse_import(text: str) -> list[tuple[int, str, str]]:
    """(line number, phrase, key) of each entry; blank lines and `#` comments are skipped. The
    first bad line is a WordInvalid naming it, so nothing is saved."""
    entries: list[tuple[int, str, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        entries.append((number, line, match_key(line, number)))
        if len(entries) > MAX_IMPORT_LINES:
            raise WordInvalid(f"line {number}: a file holds at most {MAX_IMPORT_LINES} phrases")
    return entries


async def import_words(
    session: AsyncSession, creator: User, actor: User, text: str, verdict: RuleVerdict
) -> ImportResult:
    entries = parse_import(text)
    existing = await repository.keys_of(session, creator.id)
    new: dict[str, str] = {}
    for _, phrase, key in entries:
        if key not in existing:
            new.setdefault(key, phrase)
    if len(existing) + len(new) > MAX_WORDS:
        raise WordListFull(
            f"The list holds at most {MAX_WORDS} phrases; it has {len(existing)} and the file "
            f"adds {len(new)}"
        )
    words = [
        ComplianceWord(
            creator_id=creator.id,
            phrase=phrase,
            match_key=key,
            verdict=verdict,
            created_by=actor.id,
        )
        for key, phrase in new.items()
    ]
    added = await _insert(session, words, on_conflict="The list changed during the import; retry")
    return ImportResult(added, len(entries) - len(added))


async def delete_word(session: AsyncSession, creator_id: int, word_id: int) -> None:
    if not await repository.delete_owned(session, creator_id, word_id):
        raise WordNotFound()


async def words_for(session: AsyncSession, creator_id: int) -> tuple[CustomWord, ...]:
    """The creator's list as the guard takes it."""
    return as_words(await repository.word_entries(session, creator_id))


def as_words(rows: Iterable[Sequence[Any]]) -> tuple[CustomWord, ...]:
    """repository.WORD_ENTRIES' rows as the guard takes them."""
    return tuple(CustomWord(i, p, v) for i, p, v in rows)
