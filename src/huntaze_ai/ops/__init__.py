"""Operator checks: `config verify` (verify.py) and `smoke-test` (smoke.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Check:
    """One line of a report: `✓ name: detail` or `✗ name: detail`."""

    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'✓' if self.ok else '✗'} {self.name}: {self.detail}"
