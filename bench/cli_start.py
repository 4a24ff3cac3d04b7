"""How long an operator waits for `huntaze-ai`: wall time of whole commands, medians of several
runs, for one or more checkouts measured in the same run (interleaved, so a busy machine slows
them alike).

    .venv/bin/python bench/cli_start.py [--runs 7] [--checkout LABEL=PATH ...]

Each command runs in a fresh process against a throwaway SQLite file at head, with no Redis and
the Gemini emulator unset (`config verify` then checks nothing over the network). A checkout is
a source tree whose `src/` is put first on PYTHONPATH; by default only this one. Writes
bench/results/cli_start.json and the table in docs/benchmarks.md.

Before measuring, the venv's packages and each checkout's `src/` are compiled to bytecode, as a
wheel installed by pip (the Docker image) or `scripts/install` has them: without it, and with
PYTHONDONTWRITEBYTECODE set (as on these machines), every command compiles each module it
imports from source, which costs more than the imports themselves (2.3 s against 0.6 s for the
same imports, measured here).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from common import cpu_model

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "cli_start.json"
DOC = ROOT / "docs" / "benchmarks.md"
TABLE_START, TABLE_END = "<!-- cli-table:start -->", "<!-- cli-table:end -->"
TARGET_S = 0.5


def _commands(run: int) -> list[tuple[str, list[str]]]:
    email = f"bench-{run}@example.com"
    return [
        ("--help", ["--help"]),
        ("db status", ["db", "status"]),
        ("db upgrade", ["db", "upgrade"]),
        ("users create", ["users", "create", "--email", email, "--password", "benchmark-pw"]),
        ("tokens create", ["tokens", "create", "--email", email]),
        ("config verify", ["config", "verify"]),
    ]


def _compile(checkouts: dict[str, Path]) -> None:
    sources = [
        sysconfig.get_paths()["purelib"],
        *(str(path / "src") for path in checkouts.values()),
    ]
    subprocess.run(  # noqa: S603 - our own interpreter and paths
        [sys.executable, "-m", "compileall", "-q", "-j", "0", *sources],
        check=True,
        capture_output=True,
    )


def _migrate(src: Path, db_file: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(src), "DATABASE_URL": f"sqlite:///{db_file}"}
    subprocess.run(
        [sys.executable, "-c", "from huntaze_ai.cli import main; main()", "db", "upgrade"],
        env=env,
        check=True,
        capture_output=True,
    )


Times = dict[str, dict[str, list[float]]]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(checkouts: dict[str, Path], runs: int) -> tuple[Times, Times]:
    """Wall time and CPU time (user + system) of each command, per checkout. On a machine
    others share, the CPU time moves much less than the wall time."""
    times: Times = {label: {} for label in checkouts}
    cpu: Times = {label: {} for label in checkouts}
    with tempfile.TemporaryDirectory() as tmp:
        dbs = {label: Path(tmp) / f"{i}.db" for i, label in enumerate(checkouts)}
        for label, path in checkouts.items():
            _migrate(path / "src", dbs[label])
        for run in range(runs):
            for label, path in checkouts.items():
                env = {
                    k: v
                    for k, v in os.environ.items()
                    if k not in ("REDIS_URL", "GEMINI_API_KEY", "GEMINI_BASE_URL")
                }
                env |= {"PYTHONPATH": str(path / "src"), "DATABASE_URL": f"sqlite:///{dbs[label]}"}
                for name, args in _commands(run):
                    started, cpu_before = time.perf_counter(), _children_cpu()
                    done = subprocess.run(  # noqa: S603 - our own interpreter and arguments
                        [sys.executable, "-c", "from huntaze_ai.cli import main; main()", *args],
                        env=env,
                        capture_output=True,
                        check=False,
                    )
                    elapsed = time.perf_counter() - started
                    cpu[label].setdefault(name, []).append(_children_cpu() - cpu_before)
                    if done.returncode != 0:
                        raise SystemExit(f"{label}: {name} failed: {done.stderr.decode()[-500:]}")
                    times[label].setdefault(name, []).append(elapsed)
    return times, cpu


def _table(
    wall: dict[str, dict[str, float]], cpu: dict[str, dict[str, float]], machine: str, runs: int
) -> str:
    labels = list(wall)
    lines = [
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine}; median of {runs} runs "
        "each, interleaved, seconds for the whole process, bytecode compiled; "
        f"load average {os.getloadavg()[0]:.2f} at the end.",
        "",
        "| command | " + " | ".join(f"{label} wall | {label} CPU" for label in labels) + " |",
        "|---|" + "---:|---:|" * len(labels),
    ]
    for name in wall[labels[0]]:
        cells = " | ".join(f"{wall[label][name]:.2f} | {cpu[label][name]:.2f}" for label in labels)
        lines.append(f"| `huntaze-ai {name}` | {cells} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--checkout",
        action="append",
        default=[],
        metavar="LABEL=PATH",
        help="a source tree to measure (repeat to compare; default: this one)",
    )
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    checkouts = {label: Path(path) for label, path in (c.split("=", 1) for c in args.checkout)}
    checkouts = checkouts or {"this tree": ROOT}
    machine = f"{cpu_model()} ({os.cpu_count()} cores)"
    _compile(checkouts)
    times, cpu = measure(checkouts, args.runs)
    medians, cpu_medians = (
        {
            label: {name: statistics.median(values) for name, values in by_command.items()}
            for label, by_command in measured.items()
        }
        for measured in (times, cpu)
    )
    table = _table(medians, cpu_medians, machine, args.runs)
    print(table)
    if args.no_write:
        return
    RESULTS.write_text(
        json.dumps(
            {
                "machine": machine,
                "runs": args.runs,
                "target_s": TARGET_S,
                "checkouts": {label: str(path) for label, path in checkouts.items()},
                "seconds": times,
                "median_s": medians,
                "cpu_seconds": cpu,
                "cpu_median_s": cpu_medians,
            },
            indent=1,
        )
        + "\n"
    )
    doc = DOC.read_text()
    block = f"{TABLE_START}\n{table}\n{TABLE_END}"
    if TABLE_START in doc:
        head, rest = doc.split(TABLE_START, 1)
        doc = head + block + rest.split(TABLE_END, 1)[1]
    else:
        doc = doc.rstrip() + "\n\n## CLI start: `bench/cli_start.py`\n\n" + block + "\n"
    DOC.write_text(doc)


if __name__ == "__main__":
    main()
