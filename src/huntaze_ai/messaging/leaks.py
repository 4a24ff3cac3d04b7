"""The instruction-leak guard: a prompt-injected model repeating our instructions or the data
block back to the fan.

Both sides are compared after folding what an attacker (or a model told to "spell it out") can
change without changing what a reader sees: case, compatibility forms, accents, zero-width and
bidi characters, look-alike letters (`compliance.normalize`), and then every character that is not
a letter or digit (punctuation, spaces, line breaks). What is left is a stream of letters; a run of
`LEAK_CHARS` of them shared with the instructions is a leak, whatever was put between the letters.

The data block is untrusted input, so it cannot be compared as a whole (a reply may quote the fan);
what gives a dump of it away is its framing: the fence markers and its JSON keys.
"""

from __future__ import annotations

import functools
import re

from huntaze_ai.compliance.normalize import normalize

# About six words. Long enough that a warm reply does not share it with the instructions by
# chance, short enough that a leaked rule is caught before a sentence of it is out.
LEAK_CHARS = 32

# The data block's framing (llm.prompts.data_block) and the keys of the messaging data block
# (messaging.service.prepare). A test checks these keys against a real data block.
DATA_MARKERS = ("<<<data", "data>>>")
DATA_KEYS = frozenset(
    {"fan_message", "recent_conversation", "fan_notes", "total_spent_usd", "creator_account"}
)

_NOT_ALNUM = re.compile(r"[\W_]+")
_SPACE = re.compile(r"\s+")
_KEY = re.compile(r"[a-z]+(?:_[a-z]+)+")


def _letters(text: str) -> str:
    return _NOT_ALNUM.sub("", normalize(text))


@functools.lru_cache(maxsize=64)
def _shingles(instructions: str) -> frozenset[str]:
    # Instructions are the same for every reply of a creator: computed once, then each check is
    # one set lookup per position of the reply (the stream checks every partial).
    letters = _letters(instructions)
    return frozenset(letters[i : i + LEAK_CHARS] for i in range(len(letters) - LEAK_CHARS + 1))


def leaks_instructions(reply: str, instructions: str) -> bool:
    """True when `reply` repeats a run of the instructions or dumps the data block."""
    folded = normalize(reply)
    compact = _SPACE.sub("", folded)
    if any(marker in compact for marker in DATA_MARKERS):
        return True
    if DATA_KEYS.intersection(_KEY.findall(folded)):
        return True
    shingles = _shingles(instructions)
    letters = _NOT_ALNUM.sub("", folded)
    return any(
        letters[i : i + LEAK_CHARS] in shingles for i in range(len(letters) - LEAK_CHARS + 1)
    )
