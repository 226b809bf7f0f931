"""Custom Rasa NLU graph components (referenced by their module path in config.yml)."""
