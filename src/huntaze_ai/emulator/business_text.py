"""Analytics insights and sales suggestions written from the numbers in the data block.

Each voice plans its items up front (which insight, which offer), from what the data shows, so
that the summary, the action and the metrics of one item agree with each other. Numbers missing
from the data are left out of the sentences rather than made up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from huntaze_ai.emulator.voices import NO_VALUE, NodePath, Voice, enum_choice


def _usd(value: float) -> str:
    return f"${value:,.2f}"


def _pct(value: float) -> str:
    return f"{abs(value):g}%"


def _charm(value: float) -> float:
    """A price as creators set them: $24.99 rather than $25.03."""
    return round(value, 2) if value < 5 else max(1.0, round(value) - 0.01)


@dataclass(frozen=True)
class _Item:
    fields: dict[str, Any]
    metrics: list[dict[str, Any]] = field(default_factory=list)


class _PlannedVoice(Voice):
    """Items of the array `key`, planned once; item i's fields come from plan[i]."""

    key = ""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.plan = self.make_plan()

    def make_plan(self) -> list[_Item]:
        raise NotImplementedError

    def count(self, path: NodePath, level: int) -> int | None:
        if path == (self.key,):
            return len(self.plan) if level >= 1 else 1
        return None

    def keep(self, path: NodePath) -> bool | None:
        if len(path) == 3 and path[0] == self.key and path[2] == "metrics":
            return True  # the numbers an insight rests on are what makes it worth reading
        return None

    def value(self, path: NodePath, schema: Mapping[str, Any], level: int) -> Any:
        if len(path) < 3 or path[0] != self.key or not isinstance(path[1], int):
            return NO_VALUE
        item = self.plan[path[1] % len(self.plan)]
        name = path[2]
        if len(path) == 3 and name == "metrics":
            return item.metrics
        if len(path) == 3 and name in item.fields:
            wanted = item.fields[name]
            return enum_choice(schema, wanted, path[1]) if isinstance(wanted, str) else wanted
        return NO_VALUE


def _trend(value: float, rising: str, falling: str) -> str:
    if value > 0:
        return f"{rising} {_pct(value)}"
    if value < 0:
        return f"{falling} {_pct(value)}"
    return "held steady"


class InsightsVoice(_PlannedVoice):
    """The analytics agent: typed insights with a summary, an action and the metrics used."""

    key = "insights"

    def make_plan(self) -> list[_Item]:
        plan = [self._revenue(), self._messages()]
        c = self.context
        if rate := c.number("response_rate"):
            plan.append(self._responses(rate))
        if subs := c.number("active_subscriptions"):
            plan.append(self._tiers(subs, c.number("average_subscription_usd")))
        return plan

    def _revenue(self) -> _Item:
        c, rng = self.context, self.rng
        revenue, trend = c.number("revenue_usd"), c.number("revenue_trend_percent")
        metrics = [
            {"name": "revenue_usd", "value": revenue},
            {"name": "revenue_trend_percent", "value": trend},
        ]
        if not revenue:
            summary = "No revenue is recorded for this period yet."
            action = "Post a pay-per-view teaser to turn followers into first buyers."
            return _Item(
                {"type": "growth_opportunity", "confidence": 0.6, "summary": summary,
                 "recommended_action": action},
                metrics,
            )  # fmt: skip
        summary = f"Revenue {_trend(trend, 'is up', 'is down')} this period, at {_usd(revenue)}."
        subs, average = c.number("active_subscriptions"), c.number("average_subscription_usd")
        if subs and average:
            summary += f" {int(subs)} active subscribers pay {_usd(average)} on average."
        action = (
            "Send a win-back offer to lapsed fans and pin your best-selling set."
            if trend < 0
            else "Keep the momentum with two pay-per-view drops this week while fans are spending."
        )
        return _Item(
            {"type": "revenue_trend", "confidence": round(rng.uniform(0.8, 0.93), 2),
             "summary": summary, "recommended_action": action},
            metrics,
        )  # fmt: skip

    def _messages(self) -> _Item:
        c, rng = self.context, self.rng
        messages, trend = c.number("messages_sent"), c.number("messages_trend_percent")
        chats = c.number("active_chats")
        metrics = [
            {"name": "messages_sent", "value": messages},
            {"name": "messages_trend_percent", "value": trend},
            {"name": "active_chats", "value": chats},
        ]
        if not messages:
            return _Item(
                {"type": "fan_behavior", "confidence": 0.6,
                 "summary": "No messages to fans are recorded for this period yet.",
                 "recommended_action": "Greet every new subscriber with a personal welcome "
                 "message."},
                metrics,
            )  # fmt: skip
        summary = f"Messages {_trend(trend, 'rose', 'fell')} to {int(messages):,} this period"
        summary += f", with {int(chats)} chats open right now." if chats else "."
        dropping = trend < 0
        action = (
            "Restart quiet conversations with a personal check-in and a free teaser."
            if dropping
            else "Answer open chats within the hour: active conversations convert best."
        )
        return _Item(
            {"type": "engagement_drop" if dropping else "fan_behavior",
             "confidence": round(rng.uniform(0.7, 0.88), 2), "summary": summary,
             "recommended_action": action},
            metrics,
        )  # fmt: skip

    def _responses(self, rate: float) -> _Item:
        good = rate >= 0.85
        summary = f"You answer {rate * 100:.0f}% of fan messages; " + (
            "fans notice, and it keeps them subscribed."
            if good
            else "the unanswered ones are missed sales."
        )
        return _Item(
            {"type": "fan_behavior" if good else "engagement_drop",
             "confidence": round(self.rng.uniform(0.65, 0.85), 2), "summary": summary,
             "recommended_action": "Block two short sessions a day to clear unanswered "
             "messages, oldest first."},
            [{"name": "response_rate", "value": rate}],
        )  # fmt: skip

    def _tiers(self, subs: float, average: float) -> _Item:
        paying = f" at {_usd(average)} on average" if average else ""
        return _Item(
            {"type": "growth_opportunity", "confidence": round(self.rng.uniform(0.6, 0.8), 2),
             "summary": f"With {int(subs)} active subscribers{paying}, a higher tier with early "
             "access could lift what each of them pays.",
             "recommended_action": "Offer your most active fans an upgrade to the top tier "
             "with a one-week discount."},
            [{"name": "active_subscriptions", "value": subs},
             {"name": "average_subscription_usd", "value": average}],
        )  # fmt: skip


class SalesVoice(_PlannedVoice):
    """The sales agent: offers priced from what these fans already pay."""

    key = "suggestions"

    def make_plan(self) -> list[_Item]:
        c = self.context
        paid = c.number("average_subscription_usd")
        # Without subscribers yet, prices start from a common entry-level subscription.
        average = paid or 9.99
        subs = int(c.number("active_subscriptions"))
        fan = c.fan
        segments = c.segments
        spent, tips = c.number("total_spent_usd", source=fan), c.number("tips_usd", source=fan)

        def price(low: float, high: float) -> dict[str, float]:
            low, high = _charm(min(low, 1000.0)), _charm(min(high, 1000.0))
            return {"price_min_usd": low, "price_max_usd": max(low, high)}

        if subs and paid:
            base = f"your {subs} active subscribers pay {_usd(average)} a month on average"
            ppv_why = f"{base[0].upper()}{base[1:]}; a PPV set at one to two times that price is "
            ppv_why += "an easy yes for engaged fans."
        else:
            base = "with no paying subscribers yet, entry-level prices convert best"
            ppv_why = "A low-priced PPV set is an easy first purchase for followers who have not "
            ppv_why += "paid yet."
        plan = [
            _Item({"kind": "ppv", "title": "Behind-the-scenes PPV set", "rationale": ppv_why,
                   "target_segment": "active", **price(average, average * 2)}),
            _Item({"kind": "bundle", "title": "Three-month bundle at 15% off",
                   "rationale": f"Locking in renewals is cheaper than winning fans back; {base}.",
                   "target_segment": "all", **price(average * 3 * 0.85, average * 3 * 0.9)}),
            _Item({"kind": "renewal_offer", "title": "Comeback offer for lapsed fans",
                   "rationale": "Fans who went quiet in the last month still remember you; a "
                   "discounted month brings many back.",
                   "target_segment": "at_risk", **price(average * 0.5, average * 0.75)}),
            _Item({"kind": "upsell", "title": "Custom video for top spenders",
                   "rationale": "Your biggest spenders already tip; a personal video is the "
                   "premium they ask for.",
                   "target_segment": "whale", **price(average * 3, average * 6)}),
        ]  # fmt: skip
        if fan:
            target = next(
                (s for s in segments if s != "active"), segments[0] if segments else "all"
            )
            kind = {"whale": "upsell", "at_risk": "renewal_offer", "dormant": "renewal_offer"}.get(
                target, "ppv"
            )
            history = f"This fan has spent {_usd(spent)}" + (
                f", {_usd(tips)} of it in tips" if tips else ""
            )
            low = max(average, spent * 0.05) if target == "whale" else average * 0.75
            plan.insert(
                0,
                _Item(
                    {
                        "kind": kind,
                        "title": "A personal offer for this fan",
                        "rationale": f"{history}; an offer sized to that history feels personal, "
                        "not pushy.",
                        "target_segment": target,
                        **price(low, low * 2),
                    }
                ),
            )
        return plan[:4]
