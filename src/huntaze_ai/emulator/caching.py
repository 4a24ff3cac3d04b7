"""Gemini 2.5's implicit caching: a prompt that starts like a recent one is partly billed as cached.

A request whose prompt reaches the model's minimum (catalog.py) shares its cache with recent
requests of the same model and API key (a real cache is per project); the longest run of whole
blocks it shares with them is reported as `cachedContentTokenCount`. Entries expire after
`ttl_s` without use and the oldest go first past `max_entries`, so memory stays bounded.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence

from huntaze_ai.emulator.catalog import family_of, normalize_model

_Key = tuple[str, str, str]


class ImplicitCache:
    def __init__(
        self,
        *,
        block_tokens: int,
        ttl_s: float,
        max_entries: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._block_tokens = block_tokens
        self._ttl_s = ttl_s
        self._max_entries = max_entries
        self._clock = clock
        # key -> time it was last used, least recently used first.
        self._entries: OrderedDict[_Key, float] = OrderedDict()
        # The server's event loop writes while benchmark threads may reset or read.
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def use(self, scope: str, model: str, blocks: Sequence[str], prompt_tokens: int) -> int:
        """Tokens of this prompt found cached; the prompt's blocks are cached for the next one."""
        minimum = family_of(model).cache_min_tokens
        if minimum is None or prompt_tokens < minimum or self._max_entries <= 0:
            return 0
        name = normalize_model(model)
        now = self._clock()
        with self._lock:
            while self._entries:
                oldest, used = next(iter(self._entries.items()))
                if now - used <= self._ttl_s:
                    break
                del self._entries[oldest]
            shared = 0
            for digest in blocks:
                if (scope, name, digest) not in self._entries:
                    break
                shared += 1
            for digest in blocks:
                key = (scope, name, digest)
                self._entries[key] = now
                self._entries.move_to_end(key)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)
        # The final tokens are always computed afresh, so a repeated prompt is never all cached.
        return min(shared * self._block_tokens, max(0, prompt_tokens - 1))
