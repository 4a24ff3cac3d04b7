"""The compliance guard on fan messages (DESIGN §2.1): forbidden words (disguised spellings too),
contact details, external links, a length cap and escalation triggers. Pure functions, no I/O:
the messaging agent applies it to every draft, `POST /api/ai/compliance/check` to hand-written
messages."""
