import pytest

from huntaze_ai.kit.db import Database
from tests.cli.conftest import cli
from tests.webhooks.helpers import set_aside_pending

__all__ = ["cli", "own_outbox"]  # `huntaze-ai webhooks` runs like the other commands' tests


@pytest.fixture
async def own_outbox(database: Database) -> None:
    """For a test that starts a worker on the shared database (helpers.set_aside_pending)."""
    await set_aside_pending(database)
