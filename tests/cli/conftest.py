from __future__ import annotations

from collections.abc import Callable

import pytest
from click.testing import Result
from sqlalchemy.engine import URL
from typer.testing import CliRunner

from huntaze_ai.cli import app

Invoke = Callable[..., Result]


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Callable[[URL], Invoke]:
    """`cli(url)("db", "status")` runs the real CLI against the database at `url`."""

    def bind(url: URL) -> Invoke:
        monkeypatch.setenv("DATABASE_URL", url.render_as_string(hide_password=False))

        def invoke(*args: str) -> Result:
            return CliRunner().invoke(app, list(args))

        return invoke

    return bind
