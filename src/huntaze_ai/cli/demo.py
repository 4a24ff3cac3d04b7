"""`huntaze-ai demo`: the embedded run (DESIGN §6), everything in this one process.

Migrate the database (a SQLite file by default), create or refresh a demo creator filled with demo
data, start the built-in Gemini emulator unless GEMINI_API_KEY is set, then serve the app and
print where to log in. Ctrl-C or SIGTERM stop it all and exit 0: stopping is the normal end.
"""

from __future__ import annotations

import signal
import socket
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import TYPE_CHECKING

import typer

from huntaze_ai.cli import db
from huntaze_ai.cli._common import fail, in_session, run, serving_settings

if TYPE_CHECKING:
    import uvicorn
    from sqlalchemy.ext.asyncio import AsyncSession

    from huntaze_ai.config import Settings
    from huntaze_ai.users.schemas import UserCreate

# `.example` is reserved (RFC 2606) and passes the account email check, which refuses `.local`.
DEMO_EMAIL = "demo@huntaze.example"
# Printed on every start: it guards a local demo, not anything worth a secret.
DEMO_PASSWORD = "huntaze-demo"  # noqa: S105
DEMO_NAME = "Luna Demo"
DEMO_PERSONA = (
    "Warm, playful and a little teasing; short messages with at most one emoji; thanks fans by "
    "name and ends with a question to keep the chat going."
)
# A browser's open stream must not hold Ctrl-C for long.
GRACEFUL_SHUTDOWN_S = 5


@dataclass(frozen=True)
class _Seeded:
    created: bool
    fans: int
    campaigns: int
    agency: str
    team_logins: list[tuple[str, str]]


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        host: str = typer.Option("127.0.0.1", help="Interface to bind."),
        port: int = typer.Option(8000, min=0, max=65535, help="TCP port; 0 picks a free one."),
        email: str = typer.Option(DEMO_EMAIL, help="The demo creator's login email."),
        password: str = typer.Option(
            DEMO_PASSWORD, help="The demo creator's password (reset to this on every start)."
        ),
        emulator_latency_ms: float = typer.Option(
            300.0, min=0.0, help="Latency the Gemini emulator adds to each generation request."
        ),
    ) -> None:
        """Migrate, create a demo creator with data, start the emulator and the app; print login."""
        # During the setup SIGTERM behaves as Ctrl-C does: a quiet stop, not a kill mid-migration.
        previous_term = signal.signal(signal.SIGTERM, signal.default_int_handler)
        try:
            _demo(host, port, email, password, emulator_latency_ms)
        except KeyboardInterrupt:
            typer.echo("Stopped before the app started.", err=True)
        finally:
            signal.signal(signal.SIGTERM, previous_term)


def _demo(host: str, port: int, email: str, password: str, latency_ms: float) -> None:
    from huntaze_ai.kit.errors import InvalidRequest
    from huntaze_ai.kit.logging import configure_logging
    from huntaze_ai.users.service import validate_user_create

    config = serving_settings()  # fail fast, in one line, on a bad configuration
    try:
        account = validate_user_create(
            email=email, password=password, plan="pro", display_name=DEMO_NAME
        )
    except InvalidRequest as exc:
        fail(exc.message)
    # Bound before anything else: a taken port fails at once, not after migrating and seeding.
    listener = _bind(host, port)
    configure_logging()
    with listener, ExitStack() as stack:
        db.upgrade_cmd()
        seeded = run(in_session(config, lambda session: _seed(session, config, account)))
        what = "Created" if seeded.created else "Reused (password reset, data refreshed)"
        typer.echo(
            f"{what} demo creator {account.email}: {seeded.fans} fans, "
            f"{seeded.campaigns} campaigns."
        )
        app_settings, ai = _ai(config, latency_ms, stack)
        # Built before the banner: importing the app takes seconds, the URL should answer at once.
        server = _server(app_settings)
        _banner(host, listener.getsockname()[1], account, ai, seeded)
        with _stop_on_signals(server):
            server.run(sockets=[listener])
    typer.echo("Stopped.")


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    # As uvicorn does: a restart right after a stop must not wait out TIME_WAIT connections.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        reason = exc.strerror or str(exc)
        fail(f"cannot listen on {host}:{port}: {reason} (choose another with --port)")
    return sock


async def _seed(session: AsyncSession, config: Settings, account: UserCreate) -> _Seeded:
    from huntaze_ai.agencies.demo_team import seed_demo_team
    from huntaze_ai.creator_data.demo_data import fill_demo_data
    from huntaze_ai.kit.security import hash_password
    from huntaze_ai.users import repository
    from huntaze_ai.users.service import create_user

    user = await repository.get_by_email(session, account.email)
    created = user is None
    if user is None:
        user = await create_user(session, account)
        user.persona = DEMO_PERSONA
    else:
        # The password may have been changed since, and the printed login must work.
        user.password_hash = hash_password(account.password)
    secret = config.secret_key.get_secret_value()
    summary = await fill_demo_data(session, user, secret_key=secret)
    team = await seed_demo_team(session, user, account.password, secret)
    return _Seeded(created, summary.fans, summary.campaigns, team.agency, team.logins)


def _ai(config: Settings, latency_ms: float, stack: ExitStack) -> tuple[Settings, str]:
    """The app's settings, with the emulator started when the AI is to be emulated; and a line
    saying which AI answers."""
    from huntaze_ai.emulator import EmulatorConfig, run_emulator_in_thread

    if config.llm_provider == "openai":
        return config, f"{config.openai_model} at {config.openai_base_url} (OpenAI-compatible)"
    if config.gemini_api_key is not None:
        return config, f"Gemini {_models(config)} (real calls, GEMINI_API_KEY is set)"
    if config.gemini_base_url:
        # An emulator the operator started (`huntaze-ai emulator` with faults, say) is theirs.
        return config, f"emulated, by GEMINI_BASE_URL={config.gemini_base_url}"
    url = stack.enter_context(run_emulator_in_thread(EmulatorConfig(port=0, latency_ms=latency_ms)))
    ai = (
        f"emulated (built-in Gemini emulator at {url}, {latency_ms:g} ms latency; "
        "set GEMINI_API_KEY for real Gemini)"
    )
    return config.model_copy(update={"gemini_base_url": url}), ai


def _models(config: Settings) -> str:
    from huntaze_ai.llm.models import plan_models

    return ", ".join(f"{p.feature.value} {p.model}" for p in plan_models(config))


def _banner(host: str, port: int, account: UserCreate, ai: str, seeded: _Seeded) -> None:
    team = [f"  Team:     {seeded.agency}, same password:"] if seeded.agency else []
    team += [f"            {email}  ({what})" for email, what in seeded.team_logins]
    typer.echo(
        "\n".join(
            (
                "",
                "Huntaze AI demo",
                f"  URL:      http://{_browsable(host)}:{port}/auth/login",
                f"  Email:    {account.email}",
                f"  Password: {account.password}",
                *team,
                f"  AI:       {ai}",
                "Press Ctrl-C to stop.",
                "",
            )
        )
    )


def _browsable(host: str) -> str:
    """The address to type into a browser for the interface bound."""
    if host in ("", "0.0.0.0"):  # noqa: S104 - matched, not bound
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def _server(config: Settings) -> uvicorn.Server:
    import uvicorn

    from huntaze_ai.cli.server import uvicorn_options
    from huntaze_ai.main import create_app  # the app's imports are paid only here

    return uvicorn.Server(
        uvicorn.Config(
            create_app(config),
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
            **uvicorn_options(config),
        )
    )


@contextmanager
def _stop_on_signals(server: uvicorn.Server) -> Iterator[None]:
    """SIGINT and SIGTERM ask the server to stop, and nothing more.

    uvicorn handles both while it serves, then restores the handlers it found and raises the signal
    again so the process dies of it: a KeyboardInterrupt traceback, or exit -15. The handlers it
    finds are these, so the stop it has already done is the end of it and the command exits 0.
    """

    def stop(signum: int, frame: FrameType | None) -> None:
        server.should_exit = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
