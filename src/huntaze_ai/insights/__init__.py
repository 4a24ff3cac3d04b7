"""AI insights: what the analytics agent concluded about a creator, stored so campaigns can link
them (DESIGN §2.1, §2.2)."""
