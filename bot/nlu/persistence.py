"""Save and load a component's scikit-learn model through Rasa's model storage."""

from __future__ import annotations

from typing import Any, Optional

import joblib
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage


def save_model(model: Any, model_storage: ModelStorage, resource: Resource, filename: str) -> None:
    with model_storage.write_to(resource) as directory:
        joblib.dump(model, directory / filename)


def load_model(model_storage: ModelStorage, resource: Resource, filename: str) -> Optional[Any]:
    """The saved model, or None when the component was never trained."""
    try:
        with model_storage.read_from(resource) as directory:
            return joblib.load(directory / filename)
    except (ValueError, FileNotFoundError):
        return None
