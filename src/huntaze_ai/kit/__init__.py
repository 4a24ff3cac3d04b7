"""Shared helpers every domain uses: database sessions, errors, money, time, secrets."""
