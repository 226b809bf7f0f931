"""Save and load a component's scikit-learn model through Rasa's model storage."""

from __future__ import annotations

import logging
from typing import Any, ClassVar, Dict, Optional, Text, TypeVar

import joblib
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage

logger = logging.getLogger(__name__)
Component = TypeVar("Component", bound="SklearnModelComponent")


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


class SklearnModelComponent(GraphComponent):
    """A graph component whose whole trained state is one scikit-learn model.

    Subclasses name the file (``MODEL_FILE``) and say what an untrained component
    does instead (``UNTRAINED``, logged on load); ``_keep`` stores a fitted model."""

    MODEL_FILE: ClassVar[str]
    UNTRAINED: ClassVar[str]
    MAX_CHARS: ClassVar[int] = 2000

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 model: Optional[Any] = None) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(cls: type[Component], config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> Component:
        return cls(config, model_storage, resource)

    @classmethod
    def load(cls: type[Component], config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> Component:
        model = load_model(model_storage, resource, cls.MODEL_FILE)
        if model is None:
            logger.warning(cls.UNTRAINED)
        return cls(config, model_storage, resource, model)

    def class_probabilities(self, text: Text) -> Dict[str, float]:
        """The model's probability for each class; very long texts are cut, since
        their first ``MAX_CHARS`` characters already say what they are about."""
        probabilities = self._model.predict_proba([text[:self.MAX_CHARS]])[0]
        return {str(label): float(p) for label, p in zip(self._model.classes_, probabilities)}

    def _keep(self, model: Any) -> Resource:
        self._model = model
        save_model(model, self._model_storage, self._resource, self.MODEL_FILE)
        return self._resource
