"""CPU per fan reply in one process, without a load generator: the app's own CPU time for
sequential `POST /api/ai/messages/reply` calls, for one or more checkouts measured in the same run
(rounds interleaved, so a busy machine slows them alike).

    .venv/bin/python bench/reply_cpu.py [--replies 400] [--rounds 3] [--checkout LABEL=PATH ...]
        [--fans N] [--approved N] [--profile DIR]

Each checkout gets a throwaway PostgreSQL database migrated by its own `db upgrade`, 20
business-plan creators made by its own code, Redis database 13 (flushed) and the app from its own
`create_app`, run in-process in a fresh interpreter with the checkout's `src/` first on
PYTHONPATH. Requests go to the app as ASGI calls (no HTTP server, no client library): what is
measured is `time.process_time()` of that process around the replies (on uvloop, as `serve`
runs), i.e. the app's request handling, its SQLAlchemy/asyncpg and Redis clients and its HTTP
client to the model; the emulator
(this tree's, a separate process at 0 ms, seed 1), PostgreSQL and Redis run elsewhere. The
server's share (uvicorn's HTTP parsing) is not in it: `bench/load.py` measures the whole `serve`
tree under load; this one is steadier on a shared machine (CPU time of one process, no queueing)
and is what each step of issue 16 was judged by.

`--profile DIR`: the first round runs under py-spy (sampling, so the profile is not skewed toward
code with many small calls as cProfile's is) and writes DIR/LABEL.collapsed; its figure is
left out of the medians.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from common import cpu_model, empty_database

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
SPY = str(ROOT / ".venv" / "bin" / "py-spy")
SPY_EXTRA = os.environ.get("BENCH_PY_SPY_ARGS", "").split()
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
CREATORS = 20

CHILD = r"""
import asyncio, json, os, sys, time
from sqlalchemy.engine import make_url

REPLIES = int(sys.argv[1])
FANS = int(sys.argv[2])
APPROVED = int(sys.argv[3])
FAN_MESSAGES = [
    "hey! loved the new set, any plans for the weekend?",
    "can I get a custom video for my birthday next week?",
    "you looked amazing in the last post, what's coming next?",
    "do you do bundles? I want everything from this month",
]


async def creators(count):
    from huntaze_ai.auth.service import create_api_token
    from huntaze_ai.kit.db import Database
    from huntaze_ai.kit.security import hash_password
    from huntaze_ai.models import User

    database = Database.from_url(make_url(os.environ["DATABASE_URL"]))
    password_hash = hash_password("bench-password")
    tokens = []
    async with database.sessionmaker() as session, session.begin():
        for i in range(count):
            email = f"cpu{i}@example.com"
            user = User(email=email, password_hash=password_hash, ai_plan="business")
            session.add(user)
            await session.flush()
            tokens.append(await create_api_token(session, user))
            if APPROVED:
                await approved_replies(session, user.id)
    await database.dispose()
    return tokens


async def approved_replies(session, creator_id):
    # A creator who works the inbox: the fans by name, and replies approved to them (a third
    # edited), which every draft reads as the creator's voice. A checkout from before the inbox
    # has no drafts to seed.
    try:
        from huntaze_ai.models import Draft, DraftStatus, Fan
    except ImportError:
        return
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    fans = max(FANS, 1)
    for f in range(fans):
        name = f"Alex{f} Rivera"
        session.add(Fan(user_id=creator_id, platform="onlyfans", external_id=f"fan-{f}",
                        display_name=name, first_seen_at=now - timedelta(days=30)))
    for j in range(APPROVED):
        text = (f"Hey Alex{j % fans}! Thank you so much for the tip babe, I loved what you said "
                f"about your weekend at the beach, tell me more about it 💕 ({j})")
        session.add(Draft(
            creator_id=creator_id, member_id=creator_id, fan_id=f"fan-{j % fans}",
            platform="onlyfans", fan_message="hey! how are you?", text=text, final_text=text,
            guard_verdict="ok", reasons=[], upsell=None, status=DraftStatus.APPROVED,
            edited=j % 3 == 0, created_at=now - timedelta(minutes=j + 1),
            decided_by=creator_id, decided_at=now,
        ))


async def call(app, token, i):
    asked = {"fan_message": FAN_MESSAGES[i % len(FAN_MESSAGES)]}
    if FANS:
        asked["fan_id"] = f"fan-{i % FANS}"
    body = json.dumps(asked).encode()
    scope = {
        "type": "http", "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1", "method": "POST", "scheme": "http",
        "path": "/api/ai/messages/reply", "raw_path": b"/api/ai/messages/reply",
        "query_string": b"", "root_path": "", "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 40000 + i % 1000),
        "headers": [
            (b"host", b"127.0.0.1:8000"), (b"authorization", b"Bearer " + token.encode()),
            (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        ],
        "state": {},
    }
    sent = False
    async def receive():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()
    status = []
    async def send(message):
        if message["type"] == "http.response.start":
            status.append(message["status"])
    await app(scope, receive, send)
    return status[0]


async def measured(app, token, i):
    # Its own frame, so a profile can keep the measured replies apart from the warm-up.
    return await call(app, token, i)


async def main():
    from huntaze_ai.config import load_settings
    from huntaze_ai.main import create_app

    tokens = await creators(20)
    app = create_app(load_settings())
    async with app.router.lifespan_context(app):
        for i in range(60):  # warm: pools, statement caches, imports on first use
            await call(app, tokens[i % len(tokens)], i)
        statuses = {}
        started_cpu, started = time.process_time(), time.perf_counter()
        for i in range(REPLIES):
            code = await measured(app, tokens[i % len(tokens)], i)
            statuses[code] = statuses.get(code, 0) + 1
        cpu, wall = time.process_time() - started_cpu, time.perf_counter() - started
    per = {"cpu_ms": 1000 * cpu / REPLIES, "wall_ms": 1000 * wall / REPLIES}
    print(json.dumps({**per, "statuses": statuses}))

import uvloop  # what `serve` runs on (uvicorn's loop="auto")
uvloop.run(main())
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(path: Path, url: str, emulator: str) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "TMPDIR")
    return {k: os.environ[k] for k in keep if k in os.environ} | {
        "PYTHONPATH": str(path / "src"),
        "DATABASE_URL": url,
        "REDIS_URL": REDIS_URL,
        "GEMINI_BASE_URL": emulator,
        "GEMINI_API_KEY": "bench",
        "LOG_LEVEL": "WARNING",
    }


def _cli(*args: str) -> list[str]:
    return [PYTHON, "-c", "from huntaze_ai.cli import main; main()", *args]


def _measure(
    label: str,
    path: Path,
    url: str,
    emulator: str,
    replies: int,
    fans: int,
    approved: int,
    profile: str,
) -> float:
    """One round of one checkout: migrate, then the replies in a fresh interpreter."""
    import redis

    env = _env(path, url, emulator)
    subprocess.run(_cli("db", "upgrade"), env=env, check=True, capture_output=True)  # noqa: S603
    redis.Redis.from_url(REDIS_URL).flushdb()
    spy: list[str] = []
    if profile:
        Path(profile).mkdir(parents=True, exist_ok=True)
        out_file = Path(profile) / f"{label}.collapsed"
        spy = [SPY, "record", "--rate", "500", "--format", "raw", *SPY_EXTRA]
        spy += ["--output", str(out_file), "--"]
    done = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [*spy, PYTHON, "-c", CHILD, str(replies), str(fans), str(approved)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"{label}: {done.stderr[-3000:]}")
    out = json.loads(next(x for x in reversed(done.stdout.splitlines()) if x.startswith("{")))
    tag = " (profiled)" if spy else ""
    print(f"{label}: {out['cpu_ms']:.2f} ms CPU/reply, statuses {out['statuses']}{tag}")
    return float(out["cpu_ms"])


@asynccontextmanager
async def emulator() -> AsyncIterator[str]:
    """This tree's emulator (0 ms, seed 1) for the `async with` block; yields its base URL."""
    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        *_cli("emulator", "--port", str(port), "--seed", "1"),
        env=_env(ROOT, "sqlite://", ""),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        await asyncio.sleep(3)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        await process.wait()


async def run(args: argparse.Namespace, checkouts: dict[str, Path]) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {label: [] for label in checkouts}
    async with emulator() as emulated:
        for round_no in range(args.rounds):
            order = list(checkouts.items())
            if round_no % 2:
                order.reverse()
            for label, path in order:
                profile = args.profile if args.profile and round_no == 0 else ""
                async with empty_database(f"huntaze_cpu_{label}".replace("-", "_")) as url:
                    cpu_ms = await asyncio.to_thread(
                        _measure,
                        label,
                        path,
                        url.render_as_string(hide_password=False),
                        emulated,
                        args.replies,
                        args.fans,
                        args.approved,
                        profile,
                    )
                if not profile:  # py-spy slows what it samples
                    results[label].append(cpu_ms)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--replies", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--fans",
        type=int,
        default=0,
        help="name one of this many fans per reply (fan_id): the fan's reads and its memory's "
        "writes run too; 0 (the default, as the step table was measured): no fan named",
    )
    parser.add_argument(
        "--approved",
        type=int,
        default=0,
        help="give each creator this many approved replies to its fans (created by name), as a "
        "creator who works the inbox has: every draft reads the latest 40 for the creator's voice",
    )
    parser.add_argument("--checkout", action="append", default=[], metavar="LABEL=PATH")
    parser.add_argument("--profile", help="a directory for cProfile stats (first round)")
    args = parser.parse_args()
    checkouts = {label: Path(p).resolve() for label, p in (c.split("=", 1) for c in args.checkout)}
    checkouts = checkouts or {"this tree": ROOT}
    started_load = os.getloadavg()[0]
    results = asyncio.run(run(args, checkouts))
    first = next(iter(results))
    print(
        f"\n{cpu_model()} ({os.cpu_count()} cores), {args.replies} replies x {len(results[first])} "
        f"rounds, load average {started_load:.2f} -> {os.getloadavg()[0]:.2f}"
    )
    base = statistics.median(results[first]) if results[first] else None
    for label, values in results.items():
        if not values:
            continue
        median = statistics.median(values)
        ratio = f", {median / base:.2f}x {first}" if base and label != first else ""
        spread = f"{min(values):.2f}-{max(values):.2f}"
        print(f"{label}: median {median:.2f} ms CPU per reply ({spread}){ratio}")
    print(json.dumps({"cpu_ms_per_reply": results}))


if __name__ == "__main__":
    main()
