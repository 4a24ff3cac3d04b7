"""Names given on the command line follow the API's rule: no control or invisible formatting
characters (a bidi override would make the name read differently on every page)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.engine import URL

from tests.cli.conftest import Invoke


@pytest.fixture
def run(cli: Callable[[URL], Invoke], fresh_database_url: URL) -> Invoke:
    invoke = cli(fresh_database_url)
    assert invoke("db", "upgrade").exit_code == 0
    return invoke


def test_a_user_display_name_with_a_bidi_override_is_refused_naming_the_field(
    run: Invoke,
) -> None:
    result = run(
        "users", "create", "--email", "maya@example.com", "--password", "pw-123456",
        "--name", "Maya \u202eevil",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "display_name" in result.output
    assert "U+202E" in result.output
    listed = run("tokens", "list", "--email", "maya@example.com")
    assert "no user with email" in listed.output  # nothing was created


def test_a_token_name_with_a_zero_width_space_is_refused_and_no_token_made(run: Invoke) -> None:
    run("users", "create", "--email", "maya@example.com", "--password", "pw-123456")
    result = run("tokens", "create", "--email", "maya@example.com", "--name", "de\u200bploy")
    assert result.exit_code == 1
    assert "--name" in result.output
    assert "U+200B" in result.output
    assert "has no active API tokens" in run("tokens", "list", "--email", "maya@example.com").output
