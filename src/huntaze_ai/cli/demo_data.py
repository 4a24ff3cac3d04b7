"""`huntaze-ai demo-data --email E`: fill a creator's stats, platforms, fans, subscriptions and
campaigns with realistic made-up data (re-running replaces the demo rows; see demo_data.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from huntaze_ai.cli._common import fail, in_session, run, settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from huntaze_ai.creator_data.demo_data import DemoDataSummary


def register(app: typer.Typer) -> None:
    @app.command("demo-data")
    def demo_data(
        email: str = typer.Option(..., help="The creator to fill."),
        seed: int = typer.Option(0, help="Same seed, same fans and amounts."),
    ) -> None:
        """Fill a creator's stats, subscriptions, campaigns and platforms with realistic data."""
        from huntaze_ai.creator_data.demo_data import fill_demo_data
        from huntaze_ai.users import repository

        config = settings()

        async def work(session: AsyncSession) -> DemoDataSummary:
            user = await repository.get_by_email(session, email)
            if user is None:
                fail(f"no user with email {email.strip().lower()}")
            return await fill_demo_data(
                session, user, secret_key=config.secret_key.get_secret_value(), seed=seed
            )

        summary = run(in_session(config, work))
        segments = ", ".join(f"{n} {name}" for name, n in summary.segments.items())
        typer.echo(
            f"Demo data for {email.strip().lower()}: {summary.platforms} platforms, "
            f"{summary.fans} fans ({segments}), {summary.subscriptions} subscriptions, "
            f"{summary.campaigns} campaigns."
        )
