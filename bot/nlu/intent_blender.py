"""Blends DIET's intent ranking with an n-gram logistic regression's.

With a few dozen examples per intent, DIET's answer moves by several points of
macro-F1 from one random seed to the next, and it is confidently wrong on phrasings it
has not seen. A linear model over character and word n-grams is deterministic and
strong on small data; the two make different mistakes. On a validation split of our
training data (``bench/nlu_tune.py``) the n-gram model alone matches DIET, and the blend
beats both. DIET still finds the entities; this component only re-ranks intents, so it
sits after DIET and before the checks that read the final intent.

The n-gram model's probabilities are temperature-scaled (``bot/nlu/calibration.py``),
so that the blended confidence keeps its meaning for the fallback and handoff
thresholds. ``intent`` and ``intent_ranking`` become the blend; ``intent_sources`` keeps
each model's top intent so that a surprising decision can be explained.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.calibration import fit_calibrated
from bot.nlu.ngram_model import ngram_logistic_regression
from bot.nlu.persistence import SklearnModelComponent

logger = logging.getLogger(__name__)
SOURCES_ATTRIBUTE = "intent_sources"


def blend(first: Dict[str, float], second: Dict[str, float], first_weight: float) -> List[Dict[str, Any]]:
    """Weighted mean of two probability maps, as a ranking (best first). An intent
    missing from one map (DIET cuts its ranking at ten) counts as 0 there."""
    names = set(first) | set(second)
    mixed = {name: first_weight * first.get(name, 0.0) + (1 - first_weight) * second.get(name, 0.0)
             for name in names}
    ranking = sorted(mixed.items(), key=lambda item: item[1], reverse=True)
    return [{INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: round(score, 6)} for name, score in ranking]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class NgramIntentBlender(SklearnModelComponent):
    MODEL_FILE = "intent_ngram_classifier.joblib"
    UNTRAINED = "No trained n-gram intent model; DIET's intents are used as they are."

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"diet_weight": 0.5, "regularisation_c": 30.0, "calibrate": True}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 model: Optional[Any] = None) -> None:
        super().__init__(config, model_storage, resource, model)
        self._diet_weight = float(config["diet_weight"])
        if not 0.0 <= self._diet_weight <= 1.0:
            raise ValueError(f"NgramIntentBlender diet_weight must be between 0 and 1; got {self._diet_weight}.")

    def train(self, training_data: TrainingData) -> Resource:
        examples = [e for e in training_data.intent_examples if e.get(TEXT) and e.get(INTENT)]
        if len({e.get(INTENT) for e in examples}) < 2:
            raise ValueError("NgramIntentBlender needs examples of at least two intents in data/nlu/.")
        texts, labels = [e.get(TEXT) for e in examples], [e.get(INTENT) for e in examples]
        classifier = ngram_logistic_regression(float(self._config["regularisation_c"]))
        if not self._config["calibrate"]:
            return self._keep(classifier.fit(texts, labels))
        calibrated = fit_calibrated(classifier, texts, labels)
        logger.info("N-gram intent probabilities are scaled with temperature %.2f.", calibrated.temperature)
        return self._keep(calibrated)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = (message.get(TEXT) or "").strip()
            diet_ranking = message.get(INTENT_RANKING_KEY) or []
            if self._model is None or not text or not diet_ranking:
                continue
            diet = {entry[INTENT_NAME_KEY]: float(entry[PREDICTED_CONFIDENCE_KEY]) for entry in diet_ranking}
            ngrams = self.class_probabilities(text)
            ranking = blend(diet, ngrams, self._diet_weight)
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
            message.set(SOURCES_ATTRIBUTE, {
                "diet": max(diet, key=diet.get), "diet_confidence": round(max(diet.values()), 4),
                "ngrams": max(ngrams, key=ngrams.get), "ngrams_confidence": round(max(ngrams.values()), 4),
            }, add_to_output=True)
        return messages
