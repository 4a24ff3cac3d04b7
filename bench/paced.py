"""What a request costs a server process when requests come one at a time, paced, against the
same requests back to back: the machine's share of "CPU per reply at a low rate".

    .venv/bin/python bench/paced.py [--requests 600] [--rates 0 100 30 10]

Two servers, each a fresh process on uvloop and httptools as `serve` runs them, one at a time:
- **bare**: uvicorn with a five-line ASGI app that answers "ok" (no framework, no database);
- **app**: `huntaze-ai serve --workers 1` on a throwaway SQLite file, asked `GET /healthz` (the
  whole middleware and FastAPI, no database, no model).
One client on one keep-alive connection sends `--requests` requests, each after the previous
answer, at each rate (0: back to back; else request i is sent at start + i / rate). The server's
CPU is read from `/proc/<pid>/schedstat` (the scheduler's on-CPU time, in ns) before and after,
so the figure is the process's own time per request, idle loop included. Writes
bench/results/paced.json and the table in docs/benchmarks.md.

Why: `bench/load.py` measures the app's CPU per reply under open-loop load; at a quarter of
saturation it is far above `bench/reply_cpu.py`'s in-process figure for the same code. If a
framework-free "ok" costs several times more per request when requests are paced than back to
back, that difference is the machine's (caches and the CPU woken from idle between requests),
not the app's, and no change to the app removes it.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from common import cpu_model, replace_table

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "paced.json"
DOC = ROOT / "docs" / "benchmarks.md"
TABLE_START, TABLE_END = "<!-- paced-table:start -->", "<!-- paced-table:end -->"
WARMUP = 200

BARE_APP = """
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})
"""


def _on_cpu_ns(pid: int) -> int:
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])


def _wait_until_up(port: int, path: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server on port {port} exited with {server.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server on port {port} did not answer {path} in 30 s")


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(kind: str, tmp: Path) -> tuple[subprocess.Popen[bytes], int, str]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "GEMINI_BASE_URL")}
    if kind == "bare":
        (tmp / "bare_app.py").write_text(BARE_APP)
        args = ["-m", "uvicorn", "bare_app:app", "--port", str(port), "--log-level", "warning"]
        args += ["--loop", "uvloop", "--http", "httptools"]
        server = subprocess.Popen([sys.executable, *args], cwd=tmp, env=env)  # noqa: S603
        path = "/"
    else:
        env |= {"DATABASE_URL": f"sqlite:///{tmp / 'paced.db'}", "LOG_LEVEL": "WARNING"}
        cli = [sys.executable, "-c", "from huntaze_ai.cli import main; main()"]
        subprocess.run([*cli, "db", "upgrade"], env=env, check=True, capture_output=True)  # noqa: S603
        server = subprocess.Popen([*cli, "serve", "--port", str(port)], env=env)  # noqa: S603
        path = "/healthz"
    _wait_until_up(port, path, server)
    return server, port, path


def _paced(pid: int, port: int, path: str, requests: int, rate: float) -> float:
    """The server's on-CPU ms per request over `requests` sent at `rate` (0: back to back)."""
    conn = http.client.HTTPConnection("127.0.0.1", port)
    for _ in range(WARMUP):
        conn.request("GET", path)
        conn.getresponse().read()
    before, start = _on_cpu_ns(pid), time.monotonic()
    for i in range(requests):
        conn.request("GET", path)
        conn.getresponse().read()
        if rate:
            pause = start + (i + 1) / rate - time.monotonic()
            if pause > 0:
                time.sleep(pause)
    conn.close()
    return (_on_cpu_ns(pid) - before) / requests / 1e6


def measure(requests: int, rates: list[float], rounds: int) -> dict[str, dict[str, list[float]]]:
    found: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("bare", "app"):
            server, port, path = _start(kind, Path(tmp))
            try:
                for _ in range(rounds):
                    for rate in rates:
                        ms = _paced(server.pid, port, path, requests, rate)
                        found.setdefault(kind, {}).setdefault(str(rate), []).append(ms)
            finally:
                server.terminate()
                server.wait(10)
    return found


def _table(medians: dict[str, dict[str, float]], rates: list[float], machine: str) -> str:
    def label(rate: float) -> str:
        return "back to back" if not rate else f"{rate:g}/s"

    lines = [
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on **{machine}**; the server "
        "process's on-CPU time per request (ms, median of the rounds), one keep-alive "
        f"connection; load average {os.getloadavg()[0]:.2f} at the end.",
        "",
        "| server | " + " | ".join(label(r) for r in rates) + " | slowest / back to back |",
        "|---|" + "---:|" * (len(rates) + 1),
    ]
    names = {"bare": "uvicorn + a 5-line ASGI app", "app": "`serve`, `GET /healthz`"}
    for kind, by_rate in medians.items():
        cells = [by_rate[str(r)] for r in rates]
        ratio = max(cells) / by_rate[str(0.0)] if str(0.0) in by_rate else float("nan")
        row = " | ".join(f"{c:.3f}" for c in cells)
        lines.append(f"| {names[kind]} | {row} | {ratio:.1f}× |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--rates", type=float, nargs="+", default=[0.0, 100.0, 30.0, 10.0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    found = measure(args.requests, args.rates, args.rounds)
    medians = {k: {r: statistics.median(v) for r, v in by.items()} for k, by in found.items()}
    machine = f"{cpu_model()} ({os.cpu_count()} cores)"
    table = _table(medians, args.rates, machine)
    print(table)
    if args.no_write:
        return
    report = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpu_model": cpu_model(), "cpus": os.cpu_count()},
        "requests": args.requests,
        "on_cpu_ms_per_request": found,
        "median": medians,
    }
    RESULTS.write_text(json.dumps(report, indent=1) + "\n")
    replace_table(DOC, TABLE_START, TABLE_END, table)


if __name__ == "__main__":
    main()
