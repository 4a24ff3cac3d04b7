from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huntaze_ai.kit.money import format_usd, micros_to_usd, usd_to_micros


def test_usd_converts_to_exact_micros() -> None:
    assert usd_to_micros(Decimal("10")) == 10_000_000
    assert usd_to_micros("0.000001") == 1
    assert usd_to_micros(Decimal("0.0000004")) == 0
    assert usd_to_micros(Decimal("0.0000004"), round_up=True) == 1
    assert format_usd(1_234_567) == "1.234567"


def test_floats_are_refused_as_money() -> None:
    with pytest.raises(TypeError):
        usd_to_micros(0.1)  # type: ignore[arg-type]


@given(st.integers(min_value=0, max_value=10**15))
def test_micros_round_trip_through_usd(micros: int) -> None:
    assert usd_to_micros(micros_to_usd(micros)) == micros
