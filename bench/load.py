"""Scale proof: open-loop load on `POST /api/ai/messages/reply` through real app processes on
PostgreSQL and Redis, with the Gemini emulator at 0 ms, then the money invariants checked.

    .venv/bin/python bench/load.py [--rates 25 50 100 150] [--duration 15] [--workers 2]
    .venv/bin/python bench/load.py --checkout before=/tmp/load-before --checkout now=/tmp/load-now

A checkout is a source tree (a git worktree): its `src/` goes first on PYTHONPATH of every
process started for it, so its code runs under this venv's interpreter. Without `--checkout`, the
tree this file lives in is the one checkout, `main`. Each checkout gets a throwaway PostgreSQL
database migrated by its own `db upgrade`, its own Redis database (15, 14, … flushed), its own
creators and tokens (made by its own code) and `serve --workers N`; one emulator serves all of
them. Steps are interleaved between checkouts (rate 1 on A, rate 1 on B, rate 2 on B, rate 2 on
A, …: neither always goes first) and each starts when every app is idle again, so a busy machine
slows the checkouts alike.

For each rate, requests are sent on a fixed schedule (open loop: latency counts from the planned
send time, so a slow server cannot slow the load down and hide its own queueing) across many
creators. Per step: the rate answered, latency, our overhead (end-to-end minus the emulator's
service time), CPU per request by process from /proc, and how busy the rest of the machine was.
Then the time to the first streamed delta of `POST /api/ai/messages/reply/stream`, the saturation
rate (bisection between the steps), one step at a quarter of it (our overhead where an operator
would run, and the CPU per reply of every process taking part), and the database of each
checkout checked against DESIGN §2.4. Writes bench/results/load.json,
docs/benchmarks-latency.png and the results table in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import os
import platform
import resource
import signal
import socket
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from common import cpu_model, empty_database, percentile
from sqlalchemy.engine import URL, make_url

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
CLI_MAIN = "from huntaze_ai.cli import main; main()"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
RESULTS = ROOT / "bench" / "results" / "load.json"
PLOT = ROOT / "docs" / "benchmarks-latency.png"
DOC = ROOT / "docs" / "benchmarks.md"
TABLE_START, TABLE_END = "<!-- load-table:start -->", "<!-- load-table:end -->"

# Most creators are on business (no refusals); a few small starters run out of quota and of
# their hourly rate limit during the run, so the invariants are checked where they bite.
BUSINESS_CREATORS = 190
STARTER_CREATORS = 10
STARTER_QUOTA_USD = "0.05"
STARTER_RATE_LIMIT = 50
BUSINESS_RATE_LIMIT = 500
PLAN_LIMIT_USD = {"starter": STARTER_QUOTA_USD, "business": "999999"}
FAN_MESSAGES = [
    "hey! loved the new set, any plans for the weekend?",
    "can I get a custom video for my birthday next week?",
    "you looked amazing in the last post, what's coming next?",
    "do you do bundles? I want everything from this month",
]
CLIENT_TIMEOUT_S = 30.0
REPLY, STREAM = "/api/ai/messages/reply", "/api/ai/messages/reply/stream"
ANSWERED = ("ok", "escalated_unmetered", "quota_exceeded", "rate_limited")

# Saturation: the highest offered rate still answered at ≥ 95 % of itself, with an end-to-end
# p50 at most 4× the p50 of the same checkout's lowest step.
SATURATION_RATE_SHARE = 0.95
SATURATION_P50_FACTOR = 4.0

# The settings every checkout is given, when its code knows them (see `knows`).
BASE_ENV_KEEP = ("PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "USER")

# Made by the checkout's own code: users and bearer tokens, printed as JSON.
MAKE_CREATORS = """
import asyncio, json, os, sys
from sqlalchemy.engine import make_url
from huntaze_ai.auth.service import create_api_token
from huntaze_ai.kit.db import Database
from huntaze_ai.kit.security import hash_password
from huntaze_ai.models import User

async def main():
    business, starter = int(sys.argv[1]), int(sys.argv[2])
    database = Database.from_url(make_url(os.environ["DATABASE_URL"]))
    password_hash = hash_password("bench-password")  # argon2 once, not 200 times
    out = []
    async with database.sessionmaker() as session, session.begin():
        for i in range(business + starter):
            plan = "starter" if i < starter else "business"
            user = User(email=f"bench{i}@example.com", password_hash=password_hash, ai_plan=plan)
            session.add(user)
            await session.flush()
            out.append([user.id, plan, await create_api_token(session, user)])
    await database.dispose()
    print(json.dumps(out))

asyncio.run(main())
"""


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@functools.cache
def _source(tree: Path) -> tuple[str, str]:
    """A checkout's config.py, and all its Python source in one string."""
    src = tree / "src" / "huntaze_ai"
    return (src / "config.py").read_text(), "\n".join(p.read_text() for p in src.rglob("*.py"))


@dataclass
class Creator:
    id: int
    plan: str
    token: str


@dataclass
class Checkout:
    label: str
    path: Path
    settings: dict[str, str] = field(default_factory=dict)  # given with --set
    redis_url: str = ""
    url: URL | None = None
    app: subprocess.Popen[bytes] | None = None
    port: int = 0
    creators: list[Creator] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)  # every request sent, for the invariants
    app_env: dict[str, str] = field(default_factory=dict)
    log: Any = None

    @property
    def database(self) -> str:
        assert self.url is not None
        return str(self.url.database)

    def git(self) -> dict[str, Any]:
        def run(*args: str) -> str:
            out = subprocess.run(  # noqa: S603
                ["git", "-C", str(self.path), *args],  # noqa: S607
                capture_output=True,
                text=True,
                check=False,
            )
            return out.stdout.strip()

        return {
            "commit": run("rev-parse", "HEAD") or None,
            "subject": run("log", "-1", "--format=%s")[:100] or None,
            "src_uncommitted_changes": bool(run("status", "--porcelain", "--", "src")),
        }

    def knows(self, var: str) -> bool:
        """Whether this checkout's code reads the variable: a field of its Settings, or the name
        quoted in its source (LOG_LEVEL is read from the environment directly). An older checkout
        is not given settings it never heard of."""
        config, source = _source(self.path)
        # A pydantic-settings field is matched case-insensitively.
        if any(line.strip().startswith(f"{var.lower()}:") for line in config.splitlines()):
            return True
        return f'"{var}"' in source

    def env(self, common: dict[str, str]) -> dict[str, str]:
        env = {k: os.environ[k] for k in BASE_ENV_KEEP if k in os.environ}
        env["PYTHONPATH"] = str(self.path / "src")
        env.update({k: v for k, v in common.items() if self.knows(k)})
        env.update(self.settings)
        return env

    def cli(self, *args: str) -> list[str]:
        return [PYTHON, "-c", CLI_MAIN, *args]


@dataclass
class Step:
    rate: int
    duration_s: float
    kind: str = "reply"
    sent: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    first_delta_ms: list[float] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)
    by_creator: dict[int, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    send_s: float = 0.0
    elapsed_s: float = 0.0


class Connections:
    """Keep-alive HTTP/1.1 connections to the app. A request takes an idle one or opens a new one:
    the load never waits for the server to free a connection (open loop)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def _connection(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        while self.idle:
            reader, writer = self.idle.pop()
            # The server closes connections idle past its keep-alive: that shows as EOF here.
            if not reader.at_eof() and not writer.is_closing():
                return reader, writer
            writer.close()
        return await asyncio.open_connection("127.0.0.1", self.port)

    async def post(
        self, path: str, token: str, body: bytes, on_delta: Callable[[], None] | None = None
    ) -> tuple[int, bytes]:
        """POST and read the whole answer, by Content-Length or chunked (a stream). `on_delta`
        is called when the first `event: delta` line of a stream has arrived."""
        reader, writer = await self._connection()
        try:
            writer.write(
                f"POST {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            status = int((await reader.readline()).split()[1])
            length, chunked = 0, False
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"transfer-encoding" and b"chunked" in value.lower():
                    chunked = True
            if not chunked:
                payload = await reader.readexactly(length)
            else:
                parts: list[bytes] = []
                seen = b""
                while size := int((await reader.readline()).split(b";")[0], 16):
                    chunk = (await reader.readexactly(size + 2))[:-2]
                    parts.append(chunk)
                    if on_delta is not None:
                        seen = seen[-16:] + chunk  # a line may straddle two chunks
                        if b"event: delta" in seen:
                            on_delta()
                            on_delta = None
                while (await reader.readline()) not in (b"\r\n", b""):
                    pass  # trailers, if any
                payload = b"".join(parts)
        except BaseException:
            writer.close()
            raise
        self.idle.append((reader, writer))
        return status, payload

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()
        self.idle.clear()


def _reply_outcome(reply: dict[str, Any]) -> str:
    # An escalated fan message goes to a human without a model call: nothing to charge.
    return "ok" if reply["usage"]["input_tokens"] > 0 else "escalated_unmetered"


def outcome_of(status: int, payload: bytes, stream: bool) -> str:
    """`ok`, `escalated_unmetered`, or the error code of the JSON body or of the stream's
    `error` event (`quota_exceeded`, `rate_limited`, `provider_error`, …)."""
    try:
        if status != 200:
            return str(json.loads(payload).get("error", f"http_{status}"))
        if not stream:
            return _reply_outcome(json.loads(payload))
        # The last event of the stream: `done` (the checked reply) or `error` (the JSON error).
        event, data = "", ""
        for block in payload.decode().split("\n\n"):
            lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
            if "event" in lines:
                event, data = lines["event"], lines.get("data", "")
        if event == "done":
            return _reply_outcome(json.loads(data))
        if event == "error":
            return str(json.loads(data).get("error", "stream_error"))
        return "stream_incomplete"
    except (ValueError, KeyError, TypeError, AttributeError):
        return f"http_{status}"


async def _one(conns: Connections, creator: Creator, planned: float, step: Step, i: int) -> None:
    body = json.dumps(
        {"fan_message": FAN_MESSAGES[i % len(FAN_MESSAGES)], "fan_id": f"fan-{i % 997}"}
    ).encode()
    stream = step.kind == "stream"

    def delta() -> None:
        step.first_delta_ms.append((time.perf_counter() - planned) * 1000)

    try:
        status, payload = await asyncio.wait_for(
            conns.post(STREAM if stream else REPLY, creator.token, body, delta if stream else None),
            CLIENT_TIMEOUT_S,
        )
        outcome = outcome_of(status, payload, stream)
    except TimeoutError:
        outcome = "client_timeout"
    except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
        outcome = "connection_error"
    step.outcomes[outcome] += 1
    step.by_creator[creator.id][outcome] += 1
    if outcome not in ("client_timeout", "connection_error"):
        step.latencies_ms.append((time.perf_counter() - planned) * 1000)


def pick_creator(starters: list[Creator], others: list[Creator], i: int) -> Creator:
    """Every 10th request goes to a starter creator (in turn), the rest to the business ones in
    turn: each starter gets several times a business creator's traffic, enough over a run to
    pass its $0.05 quota and its 50/hour rate limit, so both refusals happen under load."""
    if starters and (i % 10 == 0 or not others):
        return starters[(i // 10) % len(starters)]
    return others[i % len(others)] if others else starters[i % len(starters)]


async def run_step(
    port: int, creators: list[Creator], rate: int, duration_s: float, kind: str = "reply"
) -> Step:
    step = Step(rate, duration_s, kind)
    conns = Connections(port)
    total = int(rate * duration_s)
    tasks = []
    starters = [c for c in creators if c.plan == "starter"]
    others = [c for c in creators if c.plan != "starter"]
    began = time.perf_counter()
    for i in range(total):
        planned = began + i / rate
        delay = planned - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        creator = pick_creator(starters, others, i)
        tasks.append(asyncio.create_task(_one(conns, creator, planned, step, i)))
    step.sent = total
    step.send_s = time.perf_counter() - began
    await asyncio.gather(*tasks)
    step.elapsed_s = time.perf_counter() - began
    conns.close()
    return step


def _wait_ready(url: str, proc: subprocess.Popen[bytes], deadline_s: float = 120) -> None:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args} exited with {proc.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=1).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{url} not ready after {deadline_s}s")


def _spawn(
    args: list[str], log: Any, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(args, env=env, cwd=cwd, stdout=log, stderr=log)  # noqa: S603


# --- CPU from /proc -------------------------------------------------------------------------

_TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


@dataclass
class Proc:
    comm: str
    ppid: int
    cpu_ms: float


def processes() -> dict[int, Proc]:
    """Every process on the machine: name, parent, CPU milliseconds so far (user + system)."""
    found: dict[int, Proc] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            text = stat.read_text()
            # "pid (comm) state ppid …"; comm may hold spaces, so split after its ")".
            fields = text.rsplit(")", 1)[1].split()
            found[int(stat.parent.name)] = Proc(
                text[text.index("(") + 1 : text.rindex(")")],
                int(fields[1]),
                (int(fields[11]) + int(fields[12])) * _TICK_MS,
            )
    return found


def descendants(root: int, procs: dict[int, Proc]) -> dict[int, int]:
    """The processes under `root`, with their depth (1: children)."""
    children: dict[int, list[int]] = defaultdict(list)
    for pid, proc in procs.items():
        children[proc.ppid].append(pid)
    found, todo = {}, [(root, 0)]
    while todo:
        pid, depth = todo.pop()
        for child in children.get(pid, []):
            found[child] = depth + 1
            todo.append((child, depth + 1))
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def machine_busy_ms() -> float:
    """CPU milliseconds the whole machine has been busy (all cores), from /proc/stat."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)  # idle + iowait
    steal = ticks[7] if len(ticks) > 7 else 0
    return (sum(ticks[:8]) - idle - steal) * _TICK_MS


def cpu_snapshot(
    checkout: Checkout, everyone: list[Checkout], emulator_pid: int
) -> dict[str, dict[int, float]]:
    """CPU milliseconds used so far, by part of the setup, per process. For `checkout`: its app
    (the serve supervisor and its workers), its app's helpers (processes its workers start, e.g.
    the compliance guard) and the PostgreSQL backends of its database; the other checkouts' apps,
    the emulator, Redis, this load generator, and the whole machine."""
    procs = processes()
    parts: dict[str, dict[int, float]] = defaultdict(dict)
    assert checkout.app is not None
    own = {checkout.app.pid: 0, **descendants(checkout.app.pid, procs)}
    theirs: set[int] = set()
    for other in everyone:
        if other is not checkout and other.app is not None:
            theirs |= {other.app.pid, *descendants(other.app.pid, procs)}
    emulator = {emulator_pid, *descendants(emulator_pid, procs)}
    for pid, proc in procs.items():
        if pid in own:
            parts["app workers" if own[pid] <= 1 else "app helpers"][pid] = proc.cpu_ms
        elif pid in theirs:
            parts["other checkouts"][pid] = proc.cpu_ms
        elif pid in emulator:
            parts["emulator"][pid] = proc.cpu_ms
        elif pid == os.getpid():
            parts["load generator"][pid] = proc.cpu_ms
        elif proc.comm.startswith("redis-server"):
            parts["redis"][pid] = proc.cpu_ms
        elif proc.comm.startswith("postgres") and f" {checkout.database} " in _cmdline(pid):
            parts["postgresql"][pid] = proc.cpu_ms
    parts["machine"][0] = machine_busy_ms()
    return parts


def cpu_between(
    before: dict[str, dict[int, float]], after: dict[str, dict[int, float]]
) -> dict[str, float]:
    """CPU used between two snapshots by part: a process that started meanwhile counts whole;
    one that exited meanwhile is lost (an undercount). `others` is what the rest of the machine
    used: other engineers' test suites, other databases' backends, the profiler."""
    used: dict[str, float] = {}
    for part, pids in after.items():
        used[part] = sum(ms - before.get(part, {}).get(pid, 0.0) for pid, ms in pids.items())
    used["others"] = max(0.0, used.pop("machine") - sum(used.values()))
    return used


def app_tree_ms(everyone: list[Checkout], emulator_pid: int) -> float:
    procs = processes()
    roots = [c.app.pid for c in everyone if c.app is not None] + [emulator_pid]
    pids = {p for r in roots for p in (r, *descendants(r, procs))}
    return sum(procs[p].cpu_ms for p in pids if p in procs)


async def wait_idle(everyone: list[Checkout], emulator_pid: int, limit_s: float = 240) -> float:
    """Wait until the apps and the emulator use under 5 % of a core over half a second: a step
    past capacity leaves requests the clients gave up on, which the app still serves."""
    began = time.monotonic()
    last = app_tree_ms(everyone, emulator_pid)
    while time.monotonic() - began < limit_s:
        await asyncio.sleep(0.5)
        now = app_tree_ms(everyone, emulator_pid)
        if now - last < 25:
            break
        last = now
    return time.monotonic() - began


# --- profile ----------------------------------------------------------------------------------


def start_profiler(app: subprocess.Popen[bytes], seconds: float, out: Path) -> list[Any]:
    """py-spy on every app worker (or the app itself with one worker), for one step."""
    # uvicorn's workers are spawned children; multiprocessing's resource tracker is not one.
    procs = processes()
    pids = [
        p
        for p, depth in descendants(app.pid, procs).items()
        if depth == 1 and "resource_tracker" not in _cmdline(p)
    ] or [app.pid]
    spy = str(ROOT / ".venv" / "bin" / "py-spy")
    return [
        _spawn(
            [spy, "record", "--pid", str(pid), "--duration", str(int(seconds)), "--rate", "250",
             "--format", "raw", "--nonblocking", "--subprocesses", "--output",
             f"{out}.{pid}.txt"],
            subprocess.DEVNULL,
        )
        for pid in pids
    ]  # fmt: skip


def _area(frame: str) -> str:
    """Which package a py-spy frame `function (path:line)` belongs to (py-spy shortens paths to
    start at the package), e.g. `huntaze_ai.metering`, `sqlalchemy`, `asyncio`."""
    path = frame.rsplit("(", 1)[-1].split(":", 1)[0]
    parts = path.split("/")
    if parts[0] == "huntaze_ai" and len(parts) > 1:
        return "huntaze_ai." + parts[1].removesuffix(".py")
    top = parts[0].removesuffix(".py")
    return f"{top} (stdlib)" if top in sys.stdlib_module_names else top


def summarize_profile(files: list[Path]) -> dict[str, Any]:
    """Self time by library and the hottest functions, from py-spy's collapsed stacks."""
    by_area: Counter[str] = Counter()
    by_function: Counter[str] = Counter()
    total = 0
    for file in files:
        for line in file.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not stack:
                continue
            if not count.isdigit():
                continue  # a frame name with a newline in it splits its line
            leaf = stack.rsplit(";", 1)[-1]
            n = int(count)
            total += n
            by_area[_area(leaf)] += n
            by_function[leaf] += n
    share = lambda n: round(100 * n / total, 1) if total else 0.0  # noqa: E731
    return {
        "samples": total,
        "self_time_percent_by_library": {k: share(v) for k, v in by_area.most_common(15)},
        "hottest_functions_percent": {k: share(v) for k, v in by_function.most_common(15)},
    }


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# --- invariants -------------------------------------------------------------------------------


def _micros(usd: str) -> int:
    return int(Decimal(usd) * 1_000_000)


async def check_invariants(url: URL, steps: list[Step], creators: list[Creator]) -> dict[str, Any]:
    """DESIGN §2.4 on what the run left in the database, against what the clients saw."""
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    conn = await asyncpg.connect(dsn)
    try:
        ledger = {
            r["user_id"]: r
            for r in await conn.fetch(
                "SELECT user_id, spent_micros, reserved_micros FROM quota_ledger"
            )
        }
        rows = {
            r["user_id"]: r
            for r in await conn.fetch(
                "SELECT user_id, count(*) FILTER (WHERE outcome = 'ok') AS n, "
                "coalesce(sum(cost_micros), 0) AS cost FROM usage_logs GROUP BY user_id"
            )
        }
        row_outcomes = {
            r["outcome"]: r["n"]
            for r in await conn.fetch(
                "SELECT outcome, count(*) AS n FROM usage_logs GROUP BY outcome"
            )
        }
        open_reservations = await conn.fetchval(
            "SELECT count(*) FROM quota_reservations WHERE settled_at IS NULL"
        )
    finally:
        await conn.close()
    limits = {plan: _micros(usd) for plan, usd in PLAN_LIMIT_USD.items()}
    rate_limits = {"starter": STARTER_RATE_LIMIT, "business": BUSINESS_RATE_LIMIT}
    seen: dict[int, Counter[str]] = defaultdict(Counter)
    # Answers that say nothing of the rate limiter: an escalation made without a model call, a
    # server error (it may have failed before the limiter), and a quota refusal (the limiter
    # counted it before the reservation until b881e93; since then the quota refuses first and
    # the limiter never sees it; a stream's precheck refuses without counting either way).
    unlimited: Counter[int] = Counter()
    for step in steps:
        for creator_id, outcomes in step.by_creator.items():
            seen[creator_id].update(outcomes)
            unlimited[creator_id] += sum(
                n
                for k, n in outcomes.items()
                if k in ("escalated_unmetered", "internal_error", "quota_exceeded")
                or k.startswith("http_5")
            )
    violations: list[str] = []
    for c in creators:
        book = ledger.get(c.id)
        spent = book["spent_micros"] if book else 0
        reserved = book["reserved_micros"] if book else 0
        n_rows = rows[c.id]["n"] if c.id in rows else 0
        cost = rows[c.id]["cost"] if c.id in rows else 0
        ok = seen[c.id]["ok"]
        # A request the client gave up on (timeout, broken connection) may still have been
        # served and paid for: its row is right, the client just never saw the answer.
        unknown = seen[c.id]["client_timeout"] + seen[c.id]["connection_error"]
        # Requests answered with anything but 429: the limiter let them through (a lower
        # bound: unanswered ones and answers that do not tell are left out).
        admitted = sum(seen[c.id].values()) - seen[c.id]["rate_limited"] - unknown - unlimited[c.id]
        if spent > limits[c.plan]:
            violations.append(f"creator {c.id}: spent {spent} > limit {limits[c.plan]}")
        if reserved != 0:
            violations.append(f"creator {c.id}: {reserved} micro-USD still reserved")
        if not ok <= n_rows <= ok + unknown:
            violations.append(
                f"creator {c.id}: {n_rows} usage rows for {ok} successful calls "
                f"(+{unknown} unanswered)"
            )
        if cost != spent:
            violations.append(f"creator {c.id}: rows sum to {cost}, ledger says {spent}")
        if admitted > rate_limits[c.plan]:
            violations.append(f"creator {c.id}: {admitted} admitted > {rate_limits[c.plan]}/h")
    starters = [c for c in creators if c.plan == "starter"]
    return {
        "creators": len(creators),
        "requests": sum(sum(s.outcomes.values()) for s in steps),
        "answers_by_outcome": dict(sum((s.outcomes for s in steps), Counter())),
        "usage_rows_by_outcome": row_outcomes,
        "open_reservations": open_reservations,
        "violations": violations,
        "starter_creators_at_quota": sum(1 for c in starters if seen[c.id]["quota_exceeded"] > 0),
        "starter_creators_rate_limited": sum(1 for c in starters if seen[c.id]["rate_limited"] > 0),
        "ok": not violations and open_reservations == 0,
    }


# --- one step, measured ------------------------------------------------------------------------


def summarize(
    step: Step, emulator: dict[str, Any], cpu: dict[str, float], gen_cpu_s: float, idle_s: float
) -> dict[str, Any]:
    e2e = sorted(step.latencies_ms)
    model = emulator["model_time_ms"]
    answered = sum(
        n for k, n in step.outcomes.items() if k not in ("client_timeout", "connection_error")
    )
    n = max(1, step.sent)
    app_ms = cpu.get("app workers", 0.0) + cpu.get("app helpers", 0.0)
    result: dict[str, Any] = {
        "kind": step.kind,
        "target_rps": step.rate,
        "duration_s": step.duration_s,
        "sent_rps": round(step.sent / step.send_s, 1) if step.send_s else None,
        # Answers (any HTTP answer, refusals included) per second, from the first send to the
        # last answer: what the app kept up with.
        "done_rps": round(answered / step.elapsed_s, 1),
        "requests": step.sent,
        "outcomes": dict(step.outcomes),
        "e2e_ms": {p: _round(percentile(e2e, int(p[1:]))) for p in ("p50", "p95", "p99")},
        "e2e_mean_ms": round(sum(e2e) / len(e2e), 3) if e2e else None,
        "emulator_ms": model,
        "app_cpu_ms_per_request": round(app_ms / n, 2),
        "cpu_ms_per_request": {k: round(v / n, 2) for k, v in sorted(cpu.items())},
        # Cores the rest of the machine kept busy meanwhile (other engineers' test suites, …).
        "others_cores": round(cpu.get("others", 0.0) / 1000 / step.elapsed_s, 2),
        "load_generator_cpu_ms_per_request": round(gen_cpu_s * 1000 / n, 3),
        "wait_idle_after_s": round(idle_s, 1),
        "loadavg_1m": round(os.getloadavg()[0], 2),
    }
    result["overhead_ms"] = {
        p: (
            round(result["e2e_ms"][p] - model[p], 3)
            if result["e2e_ms"][p] is not None and model[p] is not None
            else None
        )
        for p in ("p50", "p95", "p99")
    }
    if step.kind == "stream":
        deltas = sorted(step.first_delta_ms)
        result["first_delta_ms"] = {
            "streams_with_delta": len(deltas),
            **{p: _round(percentile(deltas, int(p[1:]))) for p in ("p50", "p95", "p99")},
        }
    return result


@dataclass
class Bench:
    checkouts: list[Checkout]
    emulator_url: str
    emulator_pid: int
    profile_rate: int | None = None
    workers: int = 2
    app_per_step: bool = False

    async def measure(
        self, c: Checkout, rate: int, duration_s: float, kind: str = "reply"
    ) -> dict[str, Any]:
        if self.app_per_step:
            await start_app(c, self)
            try:
                return await self._measure(c, rate, duration_s, kind)
            finally:
                await stop_app(c, self)
        return await self._measure(c, rate, duration_s, kind)

    async def _measure(
        self, c: Checkout, rate: int, duration_s: float, kind: str
    ) -> dict[str, Any]:
        assert c.app is not None
        await wait_idle(self.checkouts, self.emulator_pid)
        async with httpx.AsyncClient(base_url=self.emulator_url) as emulator:
            await emulator.delete("/emulator/stats")
            spies, out = [], None
            if kind == "reply" and rate == self.profile_rate:
                out = ROOT / "bench" / "results" / f"profile-{c.label}-{self.workers}w-{rate}rps"
                spies = start_profiler(c.app, duration_s, out)
            gen0 = resource.getrusage(resource.RUSAGE_SELF).ru_utime
            parts0 = cpu_snapshot(c, self.checkouts, self.emulator_pid)
            step = await run_step(c.port, c.creators, rate, duration_s, kind)
            gen = resource.getrusage(resource.RUSAGE_SELF).ru_utime - gen0
            # The CPU a step costs includes the requests the clients gave up on, still served.
            idle_s = await wait_idle(self.checkouts, self.emulator_pid)
            cpu = cpu_between(parts0, cpu_snapshot(c, self.checkouts, self.emulator_pid))
            stats = (await emulator.get("/emulator/stats")).json()
        c.steps.append(step)
        result = summarize(step, stats, cpu, gen, idle_s)
        if spies and out is not None:
            for spy in spies:
                spy.wait(timeout=60)
            files = sorted(out.parent.glob(f"{out.name}.*.txt"))
            result["profile"] = summarize_profile(files)
            for file in files:
                file.rename(file.with_suffix(".collapsed"))
        print(json.dumps({"checkout": c.label, "workers": self.workers, **result}), flush=True)
        return result


def passes(step: dict[str, Any], baseline_p50: float | None) -> bool:
    p50 = step["e2e_ms"]["p50"]
    return (
        step["done_rps"] >= SATURATION_RATE_SHARE * step["target_rps"]
        and p50 is not None
        and baseline_p50 is not None
        and p50 <= SATURATION_P50_FACTOR * baseline_p50
    )


async def find_saturation(
    bench: Bench, steps: dict[str, list[dict[str, Any]]], rounds: int, duration_s: float
) -> dict[str, Any]:
    """Per checkout, bisect between its highest passing step and the lowest failing one above it
    (or go up by half when every step passed), `rounds` probes each, interleaved."""
    state: dict[str, dict[str, Any]] = {}
    for c in bench.checkouts:
        ordered = sorted(steps[c.label], key=lambda s: s["target_rps"])
        baseline = ordered[0]["e2e_ms"]["p50"] if ordered else None
        ok = [s["target_rps"] for s in ordered if passes(s, baseline)]
        lo = max(ok) if ok else None
        failing = [s["target_rps"] for s in ordered if not passes(s, baseline)]
        hi = min((r for r in failing if lo is None or r > lo), default=None)
        state[c.label] = {"baseline_p50_ms": baseline, "lo": lo, "hi": hi, "probes": []}
    for n in range(rounds):
        for c in bench.checkouts if n % 2 == 0 else bench.checkouts[::-1]:
            s = state[c.label]
            lo, hi = s["lo"], s["hi"]
            if lo is None:
                rate = max(1, (hi or 2) // 2)
            elif hi is None:
                rate = int(lo * 1.5)
            elif hi - lo <= max(2, 0.04 * lo):
                continue
            else:
                rate = (lo + hi) // 2
            probe = await bench.measure(c, rate, duration_s)
            ok = passes(probe, s["baseline_p50_ms"])
            s["probes"].append({**probe, "passes": ok})
            if ok:
                s["lo"] = rate
            else:
                s["hi"] = rate
    return {
        c.label: {
            "criterion": (
                f"the highest offered rate answered at >= {SATURATION_RATE_SHARE:.0%} of itself "
                f"with e2e p50 <= {SATURATION_P50_FACTOR:g}x the p50 of the lowest step"
            ),
            "saturation_rps": state[c.label]["lo"],
            "first_failing_rps": state[c.label]["hi"],
            "baseline_p50_ms": state[c.label]["baseline_p50_ms"],
            "probes": state[c.label]["probes"],
            # The most answers per second any step or probe got out of it (past saturation,
            # what the app still serves while latency grows).
            "peak_done_rps": max(
                (x["done_rps"] for x in [*steps[c.label], *state[c.label]["probes"]]),
                default=None,
            ),
        }
        for c in bench.checkouts
    }


async def measure_at_quarter(
    bench: Bench, saturation: dict[str, Any], duration_s: float
) -> dict[str, dict[str, Any] | None]:
    """Per checkout, one step at a quarter of its saturation rate (interleaved, the last
    checkout first): where an operator would run it, so its overhead is ours rather than a
    queue's. None for a checkout without a saturation rate."""
    found: dict[str, dict[str, Any] | None] = {}
    for c in bench.checkouts[::-1]:
        sat = saturation[c.label]["saturation_rps"]
        found[c.label] = await bench.measure(c, max(1, round(sat / 4)), duration_s) if sat else None
    return {c.label: found[c.label] for c in bench.checkouts}


# --- a run -------------------------------------------------------------------------------------


def _run(c: Checkout, argv: list[str], env: dict[str, str], log: Any) -> str:
    out = subprocess.run(argv, env=env, cwd=c.path, capture_output=True, text=True, check=False)  # noqa: S603
    what = " ".join(a for a in argv[3:5] if "\n" not in a)
    log.write(f"$ {c.label}: {what}\n{out.stderr}".encode())
    if out.returncode:
        raise RuntimeError(f"{c.label}: {what} exited {out.returncode}: {out.stderr[-2000:]}")
    return out.stdout


async def prepare_checkout(
    c: Checkout, emulator_url: str, stack: contextlib.AsyncExitStack
) -> None:
    """A database migrated by the checkout's own `db upgrade`, its creators and tokens (made by
    its own code) and a flushed Redis database."""
    c.url = await stack.enter_async_context(
        empty_database(f"huntaze_load_{c.label}".replace("-", "_"))
    )
    common = {
        "DATABASE_URL": c.url.render_as_string(hide_password=False),
        "REDIS_URL": c.redis_url,
        "GEMINI_BASE_URL": emulator_url,
        "QUOTA_STARTER_USD": STARTER_QUOTA_USD,
        "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "INFO"),
    }
    c.app_env = c.env(common)
    await asyncio.to_thread(_run, c, c.cli("db", "upgrade"), c.app_env, c.log)
    made = await asyncio.to_thread(
        _run,
        c,
        [PYTHON, "-c", MAKE_CREATORS, str(BUSINESS_CREATORS), str(STARTER_CREATORS)],
        c.app_env,
        c.log,
    )
    c.creators = [Creator(i, plan, token) for i, plan, token in json.loads(made)]
    import redis

    redis.Redis.from_url(c.redis_url).flushdb()


async def start_app(c: Checkout, bench: Bench) -> None:
    """`serve --workers N` with the checkout's code, ready and warm: both workers started (the
    app idle again), then a few seconds of replies and streams for their pools, imports and
    statement caches."""
    c.port = _free_port()
    c.app = _spawn(
        c.cli("serve", "--port", str(c.port), "--workers", str(bench.workers)),
        c.log,
        c.app_env,
        c.path,
    )
    await asyncio.to_thread(_wait_ready, f"http://127.0.0.1:{c.port}/readyz", c.app)
    await wait_idle(bench.checkouts, bench.emulator_pid)  # the other workers' imports too
    warm = c.creators[STARTER_CREATORS:]
    c.steps.append(await run_step(c.port, warm, 20, 3))
    c.steps.append(await run_step(c.port, warm, 10, 1, "stream"))


async def stop_app(c: Checkout, bench: Bench) -> None:
    if c.app is not None:
        # Let the app finish any settlement still in flight, then stop it.
        await wait_idle(bench.checkouts, bench.emulator_pid)
        await asyncio.to_thread(_stop, c.app)
        c.app = None


async def run_for_workers(
    workers: int,
    checkouts: list[Checkout],
    args: argparse.Namespace,
    emulator_url: str,
    emulator_pid: int,
) -> dict[str, Any]:
    # Several checkouts' apps up at once would hold up to 30 PostgreSQL connections per worker
    # each (10 pooled + 20 overflow, kit/db.py) against the server's 100: past capacity they ran
    # out ("too many clients already", 500s). So each step starts its checkout's app and stops
    # it after, unless asked otherwise; one checkout alone keeps its app.
    per_step = len(checkouts) > 1 and not args.keep_apps_running
    bench = Bench(checkouts, emulator_url, emulator_pid, args.profile_rate, workers, per_step)
    async with contextlib.AsyncExitStack() as stack:
        try:
            for c in checkouts:
                c.steps, c.app = [], None
                c.log = stack.enter_context(
                    (ROOT / "bench" / "results" / f"load-{c.label}-{workers}w.log").open("wb")
                )
                await prepare_checkout(c, emulator_url, stack)
            if not per_step:
                for c in checkouts:
                    await start_app(c, bench)
            steps: dict[str, list[dict[str, Any]]] = {c.label: [] for c in checkouts}
            for i, rate in enumerate(args.rates):
                # A, B at one rate, then B, A at the next: neither always runs first.
                for c in checkouts if i % 2 == 0 else checkouts[::-1]:
                    steps[c.label].append(await bench.measure(c, rate, args.duration))
            for label in steps:
                steps[label].sort(key=lambda s: s["target_rps"])
            streams: dict[str, dict[str, Any]] = {}
            if args.stream_rate:
                for c in checkouts:
                    streams[c.label] = await bench.measure(
                        c, args.stream_rate, args.stream_duration, "stream"
                    )
            saturation = await find_saturation(
                bench, steps, args.saturation_probes, args.probe_duration
            )
            quarter = await measure_at_quarter(bench, saturation, args.duration)
            for c in checkouts:
                await stop_app(c, bench)
            invariants = {}
            for c in checkouts:
                assert c.url is not None
                invariants[c.label] = await check_invariants(c.url, c.steps, c.creators)
            return {
                "workers": workers,
                "app_per_step": per_step,
                "checkouts": {
                    c.label: {
                        "steps": steps[c.label],
                        "stream": streams.get(c.label),
                        "saturation": saturation[c.label],
                        "quarter_of_saturation": quarter[c.label],
                        "invariants": invariants[c.label],
                    }
                    for c in checkouts
                },
                "app_cpu_ratio_to_first": cpu_ratios(checkouts, steps),
            }
        finally:
            for c in checkouts:
                if c.app is not None:
                    _stop(c.app)
                    c.app = None


def cpu_ratios(
    checkouts: list[Checkout], steps: dict[str, list[dict[str, Any]]]
) -> dict[str, dict[str, float | None]]:
    """App CPU per request of each checkout over the first checkout's, at the same rate."""
    first = {s["target_rps"]: s["app_cpu_ms_per_request"] for s in steps[checkouts[0].label]}
    return {
        c.label: {
            str(s["target_rps"]): (
                round(s["app_cpu_ms_per_request"] / first[s["target_rps"]], 3)
                if first.get(s["target_rps"])
                else None
            )
            for s in steps[c.label]
        }
        for c in checkouts[1:]
    }


# --- the report ---------------------------------------------------------------------------------


def write_plot(report: dict[str, Any]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for run in report["runs"]:
        for n, (label, data) in enumerate(run["checkouts"].items()):
            name = label if len(report["runs"]) == 1 else f"{label}, {run['workers']}w"
            rates = [s["target_rps"] for s in data["steps"]]
            color = f"C{n}"
            for p, style in (("p50", "-o"), ("p99", "--^")):
                left.plot(
                    rates,
                    [s["e2e_ms"][p] for s in data["steps"]],
                    style,
                    color=color,
                    label=f"{name} {p}",
                )
            right.plot(
                rates, [s["app_cpu_ms_per_request"] for s in data["steps"]], "-o", color=color,
                label=name,
            )  # fmt: skip
            if (sat := data["saturation"]["saturation_rps"]) is not None:
                left.axvline(sat, color=color, alpha=0.3, linestyle=":")
    left.set_yscale("log")
    left.set_title("End-to-end latency (dotted: saturation)")
    left.set_ylabel("ms")
    right.set_title("App CPU per request (workers + helpers)")
    right.set_ylabel("CPU ms")
    right.set_ylim(bottom=0)
    for ax in (left, right):
        ax.set_xlabel("requests/s offered")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    m = report["machine"]
    fig.suptitle(
        f"POST /api/ai/messages/reply, PostgreSQL + Redis, emulator at 0 ms; "
        f"{m['cpu_model']}, {m['cpus']} cores"
    )
    fig.tight_layout()
    fig.savefig(PLOT, dpi=110)


def _outcomes(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))


def table(report: dict[str, Any]) -> str:
    m = report["machine"]
    commits = "; ".join(
        f"**{label}** = {info['commit'][:10] if info['commit'] else '?'}"
        + (" + uncommitted changes" if info["src_uncommitted_changes"] else "")
        + (
            f" with {', '.join(f'{k}={v}' for k, v in info['settings'].items())}"
            if info["settings"]
            else ""
        )
        for label, info in report["checkouts"].items()
    )
    lines = [
        f"Measured {report['measured_at']} on **{m['cpu_model']} ({m['cpus']} cores)**, "
        f"{report['duration_s']} s per step, {report['creators']} creators, interleaved "
        f"checkouts: {commits}. Run time {report['run_time_s'] / 60:.1f} min; load average "
        f"{m['loadavg_at_start'][0]} at the start, {m['loadavg_at_end'][0]} at the end.",
        "",
        "| workers | offered/s | checkout | done/s | e2e p50 | e2e p99 | overhead p50 | "
        "app CPU ms/request | vs first | PostgreSQL | emulator | others' cores | outcomes |",
        "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for run in report["runs"]:
        labels = list(run["checkouts"])
        rates = [s["target_rps"] for s in run["checkouts"][labels[0]]["steps"]]
        for i, rate in enumerate(rates):
            for label in labels:
                s = run["checkouts"][label]["steps"][i]
                ratio = run["app_cpu_ratio_to_first"].get(label, {}).get(str(rate))
                cpu = s["cpu_ms_per_request"]
                lines.append(
                    f"| {run['workers']} | {rate} | {label} | {s['done_rps']} | "
                    f"{s['e2e_ms']['p50']} | {s['e2e_ms']['p99']} | {s['overhead_ms']['p50']} | "
                    f"{s['app_cpu_ms_per_request']} | {'' if ratio is None else f'{ratio}×'} | "
                    f"{cpu.get('postgresql', 0)} | {cpu.get('emulator', 0)} | "
                    f"{s['others_cores']} | {_outcomes(s['outcomes'])} |"
                )
    lines += [
        "",
        "| workers | checkout | saturation | first failing | probes (offered/s: done/s, p50 ms) "
        "| peak done/s | first delta p50 | first delta p99 | stream done p50 | streams | "
        "invariants |",
        "|---:|---|---:|---:|---|---:|---:|---:|---:|---|---|",
    ]
    for run in report["runs"]:
        for label, data in run["checkouts"].items():
            sat = data["saturation"]
            probes = "; ".join(
                f"{p['target_rps']}: {p['done_rps']}, {p['e2e_ms']['p50']}"
                + ("" if p["passes"] else " ✗")
                + f" ({p['others_cores']})"
                for p in sat["probes"]
            )
            st = data["stream"] or {}
            fd = st.get("first_delta_ms", {})
            inv = data["invariants"]
            verdict = (
                f"hold ({inv['requests']} requests, {inv['starter_creators_at_quota']} starters "
                f"at quota, {inv['starter_creators_rate_limited']} rate-limited)"
                if inv["ok"]
                else "VIOLATED: " + "; ".join(inv["violations"][:3])
            )
            lines.append(
                f"| {run['workers']} | {label} | {sat['saturation_rps']}/s | "
                f"{sat['first_failing_rps'] or '–'} | {probes or '–'} | {sat['peak_done_rps']} | "
                f"{fd.get('p50')} | "
                f"{fd.get('p99')} | {(st.get('e2e_ms') or {}).get('p50')} | "
                f"{_outcomes(st.get('outcomes', {}))} | {verdict} |"
            )
    lines += quarter_table(report)
    crit = next(iter(report["runs"][0]["checkouts"].values()))["saturation"]["criterion"]
    lines += [
        "",
        f"Saturation: {crit}; probes of {report['probe_duration_s']} s bisect between the "
        "steps (✗: failed; in brackets, the cores the rest of the machine kept busy meanwhile). "
        "Peak done/s: the most answers per second of any step or probe. First delta: "
        f"{report['stream_rate']}/s for "
        f"{report['stream_duration_s']} s on `/reply/stream`, from the planned send time to the "
        "first `event: delta` line (ms). At ¼ saturation: one step of "
        f"{report['duration_s']} s at a quarter of each checkout's saturation rate; overhead is "
        "end-to-end minus the emulator's time (ms), CPU per reply by process from /proc (app "
        "workers: the serve tree's supervisor and workers; app helpers: what they start, e.g. the "
        "guard's process; PostgreSQL: that database's backends).",
    ]
    for run in report["runs"]:
        for label, data in run["checkouts"].items():
            if prof := next((s.get("profile") for s in data["steps"] if s.get("profile")), None):
                libs = ", ".join(
                    f"{k} {v} %" for k, v in list(prof["self_time_percent_by_library"].items())[:10]
                )
                lines.append(
                    f"- py-spy on {label}'s {run['workers']} worker(s) ({prof['samples']} "
                    f"samples), self time by package: {libs}."
                )
    return "\n".join(lines)


# The parts of a step's CPU, as cpu_snapshot names them, and their column headings.
CPU_PARTS = {
    "app workers": "app workers",
    "app helpers": "app helpers",
    "postgresql": "PostgreSQL",
    "redis": "Redis",
    "emulator": "emulator",
    "load generator": "load generator",
}


def quarter_table(report: dict[str, Any]) -> list[str]:
    """Each checkout at a quarter of its saturation rate: our overhead, and the CPU per reply of
    every process taking part."""
    lines = [
        "",
        "| workers | checkout | at ¼ saturation | done/s | overhead p50 | overhead p99 | "
        + " | ".join(f"{name} CPU ms" for name in CPU_PARTS.values())
        + " | app CPU ms/request | others' cores |",
        "|---:|---|---:|---:|---:|---:|" + "---:|" * len(CPU_PARTS) + "---:|---:|",
    ]
    rows = 0
    for run in report["runs"]:
        for label, data in run["checkouts"].items():
            if not (q := data.get("quarter_of_saturation")):
                continue
            rows += 1
            cpu = q["cpu_ms_per_request"]
            lines.append(
                f"| {run['workers']} | {label} | {q['target_rps']}/s | {q['done_rps']} | "
                f"{q['overhead_ms']['p50']} | {q['overhead_ms']['p99']} | "
                + " | ".join(str(cpu.get(part, 0)) for part in CPU_PARTS)
                + f" | {q['app_cpu_ms_per_request']} | {q['others_cores']} |"
            )
    return lines if rows else []


def write_doc(report: dict[str, Any]) -> None:
    text = DOC.read_text() if DOC.exists() else f"{TABLE_START}\n{TABLE_END}\n"
    before, _, rest = text.partition(TABLE_START)
    _, _, after = rest.partition(TABLE_END)
    DOC.write_text(f"{before}{TABLE_START}\n{table(report)}\n{TABLE_END}{after}")


def parse_checkouts(given: list[str], settings: list[str]) -> list[Checkout]:
    checkouts = []
    for spec in given or [f"main={ROOT}"]:
        label, sep, path = spec.partition("=")
        if not sep or not label or not (Path(path) / "src" / "huntaze_ai").is_dir():
            raise SystemExit(
                f"--checkout {spec}: expected LABEL=PATH to a tree with src/huntaze_ai"
            )
        checkouts.append(Checkout(label, Path(path).resolve()))
    by_label = {c.label: c for c in checkouts}
    if len(by_label) != len(checkouts):
        raise SystemExit("--checkout: labels must differ")
    for spec in settings:
        label, _, assignment = spec.partition(":")
        var, sep, value = assignment.partition("=")
        if label not in by_label or not sep:
            raise SystemExit(f"--set {spec}: expected LABEL:VAR=VALUE for a known checkout")
        if not by_label[label].knows(var):
            raise SystemExit(f"--set {spec}: checkout {label} does not know {var}")
        by_label[label].settings[var] = value
    base = make_url(REDIS_URL)
    first_db = int(base.database or 15)
    for n, c in enumerate(checkouts):
        c.redis_url = base.set(database=str(first_db - n)).render_as_string(hide_password=False)
    return checkouts


async def main(
    args: argparse.Namespace, checkouts: list[Checkout], emulator_tree: Path
) -> dict[str, Any]:
    began = time.monotonic()
    load0 = os.getloadavg()
    emulator_checkout = Checkout("emulator", emulator_tree)
    emu_port = _free_port()
    log = (ROOT / "bench" / "results" / "load-emulator.log").open("wb")
    emulator = _spawn(
        emulator_checkout.cli(
            "emulator", "--port", str(emu_port), "--latency-ms", "0", "--seed", "1"
        ),
        log,
        emulator_checkout.env({}),
        emulator_tree,
    )
    emulator_url = f"http://127.0.0.1:{emu_port}"
    try:
        _wait_ready(f"{emulator_url}/emulator/stats", emulator)
        runs = [
            await run_for_workers(w, checkouts, args, emulator_url, emulator.pid)
            for w in args.workers
        ]
    finally:
        _stop(emulator)
        log.close()
    return {
        "benchmark": "load",
        "what": (
            "open-loop POST /api/ai/messages/reply (and /reply/stream for the first delta); "
            "app on PostgreSQL + Redis; emulator 0 ms; checkouts interleaved step by step"
        ),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "run_time_s": round(time.monotonic() - began, 1),
        "machine": {
            "cpu_model": cpu_model(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "loadavg_at_start": [round(v, 2) for v in load0],
            "loadavg_at_end": [round(v, 2) for v in os.getloadavg()],
        },
        "checkouts": {
            c.label: {"path": str(c.path), **c.git(), "settings": c.settings} for c in checkouts
        },
        "emulator_from": {"path": str(emulator_tree), **emulator_checkout.git()},
        "duration_s": args.duration,
        "stream_rate": args.stream_rate,
        "stream_duration_s": args.stream_duration,
        "probe_duration_s": args.probe_duration,
        "creators": BUSINESS_CREATORS + STARTER_CREATORS,
        "runs": runs,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--rates", type=int, nargs="+", default=[25, 50, 100, 150])
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--workers", type=int, nargs="+", default=[2])
    parser.add_argument(
        "--checkout", action="append", default=[], metavar="LABEL=PATH",
        help="a source tree to measure (repeatable; default: this tree as 'main')",
    )  # fmt: skip
    parser.add_argument(
        "--set", action="append", default=[], metavar="LABEL:VAR=VALUE",
        help="a setting for one checkout only, e.g. now-pro:GEMINI_MODEL=gemini-2.5-pro",
    )  # fmt: skip
    parser.add_argument(
        "--emulator-from", help="the tree whose emulator serves every checkout (default: the last)"
    )
    parser.add_argument("--stream-rate", type=int, default=20, help="0: no stream step")
    parser.add_argument("--stream-duration", type=float, default=10.0)
    parser.add_argument("--saturation-probes", type=int, default=3, help="bisection rounds")
    parser.add_argument("--probe-duration", type=float, default=10.0)
    parser.add_argument(
        "--profile-rate", type=int, default=None, help="py-spy the workers during this step"
    )
    parser.add_argument(
        "--keep-apps-running", action="store_true",
        help="keep every checkout's app up between steps (default: one app at a time)",
    )  # fmt: skip
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument(
        "--render-only", action="store_true",
        help="rewrite the table and the plot from bench/results/load.json, measure nothing",
    )  # fmt: skip
    args = parser.parse_args()
    if args.render_only:
        saved = json.loads(RESULTS.read_text())
        write_plot(saved)
        write_doc(saved)
        sys.exit(0)
    checkouts = parse_checkouts(args.checkout, args.set)
    tree = Path(args.emulator_from).resolve() if args.emulator_from else checkouts[-1].path
    report = asyncio.run(main(args, checkouts, tree))
    for run in report["runs"]:
        for label, data in run["checkouts"].items():
            print(json.dumps({label: {"invariants": data["invariants"]}}, indent=1))
    if not args.no_write:
        RESULTS.write_text(json.dumps(report, indent=2) + "\n")
        write_plot(report)
        write_doc(report)
        print(f"written to {RESULTS}, {PLOT} and {DOC}")
    failed = [
        d for r in report["runs"] for d in r["checkouts"].values() if not d["invariants"]["ok"]
    ]
    sys.exit(1 if failed else 0)
