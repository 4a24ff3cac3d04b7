"""What a fan reply's I/O costs on this stack's libraries alone, beside the reply itself: the
floor under issue 16's CPU target.

    .venv/bin/python bench/stack_floor.py [--rounds 4] [--replies 300]

Each round runs, in fresh interpreters on uvloop and as ASGI calls (as `bench/reply_cpu.py`
does), 60 warm-up requests, then `--replies` measured ones, and reads the process's CPU time:

- **reply**: this tree's `POST /api/ai/messages/reply` naming one of 50 fans (`reply_cpu.py
  --fans 50`): the product.
- **fastapi**: a FastAPI app with the reply's I/O and nothing else: a pydantic body and response
  model, a bearer dependency that reads the token's row, then one read, the rate limit on Redis
  through `limits`, a reserving statement, the Gemini request through aiohttp to the same
  emulator (the same request body a reply sends, its JSON answer parsed), a settling statement
  and the draft's insert. Statements go on SQLAlchemy's pool straight to asyncpg, four checkouts,
  as the reply's do. No guard, no prompt, no pricing, no logging, no metrics.
- **asgi**: the same I/O under a bare ASGI callable: no FastAPI, Starlette or pydantic.

Checkouts alternate per round; medians. Printed, and written to bench/results/stack_floor.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from common import cpu_model, empty_database
from reply_cpu import CHILD as REPLY_CHILD
from reply_cpu import PYTHON, REDIS_URL, ROOT, _cli, _env, emulator

FLOOR = r"""
import asyncio, hashlib, json, os, sys, time
import aiohttp, uvloop
from limits import RateLimitItemPerHour
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from sqlalchemy.engine import make_url
from huntaze_ai.kit.db import create_engine
from huntaze_ai.llm.gemini import request_body
from huntaze_ai.messaging.agent import MessagingDraft

KIND, REPLIES = sys.argv[1], int(sys.argv[2])
SCHEMA = '''
CREATE TABLE tokens (hash text PRIMARY KEY, user_id int NOT NULL);
CREATE TABLE fans (user_id int, fan_id text, name text, notes text, PRIMARY KEY (user_id, fan_id));
CREATE TABLE ledger (user_id int PRIMARY KEY, spent bigint NOT NULL, reserved bigint NOT NULL);
CREATE TABLE holds (id bigserial PRIMARY KEY, user_id int, amount bigint,
                    at timestamptz DEFAULT now());
CREATE TABLE usage (id bigserial PRIMARY KEY, user_id int, cost bigint,
                    at timestamptz DEFAULT now());
CREATE TABLE drafts (id bigserial PRIMARY KEY, user_id int, fan_id text, text text,
                     at timestamptz DEFAULT now());
'''
TOKEN = "SELECT user_id FROM tokens WHERE hash = $1"
READS = "SELECT name, notes FROM fans WHERE user_id = $1 AND fan_id = $2"
RESERVE = '''WITH l AS (UPDATE ledger SET reserved = reserved + $2
                        WHERE user_id = $1 AND spent + reserved + $2 <= 5000000000
                        RETURNING user_id)
             INSERT INTO holds (user_id, amount) SELECT user_id, $2 FROM l RETURNING id'''
SETTLE = '''WITH h AS (DELETE FROM holds WHERE id = $1 RETURNING user_id, amount),
                 l AS (UPDATE ledger SET reserved = reserved - h.amount, spent = spent + $2
                       FROM h WHERE ledger.user_id = h.user_id RETURNING ledger.user_id)
             INSERT INTO usage (user_id, cost) SELECT user_id, $2 FROM l'''
DRAFT = "INSERT INTO drafts (user_id, fan_id, text) VALUES ($1, $2, $3) RETURNING id"
BODY = request_body(
    instructions="You draft a reply to a fan for a creator. " * 60,
    user_content="<<<DATA\n" + "the fan liked the last post, a lot. " * 28 + "\nDATA>>>",
    output_type=MessagingDraft, max_output_tokens=700, thinking={"thinkingBudget": 0}, safety={},
)
LIMIT = RateLimitItemPerHour(1_000_000)


class IO:
    async def start(self):
        self.engine = create_engine(make_url(os.environ["DATABASE_URL"]))
        url = os.environ["GEMINI_BASE_URL"] + "/v1beta/models/gemini-2.5-flash:generateContent"
        self.url = url
        self.http = aiohttp.ClientSession(headers={"x-goog-api-key": "bench",
                                                   "content-type": "application/json"})
        storage = storage_from_string("async+" + os.environ["REDIS_URL"], implementation="redispy")
        self.limiter = MovingWindowRateLimiter(storage)
        fairy = await self.engine.raw_connection()
        conn = fairy.driver_connection
        await conn.execute(SCHEMA)
        for user in range(20):
            await conn.execute("INSERT INTO tokens VALUES ($1, $2)", self.hashed(f"t{user}"), user)
            await conn.execute("INSERT INTO ledger VALUES ($1, 0, 0)", user)
            for fan in range(50):
                await conn.execute("INSERT INTO fans VALUES ($1, $2, $3, $4)", user, f"fan-{fan}",
                                   f"Alex{fan}", "likes the beach; tipped twice")
        fairy.close()

    @staticmethod
    def hashed(token):
        return hashlib.sha256(token.encode()).hexdigest()

    async def fetch(self, sql, *args):
        fairy = await self.engine.raw_connection()
        try:
            return await fairy.driver_connection.fetch(sql, *args)
        finally:
            fairy.close()

    async def login(self, token):
        rows = await self.fetch(TOKEN, self.hashed(token))
        return rows[0][0] if rows else None

    async def reply(self, user, fan_message, fan_id):
        await self.fetch(READS, user, fan_id)
        if not await self.limiter.hit(LIMIT, f"creator:{user}"):
            raise RuntimeError("rate limited")
        (hold,) = await self.fetch(RESERVE, user, 1200)
        async with self.http.post(self.url, data=json.dumps(BODY).encode(),
                                  timeout=aiohttp.ClientTimeout(total=60)) as response:
            answer = json.loads(await response.read())
        usage = answer["usageMetadata"]
        draft = json.loads(answer["candidates"][0]["content"]["parts"][0]["text"])
        cost = usage["promptTokenCount"] * 3 // 10 + usage.get("candidatesTokenCount", 0) * 25 // 10
        await self.fetch(SETTLE, hold[0], cost)
        (row,) = await self.fetch(DRAFT, user, fan_id, draft["reply"])
        return {"reply": draft["reply"], "status": "draft", "draft_id": row[0],
                "cost_usd": f"{cost / 1e6:.6f}"}


io = IO()


def fastapi_app():
    from fastapi import Depends, FastAPI, HTTPException
    from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
    from pydantic import BaseModel, Field

    class Asked(BaseModel):
        fan_message: str = Field(min_length=1, max_length=4000)
        fan_id: str | None = Field(default=None, max_length=200)

    class Answer(BaseModel):
        reply: str
        status: str
        draft_id: int
        cost_usd: str

    bearer = HTTPBearer(auto_error=False)

    async def creator(credentials: HTTPAuthorizationCredentials | None = Depends(bearer)) -> int:
        user = None if credentials is None else await io.login(credentials.credentials)
        if user is None:
            raise HTTPException(401)
        return user

    app = FastAPI()

    @app.post("/api/ai/messages/reply", response_model=Answer)
    async def reply(body: Asked, user: int = Depends(creator)) -> Answer:
        return Answer(**await io.reply(user, body.fan_message, body.fan_id))

    return app


def asgi_app():
    async def app(scope, receive, send):
        token = dict(scope["headers"])[b"authorization"].decode().removeprefix("Bearer ")
        message = await receive()
        asked = json.loads(message["body"])
        user = await io.login(token)
        out = json.dumps(await io.reply(user, asked["fan_message"], asked.get("fan_id"))).encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(out)).encode())]})
        await send({"type": "http.response.body", "body": out})
    return app


async def call(app, token, i):
    body = json.dumps({"fan_message": "hey! loved the new set, any plans for the weekend?",
                       "fan_id": f"fan-{i % 50}"}).encode()
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
             "scheme": "http", "path": "/api/ai/messages/reply",
             "raw_path": b"/api/ai/messages/reply", "query_string": b"", "root_path": "",
             "server": ("127.0.0.1", 8000), "client": ("127.0.0.1", 40000), "state": {},
             "headers": [(b"host", b"127.0.0.1:8000"),
                         (b"authorization", f"Bearer {token}".encode()),
                         (b"content-type", b"application/json"),
                         (b"content-length", str(len(body)).encode())]}
    sent, status = False, []
    async def receive():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()
    async def send(message):
        if message["type"] == "http.response.start":
            status.append(message["status"])
    await app(scope, receive, send)
    return status[0]


async def main():
    await io.start()
    app = fastapi_app() if KIND == "fastapi" else asgi_app()
    for i in range(60):
        assert await call(app, f"t{i % 20}", i) == 200
    statuses = {}
    started = time.process_time()
    for i in range(REPLIES):
        code = await call(app, f"t{i % 20}", i)
        statuses[code] = statuses.get(code, 0) + 1
    print(json.dumps({"cpu_ms": 1000 * (time.process_time() - started) / REPLIES,
                      "statuses": statuses}))
    await io.http.close()
    await io.engine.dispose()

uvloop.run(main())
"""


def _run(kind: str, url: str, emulator: str, replies: int) -> float:
    env = _env(ROOT, url, emulator)
    if kind == "reply":
        subprocess.run(_cli("db", "upgrade"), env=env, check=True, capture_output=True)  # noqa: S603
        command = [PYTHON, "-c", REPLY_CHILD, str(replies), "50", "0"]
    else:
        command = [PYTHON, "-c", FLOOR, kind, str(replies)]
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode:
        raise SystemExit(f"{kind}: {done.stderr[-3000:]}")
    out = json.loads(next(x for x in reversed(done.stdout.splitlines()) if x.startswith("{")))
    if set(out["statuses"]) != {"200"}:
        raise SystemExit(f"{kind}: answers {out['statuses']}")
    print(f"{kind}: {out['cpu_ms']:.2f} ms CPU/request", flush=True)
    return float(out["cpu_ms"])


async def run(rounds: int, replies: int) -> dict[str, list[float]]:
    kinds = ["reply", "fastapi", "asgi"]
    results: dict[str, list[float]] = {k: [] for k in kinds}
    async with emulator() as emulated:
        for round_no in range(rounds):
            for kind in kinds if round_no % 2 == 0 else kinds[::-1]:
                async with empty_database(f"huntaze_floor_{kind}") as url:
                    dsn = url.render_as_string(hide_password=False)
                    results[kind].append(
                        await asyncio.to_thread(_run, kind, dsn, emulated, replies)
                    )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--replies", type=int, default=300)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    load = Path("/proc/loadavg").read_text().split()[0]
    results = asyncio.run(run(args.rounds, args.replies))
    medians = {k: statistics.median(v) for k, v in results.items()}
    print(f"\n{cpu_model()} (2 cores), {args.replies} requests x {args.rounds} rounds")
    for kind, median in medians.items():
        share = median / medians["reply"]
        print(f"{kind}: median {median:.2f} ms CPU per request ({share:.2f}x the reply)")
    if not args.no_write:
        out = ROOT / "bench" / "results" / "stack_floor.json"
        out.write_text(
            json.dumps(
                {
                    "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "cpu": cpu_model(),
                    "load_average_start": float(load),
                    "load_average_end": float(Path("/proc/loadavg").read_text().split()[0]),
                    "rounds": args.rounds,
                    "requests": args.replies,
                    "cpu_ms_per_request": results,
                    "median_cpu_ms": medians,
                },
                indent=2,
            )
            + "\n"
        )


if __name__ == "__main__":
    sys.exit(main())
