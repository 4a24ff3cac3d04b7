"""`huntaze-ai emulator`: the built-in Gemini API emulator as a standalone server."""

from __future__ import annotations

from typing import Any

import typer

from huntaze_ai.cli._common import fail
from huntaze_ai.emulator import EmulatorConfig, FaultKind
from huntaze_ai.emulator.safety import DEFAULT_TRIGGERS, SafetyTrigger, parse_trigger


def _create_app(config: EmulatorConfig) -> Any:
    from huntaze_ai.emulator import create_app  # the server loads only when it is run

    return create_app(config)


def _triggers(given: list[str], none: bool) -> tuple[SafetyTrigger, ...]:
    if none:
        return ()
    if not given:
        return DEFAULT_TRIGGERS
    try:
        return tuple(parse_trigger(text) for text in given)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--safety-trigger") from None


def register(app: typer.Typer) -> None:
    @app.command("emulator")
    def emulator(
        host: str = typer.Option("127.0.0.1", help="Interface to bind (keep it loopback)."),
        port: int = typer.Option(8090, min=0, max=65535, help="TCP port; 0 picks a free one."),
        latency_ms: float = typer.Option(
            0.0, min=0.0, help="Latency added to each generation request (spread over a stream)."
        ),
        fail_rate: float = typer.Option(
            0.0, min=0.0, max=1.0, help="Fraction of generation requests that get a fault."
        ),
        fail_status: int = typer.Option(
            500, min=400, max=599, help="HTTP status of injected http_error faults."
        ),
        fail_kind: list[FaultKind] = typer.Option(
            [FaultKind.HTTP_ERROR.value],
            help="Faults that --fail-rate draws from (repeat the option for several).",
        ),
        fault: FaultKind | None = typer.Option(
            None, help="Inject this fault on every generation request."
        ),
        seed: int = typer.Option(0, help="Seed of the answers and of the drawn faults."),
        api_key: list[str] = typer.Option(
            [], help="Accept only these API keys (repeatable); by default any non-empty key."
        ),
        no_tool_calls: bool = typer.Option(
            False, "--no-tool-calls", help="Answer agents with tools without calling them first."
        ),
        safety_trigger: list[str] = typer.Option(
            [],
            help="Block answers to messages containing PHRASE (repeatable, replaces the default "
            "list): PHRASE=CATEGORY (harassment, hate_speech, sexually_explicit, "
            "dangerous_content, or PROHIBITED_CONTENT, BLOCKLIST, SPII), ':prompt' to block "
            "the prompt instead.",
        ),
        no_safety_triggers: bool = typer.Option(
            False, "--no-safety-triggers", help="Never block for a phrase (faults still do)."
        ),
    ) -> None:
        """Serve a Gemini-compatible REST API offline (point GEMINI_BASE_URL at it)."""
        config = EmulatorConfig(
            host=host,
            port=port,
            latency_ms=latency_ms,
            fail_rate=fail_rate,
            fail_status=fail_status,
            fail_kinds=tuple(fail_kind),
            fault=fault,
            seed=seed,
            api_keys=frozenset(api_key) if api_key else None,
            call_tools=not no_tool_calls,
            safety_triggers=_triggers(safety_trigger, no_safety_triggers),
        )
        import socket

        import uvicorn  # the server loads only when it is run

        # Bound here, so that the address printed is the real one when --port 0 picks it.
        try:
            sock = socket.create_server((host, port))
        except OSError as exc:
            fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
        bound = sock.getsockname()[1]
        typer.echo(
            f"Gemini API emulator (seed {seed}): set GEMINI_BASE_URL=http://{host}:{bound} "
            "and any GEMINI_API_KEY; stats at /emulator/stats",
            err=True,
        )
        with sock:
            uvicorn.run(
                _create_app(config),
                fd=sock.fileno(),
                log_level="info",
                ws="none",
                lifespan="off",
                timeout_graceful_shutdown=2,
            )
