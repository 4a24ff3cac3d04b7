"""`huntaze-ai users create` and `huntaze-ai tokens create|list|revoke`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from huntaze_ai.cli._common import fail, in_session, print_table, run, settings, user_by_email

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.ext.asyncio import AsyncSession

users_app = typer.Typer(help="Creator accounts.", no_args_is_help=True)
tokens_app = typer.Typer(help="API bearer tokens.", no_args_is_help=True)


@users_app.command("create")
def users_create(
    email: str = typer.Option(..., help="Login email (stored lower-case, unique)."),
    password: str = typer.Option(
        ..., prompt=True, hide_input=True, confirmation_prompt=True, help="At least 8 characters."
    ),
    plan: str = typer.Option("starter", help="AI plan: starter, pro or business (any case)."),
    name: str | None = typer.Option(None, "--name", help="Display name."),
) -> None:
    """Create a creator account."""
    from huntaze_ai.users.service import create_user, validate_user_create

    try:
        data = validate_user_create(email=email, password=password, plan=plan, display_name=name)
    except Exception as exc:
        fail(str(exc))

    async def work(session: AsyncSession) -> int:
        return (await create_user(session, data)).id

    user_id = run(in_session(settings(), work))
    typer.echo(f"Created user {data.email} (id {user_id}, plan {data.plan}).")


@tokens_app.command("create")
def tokens_create(
    email: str = typer.Option(..., help="The creator the token acts for."),
    name: str = typer.Option("cli", help="A label to tell tokens apart."),
) -> None:
    """Create an API token and print it. It is shown only this once: only its hash is stored.
    Beyond MAX_API_TOKENS active tokens, the account's oldest is revoked."""
    from huntaze_ai.auth.service import create_api_token, token_label
    from huntaze_ai.kit.errors import InvalidRequest

    # Shown on the tokens page and in `tokens list`: a display field, as the page's form takes it.
    try:
        label = token_label(name)
    except InvalidRequest as exc:
        fail(f"--name: {exc.message}")
    config = settings()

    async def work(session: AsyncSession) -> str:
        user = await user_by_email(session, email)
        return await create_api_token(session, user, label, max_active=config.max_api_tokens)

    token = run(in_session(config, work))
    typer.echo(token)


@tokens_app.command("list")
def tokens_list(email: str = typer.Option(..., help="Whose API tokens.")) -> None:
    """List an account's API tokens that still work (never the tokens themselves)."""
    from huntaze_ai.auth.service import list_api_tokens

    async def work(session: AsyncSession) -> list[tuple[str, ...]]:
        user = await user_by_email(session, email)
        return [
            (
                str(t.id),
                t.name,
                f"{t.prefix}…",
                _when(t.created_at),
                _when(t.last_used_at) if t.last_used_at else "never",
                _when(t.expires_at) if t.expires_at else "never",
            )
            for t in await list_api_tokens(session, user.id)
        ]

    rows = run(in_session(settings(), work))
    if not rows:
        typer.echo(f"{email.strip().lower()} has no active API tokens.")
        return
    print_table(("id", "name", "prefix", "created", "last used", "expires"), rows)


@tokens_app.command("revoke")
def tokens_revoke(
    # At most the ids' 32-bit column (kit/ids.MAX_ID, not imported: it loads FastAPI).
    token_id: int = typer.Argument(..., min=1, max=2**31 - 1, help="The id `tokens list` shows."),
    email: str = typer.Option(..., help="Whose token it is (a check against a wrong id)."),
) -> None:
    """Revoke an API token: refused from the next request on, by every instance."""
    from huntaze_ai.auth.service import revoke_api_token

    async def work(session: AsyncSession) -> None:
        user = await user_by_email(session, email)
        await revoke_api_token(session, user.id, token_id)

    run(in_session(settings(), work))
    typer.echo(f"Revoked API token {token_id} of {email.strip().lower()}.")


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")
