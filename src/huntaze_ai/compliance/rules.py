"""Platform rule packs: versioned TOML data shipped in `compliance/rules/`.

`common.toml` holds the rules every platform shares; `<platform>.toml` names the pack's version,
its length cap, its PPV price range, the policy clause each rule enforces on that platform
(`[policies]`, keyed by each rule's `policy`), rules of its own, and common rules it leaves out
(`exclude`). A pack that names a policy it does not define, an unknown category or detector, or a
phrase the notation cannot read fails to load: a test loads every pack.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from typing import Any, cast

from huntaze_ai.compliance.contacts import DETECTORS
from huntaze_ai.compliance.matching import Matcher, Rule, RuleVerdict
from huntaze_ai.kit.platforms import DEFAULT_PLATFORM, PLATFORM_NAMES

# The categories a rule can be in, with the heading people see.
CATEGORIES: dict[str, str] = {
    "contact": "Contact details",
    "other_platforms": "Other platforms and messengers",
    "payments": "Off-platform payments",
    "meetups": "Meetups and escort wording",
    "minors": "Minors and age cues",
    "prohibited_themes": "Themes the platform prohibits",
    "adult_solicitation": "Adult content and solicitation",
    "links": "Links",
    "refunds": "Refunds, chargebacks and bank disputes",
    "legal": "Legal threats",
    "police": "Police and reports",
    "self_harm": "Self-harm",
    "format": "Empty or too long",
    "custom": "Your word list",
    "model": "AI model safety and instructions",
}


class RulePackError(ValueError):
    pass


@dataclass(frozen=True)
class PriceRange:
    """PPV prices the platform accepts: `min_usd`..`max_usd`, and $0 (free) when allowed."""

    min_usd: Decimal
    max_usd: Decimal
    allow_free: bool


@dataclass(frozen=True)
class RulePack:
    platform: str
    name: str
    version: str  # "<platform version>+common.<common version>"
    max_length: int
    ppv: PriceRange | None
    policies: dict[str, str] = field(repr=False)
    rules: tuple[Rule, ...] = field(repr=False)
    matcher: Matcher = field(repr=False)  # every rule: for the message
    escalations: Matcher = field(repr=False)  # the escalate rules only: for the fan's message


def _code(raw: dict[str, Any]) -> str:
    if raw.get("code"):
        return str(raw["code"])
    if raw.get("detector"):
        return str(raw["detector"])
    return "escalation_trigger" if raw["verdict"] == "escalate" else "forbidden_word"


def _rule(raw: dict[str, Any], policies: dict[str, str], where: str) -> Rule:
    rule_id = raw.get("id", "?")
    try:
        category, verdict = raw["category"], raw["verdict"]
        if category not in CATEGORIES:
            raise RulePackError(f"unknown category {category!r}")
        if verdict not in ("block", "escalate"):
            raise RulePackError(f"verdict must be block or escalate, not {verdict!r}")
        if raw.get("detector") is not None and raw["detector"] not in DETECTORS:
            raise RulePackError(f"unknown detector {raw['detector']!r}")
        if raw["policy"] not in policies:
            raise RulePackError(f"policy {raw['policy']!r} is not in [policies]")
        return Rule(
            id=raw["id"],
            category=category,
            verdict=cast(RuleVerdict, verdict),
            why=raw["why"].strip(),
            clause=policies[raw["policy"]].strip(),
            code=_code(raw),
            terms=tuple(raw.get("terms", ())),
            inside=tuple(raw.get("inside", ())),
            disguised=tuple(raw.get("disguised", ())),
            patterns=tuple(raw.get("patterns", ())),
            detector=raw.get("detector"),
            allow=tuple(raw.get("allow", ())),
        )
    except KeyError as exc:
        raise RulePackError(f"{where}: rule {rule_id!r} lacks {exc.args[0]!r}") from None
    except RulePackError as exc:
        raise RulePackError(f"{where}: rule {rule_id!r}: {exc}") from None


def _read(name: str) -> dict[str, Any]:
    text = resources.files("huntaze_ai.compliance").joinpath("rules", name).read_text("utf-8")
    return tomllib.loads(text)


def load_pack(platform: str | None = None) -> RulePack:
    """The pack for `platform` (the default platform's when None), read and compiled once."""
    return _load(platform or DEFAULT_PLATFORM)


@functools.cache
def _load(platform: str) -> RulePack:
    if platform not in PLATFORM_NAMES:
        raise RulePackError(f"no rule pack for platform {platform!r}")
    common = _read("common.toml")
    own = _read(f"{platform}.toml")
    policies: dict[str, str] = own.get("policies", {})
    excluded = set(own.get("exclude", ()))
    raw_rules = [r for r in common.get("rule", []) if r.get("id") not in excluded]
    rules = [_rule(r, policies, "common.toml") for r in raw_rules]
    rules += [_rule(r, policies, f"{platform}.toml") for r in own.get("rule", [])]
    ids = [r.id for r in rules]
    if len(ids) != len(set(ids)):
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        raise RulePackError(f"{platform}: rule ids repeat: {repeated}")
    if "message_format" not in policies:
        raise RulePackError(f"{platform}.toml: [policies] lacks 'message_format'")
    unknown = excluded - {r.get("id") for r in common.get("rule", [])}
    if unknown:
        raise RulePackError(f"{platform}.toml excludes unknown rules {sorted(unknown)}")
    ppv = own.get("ppv")
    return RulePack(
        platform=platform,
        name=PLATFORM_NAMES[platform],
        version=f"{platform}.{own['version']}+common.{common['version']}",
        max_length=int(own["max_length"]),
        ppv=None
        if ppv is None
        else PriceRange(
            Decimal(str(ppv["min_usd"])), Decimal(str(ppv["max_usd"])), bool(ppv["allow_free"])
        ),
        policies=policies,
        rules=tuple(rules),
        matcher=Matcher(tuple(rules)),
        escalations=Matcher(tuple(r for r in rules if r.verdict == "escalate")),
    )
