"""The one way the pages write money, moments and feature names (web/formatting.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from huntaze_ai.kit import money
from huntaze_ai.metering.kinds import Feature
from huntaze_ai.web import formatting as fmt

# The amounts the issue found written four ways ($0.0054, $0.01, $0.020395, $0.000000), and the
# edges of each rule: four places below $1 ("<$0.0001" for less still), cents from $1 or when
# cents say the amount exactly.
MONEY = [
    ("0", "$0.00", "$0.000000"),
    ("0.000000", "$0.00", "$0.000000"),
    ("0.000001", "<$0.0001", "$0.000001"),
    ("0.000049", "<$0.0001", "$0.000049"),
    ("0.000050", "$0.0001", "$0.000050"),
    ("0.001955", "$0.0020", "$0.001955"),
    ("0.005400", "$0.0054", "$0.005400"),
    ("0.009949", "$0.0099", "$0.009949"),
    ("0.010000", "$0.01", "$0.010000"),
    ("0.014600", "$0.0146", "$0.014600"),  # a part of a month's spend keeps its fraction
    ("0.014999", "$0.0150", "$0.014999"),
    ("0.015000", "$0.0150", "$0.015000"),
    ("0.020395", "$0.0204", "$0.020395"),
    ("0.025050", "$0.0251", "$0.025050"),  # a half rounds up, not to even
    ("0.500000", "$0.50", "$0.500000"),
    ("0.999949", "$0.9999", "$0.999949"),
    ("0.999950", "$1.00", "$0.999950"),  # four places that reach a dollar read in cents
    ("1.004900", "$1.00", "$1.004900"),
    ("1.005000", "$1.01", "$1.005000"),
    ("9.995", "$10.00", "$9.995000"),
    ("1234.5", "$1,234.50", "$1,234.500000"),
    ("1234567.891234", "$1,234,567.89", "$1,234,567.891234"),
]


@pytest.mark.parametrize(("usd", "shown", "exact"), MONEY)
def test_money_reads_four_places_below_a_dollar_and_keeps_the_exact_amount(
    usd: str, shown: str, exact: str
) -> None:
    assert fmt.dollars_text(usd) == shown
    assert fmt.dollars_text(Decimal(usd)) == shown
    assert fmt.dollars_exact(usd) == exact
    element = fmt.dollars(usd)
    assert str(element) == (
        f'<span class="money" title="{exact}">{shown.replace("<", "&lt;")}</span>'
    )


def test_money_refuses_floats_as_the_ledger_does() -> None:
    with pytest.raises(TypeError):
        fmt.dollars_text(0.1)  # type: ignore[arg-type]


def test_the_quota_sentences_write_money_by_the_pages_rule() -> None:
    for usd, shown, _ in MONEY:
        assert money.dollars(usd) == shown


def test_a_quota_share_reads_two_places_and_a_paid_call_never_reads_zero() -> None:
    assert fmt.percent(Decimal("0.03"), "0.003000") == "0.03%"
    assert fmt.percent(Decimal("0.00"), "0.000400") == "<0.01%"  # $0.0004 of $10
    assert fmt.percent(Decimal("0.00"), "0.000000") == "0.00%"
    assert fmt.percent(Decimal("12.5"), "6.250000") == "12.50%"
    assert fmt.percent(Decimal("100"), "0.000000") == "100.00%"  # a zero limit is all used


def test_a_moment_is_written_in_utc_for_the_script_to_localise() -> None:
    moment = datetime(2026, 12, 1, 0, 0, 7, tzinfo=UTC)
    assert fmt.when_text(moment) == "Dec 1, 2026 00:00 UTC"
    assert fmt.when_text(moment, seconds=True) == "Dec 1, 2026 00:00:07 UTC"
    assert str(fmt.when(moment)) == (
        '<time datetime="2026-12-01T00:00:07Z" title="Dec 1, 2026 00:00 UTC" '
        'data-local="minutes">Dec 1, 2026 00:00 UTC</time>'
    )
    assert 'data-local="seconds"' in fmt.when(moment, seconds=True)


def test_moments_in_another_zone_or_naive_ones_are_written_as_utc() -> None:
    paris = datetime(2026, 12, 1, 1, 30, tzinfo=timezone(timedelta(hours=1)))
    assert fmt.when_text(paris) == "Dec 1, 2026 00:30 UTC"
    assert fmt.when_text(datetime(2026, 12, 1, 0, 30)) == "Dec 1, 2026 00:30 UTC"  # noqa: DTZ001


def test_every_feature_has_the_name_its_nav_link_has() -> None:
    assert set(fmt.FEATURE_LABELS) == set(Feature)
    assert fmt.feature("messaging") == "Messages"
    assert fmt.feature("content") == "Captions"
    assert fmt.feature("later_feature") == "later_feature"
    nav_labels = dict(fmt.NAV)
    assert nav_labels["/messages"] == fmt.feature(Feature.MESSAGING)
    assert nav_labels["/content/create"] == fmt.feature(Feature.CONTENT)
    assert nav_labels["/analytics"] == fmt.feature(Feature.ANALYTICS)


def test_the_guards_reasons_read_as_sentences_wherever_a_page_says_them() -> None:
    from huntaze_ai.compliance.service import ComplianceReason
    from huntaze_ai.kit.errors import HuntazeError
    from huntaze_ai.web.rendering import PageError

    stored = [
        {"why": "Asks the fan to talk somewhere the platform cannot see.", "detail": "telegram"},
        {"why": None, "detail": "An @handle"},
    ]
    assert fmt.reasons_text(stored) == (
        "Asks the fan to talk somewhere the platform cannot see. An @handle."
    )
    refused = HuntazeError("Not sendable as written", reasons=stored)
    assert PageError.from_error(refused).message == (
        "Not sendable as written: Asks the fan to talk somewhere the platform cannot see. "
        "An @handle."
    )
    found = ComplianceReason(code="external_link", detail="http://x", why="Sends a link.")
    assert fmt.reasons_text([found]) == "Sends a link."
