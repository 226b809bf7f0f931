"""Our own code around Rasa: NLU components, policies, tooling and the desk gateway."""
