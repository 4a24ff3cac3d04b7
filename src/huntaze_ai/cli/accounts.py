"""`huntaze-ai users create` and `huntaze-ai tokens create`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from huntaze_ai.cli._common import fail, in_session, run, settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

users_app = typer.Typer(help="Creator accounts.", no_args_is_help=True)
tokens_app = typer.Typer(help="API bearer tokens.", no_args_is_help=True)


@users_app.command("create")
def users_create(
    email: str = typer.Option(..., help="Login email (stored lower-case, unique)."),
    password: str = typer.Option(
        ..., prompt=True, hide_input=True, confirmation_prompt=True, help="At least 8 characters."
    ),
    plan: str = typer.Option("starter", help="AI plan: starter, pro or business."),
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
    """Create an API token and print it. It is shown only this once: only its hash is stored."""
    from huntaze_ai.auth.service import create_api_token
    from huntaze_ai.users import repository

    async def work(session: AsyncSession) -> str:
        user = await repository.get_by_email(session, email)
        if user is None:
            fail(f"no user with email {email.strip().lower()}")
        return await create_api_token(session, user, name)

    token = run(in_session(settings(), work))
    typer.echo(token)
