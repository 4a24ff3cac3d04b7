"""Contact details and links in a message: phone numbers, e-mail addresses, external links.

All of these run on `normalize`d text, so fullwidth digits, look-alike dots (`t․me`) and
zero-width characters inside a link are already undone.
"""

from __future__ import annotations

import re

# Seven or more digits, each separated from the next by at most three separator characters:
# "555-1234", "+1 (555) 123 4567", "5 5 5 1 2 3 4". Commas are not separators ("1,000,000").
_PHONE = re.compile(r"\+?\d(?:[ \t.\-()/]{0,3}\d){6,}")
_DATE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}")
_NUMBER_WORDS = {
    "zero": 1, "oh": 1, "one": 1, "two": 1, "three": 1, "four": 1,
    "five": 1, "six": 1, "seven": 1, "eight": 1, "nine": 1,
}  # fmt: skip
_WORDS_OR_DIGITS = re.compile(r"[a-z]+|\d+")
PHONE_MIN_DIGITS = 7

# Anchored at the start of a run and bounded (RFC 5321's 64-character local part), so a long run
# of address characters costs one pass, not one per starting position.
_EMAIL = re.compile(
    r"(?<![a-z0-9._%+\-])[a-z0-9._%+\-]{1,64}@[a-z0-9\-]{1,63}(?:\.[a-z0-9\-]{1,63}){0,8}\.[a-z]{2,24}"
)

# Bare domains only with TLDs that are not also short English words after a full stop without a
# space ("me.Me too", "do.it", "tell.us"): `.me` is caught through its link hosts instead.
_TLDS = (
    "com|net|org|io|co|ly|gg|xyz|info|biz|tv|app|link|site|online|store|shop|live|club|fans|"
    "page|cc|ru|uk|de|fr|es|nl|ca|au|bio|social|chat|vip|ee"
)
_LINKS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("url", re.compile(r"\b(?:h[tx]{2}ps?|ftp)\s*:\s*/\s*/\S*")),
    ("www", re.compile(r"\bwww\d?\s*\.\s*\S*")),
    ("short link", re.compile(r"\b(?:t|wa|telegram)\s*\.\s*me\b\S*")),
    (
        "domain",
        re.compile(
            rf"(?<![\w@.])(?:[a-z0-9](?:[a-z0-9\-]{{0,61}}[a-z0-9])?\.){{1,8}}(?:{_TLDS})(?![a-z0-9])\S*"
        ),
    ),
    # "foo dot com", "foo (dot) com", "foo[.]com", "foo . com"
    ("spelled-out domain", re.compile(r"\bd[o0]t\s*(?:c[o0]m|net|[o0]rg|i[o0]|me)\b")),
    ("spelled-out domain", re.compile(r"[\[({]\s*(?:dot|\.)\s*[\])}]\s*[a-z]{2,}")),
    ("spelled-out domain", re.compile(r"[a-z0-9](?:\s+\.\s*|\.\s+)(?:com|org|io)\b")),
)
MAX_FINDINGS = 10  # per kind: enough to fix the message, bounded for a 10,000-character one


def find_phone_numbers(normalized: str) -> list[str]:
    found = [
        m.group()
        for m in _PHONE.finditer(normalized)
        if sum(c.isdigit() for c in m.group()) >= PHONE_MIN_DIGITS
        and not _DATE.fullmatch(m.group())
    ]
    found.extend(_spelled_out_numbers(normalized))
    return found[:MAX_FINDINGS]


def _spelled_out_numbers(normalized: str) -> list[str]:
    """ "five five five one two three four": a number read out digit by digit."""
    found: list[str] = []
    run: list[str] = []
    digits = 0
    for m in [*_WORDS_OR_DIGITS.finditer(normalized), None]:
        word = m.group() if m else ""
        if word in _NUMBER_WORDS or word.isdigit():
            run.append(word)
            digits += _NUMBER_WORDS.get(word, len(word))
            continue
        if digits >= PHONE_MIN_DIGITS and any(w in _NUMBER_WORDS for w in run):
            found.append(" ".join(run))
        run, digits = [], 0
    return found


def find_emails(normalized: str) -> list[str]:
    return [m.group() for m in _EMAIL.finditer(normalized)][:MAX_FINDINGS]


def find_links(normalized: str) -> list[tuple[str, str]]:
    """[(kind, text)] of every distinct link; e-mail addresses are not links (their own rule)."""
    text = _EMAIL.sub(lambda m: " " * len(m.group()), normalized)
    found: list[tuple[str, str]] = []
    taken: list[range] = []  # a URL's host must not be reported again as a bare domain
    for kind, pattern in _LINKS:
        for m in pattern.finditer(text):
            if any(m.start() in span for span in taken):
                continue
            taken.append(range(m.start(), m.end()))
            if len(found) < MAX_FINDINGS:
                found.append((kind, m.group()))
    return found
