"""Scale proof: open-loop load on `POST /api/ai/messages/reply` through real app processes on
PostgreSQL and Redis, with the Gemini emulator at 0 ms, then the money invariants checked.

    .venv/bin/python bench/load.py [--rates 50 100 200 400] [--duration 15] [--workers 2]

For each worker count: a throwaway PostgreSQL database, Redis database 15 (flushed), the emulator
and `huntaze-ai serve --workers N` as subprocesses. For each rate, requests are sent on a fixed
schedule (open loop: latency counts from the planned send time, so a slow server cannot slow the
load down and hide its own queueing) across many creators. Our overhead is end-to-end latency
minus the emulator's own service time, taken from the emulator's stats for the same step.
After the last step the database is checked against DESIGN §2.4. Writes bench/results/load.json,
docs/benchmarks-latency.png and the results table in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
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
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from common import percentile, throwaway_database  # noqa: E402

from huntaze_ai.auth.service import create_api_token  # noqa: E402
from huntaze_ai.kit.db import Database  # noqa: E402
from huntaze_ai.kit.money import usd_to_micros  # noqa: E402
from huntaze_ai.kit.security import hash_password  # noqa: E402
from huntaze_ai.models import User  # noqa: E402

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
CLI = str(ROOT / ".venv" / "bin" / "huntaze-ai")
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
FAN_MESSAGES = [
    "hey! loved the new set, any plans for the weekend?",
    "can I get a custom video for my birthday next week?",
    "you looked amazing in the last post, what's coming next?",
    "do you do bundles? I want everything from this month",
]
CLIENT_TIMEOUT_S = 30.0


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Creator:
    id: int
    plan: str
    token: str


@dataclass
class Step:
    rate: int
    duration_s: float
    sent: int = 0
    latencies_ms: list[float] = field(default_factory=list)
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

    async def post(self, path: str, token: str, body: bytes) -> tuple[int, bytes]:
        while self.idle:
            reader, writer = self.idle.pop()
            # The server closes connections idle past its keep-alive: that shows as EOF here.
            if not reader.at_eof() and not writer.is_closing():
                break
            writer.close()
        else:
            reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        try:
            writer.write(
                f"POST {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {token}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            status = int((await reader.readline()).split()[1])
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
            payload = await reader.readexactly(length)
        except BaseException:
            writer.close()
            raise
        self.idle.append((reader, writer))
        return status, payload

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()
        self.idle.clear()


async def _one(conns: Connections, creator: Creator, planned: float, step: Step, i: int) -> None:
    body = json.dumps(
        {"fan_message": FAN_MESSAGES[i % len(FAN_MESSAGES)], "fan_id": f"fan-{i % 997}"}
    ).encode()
    try:
        status, payload = await asyncio.wait_for(
            conns.post("/api/ai/messages/reply", creator.token, body), CLIENT_TIMEOUT_S
        )
        if status == 200:
            # An escalated fan message goes to a human without a model call: nothing to charge.
            metered = json.loads(payload)["usage"]["input_tokens"] > 0
            outcome = "ok" if metered else "escalated_unmetered"
        else:
            try:
                outcome = str(json.loads(payload).get("error", f"http_{status}"))
            except ValueError:
                outcome = f"http_{status}"
    except TimeoutError:
        outcome = "client_timeout"
    except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
        outcome = "connection_error"
    step.outcomes[outcome] += 1
    step.by_creator[creator.id][outcome] += 1
    if outcome in ("ok", "escalated_unmetered", "quota_exceeded", "rate_limited"):
        step.latencies_ms.append((time.perf_counter() - planned) * 1000)


def pick_creator(starters: list[Creator], others: list[Creator], i: int) -> Creator:
    """Every 10th request goes to a starter creator (in turn), the rest to the business ones in
    turn: each starter gets several times a business creator's traffic, enough over a run to
    pass its $0.05 quota and its 50/hour rate limit, so both refusals happen under load."""
    if starters and (i % 10 == 0 or not others):
        return starters[(i // 10) % len(starters)]
    return others[i % len(others)] if others else starters[i % len(starters)]


async def run_step(port: int, creators: list[Creator], rate: int, duration_s: float) -> Step:
    step = Step(rate, duration_s)
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


async def make_creators(url: Any) -> list[Creator]:
    database = Database.from_url(url)
    password_hash = hash_password("bench-password")  # argon2 once, not 200 times
    creators = []
    async with database.sessionmaker() as session, session.begin():
        for i in range(BUSINESS_CREATORS + STARTER_CREATORS):
            plan = "starter" if i < STARTER_CREATORS else "business"
            user = User(email=f"bench{i}@example.com", password_hash=password_hash, ai_plan=plan)
            session.add(user)
            await session.flush()
            creators.append(Creator(user.id, plan, await create_api_token(session, user)))
    await database.dispose()
    return creators


def _wait_ready(url: str, proc: subprocess.Popen[bytes], deadline_s: float = 60) -> None:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args} exited with {proc.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=1).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{url} not ready after {deadline_s}s")


def _spawn(args: list[str], log: Any, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(args, env=env, stdout=log, stderr=log)  # noqa: S603 - our own CLI


def _children(pid: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            # "pid (comm) state ppid …"; comm may hold spaces, so split after its ")".
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                children.append(int(stat.parent.name))
    return children


def start_profiler(app: subprocess.Popen[bytes], seconds: float, out: Path) -> list[Any]:
    """py-spy on every app worker (or the app itself with one worker), for one step."""
    # uvicorn's workers are spawned children; multiprocessing's resource tracker is not one.
    pids = [p for p in _children(app.pid) if "resource_tracker" not in _cmdline(p)] or [app.pid]
    spy = str(ROOT / ".venv" / "bin" / "py-spy")
    return [
        _spawn(
            [spy, "record", "--pid", str(pid), "--duration", str(int(seconds)), "--rate", "250",
             "--format", "raw", "--nonblocking", "--output", f"{out}.{pid}.txt"],
            subprocess.DEVNULL,
        )
        for pid in pids
    ]  # fmt: skip


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


_TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")


def cpu_snapshot(app_pid: int, emulator_pid: int) -> dict[int, tuple[str, float]]:
    """CPU milliseconds used so far by each process of the setup, from /proc (user + system)."""
    app = {app_pid, *_children(app_pid)}
    found: dict[int, tuple[str, float]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            text = stat.read_text()
            comm = text[text.index("(") + 1 : text.rindex(")")]
            fields = text.rsplit(")", 1)[1].split()
            ms = (int(fields[11]) + int(fields[12])) * _TICK_MS
            pid = int(stat.parent.name)
            if pid in app:
                found[pid] = ("app workers", ms)
            elif pid == emulator_pid:
                found[pid] = ("emulator", ms)
            elif pid == os.getpid():
                found[pid] = ("load generator", ms)
            elif comm.startswith("postgres"):
                found[pid] = ("postgresql", ms)
            elif comm.startswith("redis-server"):
                found[pid] = ("redis", ms)
    return found


def cpu_between(
    before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]]
) -> Counter[str]:
    """CPU used between two snapshots by component, per process: a PostgreSQL backend that
    started meanwhile counts whole; one that exited meanwhile is lost (an undercount)."""
    used: Counter[str] = Counter()
    for pid, (part, ms) in after.items():
        used[part] += ms - (before[pid][1] if pid in before else 0.0)
    return used


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


async def check_invariants(url: Any, steps: list[Step], creators: list[Creator]) -> dict[str, Any]:
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
        open_reservations = await conn.fetchval(
            "SELECT count(*) FROM quota_reservations WHERE settled_at IS NULL"
        )
    finally:
        await conn.close()
    limits = {"starter": usd_to_micros(STARTER_QUOTA_USD), "business": usd_to_micros(999_999)}
    rate_limits = {"starter": STARTER_RATE_LIMIT, "business": BUSINESS_RATE_LIMIT}
    seen: dict[int, Counter[str]] = defaultdict(Counter)
    for step in steps:
        for creator_id, outcomes in step.by_creator.items():
            seen[creator_id].update(outcomes)
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
        # Requests answered with anything but 429: the limiter let them through. Unanswered ones
        # are left out (the client cannot know whether the limiter took them).
        admitted = sum(seen[c.id].values()) - seen[c.id]["rate_limited"] - unknown
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
        "open_reservations": open_reservations,
        "violations": violations,
        "starter_creators_at_quota": sum(1 for c in starters if seen[c.id]["quota_exceeded"] > 0),
        "starter_creators_rate_limited": sum(1 for c in starters if seen[c.id]["rate_limited"] > 0),
        "ok": not violations and open_reservations == 0,
    }


def summarize(step: Step, emulator: dict[str, Any], cpu_s: float) -> dict[str, Any]:
    e2e = sorted(step.latencies_ms)
    model = emulator["model_time_ms"]
    result: dict[str, Any] = {
        "target_rps": step.rate,
        "achieved_rps": round(step.sent / step.send_s, 1),
        "completed_rps": round(sum(step.outcomes.values()) / step.elapsed_s, 1),
        "requests": step.sent,
        "outcomes": dict(step.outcomes),
        "e2e_ms": {p: _round(percentile(e2e, int(p[1:]))) for p in ("p50", "p95", "p99")},
        "e2e_mean_ms": round(sum(e2e) / len(e2e), 3) if e2e else None,
        "emulator_ms": model,
        "load_generator_cpu_ms_per_request": round(cpu_s * 1000 / max(1, step.sent), 3),
    }
    result["overhead_ms"] = {
        p: (
            round(result["e2e_ms"][p] - model[p], 3)
            if result["e2e_ms"][p] is not None and model[p] is not None
            else None
        )
        for p in ("p50", "p95", "p99")
    }
    return result


async def run_for_workers(
    workers: int, rates: list[int], duration_s: float, profile_rate: int | None
) -> dict[str, Any]:
    procs: list[subprocess.Popen[bytes]] = []
    logs = ROOT / "bench" / "results" / f"load-{workers}w.log"
    async with throwaway_database("huntaze_load") as url:
        try:
            creators = await make_creators(url)
            import redis

            redis.Redis.from_url(REDIS_URL).flushdb()
            emu_port, app_port = _free_port(), _free_port()
            log = logs.open("wb")
            procs.append(
                _spawn(
                    [CLI, "emulator", "--port", str(emu_port), "--latency-ms", "0", "--seed", "1"],
                    log,
                )
            )
            emulator_url = f"http://127.0.0.1:{emu_port}"
            _wait_ready(f"{emulator_url}/emulator/stats", procs[-1])
            env = {
                **os.environ,
                "DATABASE_URL": url.render_as_string(hide_password=False),
                "REDIS_URL": REDIS_URL,
                "GEMINI_BASE_URL": emulator_url,
                "QUOTA_STARTER_USD": STARTER_QUOTA_USD,
                "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "INFO"),
            }
            env.pop("GEMINI_API_KEY", None)
            procs.append(
                _spawn([CLI, "serve", "--port", str(app_port), "--workers", str(workers)], log, env)
            )
            _wait_ready(f"http://127.0.0.1:{app_port}/readyz", procs[-1])
            # Warm every worker's pools, imports and statement caches before measuring.
            warmup = await run_step(app_port, creators[STARTER_CREATORS:], 50, 2)
            steps, results = [warmup], []
            profile: dict[str, Any] | None = None
            async with httpx.AsyncClient(base_url=emulator_url) as emulator:
                for rate in rates:
                    await emulator.delete("/emulator/stats")
                    spies = []
                    if rate == profile_rate:
                        out = ROOT / "bench" / "results" / f"profile-{workers}w-{rate}rps"
                        spies = start_profiler(procs[-1], duration_s, out)
                    cpu0 = resource.getrusage(resource.RUSAGE_SELF).ru_utime
                    parts0 = cpu_snapshot(procs[-1].pid, procs[0].pid)
                    step = await run_step(app_port, creators, rate, duration_s)
                    parts = cpu_between(parts0, cpu_snapshot(procs[-1].pid, procs[0].pid))
                    cpu = resource.getrusage(resource.RUSAGE_SELF).ru_utime - cpu0
                    stats = (await emulator.get("/emulator/stats")).json()
                    steps.append(step)
                    results.append(summarize(step, stats, cpu))
                    results[-1]["cpu_ms_per_request"] = {
                        k: round(v / max(1, step.sent), 2) for k, v in sorted(parts.items())
                    }
                    if spies:
                        for spy in spies:
                            spy.wait(timeout=60)
                        files = sorted(out.parent.glob(f"{out.name}.*.txt"))
                        profile = {"rate": rate, **summarize_profile(files)}
                        for file in files:
                            file.rename(file.with_suffix(".collapsed"))
                    print(json.dumps({"workers": workers, **results[-1]}), flush=True)
                    await asyncio.sleep(1)
            # Let the app finish any settlement still in flight, then stop it before checking.
            for proc in reversed(procs):
                _stop(proc)
            invariants = await check_invariants(url, steps, creators)
            return {
                "workers": workers,
                "steps": results,
                "invariants": invariants,
                "profile": profile,
            }
        finally:
            for proc in procs:
                _stop(proc)


def write_plot(report: dict[str, Any]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for run in report["runs"]:
        rates = [s["achieved_rps"] for s in run["steps"]]
        for p, style in (("p50", "-o"), ("p99", "--^")):
            label = f"{run['workers']} worker(s) {p}"
            left.plot(rates, [s["e2e_ms"][p] for s in run["steps"]], style, label=label)
            right.plot(rates, [s["overhead_ms"][p] for s in run["steps"]], style, label=label)
    for ax, title in ((left, "End-to-end latency"), (right, "Our overhead (minus emulator)")):
        ax.set_xlabel("requests/s sent")
        ax.set_ylabel("ms")
        ax.set_yscale("log")
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle("POST /api/ai/messages/reply, PostgreSQL + Redis, emulator at 0 ms")
    fig.tight_layout()
    fig.savefig(PLOT, dpi=110)


def table(report: dict[str, Any]) -> str:
    lines = [
        f"Measured {report['measured_at']} on {report['machine']['cpus']} cores, "
        f"{report['duration_s']} s per rate, {report['creators']} creators.",
        "",
        "| workers | sent/s | done/s | e2e p50 | e2e p95 | e2e p99 | overhead p50 | "
        "overhead p99 | emulator p50 | outcomes |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for run in report["runs"]:
        for s in run["steps"]:
            outcomes = ", ".join(f"{k} {v}" for k, v in sorted(s["outcomes"].items()))
            lines.append(
                f"| {run['workers']} | {s['achieved_rps']} | {s['completed_rps']} | "
                f"{s['e2e_ms']['p50']} | {s['e2e_ms']['p95']} | {s['e2e_ms']['p99']} | "
                f"{s['overhead_ms']['p50']} | {s['overhead_ms']['p99']} | "
                f"{s['emulator_ms']['p50']} | {outcomes} |"
            )
    lines += [
        "",
        "CPU milliseconds per request, by process (from /proc; the app's share is what one "
        "request costs our stack):",
        "",
        "| workers | sent/s | app workers | emulator | PostgreSQL | Redis | load generator |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in report["runs"]:
        for s in run["steps"]:
            cpu = s["cpu_ms_per_request"]
            lines.append(
                f"| {run['workers']} | {s['achieved_rps']} | {cpu.get('app workers', 0)} | "
                f"{cpu.get('emulator', 0)} | {cpu.get('postgresql', 0)} | {cpu.get('redis', 0)} "
                f"| {cpu.get('load generator', 0)} |"
            )
    lines.append("")
    for run in report["runs"]:
        inv = run["invariants"]
        verdict = "all hold" if inv["ok"] else "VIOLATED: " + "; ".join(inv["violations"][:5])
        lines.append(
            f"- {run['workers']} worker(s), invariants after the run: {verdict} "
            f"({inv['creators']} creators, {inv['open_reservations']} open reservations, "
            f"{inv['starter_creators_at_quota']} starter creators refused at their quota, "
            f"{inv['starter_creators_rate_limited']} rate-limited)."
        )
    for run in report["runs"]:
        if prof := run.get("profile"):
            libs = ", ".join(
                f"{k} {v} %" for k, v in list(prof["self_time_percent_by_library"].items())[:10]
            )
            lines.append(
                f"- py-spy on the {run['workers']} worker(s) at {prof['rate']} requests/s "
                f"({prof['samples']} samples), self time by package: {libs}."
            )
    return "\n".join(lines)


def write_doc(report: dict[str, Any]) -> None:
    text = DOC.read_text() if DOC.exists() else f"{TABLE_START}\n{TABLE_END}\n"
    before, _, rest = text.partition(TABLE_START)
    _, _, after = rest.partition(TABLE_END)
    DOC.write_text(f"{before}{TABLE_START}\n{table(report)}\n{TABLE_END}{after}")


async def main(args: argparse.Namespace) -> dict[str, Any]:
    runs = [
        await run_for_workers(w, args.rates, args.duration, args.profile_rate) for w in args.workers
    ]
    return {
        "benchmark": "load",
        "what": "open-loop POST /api/ai/messages/reply; app on PostgreSQL + Redis; emulator 0 ms",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "duration_s": args.duration,
        "creators": BUSINESS_CREATORS + STARTER_CREATORS,
        "runs": runs,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--rates", type=int, nargs="+", default=[50, 100, 200, 400])
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--workers", type=int, nargs="+", default=[2])
    parser.add_argument(
        "--profile-rate", type=int, default=200, help="py-spy the workers during this step"
    )
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    report = asyncio.run(main(args))
    for run in report["runs"]:
        print(json.dumps({"invariants": run["invariants"], "profile": run["profile"]}, indent=1))
    if not args.no_write:
        RESULTS.write_text(json.dumps(report, indent=2) + "\n")
        write_plot(report)
        write_doc(report)
        print(f"written to {RESULTS}, {PLOT} and {DOC}")
    failed = [r for r in report["runs"] if not r["invariants"]["ok"]]
    sys.exit(1 if failed else 0)
