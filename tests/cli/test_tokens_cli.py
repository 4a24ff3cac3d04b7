"""`huntaze-ai tokens list|revoke`: an operator sees an account's working API tokens (never the
tokens) and revokes one by id, checked against the account's email."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from sqlalchemy.engine import URL

from tests.cli.conftest import Invoke


@pytest.fixture
def run(cli: Callable[[URL], Invoke], fresh_database_url: URL) -> Invoke:
    invoke = cli(fresh_database_url)
    assert invoke("db", "upgrade").exit_code == 0
    for email in ("maya@example.com", "other@example.com"):
        created = invoke("users", "create", "--email", email, "--password", "pw-123456")
        assert created.exit_code == 0, created.output
    return invoke


def _ids(output: str) -> list[int]:
    return [int(m) for m in re.findall(r"^(\d+)\s", output, flags=re.MULTILINE)]


def test_list_shows_working_tokens_without_the_secret_and_revoke_removes_one(run: Invoke) -> None:
    deploy = run("tokens", "create", "--email", "maya@example.com", "--name", "deploy").output
    smoke = run("tokens", "create", "--email", "maya@example.com", "--name", "smoke").output
    listed = run("tokens", "list", "--email", "Maya@Example.com")
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert lines[0].split() == ["id", "name", "prefix", "created", "last", "used", "expires"]
    assert "smoke" in lines[1]
    assert "deploy" in lines[2]
    assert f"{smoke.strip()[:12]}…" in lines[1]
    assert deploy.strip() not in listed.output
    assert smoke.strip() not in listed.output
    assert "never" in lines[1]  # never used, never expires
    smoke_id, deploy_id = _ids(listed.output)

    revoked = run("tokens", "revoke", str(smoke_id), "--email", "maya@example.com")
    assert revoked.exit_code == 0, revoked.output
    assert f"Revoked API token {smoke_id} of maya@example.com." in revoked.output
    assert _ids(run("tokens", "list", "--email", "maya@example.com").output) == [deploy_id]


def test_revoking_another_accounts_or_an_already_revoked_token_fails_and_changes_nothing(
    run: Invoke,
) -> None:
    run("tokens", "create", "--email", "maya@example.com")
    (token_id,) = _ids(run("tokens", "list", "--email", "maya@example.com").output)

    foreign = run("tokens", "revoke", str(token_id), "--email", "other@example.com")
    assert foreign.exit_code == 1
    assert "No such API token" in foreign.output
    assert _ids(run("tokens", "list", "--email", "maya@example.com").output) == [token_id]

    assert run("tokens", "revoke", str(token_id), "--email", "maya@example.com").exit_code == 0
    again = run("tokens", "revoke", str(token_id), "--email", "maya@example.com")
    assert again.exit_code == 1
    assert "No such API token" in again.output


def test_an_unknown_email_is_one_line_error(run: Invoke) -> None:
    result = run("tokens", "list", "--email", "nobody@example.com")
    assert result.exit_code == 1
    assert "no user with email nobody@example.com" in result.output
    assert "Traceback" not in result.output


def test_an_account_without_tokens_says_so(run: Invoke) -> None:
    result = run("tokens", "list", "--email", "other@example.com")
    assert result.exit_code == 0
    assert "other@example.com has no active API tokens." in result.output


def test_create_past_max_api_tokens_revokes_the_oldest(
    run: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAX_API_TOKENS", "2")
    for name in ("first", "second", "third"):
        assert run("tokens", "create", "--email", "maya@example.com", "--name", name).exit_code == 0
    listed = run("tokens", "list", "--email", "maya@example.com").output
    assert "third" in listed
    assert "second" in listed
    assert "first" not in listed


def test_an_id_past_the_id_column_is_refused_in_one_line(run: Invoke) -> None:
    result = run("tokens", "revoke", "99999999999999999999", "--email", "maya@example.com")
    assert result.exit_code == 2  # typer's usage error, before any database
    assert "Traceback" not in result.output
    assert "Invalid value" in result.output


def test_a_token_name_is_kept_as_pages_show_it_and_a_blank_one_refused(run: Invoke) -> None:
    padded = run("tokens", "create", "--email", "maya@example.com", "--name", "  ci   deploy ")
    blank = run("tokens", "create", "--email", "maya@example.com", "--name", "   ")
    listed = run("tokens", "list", "--email", "maya@example.com").output

    assert padded.exit_code == 0, padded.output
    assert re.search(r"^\d+\s+ci deploy\s", listed, flags=re.MULTILINE)
    assert blank.exit_code == 1
    assert blank.output.startswith("error: --name")
