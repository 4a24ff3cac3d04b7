"""`huntaze-ai webhooks list|retry`: the delivery log of every creator, for the operator."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from huntaze_ai.cli._common import fail, in_session, print_table, run, settings, user_by_email

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.ext.asyncio import AsyncSession

    from huntaze_ai.webhooks.service import LoggedEvent

app = typer.Typer(help="Signed webhooks: the delivery log.", no_args_is_help=True)
STATUSES = ("pending", "delivered", "failed")


@app.command("list")
def list_cmd(
    status: str | None = typer.Option(None, help="pending, delivered or failed."),
    creator: str | None = typer.Option(None, "--creator", help="Only this creator's (email)."),
    limit: int = typer.Option(50, min=1, max=200, help="At most this many, newest first."),
    attempts: bool = typer.Option(False, "--attempts", help="Each event's attempts too."),
) -> None:
    """Events newest first: type, status, attempts, last error, times."""
    from huntaze_ai.webhooks.service import delivery_log

    if status is not None and status not in STATUSES:
        fail(f"--status must be one of {', '.join(STATUSES)}")

    async def work(session: AsyncSession) -> list[LoggedEvent]:
        creator_id = None if creator is None else (await user_by_email(session, creator)).id
        return await delivery_log(session, creator_id, status=status, limit=limit)

    logged = run(in_session(settings(), work))
    if not logged:
        typer.echo("No webhook events.")
        return
    print_table(
        ("id", "type", "creator", "status", "attempts", "created", "delivered", "last error"),
        [
            (
                e.event.id,
                e.event.type,
                str(e.event.creator_id),
                e.event.status,
                str(e.event.attempts),
                _when(e.event.created_at),
                _when(e.event.delivered_at) if e.event.delivered_at else "-",
                e.event.last_error or "-" if e.event.status != "delivered" else "-",
            )
            for e in logged
        ],
    )
    if attempts:
        for e in logged:
            for a in e.attempts:
                outcome = (
                    "unfinished" if a.finished_at is None else a.error or f"HTTP {a.status_code}"
                )
                typer.echo(f"{e.event.id}  #{a.number}  {_when(a.started_at)}  {outcome}")


@app.command("retry")
def retry_cmd(
    event_id: str = typer.Argument(..., help="The event id `webhooks list` shows."),
) -> None:
    """Send the failed event ID again now (one more attempt), under the same event id."""
    from huntaze_ai.webhooks.service import retry

    async def work(session: AsyncSession) -> None:
        await retry(session, event_id.strip(), None)

    run(in_session(settings(), work))
    typer.echo(f"Event {event_id.strip()} is due again; a running instance sends it shortly.")


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")
