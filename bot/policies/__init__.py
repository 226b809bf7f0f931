"""Custom Rasa policies (referenced by their module path in config.yml)."""
