"""Compliance guard benchmark: `check_message` on realistic 500-character drafts and on hostile
10,000-character texts, with the OnlyFans pack and with a 200-phrase word list; the packs' compile
time; the hand check's round trip through the guard process. Writes
bench/results/compliance_guard.json.

    .venv/bin/python bench/compliance_guard.py [--runs 3000] [--hostile-runs 100]

Wall time is what a caller waits; CPU time (this thread's) is what the guard itself costs, and
stays meaningful when the machine is shared. The targets (issue 12): p99 <= 2 ms for a
500-character draft, <= 20 ms for a hostile 10,000-character text.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from common import percentile

from huntaze_ai.compliance.offload import GuardProcess
from huntaze_ai.compliance.rules import _load, load_pack
from huntaze_ai.compliance.service import (
    CustomMatcher,
    CustomWord,
    check_message,
    check_with_words,
    custom_matcher,
)
from huntaze_ai.kit.platforms import PLATFORM_NAMES

OUT = Path(__file__).parent / "results" / "compliance_guard.json"

# Drafts as chatters send them, padded to 500 characters: clean ones full of trigger-like words,
# and ones that break rules plainly or in disguise.
_DRAFTS = [
    "Hey babe 😘 thank you so much for the sweet message, you always make my day! I just finished "
    "shooting a new set this afternoon and honestly it might be my favourite yet 🔥 Want me to "
    "send you a little preview? It's 12 photos and a short video, only $14.99 for you today. "
    "Let me know if the video plays well on your phone, and tell me how your week is going 💕",
    "Omg you're too sweet 🥹 I was in a meeting with my photographer all morning so sorry for "
    "the late reply! Meeting your expectations is my whole job lol. The new lingerie set drops "
    "this weekend, 20 photos and a 5 minute video. My signal to start the weekend is a bubble "
    "bath 🛁 what's yours? I'm 24 and still can't cook, so tell me your best recipe 😂",
    "I love that you asked 😏 honestly the easiest is to add me on wh4ts4pp, my number is "
    "five five five two zero one eight eight nine zero, or t e l e g r a m if you prefer. I "
    "can send everything there without the blur, you can pay me on c@sh @pp, $miarose22 🔥",
    "Aww I can't wait to finally meet you 🥰 come over to my place this weekend, I'll send you "
    "the address in a sec. We can hook up after my shoot, my hourly rate for a real date is "
    "$400 but for you I'll make an exception. Check my bio for the link to my other page 💋",
]
_PAD = " Thank you again for always supporting me, it really means the world 💕"


def _draft(text: str) -> str:
    while len(text) < 500:
        text += _PAD
    return text[:500]


DRAFTS = [_draft(t) for t in _DRAFTS]


def hostile_texts() -> dict[str, str]:
    rng = random.Random(7)  # noqa: S311 (benchmark text, not secrets)
    alphabet = "abcdefghijklmnopqrstuvwxyz    .-@$0134"
    texts = {
        "digits and spaces ('1 1 1 …')": "1 " * 5000,
        "one digit ('4444…')": "4" * 10_000,
        "letters and dots ('a.a.a…')": "a." * 5000,
        "alphabet spaced out": "a b c d e f g h i j " * 500,
        "at signs ('x@x@…')": "x@" * 5000,
        "a messenger, repeated": "whatsapp " * 1112,
        "a messenger spelled out, repeated": "w h a t s a p p " * 625,
        "a phone number in words, repeated": "five five five one two three four " * 300,
        "leetspeak '$exy', repeated": "$exy " * 2000,
        "a contact phrase, repeated": "call me at my place " * 500,
        "accented letters ('éééé…')": "é" * 10_000,
        "emoji letters": "🇹🇪🇱🇪🇬🇷🇦🇲 " * 1000,
        "random letters, digits, @ and $": "".join(rng.choice(alphabet) for _ in range(10_000)),
        "random emoji and Cyrillic look-alikes": "".join(
            rng.choice("аеорсху😘💕🔥 .") for _ in range(10_000)
        ),
    }
    return {name: text[:10_000] for name, text in texts.items()}


def _cpu() -> dict[str, object]:
    info: dict[str, str] = {}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            key = key.strip()
            if key in ("model name", "vendor_id", "cpu family", "model", "cpu MHz", "cache size"):
                info.setdefault(key, value.strip())
    except OSError:
        pass
    return {
        "model_name": info.get("model name", platform.processor()),
        "vendor": info.get("vendor_id"),
        "family": info.get("cpu family"),
        "model": info.get("model"),
        "mhz": info.get("cpu MHz"),
        "cache": info.get("cache size"),
        "cpus": os.cpu_count(),
    }


def _measure(check: Callable[[], object], runs: int) -> dict[str, float | int]:
    check()  # warm: the pack is compiled once per process
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.thread_time()
        check()
        cpu.append((time.thread_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)

    def ms(values: list[float], p: float) -> float:
        value = percentile(values, p)
        return round(value if value is not None else 0.0, 3)

    return {
        "runs": runs,
        "wall_p50_ms": ms(wall, 50),
        "wall_p99_ms": ms(wall, 99),
        "wall_max_ms": round(max(wall), 3),
        "cpu_p50_ms": ms(cpu, 50),
        "cpu_p99_ms": ms(cpu, 99),
        "cpu_mean_ms": round(statistics.fmean(cpu), 3),
    }


def _word_list() -> CustomMatcher:
    rng = random.Random(3)  # noqa: S311 (benchmark text, not secrets)
    syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "zu", "pe", "da", "fo"]
    words = {
        " ".join(
            "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
            for _ in range(rng.randint(1, 3))
        )
        for _ in range(260)
    }
    entries = tuple(CustomWord(i, w, "block") for i, w in enumerate(sorted(words)[:200], 1))
    matcher = custom_matcher(entries)
    assert matcher is not None
    return matcher


async def _through_process(runs: int) -> dict[str, dict[str, float | int]]:
    """The hand check's path: pickled to the guard process and back."""
    guard = GuardProcess()
    results: dict[str, dict[str, float | int]] = {}
    try:
        for name, text in (("draft, 500 chars", DRAFTS[2]), ("hostile, 10,000 chars", "1 " * 5000)):
            await guard.run(check_with_words, text)  # the process starts and compiles the pack
            wall: list[float] = []
            for _ in range(runs):
                started = time.perf_counter()
                await guard.run(check_with_words, text)
                wall.append((time.perf_counter() - started) * 1000)
            results[name] = {
                "runs": runs,
                "wall_p50_ms": round(percentile(wall, 50) or 0.0, 3),
                "wall_p99_ms": round(percentile(wall, 99) or 0.0, 3),
            }
    finally:
        await guard.aclose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3000)
    parser.add_argument("--hostile-runs", type=int, default=100)
    args = parser.parse_args()
    load_before = os.getloadavg()

    compile_ms = {}
    for name in PLATFORM_NAMES:
        _load.cache_clear()
        started = time.perf_counter()
        load_pack(name)
        compile_ms[name] = round((time.perf_counter() - started) * 1000, 1)
    _load.cache_clear()
    load_pack("onlyfans")

    words = _word_list()
    gc.collect()
    drafts = {
        f"draft {i + 1} ({'clean' if i < 2 else 'violating'}), {len(t)} chars": _measure(
            lambda t=t: check_message(t, platform="onlyfans"), args.runs
        )
        for i, t in enumerate(DRAFTS)
    }
    with_words = {
        f"draft {i + 1} with a 200-phrase word list": _measure(
            lambda t=t: check_message(t, platform="onlyfans", custom=words), args.runs
        )
        for i, t in enumerate(DRAFTS)
    }
    hostile = {
        name: _measure(
            lambda t=text: check_message(t, platform="onlyfans", max_length=20_000),
            args.hostile_runs,
        )
        for name, text in hostile_texts().items()
    }
    through_process = asyncio.run(_through_process(max(50, args.hostile_runs)))
    result = {
        "benchmark": "compliance_guard",
        "what": "check_message (OnlyFans pack) on one thread; wall and this thread's CPU time",
        "targets": {"draft_500_p99_ms": 2, "hostile_10000_p99_ms": 20},
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpu": _cpu(),
            "python": platform.python_version(),
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
        },
        "pack_compile_ms": compile_ms,
        "drafts_500": drafts,
        "drafts_500_with_word_list": with_words,
        "hostile_10000": hostile,
        "hand_check_through_guard_process": through_process,
        "worst": {
            "draft_500_wall_p99_ms": max(float(r["wall_p99_ms"]) for r in drafts.values()),
            "draft_500_cpu_p99_ms": max(float(r["cpu_p99_ms"]) for r in drafts.values()),
            "hostile_wall_p99_ms": max(float(r["wall_p99_ms"]) for r in hostile.values()),
            "hostile_cpu_p99_ms": max(float(r["cpu_p99_ms"]) for r in hostile.values()),
        },
    }
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(result["worst"], indent=2))
    print(f"written to {OUT}")


if __name__ == "__main__":
    main()
