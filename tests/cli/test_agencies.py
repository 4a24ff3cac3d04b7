"""`huntaze-ai agencies|members|assignments`: an operator seats accounts in an agency; every
mistake is one line and a non-zero exit, and changes nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.engine import URL

from tests.cli.conftest import Invoke

AGENCY = "Star Agency"


@pytest.fixture
def seated(cli: Callable[[URL], Invoke], fresh_database_url: URL) -> Invoke:
    run = cli(fresh_database_url)
    assert run("db", "upgrade").exit_code == 0
    for name in ("own", "man", "cha", "cr1", "cr2", "solo"):
        made = run("users", "create", "--email", f"{name}@x.io", "--password", "pw-123456")
        assert made.exit_code == 0, made.output
    steps = [
        ("agencies", "create", "--name", AGENCY, "--owner", "own@x.io"),
        ("agencies", "add-creator", "--agency", AGENCY, "--email", "cr1@x.io"),
        ("agencies", "add-creator", "--agency", AGENCY, "--email", "cr2@x.io"),
        ("members", "add", "--agency", AGENCY, "--email", "man@x.io", "--role", "manager"),
        ("members", "add", "--agency", AGENCY, "--email", "cha@x.io", "--role", "chatter"),
        (
            "assignments",
            "add",
            "--agency",
            AGENCY,
            "--chatter",
            "cha@x.io",
            "--creator",
            "cr1@x.io",
        ),
    ]
    for step in steps:
        result = run(*step)
        assert result.exit_code == 0, (step, result.output)
    return run


def test_members_list_shows_roles_and_whom_each_chatter_works_for(seated: Invoke) -> None:
    listed = seated("members", "list", "--agency", AGENCY)
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert lines[0].split() == ["member", "role", "works", "for"]
    assert lines[1].split() == ["own@x.io", "owner", "all"]
    assert lines[2].split() == ["man@x.io", "manager", "all"]
    assert lines[3].split() == ["cha@x.io", "chatter", "cr1@x.io"]
    assert lines[4] == "creators: cr1@x.io, cr2@x.io"


MISTAKES = [
    (
        ("members", "add", "--agency", AGENCY, "--email", "cha@x.io", "--role", "chatter"),
        "already a member",
    ),
    (
        ("members", "add", "--agency", AGENCY, "--email", "solo@x.io", "--role", "boss"),
        "role must be one of owner, manager, chatter",
    ),
    (
        ("members", "remove", "--agency", AGENCY, "--email", "own@x.io"),
        "must keep at least one owner",
    ),
    (
        ("members", "set-role", "--agency", AGENCY, "--email", "own@x.io", "--role", "chatter"),
        "must keep at least one owner",
    ),
    (
        (
            "assignments",
            "add",
            "--agency",
            AGENCY,
            "--chatter",
            "man@x.io",
            "--creator",
            "cr1@x.io",
        ),
        "Only chatters are assigned",
    ),
    (
        (
            "assignments",
            "add",
            "--agency",
            AGENCY,
            "--chatter",
            "cha@x.io",
            "--creator",
            "solo@x.io",
        ),
        "No such creator",
    ),
    (
        ("agencies", "add-creator", "--agency", "Nope", "--email", "solo@x.io"),
        "no agency named 'Nope'",
    ),
    (
        ("agencies", "create", "--name", AGENCY, "--owner", "solo@x.io"),
        "An agency with this name already exists",
    ),
    (
        ("members", "add", "--agency", AGENCY, "--email", "ghost@x.io", "--role", "chatter"),
        "no user with email ghost@x.io",
    ),
]


def test_each_mistake_is_one_line_and_exit_1_and_changes_nothing(seated: Invoke) -> None:
    before = seated("members", "list", "--agency", AGENCY).output
    for args, message in MISTAKES:
        result = seated(*args)
        assert result.exit_code == 1, args
        assert message in result.output, (args, result.output)
        assert "Traceback" not in result.output
    assert seated("members", "list", "--agency", AGENCY).output == before


def test_removing_a_member_and_an_assignment(seated: Invoke) -> None:
    unassigned = seated(
        "assignments",
        "remove",
        "--agency",
        AGENCY,
        "--chatter",
        "cha@x.io",
        "--creator",
        "cr1@x.io",
    )
    removed = seated("members", "remove", "--agency", AGENCY, "--email", "man@x.io")
    listed = seated("members", "list", "--agency", AGENCY).output
    assert unassigned.exit_code == 0, unassigned.output
    assert removed.exit_code == 0
    assert "their tokens are revoked" in removed.output
    assert "man@x.io" not in listed
    assert "cha@x.io  chatter  -" in listed
