"""Marketing campaigns and the AI insights linked to them (DESIGN §2.2)."""
