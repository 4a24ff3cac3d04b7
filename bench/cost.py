"""Cost per reply: one chatter's realistic month through the real app and the Gemini emulator, for
(a) every agent on gemini-2.5-pro with dynamic thinking (before issue 11) and (b) the defaults
(flash without thinking for messaging, content and sales; pro with a 1,024 budget for analytics).

    .venv/bin/python bench/cost.py [--replies 1000] [--captions 100] [--analytics 30] [--sales 100]

Each configuration gets a fresh SQLite database with a business-plan creator and the demo data,
the app (`create_app`, lifespan included) called in-process over httpx, and the same emulator at
0 ms (one instance, started here, seeded). The same month of requests, generated from a seed, is
sent to both, one request at a time as one chatter works. The money is then read from the
`usage_logs` rows (the source of truth) and the ledger is checked against them. Writes
bench/results/cost.json and the table in docs/benchmarks.md; exits 1 if an invariant fails.
Needs neither PostgreSQL nor Redis.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import importlib.metadata
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from common import cpu_model, percentile  # noqa: E402
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.engine import URL, make_url  # noqa: E402

from huntaze_ai.auth.service import create_api_token  # noqa: E402
from huntaze_ai.cli.demo import DEMO_NAME, DEMO_PERSONA  # noqa: E402
from huntaze_ai.config import Settings  # noqa: E402
from huntaze_ai.creator_data.demo_data import fill_demo_data  # noqa: E402
from huntaze_ai.emulator import EmulatorConfig, run_emulator_in_thread  # noqa: E402
from huntaze_ai.kit.db import Database  # noqa: E402
from huntaze_ai.kit.migrations import upgrade  # noqa: E402
from huntaze_ai.kit.money import format_usd  # noqa: E402
from huntaze_ai.llm.models import plan_models  # noqa: E402
from huntaze_ai.main import create_app  # noqa: E402
from huntaze_ai.metering.kinds import Feature, Outcome  # noqa: E402
from huntaze_ai.metering.rate_limit import CreatorRateLimiter  # noqa: E402
from huntaze_ai.models import Fan, QuotaLedger, QuotaReservation, UsageLog, UserStats  # noqa: E402
from huntaze_ai.users.schemas import UserCreate  # noqa: E402
from huntaze_ai.users.service import create_user  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "cost.json"
DOC = ROOT / "docs" / "benchmarks.md"
TABLE_START, TABLE_END = "<!-- cost-table:start -->", "<!-- cost-table:end -->"

_AGENTS = ("MESSAGING", "CONTENT", "ANALYTICS", "SALES")
CONFIGS: dict[str, tuple[str, dict[str, str]]] = {
    "a": (
        "every agent on gemini-2.5-pro, dynamic thinking (before issue 11)",
        {"GEMINI_MODEL": "gemini-2.5-pro", **{f"{a}_THINKING": "dynamic" for a in _AGENTS}},
    ),
    "b": ("the defaults (no model or thinking variable set)", {}),
}
STARTER_USD = Decimal(10)
# The outcomes the issue asks to see per agent, listed even when zero.
OUTCOMES = (
    Outcome.OK,
    Outcome.TRUNCATED,
    Outcome.BLOCKED,
    Outcome.INVALID_OUTPUT,
    Outcome.PROVIDER_ERROR,
)

# --- The month: what one chatter sends ----------------------------------------------------------

# (weight, templates) per kind of fan message. "{n}" is the creator's first name. The weights are
# a guess at a creator's inbox, not measured: mostly small talk and content questions, some buying
# intent, a few fans pushing for off-platform contact (the guard must catch the draft), and rare
# messages a human must answer: refunds (the guard escalates before any model call) and abuse
# (the emulator's safety trigger phrases, so the model's filter blocks the draft, billed).
FAN_MESSAGES: tuple[tuple[int, tuple[str, ...]], ...] = (
    (34, (
        "hey {n}! loved the new set", "good morning gorgeous, how did you sleep?",
        "you looked amazing in yesterday's post", "just subscribed, so glad I found you",
        "that red dress pic... wow", "how was the gym today?", "what are you up to tonight?",
        "hiii {n} how's your week going", "you always make my day better honestly",
        "happy friday! any fun plans?", "your smile in the last video 😍",
        "I've been a fan since your first post, you've come so far",
    )),
    (20, (
        "when is the next video dropping?", "do you have more from the beach shoot?",
        "can you do more lingerie sets?", "any chance of a shower video soon?",
        "will you post the behind the scenes from last week?",
        "I missed the live yesterday, is there a replay?", "do you ever do cosplay?",
    )),
    (15, (
        "how much for a custom video?", "can I get a custom for my birthday next week?",
        "do you do bundles? I want everything from this month",
        "what's in the PPV you sent, is it worth it?", "I'd pay for a personalized voice note",
        "can I tip for a shoutout?", "how long does a custom take usually?",
    )),
    (8, (
        "is the vip tier worth it?", "will there be a discount if I renew for 3 months?",
        "why did the sub price go up?", "what's the difference between basic and premium?",
    )),
    (9, (
        "what's your snap?", "can we talk on whatsapp instead?",
        "where do you live? I'm in Miami this weekend", "send nudes", "can we meet up sometime?",
        "do you have telegram?",
    )),
    (6, (
        "sorry I've been away, money's been tight", "thinking of cancelling, not much new lately",
        "I'm back! did I miss anything?",
    )),
    (2, (
        "I want a refund for that last PPV, it was 2 minutes long",
        "if you don't answer I'm doing a chargeback",
    )),
    (1, ("you're subhuman for charging that much", "nobody would miss you, kill yourself")),
)  # fmt: skip
FAN_LINES = (
    "hey", "you're so pretty", "what are you doing today?", "lol", "that's hot", "miss you",
    "did you see my tip?", "can't wait for the next one", "haha you're funny",
)  # fmt: skip
CREATOR_LINES = (
    "hey babe, so happy to see you here 💕", "thank you, that means a lot!",
    "just finished a shoot, you'll love it", "haha stop it, you're making me blush",
    "I saw it, thank you so much!", "what would you like to see next?",
)  # fmt: skip
SHOOTS = (
    "golden-hour beach shoot", "cozy morning in bed with coffee", "gym session, sports bra",
    "red satin dress at a rooftop bar", "new lingerie try-on haul", "bubble bath with candles",
    "behind the scenes of a photoshoot", "cosplay as a video game character",
    "poolside in a bikini", "getting ready for a night out", "lazy sunday in an oversized hoodie",
    "hiking trip selfie",
)  # fmt: skip
DETAILS = (
    "soft natural light", "lots of close-ups", "a short teaser clip", "10 photos",
    "a 3 minute video", "black and white edits", "first time trying this look",
)  # fmt: skip
TONES = ("playful", "flirty", "mysterious", "wholesome", "confident", "cozy")
# Where a creator posts captions, and where fans write to them.
CAPTION_PLATFORMS = {"onlyfans": 25, "instagram": 30, "tiktok": 20, "x": 15, "fansly": 10}
DM_PLATFORMS = {"onlyfans": 70, "fansly": 20, "instagram": 6, "x": 4}


@dataclass(frozen=True)
class DemoFan:
    external_id: str
    platform: str


@dataclass(frozen=True)
class Request:
    feature: Feature
    path: str
    body: dict[str, Any]
    day: int | None = None  # analytics: the refresh sees this day's stats (advance_stats)


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _fan_message(rng: random.Random) -> str:
    templates = rng.choices([t for _, t in FAN_MESSAGES], weights=[w for w, _ in FAN_MESSAGES])[0]
    text = rng.choice(templates).format(n=DEMO_NAME.split()[0])
    if rng.random() < 0.3:
        text += rng.choice((" 😍", " 🔥", " ❤️", "!!", " 😘"))
    return text.capitalize() if rng.random() < 0.4 else text


def _reply(rng: random.Random, fans: list[DemoFan]) -> Request:
    body: dict[str, Any] = {"fan_message": _fan_message(rng)}
    if rng.random() < 0.4:  # a known fan: the prompt carries their segments, spend and notes
        fan = rng.choice(fans)
        body |= {"fan_id": fan.external_id, "platform": fan.platform}
    else:
        body["platform"] = _weighted(rng, DM_PLATFORMS)
    if rng.random() < 0.6:  # mid-conversation: a few earlier turns
        turns = rng.randint(1, 6)
        body["conversation"] = [
            {"from": "fan", "text": rng.choice(FAN_LINES)}
            if i % 2 == turns % 2
            else {"from": "creator", "text": rng.choice(CREATOR_LINES)}
            for i in range(turns)
        ]
    return Request(Feature.MESSAGING, "/api/ai/messages/reply", body)


def _caption(rng: random.Random) -> Request:
    body: dict[str, Any] = {
        "platform": _weighted(rng, CAPTION_PLATFORMS),
        "description": f"{rng.choice(SHOOTS)}, {rng.choice(DETAILS)}",
        "variants": rng.choice((1, 2, 3, 3, 3, 4, 5)),
    }
    if rng.random() < 0.5:
        body["tone"] = rng.choice(TONES)
    return Request(Feature.CONTENT, "/api/ai/content/caption", body)


def _sales(rng: random.Random, fans: list[DemoFan]) -> Request:
    body = {"fan_id": rng.choice(fans).external_id} if rng.random() < 0.5 else {}
    return Request(Feature.SALES, "/api/ai/sales/suggestions", body)


def plan_month(seed: int, fans: list[DemoFan], args: argparse.Namespace) -> list[Request]:
    """The month's requests, interleaved as a month would be; the same for a seed and fans."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible workload, not a secret
    refresh = "/api/ai/analytics/refresh"
    month = (
        [_reply(rng, fans) for _ in range(args.replies)]
        + [_caption(rng) for _ in range(args.captions)]
        + [Request(Feature.ANALYTICS, refresh, {}, day) for day in range(args.analytics)]
        + [_sales(rng, fans) for _ in range(args.sales)]
    )
    rng.shuffle(month)
    return month


def _key(request: Request) -> str:
    return json.dumps([request.path, request.body, request.day], sort_keys=True, ensure_ascii=False)


def month_digest(month: list[Request]) -> str:
    """Proof that both configurations were sent the very same requests."""
    return hashlib.sha256("\n".join(map(_key, month)).encode()).hexdigest()[:16]


def distinct_requests(month: list[Request]) -> dict[str, int]:
    """The emulator is seeded by the request, so a repeated request is the same draw again: how
    many independent draws each agent's figures rest on."""
    return {f.value: len({_key(r) for r in month if r.feature is f}) for f in Feature}


async def advance_stats(database: Database, user_id: int, day: int, seed: int) -> None:
    """Move the creator's stats on by a day before a refresh (a refresh is asked for because the
    numbers moved). The same days in both configurations; without it the month's refreshes would
    be one prompt, which the seeded emulator answers with one draw, every time."""
    rng = random.Random(f"{seed}:{day}")  # noqa: S311 - reproducible made-up numbers
    async with database.sessionmaker() as session, session.begin():
        stats = await session.get(UserStats, user_id)
        assert stats is not None, "the demo data has stats"
        stats.messages_sent += rng.randrange(40, 160)
        stats.messages_trend = round(rng.uniform(-15, 25), 1)
        stats.response_rate = round(rng.uniform(0.7, 0.97), 2)
        stats.revenue_micros += rng.randrange(20, 400) * 1_000_000
        stats.revenue_trend = round(rng.uniform(-10, 30), 1)
        stats.active_chats = rng.randrange(10, 60)


# --- One configuration's run --------------------------------------------------------------------


class OnlyGiven(Settings):
    """Settings from the values given and nothing else: no variable of this shell or .env file
    (a GEMINI_API_KEY or MESSAGING_MODEL left there) may change what is measured."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def settings_for(env: dict[str, str], database_url: URL, emulator_url: str) -> Settings:
    """The settings the app reads from exactly these environment variables."""
    values: dict[str, Any] = {k.lower(): v for k, v in env.items()}
    values |= {"database_url": database_url.render_as_string(), "gemini_base_url": emulator_url}
    return OnlyGiven(**values)


@asynccontextmanager
async def throwaway_sqlite() -> AsyncIterator[URL]:
    """A new SQLite file at head, deleted afterwards (the SQLite twin of common.py's)."""
    with tempfile.TemporaryDirectory(prefix="huntaze_cost_") as tmp:
        url = make_url(f"sqlite+aiosqlite:///{tmp}/cost.db")
        await asyncio.to_thread(upgrade, url)
        yield url


async def seed_creator(url: URL, settings: Settings) -> tuple[int, str, list[DemoFan]]:
    """The demo creator on the business plan (the $999,999 quota cannot end the month early),
    filled with the demo data; its id, bearer token and fans."""
    database = Database.from_url(url)
    async with database.sessionmaker() as session, session.begin():
        user = await create_user(
            session,
            UserCreate(
                email="chatter@example.com",
                password="bench-password",  # noqa: S106 - a throwaway database's creator
                plan="business",
                display_name=DEMO_NAME,
            ),
        )
        user.persona = DEMO_PERSONA
        await fill_demo_data(session, user, secret_key=settings.secret_key.get_secret_value())
        token = await create_api_token(session, user)
        rows = await session.execute(
            select(Fan.external_id, Fan.platform).where(Fan.user_id == user.id).order_by(Fan.id)
        )
        fans = [DemoFan(external_id, fan_platform) for external_id, fan_platform in rows]
    await database.dispose()
    return user.id, token, fans


@dataclass
class Seen:
    """What the chatter saw: HTTP outcomes per agent, and the fan replies they could send."""

    http: dict[Feature, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    usable_replies: int = 0
    guard_escalated_unmetered: int = 0


def _record(seen: Seen, request: Request, response: httpx.Response) -> None:
    body = response.json()
    if response.status_code != 200:
        seen.http[request.feature][str(body.get("error", f"http_{response.status_code}"))] += 1
        return
    if request.feature is not Feature.MESSAGING:
        seen.http[request.feature]["ok"] += 1
        return
    # 200 for every reply: a draft, or an escalation (by the guard or the model's filter).
    reasons = sorted({r["code"] for r in body["compliance"]["reasons"]}) or ["none"]
    seen.http[request.feature][f"{body['status']} ({', '.join(reasons)})"] += 1
    if body["status"] == "draft" and body["reply"].strip():
        seen.usable_replies += 1
    if body["usage"]["input_tokens"] == 0:
        seen.guard_escalated_unmetered += 1  # the guard sent it to a human: no model call


async def run_config(
    key: str, args: argparse.Namespace, emulator_url: str, emulator: httpx.AsyncClient
) -> dict[str, Any]:
    label, env = CONFIGS[key]
    async with throwaway_sqlite() as url:
        settings = settings_for(env, url, emulator_url)
        user_id, token, fans = await seed_creator(url, settings)
        month = plan_month(args.seed, fans, args)
        app = create_app(settings)
        seen = Seen()
        await emulator.delete("/emulator/stats")
        began = time.perf_counter()
        async with app.router.lifespan_context(app):
            # The app's own limiter with a limit no month reaches: 500/hour (business) would
            # stretch 1,230 calls over ~2.5 hours. It is still hit on every call, and it sits
            # before the reservation, so it decides nothing about what a call costs.
            app.state.meter.limiter = CreatorRateLimiter(
                None, limits={"starter": 10**9, "pro": 10**9, "business": 10**9}
            )
            transport = httpx.ASGITransport(app=app)
            headers = {"Authorization": f"Bearer {token}"}
            async with httpx.AsyncClient(
                transport=transport, base_url="http://bench", headers=headers, timeout=120
            ) as client:
                # One at a time, as one chatter works; it also keeps the emulator's implicit
                # cache and every draw in the same order on every run.
                for request in month:
                    if request.day is not None:
                        await advance_stats(app.state.database, user_id, request.day, args.seed)
                    _record(seen, request, await client.post(request.path, json=request.body))
        elapsed = time.perf_counter() - began
        stats = (await emulator.get("/emulator/stats")).json()
        money = await read_money(url)
    # What the provider reported is what was charged (invariant 3): the emulator's own count of
    # the tokens it billed against the rows' (thoughts are output tokens).
    billed = stats["tokens"]
    money["invariants"]["emulator_tokens_match_rows"] = (
        billed["prompt"] == money["input_tokens"]
        and billed["candidates"] + billed["thoughts"] == money["output_tokens"]
    )
    money["invariants"]["ok"] &= money["invariants"]["emulator_tokens_match_rows"]
    plan = plan_models(settings)
    return {
        "config": key,
        "label": label,
        "env": env,
        "agents": {
            f.value: {
                "model": p.model,
                "thinking": p.thinking.describe() if p.thinking else None,
                "source": p.source,
            }
            for f, p in plan.agents.items()
        },
        "month_sha256_16": month_digest(month),
        "distinct_requests": distinct_requests(month),
        "elapsed_s": round(elapsed, 1),
        "http": {f.value: dict(sorted(c.items())) for f, c in seen.http.items()},
        "usable_replies": seen.usable_replies,
        "guard_escalated_unmetered": seen.guard_escalated_unmetered,
        "emulator": {k: stats[k] for k in ("requests", "outcomes", "tokens", "faults_total")},
        **money,
    }


def _usd_per_1000(total_micros: int, calls: int) -> str:
    """$ per 1,000 calls from exact micro-USD: Decimal all the way, six places."""
    if not calls:
        return "0"
    value = Decimal(total_micros) * 1000 / calls / 1_000_000
    return str(value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_EVEN))


async def read_money(url: URL) -> dict[str, Any]:
    """Per agent, from the usage rows; then the ledger against them (DESIGN §2.4)."""
    database = Database.from_url(url)
    async with database.sessionmaker() as session:
        rows = (await session.execute(select(UsageLog))).scalars().all()
        ledgers = (await session.execute(select(QuotaLedger))).scalars().all()
        open_holds = await session.scalar(
            select(func.count())
            .select_from(QuotaReservation)
            .where(QuotaReservation.settled_at.is_(None))
        )
    await database.dispose()
    per_agent: dict[str, Any] = {}
    for feature in Feature:
        mine = [r for r in rows if r.feature == feature.value]
        if not mine:
            continue
        cost = sum(r.cost_micros for r in mine)
        outcomes = Counter(r.outcome for r in mine)
        outputs = [float(r.output_tokens) for r in mine]
        per_agent[feature.value] = {
            "calls": len(mine),
            "models": dict(Counter(r.model for r in mine)),
            "cost_micros": cost,
            "cost_usd": format_usd(cost),
            "usd_per_1000_calls": _usd_per_1000(cost, len(mine)),
            "mean_input_tokens": round(sum(r.input_tokens for r in mine) / len(mine), 1),
            "mean_output_tokens": round(sum(outputs) / len(mine), 1),
            "p50_output_tokens": percentile(outputs, 50),
            "p95_output_tokens": percentile(outputs, 95),
            "cached_input_tokens": sum(r.cached_input_tokens for r in mine),
            "outcomes": {o.value: outcomes.pop(o.value, 0) for o in OUTCOMES} | dict(outcomes),
        }
    spent = sum(ledger.spent_micros for ledger in ledgers)
    reserved = sum(ledger.reserved_micros for ledger in ledgers)
    summed = sum(r.cost_micros for r in rows)
    invariants = {
        "ledger_spent_micros": spent,
        "usage_rows_sum_micros": summed,
        "reserved_micros": reserved,
        "open_reservations": open_holds,
        "ok": spent == summed and reserved == 0 and open_holds == 0,
    }
    return {
        "per_agent": per_agent,
        "total_cost_usd": format_usd(summed),
        "input_tokens": sum(r.input_tokens for r in rows),
        "output_tokens": sum(r.output_tokens for r in rows),
        "invariants": invariants,
    }


def per_starter_month(run: dict[str, Any]) -> dict[str, Any]:
    """Fan replies a $10 month buys: $10 over the mean cost of a reply *call*. Every billed call
    counts, truncated and blocked ones included (the creator paid for them); messages the guard
    escalated before any call cost nothing and are not replies. Usable: drafts a chatter can
    send (status draft, non-empty), per $10 of the same spend."""
    messaging = run["per_agent"].get(Feature.MESSAGING.value)
    if not messaging or not messaging["cost_micros"]:
        return {}
    cost, calls = messaging["cost_micros"], messaging["calls"]
    starter_micros = int(STARTER_USD * 1_000_000)
    return {
        "usd_per_reply": str((Decimal(cost) / calls / 1_000_000).quantize(Decimal("0.00000001"))),
        "replies": starter_micros * calls // cost,
        "usable_replies": starter_micros * run["usable_replies"] // cost,
    }


# --- Report -------------------------------------------------------------------------------------


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603, S607
    return done.stdout.strip()


def _src_fingerprint() -> str:
    """The measured source when it is not all committed: its diff against HEAD and its untracked
    files, hashed, so a figure can be matched to the tree it came from."""
    digest = hashlib.sha256(_git("diff", "HEAD", "--", "src").encode())
    for name in _git("ls-files", "--others", "--exclude-standard", "--", "src").splitlines():
        digest.update(name.encode() + (ROOT / name).read_bytes())
    return digest.hexdigest()[:16]


def _version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _ratio(a: int, b: int) -> str | None:
    return str((Decimal(b) / Decimal(a)).quantize(Decimal("0.1"))) if a else None


def table(report: dict[str, Any]) -> str:
    m = report["month"]
    lines = [
        f"Measured {report['measured_at']} on {report['machine']['cpu_model']} "
        f"({report['machine']['cpus']} cores), commit {report['git']['commit'][:10]}"
        f"{' + uncommitted changes' if report['git']['uncommitted_files'] else ''}; "
        f"month: {m['replies']} replies, {m['captions']} captions, {m['analytics']} analytics "
        f"refreshes, {m['sales']} sales suggestions (seed {m['seed']}); emulator seed "
        f"{report['emulator']['seed']}, 0 ms.",
        "",
        "| config | agent | model, thinking | calls | $ / 1,000 calls | mean in | mean out "
        "| p95 out | ok | truncated | blocked | invalid_output | provider_error |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in report["runs"]:
        for agent, s in run["per_agent"].items():
            plan = run["agents"][agent]
            o = s["outcomes"]
            lines.append(
                f"| ({run['config']}) | {agent} | {plan['model']}, {plan['thinking']} | "
                f"{s['calls']} | {s['usd_per_1000_calls']} | {s['mean_input_tokens']} | "
                f"{s['mean_output_tokens']} | {s['p95_output_tokens']:.0f} | {o['ok']} | "
                f"{o['truncated']} | {o['blocked']} | {o['invalid_output']} | "
                f"{o['provider_error']} |"
            )
    lines += [
        "",
        "| config | month's cost | $ per reply | replies per $10 | usable replies per $10 "
        "| run time | invariants |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for run in report["runs"]:
        s = run["starter_month"]
        lines.append(
            f"| ({run['config']}) {run['label']} | ${run['total_cost_usd']} | "
            f"${s.get('usd_per_reply')} | {s.get('replies')} | {s.get('usable_replies')} | "
            f"{run['elapsed_s']} s | {'hold' if run['invariants']['ok'] else 'VIOLATED'} |"
        )
    if ratio := report.get("ratio_b_over_a"):
        verdict = "met" if Decimal(ratio["replies"]) >= 10 else "NOT met"
        lines += [
            "",
            f"Replies per starter month, (b) over (a): **{ratio['replies']}×** (usable replies: "
            f"{ratio['usable_replies']}×); the issue's target of 10× is {verdict}.",
        ]
    return "\n".join(lines)


def write_doc(report: dict[str, Any]) -> None:
    text = DOC.read_text() if DOC.exists() else ""
    if TABLE_START not in text:
        text += f"\n{TABLE_START}\n{TABLE_END}\n"
    before, _, rest = text.partition(TABLE_START)
    _, _, after = rest.partition(TABLE_END)
    DOC.write_text(f"{before}{TABLE_START}\n{table(report)}\n{TABLE_END}{after}")


async def main(args: argparse.Namespace) -> dict[str, Any]:
    runs = []
    config = EmulatorConfig(port=0, latency_ms=0, seed=args.emulator_seed)
    with run_emulator_in_thread(config) as url:
        async with httpx.AsyncClient(base_url=url) as emulator:
            for key in args.configs:
                run = await run_config(key, args, url, emulator)
                run["starter_month"] = per_starter_month(run)
                print(json.dumps({k: run[k] for k in ("config", "elapsed_s", "starter_month")}))
                runs.append(run)
    by_key = {r["config"]: r["starter_month"] for r in runs}
    ratio = None
    if by_key.get("a") and by_key.get("b"):
        ratio = {k: _ratio(by_key["a"][k], by_key["b"][k]) for k in ("replies", "usable_replies")}
    return {
        "benchmark": "cost",
        "what": "one chatter's month through create_app (in-process, httpx) on SQLite with demo "
        "data, the Gemini emulator at 0 ms; money from usage_logs",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpu_model": cpu_model(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
        },
        "versions": {
            name: _version(name) for name in ("pydantic-ai-slim", "google-genai", "genai-prices")
        },
        "git": {
            "commit": _git("rev-parse", "HEAD"),
            # The pipeline measured may not be committed yet: say so rather than imply HEAD.
            "uncommitted_files": len(_git("status", "--porcelain", "--", "src").splitlines()),
            "src_fingerprint": _src_fingerprint(),
        },
        "emulator": {"seed": args.emulator_seed, "latency_ms": 0},
        "month": {
            "seed": args.seed,
            "replies": args.replies,
            "captions": args.captions,
            "analytics": args.analytics,
            "sales": args.sales,
        },
        "starter_usd": str(STARTER_USD),
        "runs": runs,
        "ratio_b_over_a": ratio,
    }


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--replies", type=int, default=1000)
    parser.add_argument("--captions", type=int, default=100)
    parser.add_argument("--analytics", type=int, default=30)
    parser.add_argument("--sales", type=int, default=100)
    parser.add_argument("--configs", nargs="+", choices=sorted(CONFIGS), default=sorted(CONFIGS))
    parser.add_argument("--seed", type=int, default=11, help="the month's requests")
    parser.add_argument("--emulator-seed", type=int, default=1)
    parser.add_argument("--no-write", action="store_true", help="print only")
    return parser.parse_args()


if __name__ == "__main__":
    args = _args()
    # One JSON log line per call would drown the output; LOG_LEVEL does not touch the money.
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    report = asyncio.run(main(args))
    print(table(report))
    if not args.no_write:
        RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
        write_doc(report)
        print(f"written to {RESULTS} and {DOC}")
    sys.exit(0 if all(r["invariants"]["ok"] for r in report["runs"]) else 1)
