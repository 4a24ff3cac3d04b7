"""Whether each agent can generate now, given the quota left."""
