"""Helpers of `config verify` that keep secrets out of its report."""

from __future__ import annotations

from huntaze_ai.ops import Check
from huntaze_ai.ops.verify import _scrub, hide_password


def test_urls_are_printed_with_their_password_hidden() -> None:
    assert hide_password("postgresql://app:pw-123456@db:5432/x") == "postgresql://app:***@db:5432/x"
    assert hide_password("redis://:pw-123456@cache:6379/0") == "redis://:***@cache:6379/0"
    assert hide_password("sqlite:////data/huntaze.db") == "sqlite:////data/huntaze.db"
    assert hide_password("postgresql//app:pw@db") == "(unparsable URL)"


def test_secret_values_are_masked_wherever_they_appear() -> None:
    checks = [
        Check("x", False, "server said: key AIza-secret-1 is invalid"),
        Check("y", True, "ok"),
    ]
    scrubbed = _scrub(checks, {"AIza-secret-1", "", "abc"})
    assert scrubbed[0].line() == "✗ x: server said: key *** is invalid"
    assert scrubbed[1].line() == "✓ y: ok"  # short values ("abc") are not worth masking
