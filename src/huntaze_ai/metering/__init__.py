"""Cost control (DESIGN §2.3–2.4): pricing, usage log, monthly quota with atomic reservations,
per-plan rate limits. Every AI call goes through `Meter.call` (service.py)."""
