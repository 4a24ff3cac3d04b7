"""Context for the agents from the data Huntaze already holds about a creator (DESIGN §2.2, seed
task 17.5): connected platforms, stats, fan subscriptions and fans with their segments."""
