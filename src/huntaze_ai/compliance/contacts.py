"""Detectors for what a word list cannot name: phone numbers (in digits or read out in words),
e-mail addresses (also "name at gmail dot com"), links, social handles, $cashtags and crypto
wallet addresses.

All of them run on `normalize`d text (fullwidth digits, look-alike dots and zero-width characters
are already undone) and return `Span`s, so a finding can point at where it is in the message.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    label: str  # what was found, for people: "a phone number", "spelled-out domain", …


MAX_FINDINGS = 10  # per detector: enough to fix the message, bounded for a 10,000-character one

# --- phone numbers -------------------------------------------------------------------------------

# Seven or more digits, each separated from the next by at most three separator characters:
# "555-1234", "+1 (555) 123 4567", "5 5 5 1 2 3 4". Commas are not separators ("1,000,000").
_NON_DIGITS = re.compile(r"\d")
_PHONE = re.compile(r"\+?\d(?:[ \t.\-()/]{0,3}\d){6,}")
_DATE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}")
PHONE_MIN_DIGITS = 7
# Number words and how many digits each stands for. "double"/"triple" repeat the next digit.
_DIGIT_WORDS = {
    "zero": 1, "oh": 1, "o": 1, "one": 1, "two": 1, "three": 1, "four": 1, "five": 1, "six": 1,
    "seven": 1, "eight": 1, "nine": 1, "niner": 1,
    "ten": 2, "eleven": 2, "twelve": 2, "thirteen": 2, "fourteen": 2, "fifteen": 2,
    "sixteen": 2, "seventeen": 2, "eighteen": 2, "nineteen": 2,
    "twenty": 2, "thirty": 2, "forty": 2, "fifty": 2, "sixty": 2, "seventy": 2, "eighty": 2,
    "ninety": 2, "hundred": 2, "double": 1, "triple": 2,
}  # fmt: skip
_TENS = frozenset({"twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"})
_UNITS = frozenset({"one", "two", "three", "four", "five", "six", "seven", "eight", "nine"})
# Words that may sit between number words without ending the number ("five, five, five").
_FILLERS = frozenset({"and", "dash"})
_WORD_OR_DIGITS = re.compile(r"[a-z]+|\d+")
# "oh" and "o" alone are not numbers: at least this many real number words must be in the run.
_MIN_NUMBER_WORDS = 3
_NOT_COUNTED = frozenset({"o", "oh", "double", "triple"})
_RUN_PREFIX_CHARS = 400
_ITEM = r"(?:" + "|".join(sorted(_DIGIT_WORDS, key=len, reverse=True)) + r"|\d+)\b"
_SEP = r"(?:[\s,.\-()]+(?:(?:and|dash)\b[\s,.\-()]*)?)"
_NUMBER_RUN = re.compile(rf"\b{_ITEM}(?:{_SEP}{_ITEM})+")


def _digits(text: str) -> int:
    return len(text) - len(_NON_DIGITS.sub("", text)) if text else 0


def find_phone_numbers(text: str) -> list[Span]:
    found = [
        Span(m.start(), m.end(), "a phone number")
        for m in _PHONE.finditer(text)
        if (len(m.group()) > _RUN_PREFIX_CHARS or _digits(m.group()) >= PHONE_MIN_DIGITS)
        and not _DATE.fullmatch(m.group())
    ]
    found.extend(_spelled_out_numbers(text))
    return found[:MAX_FINDINGS]


def _spelled_out_numbers(text: str) -> list[Span]:
    """ "five five five one two three four", "five five five, twelve thirty-four": a number read
    out in words (digits may be mixed in). The runs are found by one regular expression; only
    they are counted word by word."""
    found: list[Span] = []
    for run in _NUMBER_RUN.finditer(text):
        digits = words = numerals = 0
        previous = ""
        # A phone number is a dozen digits or so: the start of a long run decides for it.
        for word in _WORD_OR_DIGITS.findall(run.group()[:_RUN_PREFIX_CHARS]):
            if word in _FILLERS:
                continue
            # "thirty four" is two digits, not four
            if not (previous in _TENS and word in _UNITS):
                digits += _DIGIT_WORDS.get(word, len(word))
            if word.isdigit():
                numerals += 1
            elif word not in _NOT_COUNTED:
                words += 1
            previous = word
        # A run of words alone needs a few number words ("one" is an ordinary word); mixed
        # with digits ("555 two oh one 8890"), one is enough.
        if digits >= PHONE_MIN_DIGITS and (words >= _MIN_NUMBER_WORDS or (words and numerals)):
            found.append(Span(run.start(), run.end(), "a phone number in words"))
    return found


# --- e-mail --------------------------------------------------------------------------------------

# Anchored at the start of a run and bounded (RFC 5321's 64-character local part), so a long run
# of address characters costs one pass, not one per starting position.
_EMAIL = re.compile(
    r"(?<![a-z0-9._%+\-])[a-z0-9._%+\-]{1,64}@[a-z0-9\-]{1,63}(?:\.[a-z0-9\-]{1,63}){0,8}\.[a-z]{2,24}"
)
_MAIL_HOSTS = r"(?:g\s*mail|yahoo|hotmail|outlook|icloud|proton(?:\s*mail)?|aol|gmx|yandex|mail)"
_AT = r"(?:\s*[\[({<]\s*at\s*[\])}>]\s*|\s+at\s+|\s*@\s*)"
_DOT = r"(?:\s*[\[({<]\s*(?:dot|\.)\s*[\])}>]\s*|\s+dot\s+|\s*\.\s*)"
# "maya at gmail", "maya (at) gmail (dot) com", "maya @ gmail . com", "maya at mysite dot com"
_SPELLED_EMAIL = re.compile(
    rf"(?<![a-z0-9._%+\-])[a-z0-9._%+\-]{{1,64}}{_AT}(?:{_MAIL_HOSTS}\b(?:{_DOT}[a-z]{{2,6}}\b)?"
    rf"|[a-z0-9\-]{{2,63}}{_DOT}(?:com|net|org|io|co|me|us|uk)\b)"
)


# What no address, written or spelled out (see _AT), does without. Most messages have neither,
# and this search costs a fraction of the spelled-out address's, which tries every word.
_AT_SIGN_OR_WORD = re.compile(r"@|\bat\b")


def find_emails(text: str) -> list[Span]:
    if not _AT_SIGN_OR_WORD.search(text):
        return []
    found = [Span(m.start(), m.end(), "an e-mail address") for m in _EMAIL.finditer(text)]
    taken = [range(s.start, s.end) for s in found]
    for m in _SPELLED_EMAIL.finditer(text):
        if not any(m.start() in span for span in taken):
            found.append(Span(m.start(), m.end(), "a spelled-out e-mail address"))
    return sorted(found, key=lambda s: s.start)[:MAX_FINDINGS]


def _without_emails(text: str) -> str:
    """`text` with its e-mail addresses blanked out, so other detectors do not report them."""
    if "@" not in text:  # every address has one: no search needed
        return text
    return _EMAIL.sub(lambda m: " " * len(m.group()), text)


# --- links ---------------------------------------------------------------------------------------

# Bare domains only with TLDs that are not also short English words after a full stop without a
# space ("me.Me too", "do.it", "tell.us"): `.me` is caught through its link hosts instead.
_TLDS = (
    "com|net|org|io|co|ly|gg|xyz|info|biz|tv|app|link|site|online|store|shop|live|club|fans|"
    "page|cc|ru|uk|de|fr|es|nl|ca|au|bio|social|chat|vip|ee"
)
_LINKS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("link", re.compile(r"\b(?:h[tx]{2}ps?|ftp)\s*:\s*/\s*/\S*")),
    ("link", re.compile(r"\bwww\d?\s*\.\s*\S*")),
    ("short link", re.compile(r"\b(?:t|wa|telegram|m)\s*\.\s*me\b\S*")),
    (
        "domain",
        re.compile(
            rf"(?<![\w@.])(?:[a-z0-9](?:[a-z0-9\-]{{0,61}}[a-z0-9])?\.){{1,8}}(?:{_TLDS})(?![a-z0-9])\S*"
        ),
    ),
    # "foo dot com", "foo (dot) com", "foo[.]com", "foo . com"
    ("spelled-out domain", re.compile(r"\bd[o0]t\s*(?:c[o0]m|net|[o0]rg|i[o0]|me|ly|xyz)\b")),
    ("spelled-out domain", re.compile(r"[\[({<]\s*(?:dot|\.)\s*[\])}>]\s*[a-z](?:\s?[a-z])+")),
    (
        "spelled-out domain",
        re.compile(r"[a-z0-9](?:\s+\.\s*|\.\s+)(?:com|org|io|net|co|uk|xyz|info)\b"),
    ),
)


def find_links(text: str) -> list[Span]:
    """Every distinct link; e-mail addresses are not links (they have their own rule)."""
    blanked = _without_emails(text)
    found: list[Span] = []
    taken: list[range] = []  # a URL's host must not be reported again as a bare domain
    for label, pattern in _LINKS:
        for m in pattern.finditer(blanked):
            if any(m.start() in span for span in taken):
                continue
            taken.append(range(m.start(), m.end()))
            found.append(Span(m.start(), m.end(), label))
    return sorted(found, key=lambda s: s.start)[:MAX_FINDINGS]


# --- handles, cashtags, wallets ------------------------------------------------------------------

# "@maya_rose", "@ maya.rose": not an e-mail (nothing address-like before the @).
_HANDLE = re.compile(
    r"(?<![a-z0-9._%+\-])@\s?(?!(?:is|me|on|at|the|my)\b)[a-z0-9_][a-z0-9_.]{1,29}(?![a-z0-9_@])"
)
# "my @ is mia_rose", "my username: mia.rose", "my snap = miarose22"
_NAMED_HANDLE = re.compile(
    r"\b(?:my|your|ur|her|his)\s+(?:@|handle|username|user\s?name|user|ig|insta|snap|sc|tg|kik|"
    r"telegram|twitter|tiktok|discord|skype)\s*(?:is|:|=|-|is\s+@)\s*@?[a-z0-9_][a-z0-9_.]{2,29}\b"
)
_TAG_WITH_CONTEXT = re.compile(
    r"\b(?:send|sent|sending|pay|paid|cash\s*app|cashapp|cashtag|tag|to)\b(?:\s+is)?\s*[:\-]?\s*"
    r"(\$)[a-z][a-z0-9_]{2,19}\b"
)
_TAG_LOOKING = re.compile(r"\$(?=[a-z0-9_]*[0-9_])[a-z][a-z0-9_]{2,19}\b")
# Ethereum (0x + 40 hex), Bitcoin bech32 (bc1…), then base58 ones (Bitcoin legacy 1…/3…, Tron
# T…), lower-cased by `normalize`; the base58 ones must mix letters and digits, as real ones do
# and long words never do.
_CRYPTO = re.compile(
    r"(?<![a-z0-9])(?:0x[0-9a-f]{40}|bc1[02-9ac-hj-np-z]{25,59}|(?P<b58>[13][1-9a-km-z]{25,34}"
    r"|t[1-9a-km-z]{33}))(?![a-z0-9])"
)


def find_handles(text: str) -> list[Span]:
    found = {m.start(): Span(m.start(), m.end(), "a handle") for m in _NAMED_HANDLE.finditer(text)}
    if "@" in text:  # what _HANDLE starts with
        for m in _HANDLE.finditer(_without_emails(text)):
            if not any(s.start <= m.start() < s.end for s in found.values()):
                found[m.start()] = Span(m.start(), m.end(), "a handle")
    return sorted(found.values(), key=lambda s: s.start)[:MAX_FINDINGS]


def find_cashtags(text: str) -> list[Span]:
    """A $tag with a digit or underscore, or after a word that makes it one ("send it to
    $mia"); a leetspeak word ("$exy") only with such a word before it."""
    if "$" not in text:  # both expressions need one
        return []
    found: dict[int, Span] = {}
    for m in _TAG_WITH_CONTEXT.finditer(text):
        found.setdefault(m.start(1), Span(m.start(1), m.end(), "a $cashtag"))
    for m in _TAG_LOOKING.finditer(text):
        found.setdefault(m.start(), Span(m.start(), m.end(), "a $cashtag"))
    return sorted(found.values(), key=lambda s: s.start)[:MAX_FINDINGS]


def _mixed(text: str) -> bool:
    digits = sum(c.isdigit() for c in text)
    return digits >= 3 and len(text) - digits >= 3


def find_crypto_addresses(text: str) -> list[Span]:
    return [
        Span(m.start(), m.end(), "a crypto wallet address")
        for m in _CRYPTO.finditer(text)
        if m.group("b58") is None or _mixed(m.group("b58")[1:])
    ][:MAX_FINDINGS]


DETECTORS: dict[str, Callable[[str], list[Span]]] = {
    "phone_number": find_phone_numbers,
    "email_address": find_emails,
    "external_link": find_links,
    "handle": find_handles,
    "cashtag": find_cashtags,
    "crypto_address": find_crypto_addresses,
}
