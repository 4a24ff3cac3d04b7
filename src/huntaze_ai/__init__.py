"""Huntaze AI: metered AI agents for creators, with quotas, rate limits and an operations CLI."""

__version__ = "0.1.0"
