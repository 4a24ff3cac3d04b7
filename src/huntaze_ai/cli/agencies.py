"""`huntaze-ai agencies|members|assignments`: agency teams (DESIGN §6). Accounts come from
`users create`; these commands only seat them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from huntaze_ai.cli._common import fail, in_session, print_table, run, settings, user_by_email

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from huntaze_ai.models import Agency

agencies_app = typer.Typer(help="Agencies and the creators they work for.", no_args_is_help=True)
members_app = typer.Typer(help="An agency's members and their roles.", no_args_is_help=True)
assignments_app = typer.Typer(help="Which creators a chatter works for.", no_args_is_help=True)

AGENCY = typer.Option(..., "--agency", help="The agency's name.")
ROLES = "owner, manager or chatter"


async def _agency(session: AsyncSession, name: str) -> Agency:
    from huntaze_ai.agencies import repository

    agency = await repository.by_name(session, " ".join(name.split()))
    if agency is None:
        fail(f"no agency named {name!r}")
    return agency


@agencies_app.command("create")
def agencies_create(
    name: str = typer.Option(..., "--name", help="A unique name."),
    owner: str = typer.Option(..., "--owner", help="The owner's account email."),
    owner_is_creator: bool = typer.Option(
        False, "--owner-is-creator", help="The owner's own account is one of its creators too."
    ),
) -> None:
    """Create an agency with its first owner."""
    from huntaze_ai.agencies.service import create_agency

    async def work(session: AsyncSession) -> str:
        user = await user_by_email(session, owner)
        agency = await create_agency(session, name, user, owner_is_creator=owner_is_creator)
        return agency.name

    created = run(in_session(settings(), work))
    typer.echo(f"Created agency {created!r} owned by {owner.strip().lower()}.")


@agencies_app.command("add-creator")
def agencies_add_creator(
    agency: str = AGENCY, email: str = typer.Option(..., "--email", help="The creator's email.")
) -> None:
    """Let the agency act for a creator (a creator belongs to at most one agency)."""
    from huntaze_ai.agencies.service import add_creator

    async def work(session: AsyncSession) -> None:
        await add_creator(
            session, (await _agency(session, agency)).id, await user_by_email(session, email)
        )

    run(in_session(settings(), work))
    typer.echo(f"{email.strip().lower()} is now a creator of {agency!r}.")


@agencies_app.command("remove-creator")
def agencies_remove_creator(
    agency: str = AGENCY, email: str = typer.Option(..., "--email", help="The creator's email.")
) -> None:
    """The creator works alone again; the agency's members lose access at once."""
    from huntaze_ai.agencies.service import remove_creator

    async def work(session: AsyncSession) -> None:
        found = await _agency(session, agency)
        await remove_creator(session, found.id, (await user_by_email(session, email)).id)

    run(in_session(settings(), work))
    typer.echo(f"{email.strip().lower()} is no longer a creator of {agency!r}.")


@members_app.command("add")
def members_add(
    agency: str = AGENCY,
    email: str = typer.Option(..., "--email", help="The member's account email."),
    role: str = typer.Option(..., "--role", help=ROLES),
) -> None:
    """Seat an account in the agency (an account holds one seat)."""
    from huntaze_ai.agencies.service import add_member

    async def work(session: AsyncSession) -> None:
        found = await _agency(session, agency)
        await add_member(session, found.id, await user_by_email(session, email), role)

    run(in_session(settings(), work))
    typer.echo(f"{email.strip().lower()} is now {role} of {agency!r}.")


@members_app.command("set-role")
def members_set_role(
    agency: str = AGENCY,
    email: str = typer.Option(..., "--email", help="The member's account email."),
    role: str = typer.Option(..., "--role", help=ROLES),
) -> None:
    """Change a member's role (the agency keeps at least one owner)."""
    from huntaze_ai.agencies.service import set_role

    async def work(session: AsyncSession) -> None:
        found = await _agency(session, agency)
        await set_role(session, found.id, (await user_by_email(session, email)).id, role)

    run(in_session(settings(), work))
    typer.echo(f"{email.strip().lower()} is now {role} of {agency!r}.")


@members_app.command("remove")
def members_remove(
    agency: str = AGENCY,
    email: str = typer.Option(..., "--email", help="The member's account email."),
) -> None:
    """Remove a member: their assignments go, and their tokens and sessions stop working."""
    from huntaze_ai.agencies.service import remove_member

    async def work(session: AsyncSession) -> None:
        found = await _agency(session, agency)
        await remove_member(session, found.id, (await user_by_email(session, email)).id)

    run(in_session(settings(), work))
    typer.echo(f"Removed {email.strip().lower()} from {agency!r}; their tokens are revoked.")


@members_app.command("list")
def members_list(agency: str = AGENCY) -> None:
    """The agency's members, their roles and (chatters) the creators they work for; then its
    creators."""
    from huntaze_ai.agencies import repository

    async def work(session: AsyncSession) -> tuple[list[tuple[str, ...]], list[str]]:
        found = await _agency(session, agency)
        creators = {c.id: c.email for c in await repository.creators(session, found.id)}
        pairs = await repository.assignments(session, found.id)
        rows: list[tuple[str, ...]] = [
            (
                user.email,
                role,
                ", ".join(sorted(creators[c] for m, c in pairs if m == user.id)) or "-"
                if role == "chatter"
                else "all",
            )
            for user, role in await repository.members(session, found.id)
        ]
        return rows, sorted(creators.values())

    rows, creators = run(in_session(settings(), work))
    print_table(("member", "role", "works for"), rows)
    typer.echo(f"creators: {', '.join(creators) if creators else 'none yet'}")


@assignments_app.command("add")
def assignments_add(
    agency: str = AGENCY,
    chatter: str = typer.Option(..., "--chatter", help="The chatter's email."),
    creator: str = typer.Option(..., "--creator", help="The creator's email."),
) -> None:
    """Let a chatter work for one of the agency's creators."""
    from huntaze_ai.agencies.service import assign

    async def work(session: AsyncSession) -> bool:
        found = await _agency(session, agency)
        chatter_user = await user_by_email(session, chatter)
        creator_user = await user_by_email(session, creator)
        return await assign(session, found.id, chatter_user.id, creator_user.id)

    created = run(in_session(settings(), work))
    pair = f"{chatter.strip().lower()} works for {creator.strip().lower()}"
    typer.echo(pair + ("." if created else " (already did)."))


@assignments_app.command("remove")
def assignments_remove(
    agency: str = AGENCY,
    chatter: str = typer.Option(..., "--chatter", help="The chatter's email."),
    creator: str = typer.Option(..., "--creator", help="The creator's email."),
) -> None:
    """Stop a chatter working for a creator, from their next request on."""
    from huntaze_ai.agencies.service import unassign

    async def work(session: AsyncSession) -> None:
        found = await _agency(session, agency)
        chatter_user = await user_by_email(session, chatter)
        creator_user = await user_by_email(session, creator)
        await unassign(session, found.id, chatter_user.id, creator_user.id)

    run(in_session(settings(), work))
    typer.echo(f"{chatter.strip().lower()} no longer works for {creator.strip().lower()}.")
