"""`huntaze-ai`, the operations CLI (DESIGN §6). One module per command group."""

from __future__ import annotations

import typer

from huntaze_ai.cli import accounts, db, emulator, server

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
server.register(app)
emulator.register(app)


def main() -> None:
    app()
