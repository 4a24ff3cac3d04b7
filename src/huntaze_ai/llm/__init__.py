"""The model layer: Gemini through pydantic-ai, prompts as sandboxed templates, and `run_metered`,
which is how an agent calls the model (through the Meter, never around it)."""
