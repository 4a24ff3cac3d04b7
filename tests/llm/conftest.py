from __future__ import annotations

import pytest

from huntaze_ai.metering import pricing


@pytest.fixture(autouse=True)
def _own_price_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test's Meter registers its price override in a table of its own."""
    monkeypatch.setattr(pricing, "_overrides", {})
