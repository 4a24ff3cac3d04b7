"""Operator checks: `config verify` (verify.py) and `smoke-test` (smoke.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    """One line of a report: `✓ name: detail`, `✗ name: detail`, or `! name: detail` for a
    warning (something to look at that does not fail the run)."""

    name: str
    ok: bool
    detail: str
    warning: bool = False

    def line(self) -> str:
        mark = "✗" if not self.ok else "!" if self.warning else "✓"
        return f"{mark} {self.name}: {self.detail}"
