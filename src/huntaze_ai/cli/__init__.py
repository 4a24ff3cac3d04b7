"""`huntaze-ai`, the operations CLI (DESIGN §6). One module per command group."""

from __future__ import annotations

import typer

from huntaze_ai.cli import (
    accounts,
    agencies,
    config_cmd,
    db,
    demo,
    demo_data,
    emulator,
    server,
    smoke,
    webhooks,
)

app = typer.Typer(
    name="huntaze-ai",
    help="Huntaze AI: metered AI agents for creators. Operations CLI.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(db.app, name="db")
app.add_typer(accounts.users_app, name="users")
app.add_typer(accounts.tokens_app, name="tokens")
app.add_typer(config_cmd.app, name="config")
app.add_typer(agencies.agencies_app, name="agencies")
app.add_typer(agencies.members_app, name="members")
app.add_typer(agencies.assignments_app, name="assignments")
app.add_typer(webhooks.app, name="webhooks")
server.register(app)
demo.register(app)
demo_data.register(app)
emulator.register(app)
smoke.register(app)


def main() -> None:
    app()
