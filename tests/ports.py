"""Ports for the servers tests start (`huntaze-ai serve`, the emulator, the demo).

A port found free by binding port 0 and closing it is only free until someone else binds it;
with pytest-xdist several workers start servers at once, and every outgoing connection takes an
ephemeral port too. So each worker picks from its own slice of a range below Linux's ephemeral
ports (32768–60999 by default), where neither the kernel nor another worker hands out ports,
and takes the first one it can bind, going round its slice from a random place (two test runs on
one machine then rarely meet).
"""

from __future__ import annotations

import itertools
import os
import random
import socket

_FIRST, _SLICE, _SLICES = 20000, 1000, 10
_worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")) % _SLICES
_slice = range(_FIRST + _worker * _SLICE, _FIRST + (_worker + 1) * _SLICE)
_start = random.randrange(_SLICE)  # noqa: S311 - spreading ports, not a secret
_candidates = itertools.cycle([*_slice[_start:], *_slice[:_start]])


def free_port() -> int:
    """A port of this worker's slice that nothing listens on now (nor lingers on)."""
    for port in itertools.islice(_candidates, _SLICE):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in this worker's slice from {_FIRST + _worker * _SLICE}")
