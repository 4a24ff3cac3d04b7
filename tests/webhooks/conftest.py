from tests.cli.conftest import cli

__all__ = ["cli"]  # `huntaze-ai webhooks` runs like the other commands' tests run them
